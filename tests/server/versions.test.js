// Record versions and epochs (PROTOCOL.md, "Record versions (ext, round two)" and
// "Epochs (ext, round two)") on the real gateway, over real HTTP and sockets:
// every record carries `version` (1 at creation, one more at every write) wherever
// it goes, a deleted frame carries the delete's version (last + 1), and the epoch
// that names the database's numbering is in `subscribed` and in list answers, kept
// with a database file and new for every `:memory:` start.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { startGateway } from '../support/gateway.js';

const q = (o) => encodeURIComponent(JSON.stringify(o));
const EPOCH = /^[0-9a-f]{16}$/;

async function subscribe(c, channel, since) {
  c.send(since === undefined ? { type: 'subscribe', channel } : { type: 'subscribe', channel, since });
  const f = await c.next({ channel });
  assert.equal(f.type, 'subscribed', JSON.stringify(f));
  return f;
}

async function ask(c, model, action, params) {
  const requestId = `r${Math.random()}`;
  c.send({ type: 'request', requestId, model, action, params });
  const f = await c.next({ requestId });
  assert.equal(f.error, undefined, JSON.stringify(f));
  return f.data;
}

describe('record versions', () => {
  let gw;
  const tok = {};
  const as = (user, method, p, body) => gw.request(method, p, { token: tok[user], body });
  before(async () => {
    gw = await startGateway();
    Object.assign(tok, await gw.tokens());
  });
  after(() => gw.stop());

  test('seed records start at version 1 on every read path', async () => {
    for (const p of ['/messages', '/rooms', '/products', '/users', '/notifications']) {
      const r = await as('alice', 'GET', p);
      assert.equal(r.status, 200, p);
      assert.ok(r.body.items.length > 0, p);
      assert.deepEqual(r.body.items.map((x) => x.version), r.body.items.map(() => 1), p);
    }
    const c = await gw.socket(tok.alice);
    assert.deepEqual((await ask(c, 'Product', 'list', {})).items.map((p) => p.version), [1, 1, 1, 1]);
    assert.equal((await ask(c, 'Message', 'get', { id: 1 })).version, 1);
    c.close();
  });

  test('1 at creation, +1 on every PUT and PATCH: in answers, GETs, list answers, list and item frames; a delete is last + 1', async () => {
    const watcher = await gw.socket(tok.alice);
    await subscribe(watcher, 'Message:list');
    const made = await as('alice', 'POST', '/messages', { roomId: 1, text: 'v1' });
    assert.equal(made.status, 201);
    const id = made.body.id;
    assert.equal(made.body.version, 1);
    const created = await watcher.next({ channel: 'Message:list' });
    assert.deepEqual(created.data, { type: 'created', data: made.body, id, timestamp: made.body.createdAt });
    const item = await gw.socket(tok.bob); // another user, another socket
    await subscribe(item, `Message:item:${id}`);
    const reader = await gw.socket(tok.admin);

    // Everywhere the record can be read, it reads as `version`.
    const everywhere = async (version, text) => {
      const got = (await as('bob', 'GET', `/messages/${id}`)).body;
      assert.deepEqual([got.version, got.text], [version, text], 'REST get');
      const list = (await as('alice', 'GET', `/messages?where=${q({ id })}`)).body;
      assert.deepEqual(list.items, [got], 'REST list');
      assert.deepEqual(await ask(reader, 'Message', 'get', { id }), got, 'WS get');
      assert.deepEqual((await ask(reader, 'Message', 'list', { where: { id } })).items, [got], 'WS list');
      return got;
    };
    await everywhere(1, 'v1');

    const writes = [
      ['PATCH', { text: 'v2' }],
      ['PUT', { roomId: 1, text: 'v3' }],
      ['PATCH', { text: 'v4' }],
      ['PUT', { text: 'v5' }],
      ['PATCH', { text: 'v6', version: 99 }], // a client cannot set it: the server decides
    ];
    for (const [i, [method, body]] of writes.entries()) {
      const version = i + 2;
      const r = await as('alice', method, `/messages/${id}`, body);
      assert.equal(r.status, 200, `${method} ${JSON.stringify(body)}: ${JSON.stringify(r.body)}`);
      assert.deepEqual([r.body.version, r.body.text], [version, `v${version}`], `${method} answer`);
      const updated = { type: 'updated', data: r.body, id, timestamp: r.body.updatedAt };
      const lf = await watcher.next({ channel: 'Message:list' });
      assert.deepEqual(lf.data, updated, 'list frame');
      const itf = await item.next({ channel: `Message:item:${id}` });
      assert.deepEqual(itf.data, updated, 'item frame');
      assert.equal(itf.seq, lf.seq - created.seq + 1, 'item stream: the create, then one per write');
      assert.deepEqual(await everywhere(version, `v${version}`), r.body);
    }

    // Refused writes are no writes: the version stays.
    assert.equal((await as('bob', 'PATCH', `/messages/${id}`, { text: 'not his' })).status, 403);
    assert.equal((await as('alice', 'PATCH', `/messages/${id}`, { text: 42 })).status, 400);
    assert.equal((await as('alice', 'PATCH', `/messages/${id}`, {})).status, 400);
    await everywhere(6, 'v6');

    assert.equal((await as('alice', 'DELETE', `/messages/${id}`)).status, 204);
    const ld = await watcher.next({ channel: 'Message:list' });
    assert.deepEqual(ld, { type: 'update', channel: 'Message:list', data: { type: 'deleted', id, version: 7, timestamp: ld.data.timestamp }, seq: ld.seq });
    const idd = await item.next({ channel: `Message:item:${id}` });
    assert.deepEqual(idd.data, { type: 'deleted', id, version: 7, timestamp: ld.data.timestamp });
    assert.equal((await as('bob', 'GET', `/messages/${id}`)).status, 404);
    for (const c of [watcher, item, reader]) {
      await c.barrier();
      assert.deepEqual(c.pending((f) => f.type === 'update'), []);
      c.close();
    }
  });

  test('other models too: Room (list + item frames) and Notification (per-user stream)', async () => {
    const ad = await gw.socket(tok.admin);
    await subscribe(ad, 'Room:list');
    await subscribe(ad, 'Room:item:2');
    const before = (await as('admin', 'GET', '/rooms/2')).body.version;
    const r = await as('admin', 'PATCH', '/rooms/2', { name: 'staff, renamed' });
    assert.equal(r.body.version, before + 1);
    assert.equal((await ad.next({ channel: 'Room:list' })).data.data.version, before + 1);
    assert.equal((await ad.next({ channel: 'Room:item:2' })).data.data.version, before + 1);
    const r2 = await as('admin', 'PUT', '/rooms/2', { name: 'staff', memberIds: [1, 3] });
    assert.equal(r2.body.version, before + 2);
    assert.equal((await ad.next({ channel: 'Room:list' })).data.data.version, before + 2);
    ad.close();

    const b = await gw.socket(tok.bob);
    await subscribe(b, 'Notification:list');
    const n = await as('admin', 'POST', '/notifications', { userId: 2, text: 'for bob' });
    assert.equal(n.body.version, 1);
    assert.equal((await b.next({ channel: 'Notification:list' })).data.data.version, 1);
    const read = await as('bob', 'PATCH', `/notifications/${n.body.id}`, { read: true });
    assert.equal(read.body.version, 2);
    assert.equal((await b.next({ channel: 'Notification:list' })).data.data.version, 2);
    assert.equal((await as('admin', 'DELETE', `/notifications/${n.body.id}`)).status, 204);
    assert.deepEqual((await b.next({ channel: 'Notification:list' })).data.version, 3);
    b.close();
  });

  test('concurrent writes of one record get distinct, consecutive versions, in seq order', async () => {
    const c = await gw.socket(tok.bob);
    await subscribe(c, 'Product:item:4');
    const start = (await as('bob', 'GET', '/products/4')).body.version;
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => as('admin', 'PATCH', '/products/4', { stock: 200 + i })));
    assert.ok(answers.every((a) => a.status === 200));
    assert.deepEqual(answers.map((a) => a.body.version).sort((x, y) => x - y), Array.from({ length: 20 }, (_, i) => start + 1 + i));
    const frames = [];
    for (let i = 0; i < 20; i++) frames.push(await c.next({ channel: 'Product:item:4' }));
    assert.deepEqual(frames.map((f) => f.data.data.version), Array.from({ length: 20 }, (_, i) => start + 1 + i), 'versions grow with seq');
    for (const a of answers) {
      const f = frames.find((x) => x.data.data.version === a.body.version);
      assert.deepEqual(f.data.data, a.body, 'the frame of a version carries the content of that write');
    }
    assert.equal((await as('bob', 'GET', '/products/4')).body.version, start + 20);
    c.close();
  });

  // The user-visible delete of a record that only left a user's view (an update
  // moved it out) is that update's write: it carries the update's version, so the
  // record's next write (which may bring it back) is newer than the client's tombstone.
  test('a record leaving a per-user view is deleted at the version of the write that moved it', async () => {
    const g = await startGateway({ config: { websockets: { pubsub: { models: { Room: { permissions: { list: 'isParticipant || isAdmin' } } } } } } });
    try {
      const [bob, admin] = [await g.login('bob'), await g.login('admin')];
      const b = await g.socket(bob);
      await subscribe(b, 'Room:list');
      const patch = (body) => g.request('PATCH', '/rooms/2', { token: admin, body });
      const joined = await patch({ memberIds: [1, 2, 3] });
      const fJoin = await b.next({ channel: 'Room:list' });
      assert.deepEqual([fJoin.data.type, fJoin.data.data.version], ['created', joined.body.version]);
      const left = await patch({ memberIds: [1, 3] });
      const fLeave = await b.next({ channel: 'Room:list' });
      assert.equal(fLeave.data.type, 'deleted');
      const back = await patch({ memberIds: [1, 2, 3] });
      const fBack = await b.next({ channel: 'Room:list' });
      assert.deepEqual([fBack.data.type, fBack.data.data.version], ['created', back.body.version]);
      assert.ok(fBack.data.data.version > fLeave.data.version,
        `the re-created copy (${fBack.data.data.version}) must be newer than the delete (${fLeave.data.version})`);
      assert.equal(fLeave.data.version, left.body.version);
      b.close();
    } finally {
      await g.stop();
    }
  });
});

