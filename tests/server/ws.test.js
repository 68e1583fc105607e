// The WebSocket frames of PROTOCOL.md, one by one, plus presence and bad input.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway } from '../support/gateway.js';

let gw, tok;
before(async () => {
  gw = await startGateway();
  tok = await gw.tokens();
});
after(() => gw.stop());

const open = (u) => gw.socket(tok[u]);

describe('client to server', () => {
  test('ping -> pong with the same t (any JSON value)', async () => {
    const c = await open('alice');
    c.send({ type: 'ping', t: 12345.5 });
    assert.deepEqual(await c.next(), { type: 'pong', t: 12345.5 });
    c.send({ type: 'ping', t: 'x' });
    assert.deepEqual(await c.next(), { type: 'pong', t: 'x' });
    c.send({ type: 'ping' });
    assert.deepEqual(await c.next(), { type: 'pong' });
    c.close();
  });

  test('subscribe -> subscribed with seq and epoch; unsubscribe -> unsubscribed, and no more updates', async () => {
    const c = await open('alice');
    c.send({ type: 'subscribe', channel: 'Product:list' });
    assert.deepEqual(await c.next(), { type: 'subscribed', channel: 'Product:list', seq: 0, epoch: gw.epoch() });
    c.send({ type: 'subscribe', channel: 'Product:item:2' });
    assert.deepEqual(await c.next(), { type: 'subscribed', channel: 'Product:item:2', seq: 0, epoch: gw.epoch() });
    await gw.request('PATCH', '/products/2', { token: tok.admin, body: { stock: 41 } });
    assert.equal((await c.next({ channel: 'Product:list' })).seq, 1);
    assert.equal((await c.next({ channel: 'Product:item:2' })).seq, 1);
    c.send({ type: 'unsubscribe', channel: 'Product:list' });
    assert.deepEqual(await c.next(), { type: 'unsubscribed', channel: 'Product:list' });
    c.send({ type: 'unsubscribe', channel: 'Product:list' });
    assert.deepEqual(await c.next(), { type: 'unsubscribed', channel: 'Product:list' }, 'idempotent');
    await gw.request('PATCH', '/products/2', { token: tok.admin, body: { stock: 42 } });
    assert.equal((await c.next({ channel: 'Product:item:2' })).seq, 2);
    await c.barrier();
    assert.deepEqual(c.pending(), [], 'nothing on the unsubscribed list channel');
    c.send({ type: 'subscribe', channel: 'Product:item:2' });
    assert.deepEqual(await c.next(), { type: 'subscribed', channel: 'Product:item:2', seq: 2, epoch: gw.epoch() }, 'subscribing twice is fine');
    c.close();
  });

  test('subscribe to a record that does not exist -> error Not found', async () => {
    const c = await open('alice');
    c.send({ type: 'subscribe', channel: 'Product:item:999' });
    assert.deepEqual(await c.next(), { type: 'error', error: 'Not found', code: 'not_found', channel: 'Product:item:999' });
    c.close();
  });

  test('unknown channels -> error Unknown channel, socket keeps working', async () => {
    const c = await open('bob');
    for (const channel of ['Widget:list', 'Message:item:abc', 'Message:item:0', 'Message:item:1; DROP TABLE Message', 'message:list',
      'Message:list:extra', 'Message', 'chat:room', 'chat:room:1:x', 'random']) {
      c.send({ type: 'subscribe', channel });
      assert.deepEqual(await c.next(), { type: 'error', error: 'Unknown channel', code: 'unknown_channel', channel });
    }
    c.send({ type: 'subscribe', channel: 'Message:list' });
    assert.equal((await c.next()).type, 'subscribed');
    c.close();
  });

  test('request list -> response {items, total, seq, epoch}; get -> the record or null', async () => {
    const c = await open('bob');
    c.send({ type: 'request', requestId: 'a', model: 'Message', action: 'list', params: { where: { roomId: 1 }, orderBy: { id: 'desc' }, take: 2 } });
    const r = await c.next();
    assert.equal(r.type, 'response');
    assert.equal(r.requestId, 'a');
    assert.deepEqual(r.data.items.map((m) => m.id), [3, 2]);
    assert.equal(r.data.total, 3);
    assert.equal(r.data.seq, 0);
    assert.equal(r.data.epoch, gw.epoch());
    assert.deepEqual(Object.keys(r.data), ['items', 'total', 'seq', 'epoch']);
    c.send({ type: 'request', requestId: 'b', model: 'Product', action: 'get', params: { id: 1 } });
    assert.deepEqual(await c.next(), { type: 'response', requestId: 'b', data: { id: 1, name: 'Keyboard', price: 49.99, stock: 12, version: 1 } });
    c.send({ type: 'request', requestId: 'c', model: 'Product', action: 'get', params: { id: 999 } });
    assert.deepEqual(await c.next(), { type: 'response', requestId: 'c', data: null });
    c.send({ type: 'request', requestId: 'd', model: 'User', action: 'list' });
    const users = await c.next();
    assert.deepEqual(users.data.items, [{ id: 1, name: 'alice', role: 'user', version: 1 }, { id: 2, name: 'bob', role: 'user', version: 1 }, { id: 3, name: 'admin', role: 'admin', version: 1 }]);
    c.send({ type: 'request', requestId: 'e', model: 'User', action: 'get', params: { id: 1 } });
    assert.deepEqual((await c.next()).data, { id: 1, name: 'alice', role: 'user', version: 1 });
    c.send({ type: 'request', requestId: 'f', model: 'Product', action: 'list', params: { where: '{"stock":{"gt":20}}' } });
    assert.deepEqual((await c.next()).data.items.map((p) => p.id), [2, 4], 'where may also be JSON text');
    c.close();
  });

  test('request errors come back as response.error with the requestId', async () => {
    const c = await open('bob');
    const cases = [
      [{ model: 'Widget', action: 'list' }, "Unknown model 'Widget'", 'bad_request'],
      [{ model: 'Message', action: 'destroy' }, "Unknown action 'destroy' (expected list or get)", 'bad_request'],
      [{ model: 'Message', action: 'get', params: { id: '1; DROP TABLE Message' } }, "get: 'params.id' must be a positive integer", 'bad_request'],
      [{ model: 'Message', action: 'get', params: {} }, "get: 'params.id' must be a positive integer", 'bad_request'],
      [{ model: 'Message', action: 'list', params: { where: { id: 'DROP TABLE Message' } } }, 'where.id.eq: expected an integer', 'bad_request'],
      [{ model: 'Message', action: 'list', params: { orderBy: { bogus: 'asc' } } }, "orderBy: unknown field 'bogus' on Message", 'bad_request'],
      [{ model: 'Message', action: 'list', params: { take: -3 } }, 'take: expected a non-negative integer', 'bad_request'],
    ];
    let n = 0;
    for (const [fields, error, code] of cases) {
      const requestId = `e${n++}`;
      c.send({ type: 'request', requestId, ...fields });
      assert.deepEqual(await c.next(), { type: 'response', requestId, error, code });
    }
    c.close();
  });

  test('publish -> event to every other subscriber, with from; not echoed', async () => {
    const [a1, a2, b, ad] = await Promise.all([open('alice'), open('alice'), open('bob'), open('admin')]);
    for (const c of [a1, a2, b, ad]) {
      c.send({ type: 'subscribe', channel: 'chat:room:1' });
      await c.next({ type: 'subscribed' });
    }
    a1.send({ type: 'publish', channel: 'chat:room:1', event: 'typing', data: { on: true } });
    const expected = { type: 'event', channel: 'chat:room:1', event: 'typing', data: { on: true }, from: 1 };
    assert.deepEqual(await b.next({ event: 'typing' }), expected);
    assert.deepEqual(await ad.next({ event: 'typing' }), expected);
    assert.deepEqual(await a2.next({ event: 'typing' }), expected, "the sender's other socket gets it");
    await a1.barrier();
    assert.deepEqual(a1.pending({ event: 'typing' }), [], 'not echoed to the sending socket');
    b.send({ type: 'publish', channel: 'chat:room:1', event: 'message', data: { text: 'hi' } });
    assert.deepEqual(await a1.next({ event: 'message' }), { type: 'event', channel: 'chat:room:1', event: 'message', data: { text: 'hi' }, from: 2 });
    for (const c of [a1, a2, b, ad]) c.close();
  });

  test('publish errors: unknown event, model channel, unknown channel, not allowed', async () => {
    const b = await open('bob');
    b.send({ type: 'publish', channel: 'chat:room:1', event: 'shout', data: 1 });
    assert.deepEqual(await b.next(), { type: 'error', error: "Unknown event 'shout' for this channel", code: 'unknown_event', channel: 'chat:room:1' });
    b.send({ type: 'publish', channel: 'Message:list', event: 'message', data: 1 });
    assert.deepEqual(await b.next(), { type: 'error', error: 'Events can only be published on custom channels', code: 'bad_request', channel: 'Message:list' });
    b.send({ type: 'publish', channel: 'nowhere', event: 'message' });
    assert.deepEqual(await b.next(), { type: 'error', error: 'Unknown channel', code: 'unknown_channel', channel: 'nowhere' });
    const a = await open('alice');
    a.send({ type: 'subscribe', channel: 'chat:room:2' });
    await a.next({ type: 'subscribed' });
    b.send({ type: 'publish', channel: 'chat:room:2', event: 'message', data: 'psst' });
    assert.deepEqual(await b.next(), { type: 'error', error: 'Unauthorized', code: 'unauthorized', channel: 'chat:room:2' });
    await a.barrier();
    assert.deepEqual(a.pending({ type: 'event' }), []);
    a.close();
    b.close();
  });
});

