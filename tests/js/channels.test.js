// Custom channels with two clients: events, presence, publish rules.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway } from '../support/gateway.js';
import { clientFor, until, waitFor } from './helpers.js';

let gw;
before(async () => { gw = await startGateway(); });
after(() => gw.stop());

test('custom channel events and presence with two clients', async (t) => {
  const alice = await clientFor(gw, 'alice');
  const bob = await clientFor(gw, 'bob');
  t.after(() => Promise.all([alice.close(), bob.close()]));

  const ra = alice.channel('chat:room:{roomId}', { roomId: 1 });
  await until(ra, (s) => s.status === 'ready', 'alice joined');
  await waitFor(() => ra.presence.members.some((m) => m.name === 'alice'), { what: 'alice in her own presence list' });
  const presenceChanges = [];
  ra.presence.subscribe((members) => presenceChanges.push(members.map((m) => m.name)));

  const rb = bob.channel('chat:room:{roomId}', { roomId: 1 });
  await until(rb, (s) => s.status === 'ready', 'bob joined');
  assert.deepEqual(rb.presence.members.map((m) => m.name).sort(), ['alice', 'bob']);
  await waitFor(() => ra.presence.members.some((m) => m.name === 'bob'), { what: 'bob joins alice\'s presence' });
  assert.ok(Object.isFrozen(ra.presence.members));

  const typing = [];
  const all = [];
  ra.on('typing', (data, info) => typing.push({ data, info }));
  ra.on('*', (data, info) => all.push(info.event));
  assert.equal(rb.publish('typing', { on: true }), true);
  assert.equal(rb.publish('message', { text: 'hello' }), true);
  await waitFor(() => typing.length === 1 && all.includes('message'), { what: 'events at alice' });
  assert.deepEqual(typing[0].data, { on: true });
  assert.equal(typing[0].info.from, 2);
  assert.equal(typing[0].info.channel, 'chat:room:1');

  // The publisher does not hear itself; alice answers and bob hears it.
  const atBob = [];
  rb.on('message', (data) => atBob.push(data));
  assert.equal(ra.publish('message', { text: 'hi bob' }), true);
  await waitFor(() => atBob.length === 1, { what: 'bob hears alice' });
  assert.deepEqual(atBob[0], { text: 'hi bob' });

  // Events not in the config are refused on the client.
  assert.equal(rb.publish('dance', {}), false);

  // An unsubscribed listener hears nothing more.
  const off = ra.on('typing', () => { throw new Error('must not be called'); });
  off();
  rb.publish('typing', { on: false });
  await waitFor(() => typing.length === 2, { what: 'second typing' });

  // Bob leaves: alice's presence drops him.
  rb.close();
  await waitFor(() => !ra.presence.members.some((m) => m.name === 'bob'), { what: 'bob left' });
  assert.ok(presenceChanges.some((names) => names.includes('bob')));
  assert.equal(rb.publish('typing', {}), false, 'closed channel');
});

test('two channel objects for one room share the subscription until both close', async (t) => {
  const alice = await clientFor(gw, 'alice');
  const bob = await clientFor(gw, 'bob');
  t.after(() => Promise.all([alice.close(), bob.close()]));
  const a1 = alice.channel('chat:room:1');
  const a2 = alice.channel('chat:room:{id}'.replace('{id}', '1'));
  const rb = bob.channel('chat:room:1');
  await until(a1, (s) => s.status === 'ready', 'a1');
  await until(a2, (s) => s.status === 'ready', 'a2');
  await until(rb, (s) => s.status === 'ready', 'rb');
  const got = [];
  a1.on('typing', () => got.push(1));
  a2.on('typing', () => got.push(2));
  rb.publish('typing', { on: true });
  await waitFor(() => got.length === 2, { what: 'both objects hear it' });
  a1.close();
  rb.publish('typing', { on: true });
  await waitFor(() => got.length === 3, { what: 'a2 still subscribed' });
  assert.deepEqual(got, [1, 2, 2]);
});

test('after a reconnect the channel rejoins and presence is fresh', async (t) => {
  const alice = await clientFor(gw, 'alice');
  const bob = await clientFor(gw, 'bob');
  t.after(() => Promise.all([alice.close(), bob.close()]));
  const ra = alice.channel('chat:room:1');
  const rb = bob.channel('chat:room:1');
  await until(ra, (s) => s.status === 'ready', 'alice ready');
  await until(rb, (s) => s.status === 'ready', 'bob ready');
  const statuses = [];
  ra.subscribe((s) => statuses.push(s.status));
  alice.disconnect();
  await until(ra, (s) => s.status === 'joining', 'rejoining');
  await waitFor(() => !rb.presence.members.some((m) => m.name === 'alice'), { what: 'alice gone for bob' });
  alice.connect();
  await until(ra, (s) => s.status === 'ready', 'ready again');
  await waitFor(() => rb.presence.members.some((m) => m.name === 'alice'), { what: 'alice back for bob' });
  assert.deepEqual(ra.presence.members.map((m) => m.name).sort(), ['alice', 'bob']);
  assert.deepEqual(statuses, ['joining', 'ready']);
});

test('a channel object opened after the room is joined is ready at once, with the members', async (t) => {
  const alice = await clientFor(gw, 'alice');
  t.after(() => alice.close());
  const first = alice.channel('chat:room:1');
  await until(first, (s) => s.status === 'ready', 'first');
  const second = alice.channel('chat:room:1');
  await until(second, (s) => s.status === 'ready', 'second');
  assert.deepEqual(second.presence.members.map((m) => m.name), first.presence.members.map((m) => m.name));
  assert.ok(second.presence.members.length >= 1);
});
