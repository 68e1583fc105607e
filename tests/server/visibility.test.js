// Row and field visibility on every read path (issue 13, finding 1): bob is in
// room 1 (general) but not in room 2 (staff), so he must never see a staff
// message, nor who is in staff - not through REST, socket requests, list
// broadcasts, replay, `total` or a `where` on a hidden field.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway } from '../support/gateway.js';
import { loadConfig } from '../../demo/server/config.js';

let gw, tok;
before(async () => {
  gw = await startGateway();
  tok = await gw.tokens();
});
after(() => gw.stop());

const STAFF = /Staff only|count the keyboards|staff secret/;
const q = (o) => encodeURIComponent(JSON.stringify(o));
const as = (user, method, p, body) => gw.request(method, p, { token: tok[user], body });

async function subscribe(c, channel, since) {
  c.send(since === undefined ? { type: 'subscribe', channel } : { type: 'subscribe', channel, since });
  const f = await c.next({ channel });
  assert.equal(f.type, 'subscribed', JSON.stringify(f));
  return f.seq;
}

async function ask(c, model, action, params) {
  const requestId = `r${Math.random()}`;
  c.send({ type: 'request', requestId, model, action, params });
  return c.next({ requestId });
}

describe('messages of a room bob is not in', () => {
  test('REST list: not listed, not counted in total, not reachable by where', async () => {
    const all = await as('bob', 'GET', '/messages');
    assert.equal(all.status, 200);
    assert.deepEqual(all.body.items.map((m) => m.roomId), [1, 1, 1]);
    assert.equal(all.body.total, 3, 'total counts only rows bob may see');
    const staff = await as('bob', 'GET', `/messages?where=${q({ roomId: 2 })}`);
    assert.deepEqual([staff.body.items, staff.body.total], [[], 0]);
    const paged = await as('bob', 'GET', '/messages?skip=0&take=1');
    assert.equal(paged.body.total, 3);
    assert.doesNotMatch(JSON.stringify([all.body, staff.body]), STAFF);
    const adm = await as('admin', 'GET', '/messages');
    assert.equal(adm.body.total, 5, 'an admin sees every room');
    const alice = await as('alice', 'GET', '/messages');
    assert.equal(alice.body.total, 5, 'alice is in both rooms');
  });

  test('REST get: refused', async () => {
    const r = await as('bob', 'GET', '/messages/4');
    assert.equal(r.status, 403);
    assert.doesNotMatch(JSON.stringify(r.body), STAFF);
  });

  test('socket request list and get', async () => {
    const b = await gw.socket(tok.bob);
    const list = await ask(b, 'Message', 'list', {});
    assert.deepEqual(list.data.items.map((m) => m.roomId), [1, 1, 1]);
    assert.equal(list.data.total, 3);
    const where = await ask(b, 'Message', 'list', { where: { roomId: { in: [1, 2] } }, take: 1 });
    assert.equal(where.data.total, 3);
    const get = await ask(b, 'Message', 'get', { id: 5 });
    assert.equal(get.code, 'forbidden');
    assert.doesNotMatch(JSON.stringify(b.frames), STAFF);
    b.close();
  });

  test('Message:list live: a staff message never reaches bob, and his seq has no hole', async () => {
    const b = await gw.socket(tok.bob);
    const a = await gw.socket(tok.alice);
    const ad = await gw.socket(tok.admin);
    const bs = await subscribe(b, 'Message:list');
    const as0 = await subscribe(a, 'Message:list');
    const ads = await subscribe(ad, 'Message:list');
    assert.equal((await as('alice', 'POST', '/messages', { roomId: 2, text: 'staff secret 1' })).status, 201);
    const pub = await as('alice', 'POST', '/messages', { roomId: 1, text: 'hello general' });
    assert.equal((await as('alice', 'POST', '/messages', { roomId: 2, text: 'staff secret 2' })).status, 201);
    for (const c of [a, b, ad]) await c.barrier();
    const got = (c) => c.frames.filter((f) => f.type === 'update' && f.channel === 'Message:list');
    assert.deepEqual(got(b).map((f) => [f.seq, f.data.type, f.data.data.text]), [[bs + 1, 'created', 'hello general']]);
    assert.equal(pub.body.id, got(b)[0].data.id);
    assert.deepEqual(got(a).map((f) => f.seq), [as0 + 1, as0 + 2, as0 + 3], 'alice sees all three, contiguous');
    assert.deepEqual(got(ad).map((f) => f.seq), [ads + 1, ads + 2, ads + 3], 'the admin sees all three, contiguous');
    assert.doesNotMatch(JSON.stringify(b.frames), STAFF);
    // The seq a list answer reports is the one bob's live frames continue from.
    assert.equal((await as('bob', 'GET', '/messages')).body.seq, bs + 1);
    for (const c of [a, b, ad]) c.close();
  });

  test('Message:list replay with since: only what bob may see, contiguous', async () => {
    const b = await gw.socket(tok.bob);
    const s = await subscribe(b, 'Message:list');
    await b.close();
    await as('alice', 'POST', '/messages', { roomId: 2, text: 'staff secret 3' });
    const seen = await as('alice', 'POST', '/messages', { roomId: 1, text: 'while bob was away' });
    await as('admin', 'PATCH', '/messages/4', { text: 'Staff only: moved to Monday' });
    const back = await gw.socket(tok.bob);
    back.send({ type: 'subscribe', channel: 'Message:list', since: s });
    assert.deepEqual(await back.next(), { type: 'subscribed', channel: 'Message:list', seq: s + 1, epoch: gw.epoch() });
    const f = await back.next();
    assert.deepEqual([f.type, f.seq, f.data.id, f.data.data.text], ['update', s + 1, seen.body.id, 'while bob was away']);
    await back.barrier();
    assert.deepEqual(back.pending(), []);
    assert.doesNotMatch(JSON.stringify(back.frames), STAFF);
    back.close();
  });
});