describe('epochs', () => {
  test('in subscribed (list and item channels) and in REST and WS list answers; the same across a restart on a database file', async () => {
    const gw = await startGateway();
    try {
      const epoch = gw.epoch();
      assert.match(epoch, EPOCH);
      const token = await gw.login('alice');
      const c = await gw.socket(token);
      for (const channel of ['Message:list', 'Notification:list', 'Product:item:1', 'Message:item:1']) {
        const f = await subscribe(c, channel);
        assert.deepEqual(Object.keys(f), ['type', 'channel', 'seq', 'epoch'], channel);
        assert.equal(f.epoch, epoch, channel);
      }
      const custom = await subscribe(c, 'chat:room:1');
      assert.equal(custom.epoch, undefined, 'custom channels have no stream, so no epoch');
      const rest = await gw.request('GET', '/products', { token });
      assert.deepEqual(Object.keys(rest.body), ['items', 'total', 'seq', 'epoch']);
      assert.equal(rest.body.epoch, epoch);
      const ws = await ask(c, 'Notification', 'list', {});
      assert.deepEqual([Object.keys(ws), ws.epoch], [['items', 'total', 'seq', 'epoch'], epoch]);
      assert.equal((await gw.request('GET', '/products/1', { token })).body.epoch, undefined, 'an item GET is a record, no epoch in it');
      await gw.request('PATCH', '/products/1', { token: await gw.login('admin'), body: { stock: 3 } });
      c.close();

      await gw.restart();
      assert.equal(gw.epoch(), epoch, 'stored with the data');
      const d = await gw.socket(await gw.login('alice'));
      const again = await subscribe(d, 'Product:list');
      assert.deepEqual([again.seq, again.epoch], [1, epoch], 'same numbering, same epoch');
      assert.equal((await gw.request('GET', '/products', { token })).body.epoch, epoch);
      assert.equal((await gw.request('GET', '/products/1', { token })).body.version, 2, 'versions persist too');
      d.close();
    } finally {
      await gw.stop();
    }
  });

  test('with --db :memory: every start has a new epoch (its seqs start over)', async () => {
    const gw = await startGateway({ dbPath: ':memory:' });
    try {
      const admin = await gw.login('admin');
      const first = (await gw.request('GET', '/products', { token: admin })).body;
      assert.match(first.epoch, EPOCH);
      for (let i = 0; i < 3; i++) await gw.request('PATCH', '/products/1', { token: admin, body: { stock: i } });
      const c = await gw.socket(admin);
      const s1 = await subscribe(c, 'Product:list');
      assert.deepEqual([s1.seq, s1.epoch], [3, first.epoch]);
      c.close();

      await gw.restart();
      const token = await gw.login('admin');
      const fresh = (await gw.request('GET', '/products', { token })).body;
      assert.match(fresh.epoch, EPOCH);
      assert.notEqual(fresh.epoch, first.epoch, 'a new database: a new epoch');
      assert.equal(fresh.seq, 0, 'its numbering started over');
      assert.deepEqual(fresh.items.map((p) => p.version), [1, 1, 1, 1], 'and its records too');
      const d = await gw.socket(token);
      const s2 = await subscribe(d, 'Product:list', 3);
      assert.deepEqual([s2.seq, s2.epoch], [0, fresh.epoch]);
      assert.deepEqual(await d.next({ channel: 'Product:list' }), { type: 'resync', channel: 'Product:list' }, 'a since from the old numbering is above the new seq');
      assert.deepEqual((await ask(d, 'Product', 'list', {})).epoch, fresh.epoch);
      d.close();

      await gw.restart();
      const third = (await gw.request('GET', '/products', { token: await gw.login('admin') })).body.epoch;
      assert.ok(![first.epoch, fresh.epoch].includes(third), 'new at every start');
    } finally {
      await gw.stop();
    }
  });
});

