// Three gateways on one Postgres database with --redis: started at once, they
// share the schema and seed; a write on any reaches subscribers on every one
// in seq order; `since` replays on any gateway; the outbox publishes a row
// exactly once whoever relays it; presence and connection limits span them.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster } from '../support/cluster.js';
import Redis from 'ioredis';
import pg from 'pg';
import { startGateway } from '../support/gateway.js';

const FAULTY_MAIN = new URL('../support/faulty-main.js', import.meta.url).pathname;

let c;
let tok;
let redis;
const gw = (i) => c.gateways[i];

// Fails at once, saying why, when the gateway closes the socket instead (4429).
async function subscribe(sock, channel, since) {
  sock.send(since === undefined ? { type: 'subscribe', channel } : { type: 'subscribe', channel, since });
  const got = await Promise.race([sock.next({ type: 'subscribed', channel }), sock.closed]);
  if (got.type !== 'subscribed') throw new Error(`socket closed (${got.code} ${got.reason}) instead of subscribed to ${channel}`);
  return got;
}

// A closed socket's connection entry is released asynchronously (its gateway's
// lane, then Redis): a test that opens the user's sockets again right after
// closing as many as the limit (3) waits for it, or the gateway answers 4429.
async function released(userId) {
  const key = `ssot:${gw(0).epoch()}:conns:${userId}`;
  for (let i = 0; (await redis.zcard(key)) > 0; i++) {
    assert.ok(i < 100, `user ${userId}'s closed sockets are released`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

before(async () => {
  c = await startCluster({
    gateways: 3,
    config: { websockets: { limits: { connectionsPerUser: 3, replayBufferPerChannel: 5 } } },
    env: { SSOT_PRESENCE_TTL_MS: '3000' },
  });
  tok = await gw(0).tokens();
  redis = new Redis(c.redis.url);
});
after(async () => {
  redis?.disconnect();
  await c?.stop();
});

describe('one database, three gateways', () => {
  test('started at once, they created the schema and the seed once; a token of one works on all', async () => {
    const users = await c.query('SELECT "name" FROM "User" ORDER BY "id"');
    assert.deepEqual(users.rows.map((r) => r.name), ['alice', 'bob', 'admin']);
    for (const i of [1, 2]) assert.equal((await gw(i).request('GET', '/me', { token: tok.alice })).body.name, 'alice');
    const epochs = await Promise.all([0, 1, 2].map(async (i) => (await gw(i).request('GET', '/products', { token: tok.bob })).body.epoch));
    assert.equal(new Set(epochs).size, 1, 'one epoch');
  });

  test('writes on every gateway reach subscribers on every gateway, numbered once, in seq order', async () => {
    const socks = await Promise.all([0, 1, 2].map((i) => gw(i).socket(tok.bob)));
    const start = await Promise.all(socks.map((s) => subscribe(s, 'Product:list')));
    const s0 = start[0].seq;
    assert.ok(start.every((f) => f.seq === s0 && f.epoch === start[0].epoch), JSON.stringify(start));
    const writes = [];
    for (let k = 0; k < 9; k++) writes.push(gw(k % 3).request('PATCH', '/products/2', { token: tok.admin, body: { stock: 100 + k } }));
    assert.ok((await Promise.all(writes)).every((r) => r.status === 200));
    for (const s of socks) {
      const got = [];
      for (let k = 0; k < 9; k++) got.push(await s.next({ type: 'update', channel: 'Product:list' }, 10000));
      assert.deepEqual(got.map((f) => f.seq), Array.from({ length: 9 }, (_, k) => s0 + 1 + k), 'every seq once, in order');
      assert.deepEqual(got.map((f) => f.data.data.version), got.map((_, k) => got[0].data.data.version + k), 'versions follow the seqs');
    }
    const stock = (await gw(1).request('GET', '/products/2', { token: tok.bob })).body.stock;
    assert.equal(stock, socks[0].frames.filter((f) => f.type === 'update').at(-1).data.data.stock, 'the last update is the database');
    await Promise.all(socks.map((s) => s.close()));
    await released(2);
  });

  test('since replays from Redis on another gateway; older than the buffer: resync', async () => {
    const a = await gw(0).socket(tok.bob);
    const first = await subscribe(a, 'Product:item:3');
    for (let k = 0; k < 3; k++) await gw(k).request('PATCH', '/products/3', { token: tok.admin, body: { stock: k } });
    for (let k = 0; k < 3; k++) await a.next({ type: 'update', channel: 'Product:item:3' });
    const live = a.frames.filter((f) => f.type === 'update' && f.channel === 'Product:item:3');
    a.close();
    const b = await gw(2).socket(tok.bob);
    const back = await subscribe(b, 'Product:item:3', first.seq);
    assert.equal(back.seq, first.seq + 3);
    const replayed = [];
    for (let k = 0; k < 3; k++) replayed.push(await b.next({ channel: 'Product:item:3' }));
    assert.deepEqual(replayed, live, 'byte for byte the frames the first gateway sent');
    b.close();
    // Five more: the buffer (5) no longer holds first.seq + 1.
    for (let k = 0; k < 5; k++) await gw(k % 3).request('PATCH', '/products/3', { token: tok.admin, body: { stock: 10 + k } });
    const c3 = await gw(1).socket(tok.bob);
    const late = await subscribe(c3, 'Product:item:3', first.seq);
    assert.equal(late.seq, first.seq + 8);
    assert.deepEqual(await c3.next({ channel: 'Product:item:3' }), { type: 'resync', channel: 'Product:item:3' });
    const recent = await subscribe(c3, 'Product:item:3', first.seq + 3);
    assert.equal(recent.seq, first.seq + 8);
    const tail = [];
    for (let k = 0; k < 5; k++) tail.push((await c3.next({ channel: 'Product:item:3', type: 'update' })).seq);
    assert.deepEqual(tail, [4, 5, 6, 7, 8].map((k) => first.seq + k), 'within the buffer: replayed');
    c3.close();
  });

  test('the outbox: a row whose predecessor is held by a slow relay waits for it (no resync)', { timeout: 60000 }, async () => {
    const s = await gw(1).socket(tok.admin);
    const sub = await subscribe(s, 'Product:item:2');
    const row = (await c.query('SELECT * FROM "Product" WHERE "id" = 2')).rows[0];
    const d = (seq, stock) => ({ channel: 'Product:item:2', stream: 'Product:item:2', seq, model: 'Product', type: 'updated', id: 2, timestamp: 1, record: { id: 2, name: row.name, price: row.price, stock, version: 900 + seq } });
    // Relays paused while two rows are committed and the first is locked, as a
    // live relay holding it (slowly) would.
    const pids = [0, 1, 2].map((i) => gw(i).pid());
    pids.forEach((p) => process.kill(p, 'SIGSTOP'));
    const holder = new pg.Client({ connectionString: c.dbUrl });
    try {
      await holder.connect();
      await c.query('UPDATE "StreamSeq" SET "seq" = $1 WHERE "stream" = $2', [sub.seq + 2, 'Product:item:2']);
      await c.query('INSERT INTO "Outbox" ("body") VALUES ($1), ($2)', [JSON.stringify([d(sub.seq + 1, 1)]), JSON.stringify([d(sub.seq + 2, 2)])]);
      await holder.query('BEGIN');
      await holder.query('SELECT "id" FROM "Outbox" ORDER BY "id" LIMIT 1 FOR UPDATE');
    } finally {
      pids.forEach((p) => process.kill(p, 'SIGCONT'));
    }
    try {
      const got = [await s.next({ channel: 'Product:item:2' }, 20000), await s.next({ channel: 'Product:item:2' }, 20000)];
      assert.deepEqual(got.map((f) => [f.type, f.seq]), [['update', sub.seq + 1], ['update', sub.seq + 2]]);
    } finally {
      await holder.query('ROLLBACK').catch(() => {});
      await holder.end();
    }
    s.close();
  });

  test('the outbox: a row left by a dead gateway is relayed by the others, once', async () => {
    const s = await gw(1).socket(tok.admin);
    const sub = await subscribe(s, 'Product:item:4');
    // As a gateway leaves it when it dies between its commit and its relay:
    // the record, the counter and the outbox row committed together.
    const seq = sub.seq + 1;
    const d = { channel: 'Product:item:4', stream: 'Product:item:4', seq, model: 'Product', type: 'updated', id: 4, timestamp: 1, record: { id: 4, name: 'USB-C cable', price: 9.99, stock: 77, version: 50 } };
    await c.query('INSERT INTO "StreamSeq" ("stream", "seq") VALUES ($2, $1) ON CONFLICT ("stream") DO UPDATE SET "seq" = $1', [seq, 'Product:item:4']);
    await c.query('INSERT INTO "Outbox" ("body") VALUES ($1), ($1)', [JSON.stringify([d])]);
    const got = await s.next({ type: 'update', channel: 'Product:item:4' }, 10000);
    assert.deepEqual([got.seq, got.data.data.stock], [seq, 77]);
    // Relayed and deleted: the twin row (a relay that published, then died before deleting) published nothing.
    for (let i = 0; (await c.query('SELECT COUNT(*)::int AS n FROM "Outbox"')).rows[0].n > 0; i++) {
      assert.ok(i < 200, 'the outbox drains');
      await new Promise((r) => setTimeout(r, 50));
    }
    await gw(0).request('PATCH', '/products/4', { token: tok.admin, body: { stock: 5 } });
    const next = await s.next({ type: 'update', channel: 'Product:item:4' });
    assert.equal(next.seq, seq + 1, 'the next update follows: nothing in between, nothing twice');
    s.close();
  });
});

describe('a hole in a stream that will not fill', () => {
  test('(a gateway without --redis wrote to the database) is published past, with resync for the hole', async () => {
    const s = await gw(1).socket(tok.bob);
    await subscribe(s, 'Product:item:1');
    await gw(0).request('PATCH', '/products/1', { token: tok.admin, body: { stock: 8 } });
    const seen = await s.next({ type: 'update', channel: 'Product:item:1' });
    // Two seqs numbered and never put in the outbox, then one that was.
    const seq = seen.seq + 3;
    await c.query('UPDATE "StreamSeq" SET "seq" = $1 WHERE "stream" = $2', [seq, 'Product:item:1']);
    const d = { channel: 'Product:item:1', stream: 'Product:item:1', seq, model: 'Product', type: 'updated', id: 1, timestamp: 2, record: { ...seen.data.data, stock: 9, version: seen.data.data.version + 3 } };
    await c.query('INSERT INTO "Outbox" ("body") VALUES ($1)', [JSON.stringify([d])]);
    assert.deepEqual(await s.next({ channel: 'Product:item:1' }, 15000), { type: 'resync', channel: 'Product:item:1' });
    const got = await s.next({ type: 'update', channel: 'Product:item:1' });
    assert.deepEqual([got.seq, got.data.data.stock], [seq, 9]);
    s.close();
  });
});

describe('a gateway killed between its commit and its publish', () => {
  test('the write is published once, by another gateway', async () => {
    const doomed = await startGateway({ dbPath: c.dbUrl, redis: c.redis.url, main: FAULTY_MAIN });
    const s = await gw(1).socket(tok.bob);
    const sub = await subscribe(s, 'Product:item:2');
    const before = (await gw(1).request('GET', '/products/2', { token: tok.bob })).body.version;
    await assert.rejects(doomed.request('PATCH', '/products/2', { token: tok.admin, body: { stock: 4242 } }), 'it died before answering');
    assert.equal((await doomed.kill()).signal, 'SIGKILL');
    const got = await s.next({ type: 'update', channel: 'Product:item:2' }, 10000);
    assert.deepEqual([got.seq, got.data.data.stock, got.data.data.version], [sub.seq + 1, 4242, before + 1]);
    assert.equal((await c.query('SELECT "stock" FROM "Product" WHERE "id" = 2')).rows[0].stock, '4242');
    await gw(2).request('PATCH', '/products/2', { token: tok.admin, body: { stock: 1 } });
    assert.equal((await s.next({ type: 'update', channel: 'Product:item:2' })).seq, sub.seq + 2, 'once: the next one follows');
    s.close();
  });
});

describe('presence and limits across gateways', () => {
  test('members are the union; a killed gateway\'s users leave within the TTL', async () => {
    const a = await gw(0).socket(tok.alice);
    await subscribe(a, 'chat:room:1');
    const b = await gw(1).socket(tok.bob);
    const sb = await subscribe(b, 'chat:room:1');
    assert.deepEqual(sb.members, [{ userId: 1, name: 'alice' }, { userId: 2, name: 'bob' }]);
    assert.deepEqual((await a.next({ channel: 'chat:room:1', event: 'join' })).data, { userId: 2, name: 'bob' }, 'a join on another gateway');
    a.send({ type: 'publish', channel: 'chat:room:1', event: 'message', data: { text: 'hi from 0' } });
    assert.deepEqual((await b.next({ channel: 'chat:room:1', event: 'message' })).data, { text: 'hi from 0' }, 'events cross gateways');
    await gw(0).kill();
    assert.deepEqual((await b.next({ channel: 'chat:room:1', event: 'leave' }, 15000)).data, { userId: 1, name: 'alice' });
    const c2 = await gw(2).socket(tok.admin);
    assert.deepEqual((await subscribe(c2, 'chat:room:1')).members.map((m) => m.userId), [2, 3]);
    await gw(0).start();
    b.close();
    c2.close();
  });

  test('failed logins count on every gateway: one limit, not one per gateway', async () => {
    const attempt = (i) => gw(i).request('POST', '/login', { body: { username: 'mallory', password: 'x' } });
    // loginFailuresPerUser is 5: spread over three gateways, they are still 5.
    for (let k = 0; k < 5; k++) assert.equal((await attempt(k % 3)).status, 401, `failure ${k + 1}`);
    for (const i of [0, 1, 2]) assert.equal((await attempt(i)).status, 429, `gateway ${i}`);
  });

  test('connectionsPerUser counts every gateway', async () => {
    // Sockets of bob's closed by earlier tests are released asynchronously (and a
    // killed gateway's only at the TTL): until all are, one of three may be refused.
    let one, two, three;
    for (let attempt = 0; ; attempt++) {
      [one, two, three] = [await gw(0).socket(tok.bob), await gw(1).socket(tok.bob), await gw(2).socket(tok.bob)];
      const open = await Promise.all([one, two, three].map((x) => Promise.race([x.barrier().then(() => true), x.closed.then(() => false)])));
      if (open.every(Boolean)) break;
      await Promise.all([one, two, three].map((x) => x.close()));
      assert.ok(attempt < 50, 'three sockets of bob fit within the limit');
      await new Promise((r) => setTimeout(r, 200));
    }
    const four = await gw(0).socket(tok.bob);
    assert.equal((await four.closed).code, 4429, 'three on three gateways: the fourth is one too many');
    one.close();
    await one.closed;
    // Released on close, not by expiry: only a release removes bob's entry from
    // the set (an expired one stays in it, merely uncounted).
    const key = `ssot:${gw(0).epoch()}:conns:2`;
    let n = Infinity;
    for (let i = 0; i < 100 && n !== 2; i++) {
      n = await redis.zcard(key);
      if (n !== 2) await new Promise((res) => setTimeout(res, 100));
    }
    assert.equal(n, 2, 'one of three entries released');
    const again = await gw(2).socket(tok.bob);
    assert.equal(await Promise.race([again.closed.then((x) => x.code), again.barrier().then(() => 'open')]), 'open');
    again.close();
    two.close();
    three.close();
  });
});
