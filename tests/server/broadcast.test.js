// Broadcasts: exact update frames on list and item channels, mutationId,
// ActivityLog, private fields, and who receives what (isolation).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway } from '../support/gateway.js';

let gw, tok;
before(async () => {
  gw = await startGateway();
  tok = await gw.tokens();
});
after(() => gw.stop());

async function subscribed(user, ...channels) {
  const c = await gw.socket(tok[user]);
  for (const channel of channels) {
    c.send({ type: 'subscribe', channel });
    const f = await c.next({ channel });
    assert.equal(f.type, 'subscribed', JSON.stringify(f));
  }
  return c;
}

describe('update frames', () => {
  test("create, update, delete on list and item channels, with the author's mutationId", async () => {
    const watcher = await subscribed('alice', 'Message:list');
    const r = await gw.request('POST', '/messages', { token: tok.alice, body: { roomId: 1, text: 'first' }, headers: { 'X-Client-Mutation-Id': 'mut-1' } });
    const msg = r.body;
    assert.equal(msg.version, 1);
    assert.deepEqual(await watcher.next(), {
      type: 'update', channel: 'Message:list', data: { type: 'created', data: msg, id: msg.id, timestamp: msg.createdAt }, seq: 1, mutationId: 'mut-1',
    });
    const item = await gw.socket(tok.alice);
    item.send({ type: 'subscribe', channel: `Message:item:${msg.id}` });
    assert.deepEqual(await item.next(), { type: 'subscribed', channel: `Message:item:${msg.id}`, seq: 1, epoch: gw.epoch() }, 'the create counted on the item stream');
    const u = await gw.request('PATCH', `/messages/${msg.id}`, { token: tok.alice, body: { text: 'second' }, headers: { 'X-Client-Mutation-Id': 'mut-2' } });
    assert.equal(u.body.version, 2);
    const updated = { type: 'updated', data: u.body, id: msg.id, timestamp: u.body.updatedAt };
    assert.deepEqual(await watcher.next(), { type: 'update', channel: 'Message:list', data: updated, seq: 2, mutationId: 'mut-2' });
    assert.deepEqual(await item.next(), { type: 'update', channel: `Message:item:${msg.id}`, data: updated, seq: 2, mutationId: 'mut-2' });
    await gw.request('DELETE', `/messages/${msg.id}`, { token: tok.alice });
    const del = await watcher.next();
    assert.deepEqual(Object.keys(del.data), ['type', 'id', 'version', 'timestamp'], 'no record, no mutationId without the header');
    assert.deepEqual(del, { type: 'update', channel: 'Message:list', data: { type: 'deleted', id: msg.id, version: 3, timestamp: del.data.timestamp }, seq: 3 });
    assert.ok(del.data.timestamp >= u.body.updatedAt);
    assert.deepEqual(await item.next(), { type: 'update', channel: `Message:item:${msg.id}`, data: { type: 'deleted', id: msg.id, version: 3, timestamp: del.data.timestamp }, seq: 3 });
    watcher.close();
    item.close();
  });

  test('every mutation appends an ActivityLog row, broadcast to admins only', async () => {
    const ad = await subscribed('admin', 'ActivityLog:list');
    const before = (await gw.request('GET', '/activitylogs', { token: tok.admin })).body;
    const p = await gw.request('PATCH', '/products/1', { token: tok.admin, body: { stock: 11 } });
    assert.equal(p.status, 200);
    const f = await ad.next();
    const row = f.data.data;
    assert.deepEqual(f, {
      type: 'update', channel: 'ActivityLog:list', seq: before.seq + 1,
      data: { type: 'created', data: { id: before.total + 1, actorId: 3, action: 'admin updated Product 1', createdAt: row.createdAt, version: 1 }, id: before.total + 1, timestamp: row.createdAt },
    });
    const failed = await gw.request('PATCH', '/products/1', { token: tok.alice, body: { stock: 0 } });
    assert.equal(failed.status, 403);
    await ad.barrier();
    assert.deepEqual(ad.pending(), [], 'no log row for a refused mutation');
    ad.close();
  });

  test('private fields are stripped from broadcasts', async () => {
    // A config that lets admins edit users, so User updates are broadcast.
    const g2 = await startGateway({ config: { websockets: { pubsub: { models: { User: { permissions: { update: 'isAdmin' } } } } } } });
    try {
      const token = await g2.login('admin');
      const c = await g2.socket(token);
      c.send({ type: 'subscribe', channel: 'User:list' });
      await c.next({ type: 'subscribed' });
      const r = await g2.request('PATCH', '/users/2', { token, body: { name: 'robert' } });
      assert.deepEqual(r.body, { id: 2, name: 'robert', role: 'user', version: 2 });
      const f = await c.next();
      assert.deepEqual(f.data.data, { id: 2, name: 'robert', role: 'user', version: 2 });
      assert.doesNotMatch(JSON.stringify(c.frames), /passwordHash|scrypt/);
      const pw = await g2.request('PATCH', '/users/2', { token, body: { passwordHash: 'x' } });
      assert.equal(pw.status, 400, 'private fields are not writable either');
      c.close();
    } finally {
      await g2.stop();
    }
  });

  test('an item subscriber that loses access is unsubscribed, never skipped', async () => {
    const b = await subscribed('bob', 'Message:item:2', 'Room:item:1');
    // Admin removes bob from "general"; message 2 lives there.
    await gw.request('PATCH', '/rooms/1', { token: tok.admin, body: { memberIds: [1, 3] } });
    assert.deepEqual(await b.next({ channel: 'Message:item:2' }), { type: 'unsubscribed', channel: 'Message:item:2' });
    assert.deepEqual(await b.next({ channel: 'Message:item:2' }), { type: 'error', error: 'Unauthorized', code: 'unauthorized', channel: 'Message:item:2' });
    assert.deepEqual((await b.next({ channel: 'Room:item:1' })).data.data, { id: 1, name: 'general', version: 2 }, 'no member list for a non-member');
    await gw.request('PATCH', '/messages/2', { token: tok.admin, body: { text: 'moderated' } });
    await gw.request('PATCH', '/messages/2', { token: tok.admin, body: { text: 'again' } });
    await b.barrier();
    assert.deepEqual(b.pending({ channel: 'Message:item:2' }), []);
    await gw.request('PATCH', '/rooms/1', { token: tok.admin, body: { memberIds: [1, 2, 3] } });
    b.close();
  });
});

