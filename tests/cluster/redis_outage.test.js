// One gateway with --redis while Redis hangs: a socket's drop waiting on
// Redis delays no other socket (pings and requests are answered).
// (A drop whose Redis calls fail still releases: tests/server/drop_release.test.js.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster } from '../support/cluster.js';

let c;
let tok;
before(async () => {
  c = await startCluster({ gateways: 1, config: { websockets: { limits: { connectionsPerUser: 3 } } }, env: { SSOT_PRESENCE_TTL_MS: '3000' } });
  tok = await c.gateways[0].tokens();
});
after(() => c?.stop());

const gw = () => c.gateways[0];
async function onPresence(sock) {
  sock.send({ type: 'subscribe', channel: 'chat:room:1' });
  await sock.next({ type: 'subscribed', channel: 'chat:room:1' }, 10000);
}

test('Redis paused: one socket\'s drop waits on Redis, another socket still gets its pong and its response', async () => {
  const a = await gw().socket(tok.bob);
  await onPresence(a);
  const b = await gw().socket(tok.alice);
  process.kill(c.redis.pid(), 'SIGSTOP'); // commands now hang, they do not fail
  try {
    a.close();
    await a.closed;
    b.send({ type: 'ping', t: 7 });
    assert.deepEqual(await b.next({ type: 'pong' }, 10000), { type: 'pong', t: 7 });
    b.send({ type: 'request', requestId: 'r1', model: 'Product', action: 'get', params: { id: 1 } });
    assert.equal((await b.next({ type: 'response', requestId: 'r1' }, 10000)).data.id, 1);
  } finally {
    process.kill(c.redis.pid(), 'SIGCONT');
  }
  b.close();
});
