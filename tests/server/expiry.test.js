// A socket lives no longer than its token: it is closed with 4401 at the
// token's expiry (the client then asks getToken for a fresh one and resumes).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway } from '../support/gateway.js';

let gw;
before(async () => { gw = await startGateway(); });
after(() => gw.stop());

test('an open socket is closed 4401 when its token expires; a fresh token connects again', async () => {
  const exp = Math.floor(Date.now() / 1000) + 2;
  const c = await gw.socket(gw.mintToken({ sub: 1, exp }));
  const other = await gw.socket('bob'); // a long-lived token on the same server
  c.send({ type: 'subscribe', channel: 'Product:list' });
  assert.equal((await c.next()).type, 'subscribed', 'works before the expiry');
  const { code, reason } = await Promise.race([
    c.closed,
    new Promise((_, reject) => setTimeout(() => reject(new Error('still open 2 s after the expiry')), exp * 1000 - Date.now() + 2000)),
  ]);
  assert.deepEqual({ code, reason }, { code: 4401, reason: 'Token expired' });
  assert.ok(Date.now() >= exp * 1000 - 50, 'not closed before the expiry');
  other.send({ type: 'ping', t: 1 });
  assert.deepEqual(await other.next(), { type: 'pong', t: 1 }, 'other sockets are untouched');
  const again = await gw.socket(gw.mintToken({ sub: 1, exp: exp + 3600 }));
  again.send({ type: 'subscribe', channel: 'Product:list', since: 0 });
  assert.equal((await again.next()).type, 'subscribed', 'resumes with a fresh token');
  await Promise.all([again.close(), other.close()]);
});

test('a token far in the future does not close the socket early (timer overflow)', async () => {
  // 2^31 ms is about 24.8 days: a naive setTimeout would fire at once.
  const c = await gw.socket(gw.mintToken({ sub: 2, exp: Math.floor(Date.now() / 1000) + 40 * 24 * 3600 }));
  await new Promise((r) => setTimeout(r, 200));
  c.send({ type: 'ping', t: 'still' });
  assert.deepEqual(await c.next(), { type: 'pong', t: 'still' });
  await c.close();
});
