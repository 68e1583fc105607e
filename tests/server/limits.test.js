// Limits from config (small values here), and the server keeps serving others
// after each breach.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway } from '../support/gateway.js';

let gw, tok;
const limits = { subscriptionsPerConnection: 3, connectionsPerUser: 2, maxFrameBytes: 1024, malformedFramesPerConnection: 3 };

before(async () => {
  gw = await startGateway({ config: { websockets: { limits } } });
  tok = await gw.tokens();
});
after(() => gw.stop());

// Proof of life for the server and for another user's socket.
async function stillServing() {
  const r = await gw.request('GET', '/products/1', { token: tok.admin });
  assert.equal(r.status, 200);
  const c = await gw.socket(tok.admin);
  c.send({ type: 'ping', t: 'alive' });
  assert.deepEqual(await c.next(), { type: 'pong', t: 'alive' });
  await c.close();
}

test('subscriptions per connection: the one over the limit is refused', async () => {
  const c = await gw.socket(tok.alice);
  for (const ch of ['Product:list', 'Message:list', 'chat:room:1']) {
    c.send({ type: 'subscribe', channel: ch });
    assert.equal((await c.next()).type, 'subscribed');
  }
  c.send({ type: 'subscribe', channel: 'Room:list' });
  assert.deepEqual(await c.next(), { type: 'error', error: 'Too many subscriptions', code: 'too_many_subscriptions', channel: 'Room:list' });
  c.send({ type: 'subscribe', channel: 'Product:list' });
  assert.equal((await c.next()).type, 'subscribed', 'subscribing again to a held channel is not a new one');
  await gw.request('PATCH', '/rooms/1', { token: tok.admin, body: { name: 'general' } });
  await c.barrier();
  assert.deepEqual(c.pending({ channel: 'Room:list' }), [], 'the refused subscription gets nothing');
  c.send({ type: 'unsubscribe', channel: 'Message:list' });
  await c.next({ type: 'unsubscribed' });
  c.send({ type: 'subscribe', channel: 'Room:list' });
  assert.equal((await c.next()).type, 'subscribed', 'room again after an unsubscribe');
  await c.close();
});

test('connections per user: the one over the limit is closed 4429', async () => {
  const a1 = await gw.socket(tok.bob);
  const a2 = await gw.socket(tok.bob);
  const a3 = await gw.socket(tok.bob);
  assert.equal((await a3.closed).code, 4429);
  a1.send({ type: 'ping', t: 1 });
  assert.deepEqual(await a1.next(), { type: 'pong', t: 1 }, 'the others keep working');
  await stillServing();
  await a2.close();
  const a4 = await gw.socket(tok.bob);
  a4.send({ type: 'ping', t: 4 });
  assert.deepEqual(await a4.next(), { type: 'pong', t: 4 }, 'room for one again once a socket closed');
  await Promise.all([a1.close(), a4.close()]);
});

test('frame size: a frame over maxFrameBytes closes the socket with 1009', async () => {
  const c = await gw.socket(tok.alice);
  c.send({ type: 'ping', t: 'x'.repeat(1000) });
  assert.equal((await c.next()).type, 'pong', 'just under the limit is fine');
  c.send({ type: 'ping', t: 'x'.repeat(2000) });
  assert.equal((await c.closed).code, 1009);
  await stillServing();
});

test('malformed frames: an error each, then 1008 past the limit', async () => {
  const c = await gw.socket(tok.alice);
  for (const bad of ['nope', '42', '{"type":"fly"}']) {
    c.send(bad);
    assert.equal((await c.next()).code, 'malformed');
  }
  c.send({ type: 'ping', t: 'ok' });
  assert.deepEqual(await c.next(), { type: 'pong', t: 'ok' }, 'three tolerated');
  c.send('{{{');
  assert.deepEqual(await c.next(), { type: 'error', error: 'Invalid JSON', code: 'malformed' });
  assert.equal((await c.closed).code, 1008);
  await stillServing();
});

test('non-malformed errors do not count toward the malformed limit', async () => {
  const c = await gw.socket(tok.alice);
  for (let i = 0; i < 6; i++) {
    c.send({ type: 'subscribe', channel: `Nope${i}:list` });
    assert.equal((await c.next()).error, 'Unknown channel');
  }
  c.send({ type: 'ping', t: 'still here' });
  assert.deepEqual(await c.next(), { type: 'pong', t: 'still here' });
  await c.close();
});

test('binary frames are malformed', async () => {
  const c = await gw.socket(tok.alice);
  c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
  assert.deepEqual(await c.next(), { type: 'error', error: 'Binary frames are not supported', code: 'malformed' });
  await c.close();
});