describe('presence', () => {
  test('subscribed carries members; first socket joins, last socket leaves', async () => {
    const ch = 'chat:room:2';
    const a1 = await open('alice');
    a1.send({ type: 'subscribe', channel: ch });
    assert.deepEqual(await a1.next(), { type: 'subscribed', channel: ch, members: [{ userId: 1, name: 'alice' }] });
    const ad = await open('admin');
    ad.send({ type: 'subscribe', channel: ch });
    assert.deepEqual(await ad.next(), { type: 'subscribed', channel: ch, members: [{ userId: 1, name: 'alice' }, { userId: 3, name: 'admin' }] });
    assert.deepEqual(await a1.next(), { type: 'event', channel: ch, event: 'join', data: { userId: 3, name: 'admin' }, from: 3 });
    // A second socket of alice: no second join.
    const a2 = await open('alice');
    a2.send({ type: 'subscribe', channel: ch });
    assert.deepEqual((await a2.next()).members, [{ userId: 1, name: 'alice' }, { userId: 3, name: 'admin' }]);
    await ad.barrier();
    assert.deepEqual(ad.pending(), []);
    // alice's first socket unsubscribes: she is still there through a2.
    a1.send({ type: 'unsubscribe', channel: ch });
    await a1.next({ type: 'unsubscribed' });
    await ad.barrier();
    assert.deepEqual(ad.pending(), []);
    // Her last socket drops without unsubscribing: leave.
    a2.ws.terminate();
    assert.deepEqual(await ad.next(), { type: 'event', channel: ch, event: 'leave', data: { userId: 1, name: 'alice' }, from: 1 });
    // Admin unsubscribes; a new subscriber sees nobody else.
    ad.send({ type: 'unsubscribe', channel: ch });
    await ad.next({ type: 'unsubscribed' });
    a1.send({ type: 'subscribe', channel: ch });
    assert.deepEqual(await a1.next(), { type: 'subscribed', channel: ch, members: [{ userId: 1, name: 'alice' }] });
    a1.close();
    ad.close();
  });

  test('a closed socket leaves every presence channel it was in', async () => {
    const b = await open('bob');
    const ad = await open('admin');
    ad.send({ type: 'subscribe', channel: 'chat:room:1' });
    await ad.next({ type: 'subscribed' });
    b.send({ type: 'subscribe', channel: 'chat:room:1' });
    await b.next({ type: 'subscribed' });
    assert.equal((await ad.next({ event: 'join' })).from, 2);
    await b.close();
    assert.deepEqual(await ad.next({ event: 'leave' }), { type: 'event', channel: 'chat:room:1', event: 'leave', data: { userId: 2, name: 'bob' }, from: 2 });
    ad.close();
  });
});

