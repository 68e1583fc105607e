// One gateway with --redis while Redis hangs: a socket's drop waiting on
// Redis delays no other socket (pings and requests are answered); after
// Redis lost its data, the refresh writes presence back, names included, and
// announces the users it had lost as joining again.
// (A drop whose Redis calls fail still releases: tests/server/drop_release.test.js.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Redis from 'ioredis';
import { startCluster } from '../support/cluster.js';
import { startGateway } from '../support/gateway.js';

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

test('Redis wiped: presence comes back with names, and the lost members are announced as joining', async () => {
  const a = await gw().socket(tok.alice);
  await onPresence(a);
  const b = await gw().socket(tok.bob);
  await onPresence(b);
  await a.next({ channel: 'chat:room:1', event: 'join' }, 10000);
  const r = new Redis(c.redis.url);
  try { await r.flushall(); } finally { r.disconnect(); }
  assert.deepEqual((await a.next({ channel: 'chat:room:1', event: 'join' }, 15000)).data, { userId: 2, name: 'bob' });
  const d = await gw().socket(tok.admin);
  d.send({ type: 'subscribe', channel: 'chat:room:1' });
  const sub = await d.next({ type: 'subscribed', channel: 'chat:room:1' }, 10000);
  assert.deepEqual(sub.members.filter((m) => m.userId !== 3), [{ userId: 1, name: 'alice' }, { userId: 2, name: 'bob' }]);
  for (const s of [a, b, d]) s.close();
});

test('SQLite with --redis, Redis paused: writes still commit (the relay holds no transaction while it waits)', { timeout: 60000 }, async () => {
  const lite = await startGateway({ dbPath: `${c.dir}/lite.sqlite`, redis: c.redis.url });
  const admin = await lite.login('admin');
  process.kill(c.redis.pid(), 'SIGSTOP');
  try {
    const first = await lite.request('PATCH', '/products/1', { token: admin, body: { stock: 1 } });
    const second = await lite.request('PATCH', '/products/1', { token: admin, body: { stock: 2 } });
    assert.deepEqual([first.status, second.status], [200, 200]);
  } finally {
    process.kill(c.redis.pid(), 'SIGCONT');
  }
  await lite.stop();
});

test('Redis wiped: subscribed carries the database\'s seq, not 0', async () => {
  const admin = await gw().socket(tok.admin);
  admin.send({ type: 'subscribe', channel: 'Product:item:2' });
  await admin.next({ type: 'subscribed', channel: 'Product:item:2' }, 10000);
  await gw().request('PATCH', '/products/2', { token: tok.admin, body: { stock: 77 } });
  const { seq } = await admin.next({ type: 'update', channel: 'Product:item:2' }, 10000);
  assert.ok(seq > 0);
  const r = new Redis(c.redis.url);
  try { await r.flushall(); } finally { r.disconnect(); }
  const again = await gw().socket(tok.bob);
  again.send({ type: 'subscribe', channel: 'Product:item:2' });
  assert.equal((await again.next({ type: 'subscribed', channel: 'Product:item:2' }, 10000)).seq, seq);
  admin.close();
  again.close();
});

test('an update whose pub/sub message was lost reaches a stream this gateway never had an update of', async () => {
  const s = await gw().socket(tok.bob);
  s.send({ type: 'subscribe', channel: 'Product:item:4' });
  const { seq } = await s.next({ type: 'subscribed', channel: 'Product:item:4' }, 10000);
  const [row] = await gw().sql('SELECT * FROM "Product" WHERE "id" = 4');
  const d = { channel: 'Product:item:4', stream: 'Product:item:4', seq: seq + 1, model: 'Product', type: 'updated', id: 4, timestamp: 1, record: { ...row, stock: 404, version: row.version + 1 } };
  // Published into Redis (last seq, replay buffer) with no pub/sub message: as if it was lost.
  const r = new Redis(c.redis.url);
  try {
    const prefix = `ssot:${gw().epoch()}:`;
    await r.set(`${prefix}last:Product:item:4`, seq + 1);
    await r.xadd(`${prefix}buf:Product:item:4`, `${seq + 1}-0`, 'd', JSON.stringify(d));
  } finally { r.disconnect(); }
  const got = await s.next({ channel: 'Product:item:4' }, 10000);
  assert.deepEqual([got.type, got.seq, got.data?.data?.stock], ['update', seq + 1, 404]);
  s.close();
});

