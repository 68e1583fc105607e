// A socket's drop forgets it locally and releases its connection slot even
// when the shared presence (Redis) fails; a failing lane never stops another
// socket's. Unit level: createGateway over an in-memory SQLite store and a
// shared presence whose Redis is "down" (its leave rejects).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { openDatabase } from '../../demo/server/db.js';
import { loadConfig, DEMO_CONFIG } from '../../demo/server/config.js';
import { createAccess } from '../../demo/server/access.js';
import { createVisibility } from '../../demo/server/visibility.js';
import { createStreams } from '../../demo/server/streams.js';
import { createInProcessBus } from '../../demo/server/bus.js';
import { createGateway } from '../../demo/server/gateway.js';
import { signToken } from '../../demo/server/auth.js';
import { connectSocket } from '../support/gateway.js';

test('presence leave rejects: the connection is still released, and the gateway goes on', { timeout: 30000 }, async () => {
  const db = await openDatabase(':memory:');
  const config = loadConfig(DEMO_CONFIG);
  const access = createAccess(db);
  const visibility = createVisibility(config, access, db.dialect);
  const streams = createStreams(db, access, visibility);
  const released = [];
  let waitRelease;
  const releasedOnce = new Promise((r) => { waitRelease = r; });
  const presence = {
    join: async () => true,
    leave: async () => { throw new Error('redis down'); },
    members: async () => [],
    acquire: async () => true,
    release: async (userId, connId) => { released.push([userId, connId]); waitRelease(); },
  };
  const logged = [];
  const gateway = createGateway({ config, db, access, visibility, streams, bus: createInProcessBus(), secret: 's', log: (l) => logged.push(l), shared: { presence } });
  const server = http.createServer();
  server.on('upgrade', (req, socket, head) => gateway.handleUpgrade(req, socket, head));
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const url = `ws://127.0.0.1:${server.address().port}/ws?token=${signToken({ sub: 2, exp: Math.floor(Date.now() / 1000) + 600 }, 's')}`;
  const a = connectSocket(url);
  await a.opened;
  a.send({ type: 'subscribe', channel: 'chat:room:1' });
  await a.next({ type: 'subscribed', channel: 'chat:room:1' });
  a.ws.close();
  await releasedOnce;
  assert.equal(released.length, 1);
  assert.ok(logged.some((l) => l.includes('redis down')), 'the failure is logged');
  const b = connectSocket(url);
  await b.opened;
  b.send({ type: 'ping', t: 1 });
  assert.deepEqual(await b.next({ type: 'pong' }), { type: 'pong', t: 1 });
  assert.equal(gateway.stats().connections, 1, 'only b is counted here');
  b.ws.close();
  await b.closed;
  await gateway.close();
  await new Promise((r) => server.close(r));
  await db.close();
});