describe('malformed frames', () => {
  test('each gets an error naming the problem; the socket keeps serving', async () => {
    const c = await open('bob');
    const cases = [
      ['{not json', 'Invalid JSON'],
      ['[1,2]', 'Frame must be a JSON object'],
      ['"subscribe"', 'Frame must be a JSON object'],
      [{ channel: 'Message:list' }, "Missing 'type'"],
      [{ type: 7 }, "'type' must be a string"],
      [{ type: 'dance' }, "Unknown type 'dance'"],
      [{ type: 'subscribe' }, "subscribe: 'channel' must be a non-empty string"],
      [{ type: 'subscribe', channel: 5 }, "subscribe: 'channel' must be a non-empty string"],
    ];
    for (const [frame, error] of cases) {
      c.send(frame);
      assert.deepEqual(await c.next(), { type: 'error', error, code: 'malformed' }, String(frame));
    }
    c.send({ type: 'ping', t: 1 });
    assert.deepEqual(await c.next(), { type: 'pong', t: 1 });
    c.close();
  });

  test('wrong-typed fields in subscribe, request and publish', async () => {
    const c = await open('bob');
    c.send({ type: 'subscribe', channel: 'Message:list', since: 'yesterday' });
    assert.deepEqual(await c.next(), { type: 'error', error: "subscribe: 'since' must be a non-negative integer", code: 'malformed', channel: 'Message:list' });
    c.send({ type: 'request', requestId: 7, model: 'Message', action: 'list' });
    assert.deepEqual(await c.next(), { type: 'error', error: "request: 'requestId' must be a non-empty string", code: 'malformed', requestId: 7 });
    c.send({ type: 'request', requestId: 'x', model: ['Message'], action: 'list' });
    assert.deepEqual(await c.next(), { type: 'error', error: "request: 'model' and 'action' must be strings", code: 'malformed', requestId: 'x' });
    c.send({ type: 'request', requestId: 'y', model: 'Message', action: 'list', params: [1] });
    assert.deepEqual(await c.next(), { type: 'error', error: "request: 'params' must be an object", code: 'malformed', requestId: 'y' });
    c.send({ type: 'publish', channel: 'chat:room:1', data: 1 });
    assert.deepEqual(await c.next(), { type: 'error', error: "publish: 'channel' and 'event' must be non-empty strings", code: 'malformed', channel: 'chat:room:1' });
    c.send({ type: 'unsubscribe' });
    assert.deepEqual(await c.next(), { type: 'error', error: "unsubscribe: 'channel' must be a non-empty string", code: 'malformed' });
    c.close();
  });
});
