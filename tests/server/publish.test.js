// Publishing on custom channels: server-owned events are reserved, each event's
// data has the shape the channel config declares, and publishes are rate-limited.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway } from '../support/gateway.js';
import { loadConfig } from '../../demo/server/config.js';

const ROOM = 'chat:room:1';

async function joined(gw, user) {
  const c = await gw.socket(user);
  c.send({ type: 'subscribe', channel: ROOM });
  await c.next({ type: 'subscribed' });
  return c;
}

describe('reserved events and data shapes (demo config)', () => {
  let gw;
  before(async () => { gw = await startGateway(); });
  after(() => gw.stop());

  test('join and leave cannot be published: no forged presence reaches others', async () => {
    const alice = await joined(gw, 'alice');
    const bob = await joined(gw, 'bob');
    await alice.next({ event: 'join' }); // bob's real join, sent by the server
    for (const event of ['join', 'leave']) {
      bob.send({ type: 'publish', channel: ROOM, event, data: { userId: 1, name: { evil: true } } });
      assert.deepEqual(await bob.next({ type: 'error' }), {
        type: 'error', error: `'${event}' is sent by the server only`, code: 'reserved_event', channel: ROOM,
      });
    }
    await alice.barrier();
    assert.deepEqual(alice.pending({ type: 'event' }), [], 'alice saw no forged join or leave');
    await Promise.all([alice.close(), bob.close()]);
  });

  test('data must have the declared shape; a good one still goes through', async () => {
    const alice = await joined(gw, 'alice');
    const bob = await joined(gw, 'bob');
    const bad = [
      ['typing', { on: 'yes' }, "'typing' data: 'on' must be a boolean"],
      ['typing', { on: true, name: 'admin' }, "'typing' data: unknown field 'name'"],
      ['typing', {}, "'typing' data: 'on' is required"],
      ['typing', null, "'typing' data must be an object"],
      ['typing', [true], "'typing' data must be an object"],
      ['message', { text: 5 }, "'message' data: 'text' must be a string"],
      ['message', 'hi', "'message' data must be an object"],
      ['typing', JSON.parse('{"__proto__": {"on": true}}'), "'typing' data: unknown field '__proto__'"],
    ];
    for (const [event, data, error] of bad) {
      bob.send({ type: 'publish', channel: ROOM, event, data });
      assert.deepEqual(await bob.next({ type: 'error' }), { type: 'error', error, code: 'bad_event_data', channel: ROOM }, JSON.stringify(data));
    }
    bob.send({ type: 'publish', channel: ROOM, event: 'typing', data: { on: true } });
    bob.send({ type: 'publish', channel: ROOM, event: 'message', data: { text: 'hi' } });
    assert.deepEqual(await alice.next({ event: 'typing' }), { type: 'event', channel: ROOM, event: 'typing', data: { on: true }, from: 2 });
    assert.deepEqual(await alice.next({ event: 'message' }), { type: 'event', channel: ROOM, event: 'message', data: { text: 'hi' }, from: 2 });
    await alice.barrier();
    assert.deepEqual(alice.pending((f) => f.event === 'typing' || f.event === 'message'), [], 'none of the bad ones reached alice');
    await Promise.all([alice.close(), bob.close()]);
  });
});

describe('event shapes in the config', () => {
  const channel = (events) => ({ websockets: { pubsub: { channels: { 'x:{id}': { events, permission: 'authenticated' } } } } });

  test('object, type-name and legacy array forms load', () => {
    const cfg = loadConfig(channel({ a: { n: 'number', s: 'string?' }, b: 'string', c: 'any', d: 'null' }));
    const x = cfg.channels.find((c) => c.pattern === 'x:{id}');
    assert.deepEqual([...x.events.keys()], ['a', 'b', 'c', 'd']);
    assert.equal(x.events.get('a')({ n: 1 }), null, 'an optional field may be left out');
    assert.equal(x.events.get('b')('hi'), null);
    assert.equal(x.events.get('c')({ any: [1] }), null);
    assert.match(x.events.get('d')(1), /must be null/);
    const legacy = loadConfig(channel(['a', 'b'])).channels.find((c) => c.pattern === 'x:{id}');
    assert.equal(legacy.events.get('a')({ whatever: 1 }), null, 'names only: any data');
  });

  test('bad shapes and reserved names stop the start-up with a message', () => {
    const cases = [
      [{ typing: { on: 'bool' } }, /events\.typing\.on: unknown type 'bool'/],
      [{ typing: 'strin' }, /events\.typing: unknown type 'strin'/],
      [{ typing: { on: { deep: 'boolean' } } }, /events\.typing\.on: expected a type name/],
      [{ typing: 5 }, /events\.typing: expected a type name or an object/],
      [{ join: { userId: 'number' } }, /events: 'join' is reserved/],
      [['message', 'leave'], /events: 'leave' is reserved/],
      [['message', ''], /events must be an array of names or an object/],
      ['typing', /events must be an array of names or an object/],
    ];
    for (const [events, re] of cases) assert.throws(() => loadConfig(channel(events)), re, JSON.stringify(events));
  });
});

describe('publish rate limit', () => {
  let gw;
  const limits = { publishPerSecond: 1, publishBurst: 3, publishRejectionsBeforeClose: 4, publishRejectionWindowSeconds: 60 };
  before(async () => { gw = await startGateway({ config: { websockets: { limits } } }); });
  after(() => gw.stop());

  test('past the burst: rate_limited errors, then close 1008 on sustained abuse; others unaffected', async () => {
    const alice = await joined(gw, 'alice');
    const bob = await joined(gw, 'bob');
    const typing = { type: 'publish', channel: ROOM, event: 'typing', data: { on: true } };
    for (let i = 0; i < 3; i++) bob.send(typing);
    for (let i = 0; i < 3; i++) await alice.next({ event: 'typing' });
    for (let i = 0; i < 4; i++) {
      bob.send(typing);
      assert.deepEqual(await bob.next({ type: 'error' }), { type: 'error', error: 'Too many publishes', code: 'rate_limited', channel: ROOM });
    }
    await alice.barrier();
    assert.deepEqual(alice.pending({ event: 'typing' }), [], 'rejected publishes are not delivered');
    bob.send(typing);
    assert.equal((await bob.next({ type: 'error' })).code, 'rate_limited');
    assert.deepEqual(await bob.closed, { code: 1008, reason: 'Too many publishes' });
    // alice's own bucket is untouched.
    alice.send(typing);
    const bob2 = await joined(gw, 'bob');
    alice.send(typing);
    assert.equal((await bob2.next({ event: 'typing' })).from, 1);
    await Promise.all([alice.close(), bob2.close()]);
  });
});
