// Permission rules: the parser, config validation, and every rule of the demo
// config allowed and denied, on REST and on the socket.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway } from '../support/gateway.js';
import { parseRule, evalUser, evalRecord, toSql } from '../../demo/server/permissions.js';
import { loadConfig } from '../../demo/server/config.js';

const alice = { id: 1, role: 'user' };
const admin = { id: 3, role: 'admin' };

describe('rule language', () => {
  test('precedence: && binds tighter than ||; parentheses group', () => {
    assert.deepEqual(parseRule('isOwner || isAdmin && authenticated'),
      { op: '||', a: { atom: 'isOwner' }, b: { op: '&&', a: { atom: 'isAdmin' }, b: { atom: 'authenticated' } } });
    assert.deepEqual(parseRule('(isOwner || isAdmin) && authenticated'),
      { op: '&&', a: { op: '||', a: { atom: 'isOwner' }, b: { atom: 'isAdmin' } }, b: { atom: 'authenticated' } });
    assert.deepEqual(parseRule('  true  '), { atom: 'true' });
  });

  test('bad rules are rejected with the reason', () => {
    for (const [rule, re] of [['isOwner ||', /unexpected end/], ['isGod', /unknown term 'isGod'/], ['(isOwner', /missing '\)'/],
      ['isOwner isAdmin', /unexpected 'isAdmin'/], ['isOwner | isAdmin', /unexpected '\|'/], ['', /unexpected end/], ['!isOwner', /unknown term '!'/]]) {
      assert.throws(() => parseRule(rule), re, rule);
    }
  });

  test('evalUser is three-valued; evalRecord decides per record', () => {
    const rule = parseRule('isOwner || isAdmin');
    assert.equal(evalUser(rule, admin), true);
    assert.equal(evalUser(rule, alice), null);
    assert.equal(evalUser(parseRule('isOwner && isAdmin'), alice), false);
    assert.equal(evalUser(parseRule('authenticated'), null), false);
    assert.equal(evalRecord(rule, { user: alice, ownerId: 1 }), true);
    assert.equal(evalRecord(rule, { user: alice, ownerId: 2 }), false);
    const member = parseRule('isParticipant');
    assert.equal(evalRecord(member, { user: alice, roomMembers: () => [1, 3] }), true);
    assert.equal(evalRecord(member, { user: { id: 2 }, roomMembers: () => [1, 3] }), false);
    assert.equal(evalRecord(member, { user: alice, roomMembers: null }), false);
  });

  test('toSql uses placeholders for the user id', () => {
    const { sql, params } = toSql(parseRule('isOwner || isAdmin'), alice, 'Notification', { owner: 'userId' });
    assert.equal(sql, '("Notification"."userId" = ? OR 0)');
    assert.deepEqual(params, [1]);
  });
});

describe('config validation', () => {
  test('the demo config loads', () => {
    const cfg = loadConfig();
    assert.equal(cfg.limits.subscriptionsPerConnection, 50);
    assert.equal(cfg.models.Message.path, 'messages');
    assert.equal(cfg.models.ActivityLog.path, 'activitylogs');
    assert.ok(cfg.models.User.private.has('passwordHash'));
  });

  test('errors name the model and the rule', () => {
    const cases = [
      [{ websockets: { pubsub: { models: { Message: { permissions: { item: 'isOwner ||| isAdmin' } } } } } }, /models\.Message\.permissions\.item: bad rule "isOwner \|\|\| isAdmin"/],
      [{ websockets: { pubsub: { models: { Widget: {} } } } }, /unknown model 'Widget'/],
      [{ websockets: { pubsub: { models: { Message: { permissions: { read: 'true' } } } } } }, /Message\.permissions: unknown key 'read'/],
      [{ websockets: { pubsub: { models: { Message: { owner: 'nobody' } } } } }, /Message\.owner: 'nobody' is not a field/],
      [{ websockets: { pubsub: { channels: { 'x:{id}': { events: 'typing' } } } } }, /events must be an array/],
      [{ websockets: { pubsub: { channels: { 'x:{id}': { events: ['a'], permission: 'isMember' } } } } }, /channels\['x:\{id\}'\]\.permission: bad rule/],
      [{ websockets: { limits: { connectionsPerUser: 0 } } }, /limits\.connectionsPerUser must be a positive integer/],
      [{ websockets: { limits: { maxConnections: 3 } } }, /limits: unknown key 'maxConnections'/],
      [{ pubsub: {} }, /'websockets'/],
    ];
    for (const [cfg, re] of cases) assert.throws(() => loadConfig(cfg), re, JSON.stringify(cfg));
  });

  test('a bad config stops the gateway at start-up with the message', async () => {
    const bad = { websockets: { pubsub: { models: { Notification: { permissions: { list: 'isOwner &&' } } } } } };
    await assert.rejects(startGateway({ config: bad }), /exited \(1\)[\s\S]*Notification\.permissions\.list: bad rule "isOwner &&"/);
    await assert.rejects(startGateway({ config: '{"websockets": ' }), /exited \(1\)[\s\S]*invalid JSON/);
  });
});

