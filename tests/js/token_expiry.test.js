// A token that expires while the socket is open: the gateway closes it with 4401
// at the expiry, the client asks getToken for a fresh one, reconnects and resumes
// its channels, so a live view misses nothing written around the expiry.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway } from '../support/gateway.js';
import { createClient } from '../../js/index.js';
import { clientConfig, tokenFor, until, waitFor, requireRuntime } from './helpers.js';

let gw;
before(async () => { gw = await startGateway(); });
after(() => gw.stop());

test('expiry while open: 4401, getToken once, reconnect, the live view keeps every write', async (t) => {
  requireRuntime();
  const exp = Math.floor(Date.now() / 1000) + 2;
  let asked = 0;
  const client = await createClient(clientConfig(gw, {
    token: gw.mintToken({ sub: 1, exp }),
    getToken: async () => { asked += 1; return gw.login('alice'); },
  }));
  t.after(() => client.close());
  const states = [];
  client.connection.subscribe((s) => states.push(s.state));
  const view = client.model('Product').watch({ orderBy: { id: 'asc' } });
  await until(view, (s) => s.status === 'ready', 'hydrated');

  // An admin writes before, across and after the expiry.
  const admin = await tokenFor(gw, 'admin');
  let stock = 100;
  const write = () => gw.request('PATCH', '/products/1', { token: admin, body: { stock: ++stock } });
  while (Date.now() < exp * 1000 + 500) {
    assert.equal((await write()).status, 200);
    await new Promise((r) => setTimeout(r, 50));
  }
  await until(client.connection, (s) => s.state === 'open', 'open again');
  await write();
  await until(view, (s) => s.items[0]?.stock === stock, `stock ${stock} after the reconnect`);
  assert.equal(asked, 1, 'getToken asked once');
  assert.ok(states.includes('reconnecting') || states.includes('connecting'), `states: ${states}`);
  await waitFor(() => client.stats().reconnects >= 1, { what: 'a reconnect counted' });
});