test('Redis paused: a list read and a subscribe answer from the database; a replay is resync; what was written meanwhile arrives after', { timeout: 60000 }, async () => {
  const s = await gw().socket(tok.bob);
  s.send({ type: 'subscribe', channel: 'Product:list' });
  const { seq } = await s.next({ type: 'subscribed', channel: 'Product:list' }, 10000);
  const late = await gw().socket(tok.alice);
  process.kill(c.redis.pid(), 'SIGSTOP');
  let list;
  try {
    assert.equal((await gw().request('PATCH', '/products/3', { token: tok.admin, body: { stock: 33 } })).status, 200);
    // Answered while Redis hangs, at the database's seq (the write is in it).
    list = await answered(gw().request('GET', '/products', { token: tok.bob }), 'the list read');
    assert.equal(list.status, 200);
    assert.equal(list.body.seq, seq + 1);
    assert.equal(list.body.items.find((p) => p.id === 3).stock, 33);
    late.send({ type: 'subscribe', channel: 'Product:list', since: seq });
    const sub = await late.next({ type: 'subscribed', channel: 'Product:list' }, 10000);
    assert.equal(sub.seq, seq + 1);
    assert.deepEqual(await late.next({ channel: 'Product:list' }, 10000), { type: 'resync', channel: 'Product:list' });
  } finally {
    process.kill(c.redis.pid(), 'SIGCONT');
  }
  const got = await s.next({ type: 'update', channel: 'Product:list' }, 15000);
  assert.deepEqual([got.seq, got.data.data.stock], [seq + 1, 33]);
  await gw().request('PATCH', '/products/3', { token: tok.admin, body: { stock: 34 } });
  const next = await late.next({ type: 'update', channel: 'Product:list' }, 10000);
  assert.deepEqual([next.seq, next.data.data.stock], [seq + 2, 34], 'the late subscriber goes on from the database seq');
  s.close();
  late.close();
});

// Resolves with p's value, or fails when it takes longer than 10 s (it waits on Redis).
function answered(p, what) {
  let timer;
  const limit = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} waited for Redis`)), 10000); });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

test('a subscriber told the database seq while Redis hung does not make the gateway skip an update another subscriber needs', { timeout: 60000 }, async () => {
  const channel = 'Product:item:1';
  const prefix = `ssot:${gw().epoch()}:`;
  const r = new Redis(c.redis.url);
  try {
    // Redis published P (nobody here follows the stream yet)...
    assert.equal((await gw().request('PATCH', '/products/1', { token: tok.admin, body: { stock: 50 } })).status, 200);
    let last = null;
    for (let i = 0; i < 100 && last === null; i++) {
      last = await r.get(`${prefix}last:${channel}`);
      if (last === null) await new Promise((res) => setTimeout(res, 50));
    }
    const P = Number(last);
    // ...and the database numbered P + 1, whose outbox row is not relayed yet.
    await gw().sql('UPDATE "StreamSeq" SET "seq" = ? WHERE "stream" = ?', [P + 1, channel]);
    const x = await gw().socket(tok.admin);
    process.kill(c.redis.pid(), 'SIGSTOP');
    try {
      x.send({ type: 'subscribe', channel });
      assert.equal((await x.next({ type: 'subscribed', channel }, 10000)).seq, P + 1, 'the database count');
    } finally {
      process.kill(c.redis.pid(), 'SIGCONT');
    }
    const y = await gw().socket(tok.bob);
    y.send({ type: 'subscribe', channel, since: P });
    assert.equal((await y.next({ type: 'subscribed', channel }, 10000)).seq, P, 'Redis answers again');
    const [row] = await gw().sql('SELECT * FROM "Product" WHERE "id" = 1');
    const d = { channel, stream: channel, seq: P + 1, model: 'Product', type: 'updated', id: 1, timestamp: 1, record: { ...row, stock: 55, version: row.version + 1 } };
    await gw().sql('INSERT INTO "Outbox" ("body") VALUES (?)', [JSON.stringify([d])]);
    const got = await y.next({ channel }, 10000);
    assert.deepEqual([got.type, got.seq, got.data?.data?.stock], ['update', P + 1, 55]);
    x.close();
    y.close();
  } finally {
    r.disconnect();
  }
});
