// Issue 13, finding 5: keys that name Object.prototype members (__proto__,
// constructor, toString, hasOwnProperty) are plain unknown names everywhere a
// client can send one: body keys, where / orderBy fields and operators, model
// names (REST path, WS request, channel names). Each gets a clear 4xx / error
// frame, never a 500, never a row with missing required fields; and every
// error answering a WS request carries its requestId.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, connectSocket, TEST_SECRET } from '../support/gateway.js';
import { startServer } from '../../demo/server/server.js';
import { signToken } from '../../demo/server/auth.js';

const PROTO_KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];
const q = (text) => encodeURIComponent(text);

let gw, alice, admin;
before(async () => {
  gw = await startGateway();
  [alice, admin] = await Promise.all([gw.login('alice'), gw.login('admin')]);
});
after(() => gw.stop());

const messageCount = async () => (await gw.request('GET', '/messages', { token: admin })).body.total;

describe('REST', () => {
  test('a __proto__ body key cannot stand in for required fields', async () => {
    const before = await messageCount();
    for (const raw of [
      '{"__proto__": {"roomId": 1, "text": "smuggled"}}',
      '{"__proto__": {"text": "smuggled"}, "roomId": 1}',
      '{"__proto__": {"roomId": 1}, "text": "smuggled"}',
    ]) {
      const r = await gw.request('POST', '/messages', { token: alice, raw });
      assert.equal(r.status, 400, `${raw} -> ${JSON.stringify(r.body)}`);
      assert.match(r.body.error, /__proto__|required/, raw);
    }
    assert.equal(await messageCount(), before, 'no row was written');
    const rows = (await gw.request('GET', '/messages', { token: admin })).body.items;
    assert.deepEqual(rows.filter((m) => m.roomId === null || m.text === null), []);
  });

  test('prototype names as body keys are unknown fields (400), on create, PUT and PATCH', async () => {
    for (const key of PROTO_KEYS) {
      const raw = `{"roomId": 1, "text": "t", ${JSON.stringify(key)}: "x"}`;
      const c = await gw.request('POST', '/messages', { token: alice, raw });
      assert.deepEqual([c.status, c.body], [400, { error: `Unknown field '${key}' on Message` }], `create ${key}`);
      for (const method of ['PUT', 'PATCH']) {
        const u = await gw.request(method, '/products/1', { token: admin, raw: `{"name": "n", "price": 1, "stock": 1, ${JSON.stringify(key)}: 1}` });
        assert.deepEqual([u.status, u.body], [400, { error: `Unknown field '${key}' on Product` }], `${method} ${key}`);
      }
    }
  });

  test('prototype names as where / orderBy fields or operators are 400s', async () => {
    for (const key of PROTO_KEYS) {
      const k = JSON.stringify(key);
      const where = await gw.request('GET', `/products?where=${q(`{${k}: 1}`)}`, { token: alice });
      assert.deepEqual([where.status, where.body], [400, { error: `where: unknown field '${key}' on Product` }], `where ${key}`);
      const op = await gw.request('GET', `/products?where=${q(`{"id": {${k}: 1}}`)}`, { token: alice });
      assert.deepEqual([op.status, op.body], [400, { error: `where.id: unknown operator '${key}'` }], `operator ${key}`);
      const order = await gw.request('GET', `/products?orderBy=${q(`{${k}: "asc"}`)}`, { token: alice });
      assert.deepEqual([order.status, order.body], [400, { error: `orderBy: unknown field '${key}' on Product` }], `orderBy ${key}`);
    }
  });

  test('prototype names as query parameters are ignored like any unknown parameter', async () => {
    const r = await gw.request('GET', '/products?__proto__=%7B%22take%22%3A1%7D&constructor=1&toString=x&take=2', { token: alice });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.items.map((p) => p.id), [1, 2]);
  });

  test('prototype names as a REST path are 404s', async () => {
    for (const key of [...PROTO_KEYS, 'constructor/1']) {
      const r = await gw.request('GET', `/${key}`, { token: alice });
      assert.equal(r.status, 404, key);
    }
  });
});

describe('WebSocket', () => {
  test('prototype names as a request model -> response error with the requestId', async () => {
    const c = await gw.socket(alice);
    for (const model of PROTO_KEYS) {
      const requestId = `r-${model}`;
      c.send({ type: 'request', requestId, model, action: 'list' });
      const f = await c.next((x) => x.requestId === requestId || x.type === 'error');
      assert.deepEqual(f, { type: 'response', requestId, error: `Unknown model '${model}'`, code: 'bad_request' }, model);
    }
    c.close();
  });

  test('prototype names in request params -> response error with the requestId', async () => {
    const c = await gw.socket(alice);
    for (const key of PROTO_KEYS) {
      const requestId = `w-${key}`;
      c.send(`{"type":"request","requestId":"${requestId}","model":"Product","action":"list","params":{"where":{${JSON.stringify(key)}:1}}}`);
      const f = await c.next((x) => x.requestId === requestId || x.type === 'error');
      assert.deepEqual(f, { type: 'response', requestId, error: `where: unknown field '${key}' on Product`, code: 'bad_request' }, key);
      const o = `o-${key}`;
      c.send({ type: 'request', requestId: o, model: 'Product', action: 'list', params: { orderBy: { [key]: 'desc' } } });
      const g = await c.next((x) => x.requestId === o || x.type === 'error');
      assert.equal(g.code, 'bad_request', key);
    }
    c.close();
  });

  test('prototype names in channel names -> Unknown channel, socket keeps working', async () => {
    const c = await gw.socket(alice);
    for (const key of PROTO_KEYS) {
      for (const channel of [`${key}:list`, `${key}:item:1`]) {
        c.send({ type: 'subscribe', channel });
        assert.deepEqual(await c.next(), { type: 'error', error: 'Unknown channel', code: 'unknown_channel', channel }, channel);
      }
    }
    c.send({ type: 'subscribe', channel: 'Product:list' });
    assert.equal((await c.next()).type, 'subscribed');
    c.close();
  });

  test('a frame whose own keys shadow prototype names is handled as data', async () => {
    const c = await gw.socket(alice);
    c.send('{"__proto__": {"type": "ping"}, "t": 1}');
    const f = await c.next();
    assert.equal(f.type, 'error');
    assert.equal(f.code, 'malformed');
    c.send('{"type": "request", "requestId": "p1", "model": "Product", "action": "list", "params": {"__proto__": {"take": 1}}}');
    const r = await c.next((x) => x.requestId === 'p1');
    assert.equal(r.data.items.length, 4, 'the __proto__ key is not read as params');
    c.close();
  });
});

test('an internal error while answering a request carries its requestId', async () => {
  const s = await startServer({ port: 0, db: ':memory:', secret: TEST_SECRET, log: () => {} });
  try {
    const token = signToken({ sub: 1, exp: Math.floor(Date.now() / 1000) + 60 }, TEST_SECRET);
    const c = connectSocket(`ws://127.0.0.1:${s.port}/ws?token=${token}`);
    await c.opened;
    s.db.exec('DROP TABLE "Product"'); // the next read fails inside the gateway
    c.send({ type: 'request', requestId: 'boom', model: 'Product', action: 'list' });
    assert.deepEqual(await c.next(), { type: 'error', error: 'Internal server error', code: 'internal', requestId: 'boom' });
    c.close();
  } finally {
    await s.close();
  }
});
