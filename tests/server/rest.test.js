// REST: list queries, CRUD, validation, limits on bodies, static files (CORS: headers.test.js).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startGateway } from '../support/gateway.js';
import { startServer } from '../../demo/server/server.js';
import { buildOrder } from '../../demo/server/query.js';
import { loadConfig } from '../../demo/server/config.js';

let gw, alice, bob, admin;
const q = (obj) => encodeURIComponent(JSON.stringify(obj));
const ids = (r) => r.body.items.map((x) => x.id);

before(async () => {
  gw = await startGateway();
  [alice, bob, admin] = await Promise.all(['alice', 'bob', 'admin'].map((u) => gw.login(u)));
});
after(() => gw.stop());

describe('list', () => {
  test('default order is id ascending, with total and seq', async () => {
    const r = await gw.request('GET', '/products', { token: bob });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, {
      items: [
        { id: 1, name: 'Keyboard', price: 49.99, stock: 12, version: 1 },
        { id: 2, name: 'Mouse', price: 19.5, stock: 40, version: 1 },
        { id: 3, name: 'Monitor', price: 199, stock: 5, version: 1 },
        { id: 4, name: 'USB-C cable', price: 9.99, stock: 100, version: 1 },
      ],
      total: 4,
      seq: 0,
      epoch: gw.epoch(),
    });
  });

  test('where: equality and every operator', async () => {
    const get = (where) => gw.request('GET', `/products?where=${q(where)}`, { token: bob });
    assert.deepEqual(ids(await get({ name: 'Mouse' })), [2]);
    assert.deepEqual(ids(await get({ price: { gt: 19.5 } })), [1, 3]);
    assert.deepEqual(ids(await get({ price: { gte: 19.5 } })), [1, 2, 3]);
    assert.deepEqual(ids(await get({ stock: { lt: 12 } })), [3]);
    assert.deepEqual(ids(await get({ stock: { lte: 12 } })), [1, 3]);
    assert.deepEqual(ids(await get({ stock: { ne: 12 } })), [2, 3, 4]);
    assert.deepEqual(ids(await get({ stock: { eq: 40 } })), [2]);
    assert.deepEqual(ids(await get({ id: { in: [4, 2, 99] } })), [2, 4]);
    assert.deepEqual(ids(await get({ id: { in: [] } })), []);
    assert.deepEqual(ids(await get({ name: { contains: 'o' } })), [1, 2, 3]);
    assert.deepEqual(ids(await get({ name: { contains: 'O' } })), [], 'contains is case-sensitive');
    assert.deepEqual(ids(await get({ price: { gt: 10, lt: 100 } })), [1, 2]);
    assert.deepEqual(ids(await get({ stock: { gte: 5 }, name: { contains: 'M' } })), [2, 3]);
    const rooms = await gw.request('GET', `/rooms?where=${q({ memberIds: { contains: 2 } })}`, { token: bob });
    assert.deepEqual(rooms.body.items, [{ id: 1, name: 'general', memberIds: [1, 2, 3], version: 1 }]);
    const unread = await gw.request('GET', `/notifications?where=${q({ read: false })}`, { token: alice });
    assert.deepEqual(unread.body.items.map((n) => [n.id, n.read]), [[2, false]]);
    assert.equal(unread.body.total, 1);
  });

  test('orderBy: single key, multi-key array, ties broken by id ascending', async () => {
    const get = (orderBy, extra = '') => gw.request('GET', `/messages?orderBy=${q(orderBy)}${extra}`, { token: alice });
    assert.deepEqual(ids(await get({ id: 'desc' })), [5, 4, 3, 2, 1]);
    assert.deepEqual(ids(await get({ roomId: 'desc' })), [4, 5, 1, 2, 3], 'ties by id asc');
    assert.deepEqual(ids(await get([{ roomId: 'desc' }, { authorId: 'asc' }])), [5, 4, 1, 2, 3]);
    assert.deepEqual(ids(await get({ roomId: 'asc', authorId: 'desc' })), [3, 2, 1, 4, 5]);
    const p = await gw.request('GET', `/products?orderBy=${q({ price: 'desc' })}`, { token: bob });
    assert.deepEqual(ids(p), [3, 1, 2, 4]);
  });

  test('the ORDER BY always ends with the id tie-break (SQLite alone does not promise it)', () => {
    const mc = loadConfig().models.Message;
    assert.equal(buildOrder(mc, undefined), '"id" ASC');
    assert.equal(buildOrder(mc, { roomId: 'desc' }), '"Message"."roomId" DESC, "Message"."id" ASC');
    assert.equal(buildOrder(mc, [{ roomId: 'asc' }, { id: 'desc' }]), '"Message"."roomId" ASC, "Message"."id" DESC');
  });

  test('skip and take page the result; total counts every match', async () => {
    const r = await gw.request('GET', `/messages?orderBy=${q({ id: 'asc' })}&skip=1&take=2`, { token: alice });
    assert.deepEqual(ids(r), [2, 3]);
    assert.equal(r.body.total, 5);
    const end = await gw.request('GET', '/messages?skip=4&take=10', { token: alice });
    assert.deepEqual(ids(end), [5]);
    const none = await gw.request('GET', '/messages?skip=50', { token: alice });
    assert.deepEqual(none.body, { items: [], total: 5, seq: 0, epoch: gw.epoch() });
  });

  test('bad queries are 400 with a message naming the problem', async () => {
    const cases = [
      [`where=${q({ nope: 1 })}`, /unknown field 'nope'/],
      [`where=${q({ id: { near: 3 } })}`, /unknown operator 'near'/],
      [`where=${q({ id: '1; DROP TABLE Message' })}`, /where\.id\.eq: expected an integer/],
      [`where=${q({ id: { in: 'x' } })}`, /where\.id\.in: expected an array/],
      [`where=${q({ id: { contains: 'x' } })}`, /operator 'contains' not supported/],
      [`where=${q({ text: [1, 2] })}`, /use \{"in"/],
      [`where=${q([1])}`, /where: expected a JSON object/],
      ['where=%7Bbroken', /where: invalid JSON/],
      [`orderBy=${q({ text: 'sideways' })}`, /orderBy\.text: expected "asc" or "desc"/],
      [`orderBy=${q({ 'id; DROP TABLE Message': 'asc' })}`, /orderBy: unknown field/],
      ['orderBy=%22id%22', /orderBy: expected/],
      ['skip=-1', /skip: expected a non-negative integer/],
      ['take=abc', /take: expected a non-negative integer/],
      ['take=1.5', /take: expected a non-negative integer/],
    ];
    for (const [qs, re] of cases) {
      const r = await gw.request('GET', `/messages?${qs}`, { token: alice });
      assert.equal(r.status, 400, qs);
      assert.match(r.body.error, re, qs);
    }
    const priv = await gw.request('GET', `/users?where=${q({ passwordHash: { contains: 'scrypt' } })}`, { token: alice });
    assert.equal(priv.status, 400, 'private fields cannot be queried');
    assert.match(priv.body.error, /unknown field 'passwordHash'/);
  });

  test('SQL-looking strings are plain values', async () => {
    const r = await gw.request('GET', `/messages?where=${q({ text: "x'; DROP TABLE Message; --" })}`, { token: alice });
    assert.deepEqual(r.body, { items: [], total: 0, seq: 0, epoch: gw.epoch() });
    const again = await gw.request('GET', `/messages?where=${q({ text: { contains: '" OR 1=1 --' } })}`, { token: alice });
    assert.equal(again.body.total, 0);
    assert.equal((await gw.request('GET', '/messages', { token: alice })).body.total, 5, 'table still there');
  });
});