describe('who is in a room bob is not in', () => {
  test('REST list and get: memberIds only on rooms bob is in; admin sees all', async () => {
    const rooms = await as('bob', 'GET', '/rooms');
    assert.deepEqual(rooms.body.items, [{ id: 1, name: 'general', memberIds: [1, 2, 3], version: 1 }, { id: 2, name: 'staff', version: 1 }]);
    assert.deepEqual((await as('bob', 'GET', '/rooms/2')).body, { id: 2, name: 'staff', version: 1 });
    assert.deepEqual((await as('bob', 'GET', '/rooms/1')).body.memberIds, [1, 2, 3]);
    assert.deepEqual((await as('admin', 'GET', '/rooms')).body.items.map((r) => r.memberIds), [[1, 2, 3], [1, 3]]);
    assert.deepEqual((await as('alice', 'GET', '/rooms/2')).body.memberIds, [1, 3]);
  });

  test('a where on a hidden field matches nothing bob may not see', async () => {
    const r = await as('bob', 'GET', `/rooms?where=${q({ memberIds: { contains: 1 } })}`);
    assert.deepEqual([r.body.items.map((x) => x.id), r.body.total], [[1], 1], 'staff has alice but bob may not learn it');
    const b = await gw.socket(tok.bob);
    const w = await ask(b, 'Room', 'list', { where: { memberIds: { contains: 3 } } });
    assert.deepEqual([w.data.items.map((x) => x.id), w.data.total], [[1], 1]);
    b.close();
  });

  test('socket request and Room broadcasts: no memberIds for a non-member', async () => {
    const b = await gw.socket(tok.bob);
    const a = await gw.socket(tok.alice);
    const list = await ask(b, 'Room', 'list', {});
    assert.deepEqual(list.data.items[1], { id: 2, name: 'staff', version: 1 });
    assert.deepEqual((await ask(b, 'Room', 'get', { id: 2 })).data, { id: 2, name: 'staff', version: 1 });
    const bs = await subscribe(b, 'Room:list');
    await subscribe(b, 'Room:item:2');
    const as0 = await subscribe(a, 'Room:list');
    await as('admin', 'PATCH', '/rooms/2', { name: 'staff room' });
    const bl = await b.next({ channel: 'Room:list' });
    const bi = await b.next({ channel: 'Room:item:2' });
    const al = await a.next({ channel: 'Room:list' });
    assert.deepEqual([bl.seq, bl.data.data], [bs + 1, { id: 2, name: 'staff room', version: 2 }]);
    assert.deepEqual(bi.data.data, { id: 2, name: 'staff room', version: 2 });
    assert.deepEqual([al.seq, al.data.data], [as0 + 1, { id: 2, name: 'staff room', memberIds: [1, 3], version: 2 }]);
    // Replay renders for the subscriber too.
    await b.close();
    const back = await gw.socket(tok.bob);
    back.send({ type: 'subscribe', channel: 'Room:list', since: bs });
    await back.next({ type: 'subscribed' });
    assert.deepEqual((await back.next({ type: 'update' })).data.data, { id: 2, name: 'staff room', version: 2 });
    await as('admin', 'PATCH', '/rooms/2', { name: 'staff' });
    back.close();
    a.close();
  });
});

