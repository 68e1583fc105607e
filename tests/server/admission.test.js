// Which socket is "the one over the limit" must not depend on which user
// lookup the store answers first: a pooled Postgres store answers them in any
// order. The store's lookups are held here until the three sockets are open,
// then answered newest first, as a pool may (admitted in turn, the gateway has
// only the first one asked then); the socket refused must be the last to arrive.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../../demo/server/server.js';
import { connectSocket, TEST_SECRET } from '../support/gateway.js';

let srv, token;
before(async () => {
  const limits = { connectionsPerUser: 2 };
  srv = await startServer({ port: 0, db: ':memory:', secret: TEST_SECRET, config: { websockets: { limits } }, log: () => {} });
  const res = await fetch(`${srv.url}/api/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'bob', password: 'bob' }) });
  ({ token } = await res.json());
});
after(() => srv.close());

test('connections per user: the last to arrive is refused even when the user lookups finish out of order', { timeout: 20_000 }, async () => {
  const get = srv.db.get;
  const held = [];
  let holding = true;
  srv.db.get = (sql, params) => {
    const answer = () => get(sql, params);
    if (!holding || !sql.includes('FROM "User"')) return answer();
    return new Promise((resolve) => held.push(() => resolve(answer())));
  };
  try {
    const url = `${srv.url.replace('http', 'ws')}/ws?token=${encodeURIComponent(token)}`;
    const socks = [];
    for (let i = 0; i < 3; i++) {
      socks.push(connectSocket(url));
      await socks[i].opened; // the gateway has started this socket's admission
    }
    holding = false;
    while (held.length) held.pop()(); // newest first
    const refused = await Promise.race(socks.map((s, i) => s.closed.then((c) => ({ i, code: c.code }))));
    assert.deepEqual(refused, { i: 2, code: 4429 });
    socks[0].send({ type: 'ping', t: 0 });
    assert.deepEqual(await socks[0].next(), { type: 'pong', t: 0 }, 'the first two are admitted');
    socks[1].send({ type: 'ping', t: 1 });
    assert.deepEqual(await socks[1].next(), { type: 'pong', t: 1 });
    await Promise.all([socks[0].close(), socks[1].close()]);
  } finally {
    srv.db.get = get;
  }
});