describe('demo rules', () => {
  let gw;
  const tok = {};
  const as = (user, method, p, body) => gw.request(method, p, { token: tok[user], body });
  before(async () => {
    gw = await startGateway();
    Object.assign(tok, await gw.tokens());
  });
  after(() => gw.stop());

  test('Message: list and item isParticipant || isAdmin', async () => {
    assert.equal((await as('bob', 'GET', '/messages')).status, 200);
    assert.equal((await as('bob', 'GET', '/messages/1')).status, 200, 'bob is in general');
    const denied = await as('bob', 'GET', '/messages/4');
    assert.deepEqual([denied.status, denied.body], [403, { error: 'Forbidden: you may not read Message 4' }]);
    assert.equal((await as('alice', 'GET', '/messages/4')).status, 200, 'alice is in staff');
    assert.equal((await as('admin', 'GET', '/messages/4')).status, 200);
  });

  test('Message: create isParticipant; update and delete isOwner || isAdmin', async () => {
    const no = await as('bob', 'POST', '/messages', { roomId: 2, text: 'let me in' });
    assert.deepEqual([no.status, no.body], [403, { error: 'Forbidden: you may not create Message' }]);
    const yes = await as('bob', 'POST', '/messages', { roomId: 1, text: 'mine' });
    assert.equal(yes.status, 201);
    const id = yes.body.id;
    assert.equal((await as('alice', 'PATCH', `/messages/${id}`, { text: 'hacked' })).status, 403);
    assert.equal((await as('alice', 'PUT', '/messages/2', { roomId: 1, text: 'hacked' })).status, 403, "not alice's");
    assert.equal((await as('bob', 'PATCH', `/messages/${id}`, { text: 'edited' })).status, 200);
    assert.equal((await as('admin', 'PATCH', `/messages/${id}`, { text: 'moderated' })).status, 200);
    assert.equal((await as('alice', 'DELETE', `/messages/${id}`)).status, 403);
    assert.equal((await as('bob', 'DELETE', `/messages/${id}`)).status, 204);
    const other = await as('alice', 'POST', '/messages', { roomId: 1, text: 'alice says' });
    assert.equal((await as('admin', 'DELETE', `/messages/${other.body.id}`)).status, 204);
  });

  test('Notification: each user sees only their own; create isAdmin; update isOwner; delete isOwner || isAdmin', async () => {
    const mine = await as('alice', 'GET', '/notifications');
    assert.deepEqual(mine.body.items.map((n) => [n.id, n.userId]), [[1, 1], [2, 1]]);
    assert.equal(mine.body.total, 2);
    const bobs = await as('bob', 'GET', '/notifications');
    assert.deepEqual(bobs.body.items.map((n) => [n.id, n.userId]), [[3, 2], [4, 2]]);
    const sneaky = await as('bob', 'GET', `/notifications?where=${encodeURIComponent('{"userId":1}')}`);
    assert.deepEqual(sneaky.body, { items: [], total: 0, seq: 0, epoch: gw.epoch() });
    assert.equal((await as('bob', 'GET', '/notifications/1')).status, 403);
    assert.equal((await as('admin', 'GET', '/notifications/1')).status, 403, 'isOwner only: not even admin');
    assert.equal((await as('alice', 'POST', '/notifications', { userId: 2, text: 'spam' })).status, 403);
    const made = await as('admin', 'POST', '/notifications', { userId: 1, text: 'from admin' });
    assert.equal(made.status, 201);
    assert.equal((await as('bob', 'PATCH', `/notifications/${made.body.id}`, { read: true })).status, 403);
    assert.equal((await as('admin', 'PATCH', `/notifications/${made.body.id}`, { read: true })).status, 403);
    assert.equal((await as('alice', 'PATCH', `/notifications/${made.body.id}`, { read: true })).status, 200);
    assert.equal((await as('bob', 'DELETE', `/notifications/${made.body.id}`)).status, 403);
    assert.equal((await as('admin', 'DELETE', `/notifications/${made.body.id}`)).status, 204);
    assert.equal((await as('bob', 'DELETE', '/notifications/4')).status, 204, 'owner may delete');
  });

  test('Product: list and item true; writes isAdmin', async () => {
    assert.equal((await as('bob', 'GET', '/products')).status, 200);
    assert.equal((await as('bob', 'GET', '/products/1')).status, 200);
    assert.equal((await as('alice', 'PATCH', '/products/1', { stock: 0 })).status, 403);
    assert.equal((await as('alice', 'POST', '/products', { name: 'x', price: 1, stock: 1 })).status, 403);
    assert.equal((await as('alice', 'DELETE', '/products/1')).status, 403);
    assert.equal((await as('admin', 'PATCH', '/products/1', { stock: 11 })).status, 200);
  });

  test('ActivityLog: list and item isAdmin; writes false, even for admin', async () => {
    const list = await as('admin', 'GET', '/activitylogs');
    assert.equal(list.status, 200);
    assert.ok(list.body.items.some((l) => l.action === 'bob created Message 6'), JSON.stringify(list.body.items));
    assert.equal((await as('alice', 'GET', '/activitylogs')).status, 403);
    assert.equal((await as('alice', 'GET', '/activitylogs/1')).status, 403);
    assert.equal((await as('admin', 'GET', '/activitylogs/1')).status, 200);
    assert.equal((await as('admin', 'POST', '/activitylogs', { action: 'forged' })).status, 403);
    assert.equal((await as('admin', 'DELETE', '/activitylogs/1')).status, 403);
  });

  test('Room: authenticated reads, admin writes; User: reads only', async () => {
    assert.equal((await as('bob', 'GET', '/rooms/2')).status, 200);
    assert.equal((await as('alice', 'POST', '/rooms', { name: 'x', memberIds: [1] })).status, 403);
    const room = await as('admin', 'POST', '/rooms', { name: 'new', memberIds: [3] });
    assert.deepEqual([room.status, room.body], [201, { id: 3, name: 'new', memberIds: [3], version: 1 }]);
    assert.equal((await as('admin', 'PATCH', '/users/2', { role: 'admin' })).status, 403);
    assert.equal((await as('admin', 'POST', '/users', { name: 'eve', role: 'admin' })).status, 403);
    assert.equal((await as('admin', 'DELETE', '/users/2')).status, 403);
  });

  test('socket subscriptions follow the list and item rules', async () => {
    const [a, b, ad] = await Promise.all(['alice', 'bob', 'admin'].map((u) => gw.socket(u)));
    const expect = async (c, channel, allowed) => {
      c.send({ type: 'subscribe', channel });
      const f = await c.next((x) => x.channel === channel);
      if (allowed) assert.equal(f.type, 'subscribed', `${channel}: ${JSON.stringify(f)}`);
      else assert.deepEqual(f, { type: 'error', error: 'Unauthorized', code: 'unauthorized', channel });
    };
    await expect(b, 'Message:item:4', false);
    await expect(a, 'Message:item:4', true);
    await expect(ad, 'Message:item:4', true);
    await expect(b, 'Message:list', true);
    await expect(b, 'Notification:item:1', false);
    await expect(a, 'Notification:item:1', true);
    await expect(a, 'ActivityLog:list', false);
    await expect(a, 'ActivityLog:item:1', false);
    await expect(ad, 'ActivityLog:list', true);
    await expect(b, 'Product:item:1', true);
    await expect(b, 'chat:room:2', false);
    await expect(a, 'chat:room:2', true);
    await expect(b, 'chat:room:1', true);
    await expect(b, 'chat:room:999', false);
    await expect(b, 'chat:room:abc', false);
    for (const c of [a, b, ad]) c.close();
  });

  test('socket requests follow the same rules', async () => {
    const b = await gw.socket('bob');
    b.send({ type: 'request', requestId: 'r1', model: 'Message', action: 'get', params: { id: 4 } });
    assert.deepEqual(await b.next({ requestId: 'r1' }), { type: 'response', requestId: 'r1', error: 'Forbidden: you may not read Message 4', code: 'forbidden' });
    b.send({ type: 'request', requestId: 'r2', model: 'ActivityLog', action: 'list' });
    assert.deepEqual(await b.next({ requestId: 'r2' }), { type: 'response', requestId: 'r2', error: 'Forbidden: you may not list ActivityLog', code: 'forbidden' });
    b.send({ type: 'request', requestId: 'r3', model: 'Notification', action: 'list', params: { where: { userId: 1 } } });
    assert.deepEqual((await b.next({ requestId: 'r3' })).data, { items: [], total: 0, seq: 1, epoch: gw.epoch() }, 'seq of bob\'s stream: one delete');
    b.send({ type: 'request', requestId: 'r4', model: 'Notification', action: 'get', params: { id: 1 } });
    assert.equal((await b.next({ requestId: 'r4' })).code, 'forbidden');
    b.close();
  });
});