describe('isolation: bob never sees alice\'s notifications', () => {
  test('on REST lists, REST gets, socket requests, list and item broadcasts', async () => {
    const a = await subscribed('alice', 'Notification:list', 'Notification:item:1');
    const b = await subscribed('bob', 'Notification:list');
    b.send({ type: 'subscribe', channel: 'Notification:item:1' });
    assert.deepEqual(await b.next(), { type: 'error', error: 'Unauthorized', code: 'unauthorized', channel: 'Notification:item:1' });
    const made = await gw.request('POST', '/notifications', { token: tok.admin, body: { userId: 1, text: 'for alice only' } });
    await gw.request('PATCH', '/notifications/1', { token: tok.alice, body: { read: false } });
    await gw.request('DELETE', `/notifications/${made.body.id}`, { token: tok.admin });
    assert.deepEqual((await a.next({ channel: 'Notification:list' })).data.type, 'created');
    assert.deepEqual((await a.next({ channel: 'Notification:list' })).data.type, 'updated');
    assert.deepEqual((await a.next({ channel: 'Notification:item:1' })).data.type, 'updated');
    assert.deepEqual((await a.next({ channel: 'Notification:list' })).data.type, 'deleted');
    await b.barrier();
    assert.deepEqual(b.frames.filter((f) => f.type === 'update'), [], 'no update reached bob');
    const list = await gw.request('GET', '/notifications', { token: tok.bob });
    assert.ok(list.body.items.every((n) => n.userId === 2));
    assert.equal((await gw.request('GET', '/notifications/1', { token: tok.bob })).status, 403);
    b.send({ type: 'request', requestId: 'l', model: 'Notification', action: 'list', params: { where: { userId: { in: [1, 2] } } } });
    const wl = await b.next({ requestId: 'l' });
    assert.ok(wl.data.items.length > 0 && wl.data.items.every((n) => n.userId === 2), JSON.stringify(wl));
    b.send({ type: 'request', requestId: 'g', model: 'Notification', action: 'get', params: { id: 2 } });
    assert.equal((await b.next({ requestId: 'g' })).code, 'forbidden');
    assert.doesNotMatch(JSON.stringify(b.frames), /for alice only|Welcome, alice|keyboard order/);
    a.close();
    b.close();
  });
});