describe('get', () => {
  test('returns the item, 404 when missing, 400 for bad ids', async () => {
    const r = await gw.request('GET', '/products/3', { token: bob });
    assert.deepEqual([r.status, r.body], [200, { id: 3, name: 'Monitor', price: 199, stock: 5, version: 1 }]);
    const missing = await gw.request('GET', '/products/999', { token: bob });
    assert.deepEqual([missing.status, missing.body], [404, { error: 'Product 999 not found' }]);
    for (const bad of ['abc', '0', '-1', '1.5', '1%3B%20DROP%20TABLE%20Product', '01', '99999999999999999999']) {
      const b = await gw.request('GET', `/products/${bad}`, { token: bob });
      assert.equal(b.status, 400, bad);
      assert.match(b.body.error, /^Invalid id '.*': expected a positive integer$/, bad);
    }
    const deep = await gw.request('GET', '/products/1/extra', { token: bob });
    assert.equal(deep.status, 404);
  });

  test('private fields never leave the server', async () => {
    const list = await gw.request('GET', '/users', { token: alice });
    assert.deepEqual(list.body.items, [
      { id: 1, name: 'alice', role: 'user', version: 1 }, { id: 2, name: 'bob', role: 'user', version: 1 }, { id: 3, name: 'admin', role: 'admin', version: 1 },
    ]);
    const one = await gw.request('GET', '/users/2', { token: alice });
    assert.deepEqual(one.body, { id: 2, name: 'bob', role: 'user', version: 1 });
    const me = await gw.request('GET', '/me', { token: admin });
    assert.deepEqual(me.body, { id: 3, name: 'admin', role: 'admin' }, '/me is the identity, not a record: no version');
  });
});

