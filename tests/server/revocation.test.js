// Sessions do not outlive their rights (issue 13, finding 4b): a member removed
// from a room loses its channels at once (`unsubscribed` + `error`), and every
// fan-out re-checks the right, even when the database changed behind the gateway.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway } from '../support/gateway.js';

let gw, tok;
before(async () => {
  gw = await startGateway();
  tok = await gw.tokens();
});
after(() => gw.stop());

const as = (user, method, p, body) => gw.request(method, p, { token: tok[user], body });
const setMembers = (roomId, memberIds) => as('admin', 'PATCH', `/rooms/${roomId}`, { memberIds });
const revoked = (channel) => [{ type: 'unsubscribed', channel }, { type: 'error', error: 'Unauthorized', code: 'unauthorized', channel }];

async function subscribe(c, channel, since) {
  c.send(since === undefined ? { type: 'subscribe', channel } : { type: 'subscribe', channel, since });
  const f = await c.next({ channel });
  assert.equal(f.type, 'subscribed', JSON.stringify(f));
  return f.seq;
}

// The frames on `channel` that `c` has not taken yet, after a round trip.
async function pendingOn(c, channel) {
  await c.barrier();
  return c.pending({ channel });
}

describe('removed from a room', () => {
  test('item and custom channels are revoked at once, and stay silent', async () => {
    const b = await gw.socket(tok.bob);
    const a = await gw.socket(tok.alice);
    await subscribe(a, 'chat:room:1');
    await subscribe(b, 'Message:item:2');
    await subscribe(b, 'chat:room:1');
    await subscribe(b, 'Room:item:1');
    await a.next({ event: 'join' });
    assert.equal((await setMembers(1, [1, 3])).status, 200);
    // No further mutation or event needed: the removal itself revokes.
    assert.deepEqual([await b.next({ channel: 'Message:item:2' }), await b.next({ channel: 'Message:item:2' })], revoked('Message:item:2'));
    assert.deepEqual([await b.next({ channel: 'chat:room:1' }), await b.next({ channel: 'chat:room:1' })], revoked('chat:room:1'));
    assert.deepEqual(await a.next({ event: 'leave' }), { type: 'event', channel: 'chat:room:1', event: 'leave', data: { userId: 2, name: 'bob' }, from: 2 });
    // Room items stay readable (rule 'authenticated'), without the member list now.
    assert.deepEqual((await b.next({ channel: 'Room:item:1' })).data.data, { id: 1, name: 'general', version: 2 });
    a.send({ type: 'publish', channel: 'chat:room:1', event: 'message', data: { text: 'after bob left' } });
    await as('admin', 'PATCH', '/messages/2', { text: 'after bob left' });
    await a.barrier();
    assert.deepEqual(a.frames.filter((f) => f.type === 'error'), [], "alice's event was accepted (a refused one would prove nothing)");
    assert.deepEqual(await pendingOn(b, 'chat:room:1'), []);
    assert.deepEqual(await pendingOn(b, 'Message:item:2'), []);
    assert.doesNotMatch(JSON.stringify(b.frames), /after bob left/);
    assert.equal((await setMembers(1, [1, 2, 3])).status, 200);
    a.close();
    b.close();
  });

  test("his Message:list is told to re-read (resync), then carries only his rooms' messages, without a hole", async () => {
    const b = await gw.socket(tok.bob);
    const s = await subscribe(b, 'Message:list');
    await setMembers(1, [1, 3]);
    assert.deepEqual(await b.next({ channel: 'Message:list' }), { type: 'resync', channel: 'Message:list' });
    const list = (await as('bob', 'GET', '/messages')).body;
    assert.deepEqual([list.items, list.total], [[], 0], 'bob is in no room now');
    assert.ok(list.seq > s);
    await as('alice', 'POST', '/messages', { roomId: 1, text: 'general, without bob' });
    await setMembers(1, [1, 2, 3]);
    assert.deepEqual(await b.next({ channel: 'Message:list' }), { type: 'resync', channel: 'Message:list' }, 'added back: re-read');
    const again = (await as('bob', 'GET', '/messages')).body;
    assert.ok(again.items.some((m) => m.text === 'general, without bob'), 'messages of a room he joined are his now');
    await as('alice', 'POST', '/messages', { roomId: 1, text: 'welcome back' });
    const f = await b.next({ channel: 'Message:list' });
    assert.deepEqual([f.seq, f.data.data.text], [again.seq + 1, 'welcome back']);
    assert.deepEqual(await pendingOn(b, 'Message:list'), []);
    assert.doesNotMatch(JSON.stringify(b.frames), /general, without bob/);
    b.close();
  });

  test('a resubscription with since across the removal gets resync, not the hidden frames', async () => {
    const b = await gw.socket(tok.bob);
    const s = await subscribe(b, 'Message:list');
    await b.close();
    await setMembers(1, [1, 3]);
    await as('alice', 'POST', '/messages', { roomId: 1, text: 'while bob was out' });
    await setMembers(1, [1, 2, 3]);
    const back = await gw.socket(tok.bob);
    back.send({ type: 'subscribe', channel: 'Message:list', since: s });
    await back.next({ type: 'subscribed' });
    assert.deepEqual(await back.next(), { type: 'resync', channel: 'Message:list' });
    await back.barrier();
    assert.deepEqual(back.pending(), []);
    back.close();
  });
});

describe('every fan-out re-checks the right', () => {
  test('custom channel events: a membership changed behind the gateway stops them', async () => {
    const b = await gw.socket(tok.bob);
    const a = await gw.socket(tok.alice);
    await subscribe(a, 'chat:room:1');
    await subscribe(b, 'chat:room:1');
    // Another process (an admin script, a second gateway) edits the room directly.
    try {
      await gw.sql('UPDATE "Room" SET "memberIds" = ? WHERE "id" = 1', ['[1,3]']);
      a.send({ type: 'publish', channel: 'chat:room:1', event: 'message', data: { text: 'secret typing' } });
      assert.deepEqual([await b.next({ channel: 'chat:room:1' }), await b.next({ channel: 'chat:room:1' })], revoked('chat:room:1'));
      await a.barrier();
      assert.deepEqual(a.frames.filter((f) => f.type === 'error'), [], "alice's event was accepted");
      assert.deepEqual(await pendingOn(b, 'chat:room:1'), []);
      assert.doesNotMatch(JSON.stringify(b.frames), /secret typing/);
    } finally {
      await gw.sql('UPDATE "Room" SET "memberIds" = ? WHERE "id" = 1', ['[1,2,3]']);
    }
    a.close();
    b.close();
  });
});
