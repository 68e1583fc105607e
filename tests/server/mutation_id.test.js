// Mutation ids are bound to their sender (issue 13, finding 8): the broadcast of
// a mutation carries `mutationId` only to sockets of the user who made it; every
// other subscriber gets the same frame without it, with the same seq.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway } from '../support/gateway.js';

let gw, tok;
before(async () => {
  gw = await startGateway();
  tok = await gw.tokens();
});
after(() => gw.stop());

async function subscribe(c, channel, since) {
  c.send(since === undefined ? { type: 'subscribe', channel } : { type: 'subscribe', channel, since });
  const f = await c.next({ channel });
  assert.equal(f.type, 'subscribed', JSON.stringify(f));
  return f.seq;
}

const withoutId = ({ mutationId, ...rest }) => rest;

test("list and item broadcasts: the author's sockets get mutationId, nobody else does", async () => {
  const a1 = await gw.socket(tok.alice);
  const a2 = await gw.socket(tok.alice);
  const b = await gw.socket(tok.bob);
  const ad = await gw.socket(tok.admin);
  for (const c of [a1, a2, b, ad]) await subscribe(c, 'Message:list');
  for (const c of [a1, b]) await subscribe(c, 'Message:item:1');
  const headers = { 'X-Client-Mutation-Id': 'alice-secret-id' };
  const made = await gw.request('POST', '/messages', { token: tok.alice, body: { roomId: 1, text: 'mine' }, headers });
  assert.equal(made.status, 201);
  await gw.request('PATCH', '/messages/1', { token: tok.alice, body: { text: 'edited by alice' }, headers: { 'X-Client-Mutation-Id': 'alice-edit' } });
  const [mine, mine2, bobs, admins] = await Promise.all([a1, a2, b, ad].map((c) => c.next({ channel: 'Message:list' })));
  assert.equal(mine.mutationId, 'alice-secret-id');
  assert.deepEqual(mine2, mine, "alice's other tab recognises it too");
  assert.deepEqual(bobs, withoutId(mine), 'same frame, same seq, no id');
  assert.equal(admins.mutationId, undefined);
  assert.equal(admins.data.id, made.body.id);
  const itemMine = await a1.next({ channel: 'Message:item:1' });
  const itemBob = await b.next({ channel: 'Message:item:1' });
  assert.equal(itemMine.mutationId, 'alice-edit');
  assert.deepEqual(itemBob, withoutId(itemMine));
  for (const c of [a1, a2, b, ad]) await c.barrier();
  assert.doesNotMatch(JSON.stringify([b.frames, ad.frames]), /alice-secret-id|alice-edit/);
  for (const c of [a1, a2, b, ad]) c.close();
});

test('replay with since binds the id the same way', async () => {
  const a = await gw.socket(tok.alice);
  const b = await gw.socket(tok.bob);
  const sa = await subscribe(a, 'Message:list');
  const sb = await subscribe(b, 'Message:list');
  await Promise.all([a.close(), b.close()]);
  await gw.request('POST', '/messages', { token: tok.alice, body: { roomId: 1, text: 'replayed' }, headers: { 'X-Client-Mutation-Id': 'alice-replayed' } });
  const a2 = await gw.socket(tok.alice);
  const b2 = await gw.socket(tok.bob);
  a2.send({ type: 'subscribe', channel: 'Message:list', since: sa });
  b2.send({ type: 'subscribe', channel: 'Message:list', since: sb });
  const ra = await a2.next({ type: 'update' });
  const rb = await b2.next({ type: 'update' });
  assert.equal(ra.mutationId, 'alice-replayed');
  assert.deepEqual(rb, withoutId(ra));
  assert.doesNotMatch(JSON.stringify(b2.frames), /alice-replayed/);
  a2.close();
  b2.close();
});