describe('mutations', () => {
  test('POST creates; server sets authorId, timestamps and version', async () => {
    const before = Date.now();
    const r = await gw.request('POST', '/messages', { token: alice, body: { roomId: 1, text: 'hello', authorId: 2, createdAt: 5 } });
    assert.equal(r.status, 201);
    const { id, createdAt, updatedAt, ...rest } = r.body;
    assert.deepEqual(rest, { roomId: 1, authorId: 1, text: 'hello', version: 1 });
    assert.ok(Number.isSafeInteger(id) && id > 5);
    assert.ok(createdAt >= before && createdAt <= Date.now());
    assert.equal(updatedAt, createdAt);
    const back = await gw.request('GET', `/messages/${id}`, { token: bob });
    assert.deepEqual(back.body, r.body);
  });

  test('validation errors name the field', async () => {
    const cases = [
      [{ roomId: 1 }, "Field 'text' is required"],
      [{ roomId: 1, text: 42 }, "Field 'text' must be a string"],
      [{ roomId: '1', text: 'x' }, "Field 'roomId' must be an integer"],
      [{ roomId: 1, text: 'x', colour: 'red' }, "Unknown field 'colour' on Message"],
      [{ roomId: 999, text: 'x' }, "Field 'roomId': Room 999 does not exist"],
      [{ roomId: 1, text: 'x'.repeat(4001) }, "Field 'text' must be at most 4000 characters"],
      [[{ roomId: 1, text: 'x' }], 'Body must be a JSON object'],
      [null, 'Body must be a JSON object'],
    ];
    for (const [body, error] of cases) {
      const r = await gw.request('POST', '/messages', { token: alice, body });
      assert.deepEqual([r.status, r.body], [400, { error }], JSON.stringify(body).slice(0, 80));
    }
    const p = await gw.request('POST', '/products', { token: admin, body: { name: 'X', price: -1, stock: 1 } });
    assert.deepEqual(p.body, { error: "Field 'price' must be >= 0" });
    const bad = await gw.request('POST', '/messages', { token: alice, raw: '{"roomId": 1, "text": ' });
    assert.deepEqual([bad.status, bad.body], [400, { error: 'Invalid JSON body' }]);
    const empty = await gw.request('POST', '/messages', { token: alice, raw: '' });
    assert.equal(empty.status, 400);
  });

  test('PUT replaces writable fields; 404 when missing; create-only fields stay', async () => {
    const r = await gw.request('PUT', '/products/2', { token: admin, body: { name: 'Mouse 2', price: 21, stock: 39 } });
    assert.deepEqual([r.status, r.body], [200, { id: 2, name: 'Mouse 2', price: 21, stock: 39, version: 2 }]);
    const partial = await gw.request('PUT', '/products/2', { token: admin, body: { stock: 1 } });
    assert.deepEqual([partial.status, partial.body], [400, { error: "Field 'name' is required" }]);
    const missing = await gw.request('PUT', '/products/999', { token: admin, body: { name: 'a', price: 1, stock: 1 } });
    assert.deepEqual([missing.status, missing.body], [404, { error: 'Product 999 not found' }]);
    const m = await gw.request('PUT', '/messages/1', { token: alice, body: { id: 1, roomId: 1, authorId: 1, text: 'edited' } });
    assert.equal(m.status, 200);
    assert.equal(m.body.text, 'edited');
    assert.equal(m.body.version, 2);
    assert.ok(m.body.updatedAt > m.body.createdAt);
    const move = await gw.request('PUT', '/messages/1', { token: alice, body: { roomId: 2, text: 'moved' } });
    assert.deepEqual([move.status, move.body], [400, { error: "Field 'roomId' cannot be changed" }]);
  });

  test('PATCH updates only the given fields', async () => {
    const r = await gw.request('PATCH', '/products/3', { token: admin, body: { stock: 4 } });
    assert.deepEqual([r.status, r.body], [200, { id: 3, name: 'Monitor', price: 199, stock: 4, version: 2 }]);
    const wrong = await gw.request('PATCH', '/products/3', { token: admin, body: { stock: 'many' } });
    assert.deepEqual([wrong.status, wrong.body], [400, { error: "Field 'stock' must be an integer" }]);
    const fraction = await gw.request('PATCH', '/products/3', { token: admin, body: { stock: 1.5 } });
    assert.equal(fraction.status, 400);
    const none = await gw.request('PATCH', '/products/3', { token: admin, body: {} });
    assert.deepEqual([none.status, none.body], [400, { error: 'No writable fields in body' }]);
    const missing = await gw.request('PATCH', '/products/999', { token: admin, body: { stock: 1 } });
    assert.equal(missing.status, 404);
    const read = await gw.request('PATCH', '/notifications/2', { token: alice, body: { read: true } });
    assert.deepEqual([read.status, read.body.read, read.body.text, read.body.version], [200, true, 'Your keyboard order shipped.', 2]);
  });

  test('DELETE answers 204, then 404', async () => {
    const made = await gw.request('POST', '/products', { token: admin, body: { name: 'Temp', price: 1, stock: 1 } });
    const del = await gw.request('DELETE', `/products/${made.body.id}`, { token: admin });
    assert.deepEqual([del.status, del.body], [204, null]);
    assert.equal((await gw.request('GET', `/products/${made.body.id}`, { token: admin })).status, 404);
    const again = await gw.request('DELETE', `/products/${made.body.id}`, { token: admin });
    assert.deepEqual([again.status, again.body], [404, { error: `Product ${made.body.id} not found` }]);
    assert.equal((await gw.request('DELETE', '/products/abc', { token: admin })).status, 400);
  });

  test('a body over 64 KiB is 413 and the server keeps serving', async () => {
    const big = JSON.stringify({ roomId: 1, text: 'x'.repeat(70 * 1024) });
    const r = await gw.request('POST', '/messages', { token: alice, raw: big });
    assert.deepEqual([r.status, r.body], [413, { error: 'Body larger than 65536 bytes' }]);
    assert.equal((await gw.request('GET', '/messages/2', { token: alice })).status, 200);
  });

  test('X-Client-Mutation-Id must be short', async () => {
    const r = await gw.request('PATCH', '/products/1', { token: admin, body: { stock: 2 }, headers: { 'X-Client-Mutation-Id': 'm'.repeat(201) } });
    assert.equal(r.status, 400);
    assert.match(r.body.error, /X-Client-Mutation-Id/);
  });
});