describe('a database from before versions', () => {
  test('gets the version column on start: old rows read as version 1 and count on from there', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssot-oldschema-'));
    const file = path.join(dir, 'old.sqlite');
    // The Product table as the gateway created it before the version column.
    const old = new Database(file);
    old.exec('CREATE TABLE IF NOT EXISTS "Product" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "name" TEXT, "price" REAL, "stock" INTEGER)');
    old.prepare('INSERT INTO "Product" ("name", "price", "stock") VALUES (?, ?, ?)').run('Old lamp', 12.5, 3);
    old.close();
    const gw = await startGateway({ dbPath: file });
    try {
      const token = await gw.login('admin');
      const got = await gw.request('GET', '/products/1', { token });
      assert.deepEqual([got.status, got.body], [200, { id: 1, name: 'Old lamp', price: 12.5, stock: 3, version: 1 }]);
      const list = (await gw.request('GET', '/products', { token })).body;
      assert.deepEqual(list.items[0], got.body);
      assert.ok(list.items.every((p) => p.version === 1), JSON.stringify(list.items));
      assert.equal(list.epoch, gw.epoch(), 'an epoch was added too');
      const patched = await gw.request('PATCH', '/products/1', { token, body: { stock: 2 } });
      assert.deepEqual(patched.body, { id: 1, name: 'Old lamp', price: 12.5, stock: 2, version: 2 });
      await gw.restart(); // a second start on the upgraded file changes nothing
      assert.deepEqual((await gw.request('GET', '/products/1', { token })).body, patched.body);
    } finally {
      await gw.stop();
    }
    const db = new Database(file, { readonly: true });
    try {
      const col = db.prepare('PRAGMA table_info("Product")').all().find((c) => c.name === 'version');
      assert.deepEqual([col.type, col.notnull, col.dflt_value], ['INTEGER', 1, '1']);
    } finally {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