describe('fieldRules in the config', () => {
  test('validated at load: a known field (not id) and a good rule', () => {
    const cfg = (fieldRules) => ({ websockets: { pubsub: { models: { Room: { fieldRules } } } } });
    assert.equal(loadConfig().models.Room.fieldRules.size, 1);
    for (const [fr, re] of [
      [{ members: 'true' }, /Room\.fieldRules: 'members' is not a field of Room/],
      [{ id: 'isAdmin' }, /Room\.fieldRules: 'id' is not a field/],
      [{ toString: 'isAdmin' }, /Room\.fieldRules: 'toString' is not a field/],
      [{ name: 'isMember' }, /models\.Room\.fieldRules\.name: bad rule "isMember"/],
      ['isAdmin', /Room\.fieldRules must be an object/],
    ]) assert.throws(() => loadConfig(cfg(fr)), re, JSON.stringify(fr));
  });

  test('a hidden field can be neither matched nor sorted by', async () => {
    const g = await startGateway({ config: { websockets: { pubsub: { models: { Room: { fieldRules: { name: 'isParticipant || isAdmin' } } } } } } });
    try {
      const [bob, admin] = [await g.login('bob'), await g.login('admin')];
      assert.deepEqual((await g.request('GET', '/rooms', { token: bob })).body.items, [{ id: 1, name: 'general', memberIds: [1, 2, 3], version: 1 }, { id: 2, version: 1 }], 'the demo rule on memberIds still holds (configs merge)');
      const byName = await g.request('GET', `/rooms?where=${q({ name: 'staff' })}`, { token: bob });
      assert.deepEqual([byName.body.items, byName.body.total], [[], 0]);
      const sorted = await g.request('GET', `/rooms?orderBy=${q({ name: 'asc' })}`, { token: bob });
      assert.deepEqual([sorted.status, sorted.body], [400, { error: "orderBy: cannot sort by 'name'" }]);
      const asAdmin = await g.request('GET', `/rooms?orderBy=${q({ name: 'desc' })}`, { token: admin });
      assert.deepEqual(asAdmin.body.items.map((r) => r.name), ['staff', 'general']);
    } finally {
      await g.stop();
    }
  });

  test('a config can make a field public again', async () => {
    const g = await startGateway({ config: { websockets: { pubsub: { models: { Room: { fieldRules: { memberIds: 'authenticated' } } } } } } });
    try {
      const r = await g.request('GET', '/rooms/2', { token: await g.login('bob') });
      assert.deepEqual(r.body, { id: 2, name: 'staff', memberIds: [1, 3], version: 1 });
    } finally {
      await g.stop();
    }
  });
});