describe('http', () => {
  test('unknown routes and methods answer JSON errors', async () => {
    const r = await gw.request('GET', '/nothing', { token: bob });
    assert.deepEqual([r.status, r.body], [404, { error: 'No such resource: /api/nothing' }]);
    const m = await gw.request('PUT', '/products', { token: admin, body: {} });
    assert.equal(m.status, 405);
    assert.match(m.body.error, /not allowed/);
    const l = await gw.request('GET', '/login');
    assert.equal(l.status, 405);
  });

  test('static files: served from the web root, no traversal, 404 without the folder', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ssot-static-'));
    const web = path.join(root, 'dist');
    fs.mkdirSync(web);
    fs.writeFileSync(path.join(web, 'index.html'), '<h1>demo</h1>');
    fs.writeFileSync(path.join(root, 'secret.txt'), 'nope');
    const s = await startServer({ port: 0, db: ':memory:', staticDir: web, log: () => {} });
    try {
      const index = await fetch(`${s.url}/`);
      assert.equal(index.status, 200);
      assert.match(index.headers.get('content-type'), /text\/html/);
      assert.equal(await index.text(), '<h1>demo</h1>');
      for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/%2e%2e%2fsecret.txt', '/nothing.js', '/%00']) {
        const res = await fetch(`${s.url}${p}`);
        assert.ok(res.status === 404 || res.status === 400, `${p} -> ${res.status}`);
        assert.doesNotMatch(await res.text(), /nope/);
      }
    } finally {
      await s.close();
    }
    const missing = await fetch(`${gw.url}/index.html`);
    // The spawned gateway serves demo/web/dist only if a build exists.
    if (!fs.existsSync(new URL('../../demo/web/dist/index.html', import.meta.url))) assert.equal(missing.status, 404);
  });
});
