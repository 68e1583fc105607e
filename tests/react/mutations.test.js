// useCreate / useUpdate / useDelete against the real runtime and gateway: the hooks
// pass { optimistic } to the core, which shows the change at once in the live views
// it belongs to (listed in `pending`), confirms it in place, or rolls it back with
// the error surfaced on the hook.
import './node-io.js';
import 'global-jsdom/register';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { renderHook, waitFor, act } from '@testing-library/react';
import { startGateway } from '../support/gateway.js';
import { useList, useGet, useCreate, useUpdate, useDelete, isOptimistic } from '../../js/react/index.js';
import { wrapperFor, openClient, rest, holdMutations } from './helpers.js';

let gw;
before(async () => { gw = await startGateway(); });
after(() => gw.stop());

const texts = (list) => list.data.map((m) => m.text);

test('optimistic create: shown at once in its sorted place, pending, confirmed in place, never twice', async (t) => {
  const alice = await openClient(t, gw, 'alice');
  const bob = await openClient(t, gw, 'bob');
  const text = 'Optimistic hello'; // sorts between the seed texts of room 1
  const frames = [];
  const { result, unmount } = renderHook(() => {
    const r = {
      room1: useList('Message', { where: { roomId: 1 }, orderBy: { text: 'asc' } }),
      room2: useList('Message', { where: { roomId: 2 } }),
      create: useCreate('Message', { optimistic: (data) => ({ authorId: 1, createdAt: Date.now() }) }),
    };
    frames.push(r.room1.data.filter((m) => m.text === text));
    return r;
  }, { wrapper: wrapperFor(alice) });
  // Bob watches the room too: he gets the real record once.
  const theirs = renderHook(() => useList('Message', { where: { roomId: 1 } }), { wrapper: wrapperFor(bob) });
  await waitFor(() => assert.ok(!result.current.room1.isLoading && !result.current.room2.isLoading && !theirs.result.current.isLoading));
  const before = result.current.room1;
  const room2 = result.current.room2.data;
  assert.deepEqual(before.pending, []);

  const release = holdMutations(t);
  let done;
  await act(async () => { done = result.current.create.mutateAsync({ roomId: 1, text }); });
  // Before the server answered:
  const shown = result.current.room1;
  const at = shown.data.findIndex((m) => m.text === text);
  const temp = shown.data[at];
  assert.ok(temp, 'shown at once');
  assert.match(String(temp.id), /^optimistic:/);
  assert.equal(temp.authorId, 1, 'with the fields the function gave');
  assert.deepEqual(texts(shown), [...texts(before), text].sort((a, b) => (a < b ? -1 : 1)), 'in its sorted place');
  assert.ok(at > 0 && at < shown.data.length - 1, 'between other rows');
  assert.deepEqual(shown.pending, [temp.id]);
  assert.ok(isOptimistic(shown, temp));
  assert.equal(shown.total, before.total + 1);
  assert.equal(result.current.create.isPending, true);
  assert.equal(result.current.room2.data, room2, 'a view the record does not belong to is untouched');
  assert.deepEqual(result.current.room2.pending, []);

  let made;
  await act(async () => { release(); made = await done; });
  assert.equal(result.current.create.isPending, false);
  assert.equal(result.current.create.data.id, made.id);
  await waitFor(() => assert.deepEqual(result.current.room1.pending, []));
  const room1 = result.current.room1;
  assert.equal(room1.data.findIndex((m) => m.id === made.id), at, 'confirmed in the same place');
  assert.ok(!isOptimistic(room1, room1.data[at]));
  assert.equal(room1.total, before.total + 1);
  await waitFor(() => assert.ok(theirs.result.current.data.some((m) => m.id === made.id)));
  assert.deepEqual(theirs.result.current.pending, [], 'nothing is pending for bob');
  // Let the echo arrive too, then check no render ever showed it twice.
  await alice.model('Message').get(made.id);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(result.current.room1.data.filter((m) => m.text === text).length, 1);
  assert.ok(frames.every((f) => f.length <= 1), `shown twice in a render: ${JSON.stringify(frames.filter((f) => f.length > 1))}`);
  assert.equal(result.current.room1.total, before.total + 1);
  await rest(gw, 'DELETE', `/messages/${made.id}`, 'alice');
  unmount();
  theirs.unmount();
});

test('optimistic create the server refuses: rolled back, the hook reports the error', async (t) => {
  const bob = await openClient(t, gw, 'bob'); // bob is not in room 2
  const { result, unmount } = renderHook(() => ({
    all: useList('Message', { orderBy: { id: 'asc' } }),
    create: useCreate('Message', { optimistic: true }),
  }), { wrapper: wrapperFor(bob) });
  await waitFor(() => assert.equal(result.current.all.isLoading, false));
  const ids = result.current.all.data.map((m) => m.id);
  const release = holdMutations(t);
  let done;
  await act(async () => { done = result.current.create.mutateAsync({ roomId: 2, text: 'not allowed' }).catch((e) => e); });
  assert.equal(result.current.all.data.length, ids.length + 1, 'shown at once');
  assert.equal(result.current.all.pending.length, 1);
  let err;
  await act(async () => { release(); err = await done; });
  assert.equal(err.status, 403);
  assert.equal(result.current.create.error, err);
  assert.equal(result.current.create.isError, true);
  await waitFor(() => assert.deepEqual(result.current.all.data.map((m) => m.id), ids));
  assert.deepEqual(result.current.all.pending, []);
  unmount();
});

test('optimistic update rolled back on a 403: bob editing alice\'s message', async (t) => {
  const bob = await openClient(t, gw, 'bob');
  const seen = [];
  const { result, unmount } = renderHook(() => {
    const r = {
      list: useList('Message', { where: { roomId: 1 }, orderBy: { id: 'asc' } }),
      one: useGet('Message', 1),
      update: useUpdate('Message', { optimistic: true }),
    };
    seen.push(r.list.data.find((m) => m.id === 1)?.text);
    return r;
  }, { wrapper: wrapperFor(bob) });
  await waitFor(() => assert.ok(!result.current.list.isLoading && result.current.one.data));
  const original = result.current.list.data.find((m) => m.id === 1);
  assert.equal(original.authorId, 1, 'message 1 is alice\'s');
  assert.deepEqual(result.current.one.pending, []);

  const release = holdMutations(t);
  let done;
  await act(async () => { done = result.current.update.mutateAsync(1, { text: 'bob was here' }); });
  assert.equal(result.current.list.data.find((m) => m.id === 1).text, 'bob was here', 'shown at once in the list');
  assert.deepEqual(result.current.list.pending, [1]);
  assert.equal(result.current.one.data.text, 'bob was here', 'and in the record view');
  assert.deepEqual(result.current.one.pending, [1]);
  assert.ok(isOptimistic(result.current.one, result.current.one.data));
  let error;
  await act(async () => { release(); await done.catch((e) => { error = e; }); });
  assert.equal(error?.status, 403);
  assert.equal(result.current.update.error, error, 'the error is surfaced on the hook');
  assert.equal(result.current.update.isPending, false);
  assert.equal(result.current.update.isError, true);
  await waitFor(() => assert.deepEqual(result.current.list.data.find((m) => m.id === 1), original));
  await waitFor(() => assert.equal(result.current.one.data.text, original.text));
  assert.deepEqual(result.current.list.pending, []);
  assert.deepEqual(result.current.one.pending, []);
  assert.deepEqual([...new Set(seen.filter(Boolean))], [original.text, 'bob was here']);
  assert.equal(seen.at(-1), original.text);

  // mutate() never throws; reset() clears the state.
  act(() => { result.current.update.mutate({ id: 1, data: { text: 'again' } }); });
  await waitFor(() => assert.equal(result.current.update.isError, true));
  act(() => result.current.update.reset());
  assert.equal(result.current.update.status, 'idle');
  assert.equal(result.current.update.error, null);
  unmount();
});

test('optimistic update of one\'s own record: moves in a sorted view and is confirmed', async (t) => {
  const admin = await openClient(t, gw, 'admin');
  const a = await rest(gw, 'POST', '/products', 'admin', { name: 'Aardvark', price: 1, stock: 1 });
  const { result, unmount } = renderHook(() => ({
    byName: useList('Product', { orderBy: { name: 'asc' } }),
    cheap: useList('Product', { where: { price: { lt: 5 } } }),
    update: useUpdate('Product', { optimistic: true }),
  }), { wrapper: wrapperFor(admin) });
  await waitFor(() => assert.ok(!result.current.byName.isLoading && !result.current.cheap.isLoading));
  assert.equal(result.current.byName.data[0].id, a.id);
  assert.ok(result.current.cheap.data.some((p) => p.id === a.id));
  const cheapTotal = result.current.cheap.total;
  const release = holdMutations(t);
  let done;
  await act(async () => { done = result.current.update.mutateAsync(a.id, { name: 'Zebra', price: 50 }); });
  assert.equal(result.current.byName.data.at(-1).id, a.id, 'moved to its new place at once');
  assert.deepEqual(result.current.byName.pending, [a.id]);
  assert.ok(!result.current.cheap.data.some((p) => p.id === a.id), 'left the view it no longer matches');
  assert.equal(result.current.cheap.total, cheapTotal - 1);
  await act(async () => { release(); await done; });
  await waitFor(() => assert.deepEqual(result.current.byName.pending, []));
  assert.equal(result.current.byName.data.at(-1).name, 'Zebra');
  assert.ok(!isOptimistic(result.current.byName, result.current.byName.data.at(-1)));
  assert.ok(!result.current.cheap.data.some((p) => p.id === a.id));
  await rest(gw, 'DELETE', `/products/${a.id}`, 'admin');
  unmount();
});

test('optimistic delete: gone at once everywhere, stays gone; a failed one comes back', async (t) => {
  const alice = await openClient(t, gw, 'alice');
  const mine = await rest(gw, 'POST', '/messages', 'alice', { roomId: 1, text: 'to be deleted' });
  const { result, unmount } = renderHook(() => ({
    list: useList('Message', { where: { roomId: 1 } }),
    one: useGet('Message', mine.id),
    remove: useDelete('Message', { optimistic: true }),
  }), { wrapper: wrapperFor(alice) });
  await waitFor(() => assert.ok(result.current.one.data && result.current.list.data.some((m) => m.id === mine.id)));
  const total = result.current.list.total;
  let release = holdMutations(t);
  let done;
  await act(async () => { done = result.current.remove.mutateAsync(mine.id); });
  assert.ok(!result.current.list.data.some((m) => m.id === mine.id));
  assert.equal(result.current.list.total, total - 1);
  assert.equal(result.current.one.data, null);
  await act(async () => { release(); assert.equal(await done, true); });
  await waitFor(() => assert.deepEqual(result.current.one.pending, []));
  assert.ok(!result.current.list.data.some((m) => m.id === mine.id));
  assert.equal(result.current.list.total, total - 1);
  assert.equal(result.current.one.data, null);

  // Alice may not delete bob's message (2): it disappears, then comes back.
  const bobs = result.current.list.data.find((m) => m.id === 2);
  release = holdMutations(t);
  await act(async () => { done = result.current.remove.mutateAsync(2).catch((e) => e); });
  assert.ok(!result.current.list.data.some((m) => m.id === 2));
  let err;
  await act(async () => { release(); err = await done; });
  assert.equal(err.status, 403);
  assert.equal(result.current.remove.error, err);
  await waitFor(() => assert.deepEqual(result.current.list.data.find((m) => m.id === 2), bobs));
  assert.equal(result.current.list.total, total - 1);
  assert.deepEqual(result.current.list.pending, []);
  unmount();
});

test('isOptimistic needs the result the row came from', () => {
  const result = { pending: Object.freeze([7, 'optimistic:x']) };
  assert.equal(isOptimistic(result, { id: 7 }), true);
  assert.equal(isOptimistic(result, 'optimistic:x'), true);
  assert.equal(isOptimistic(result, { id: 8 }), false);
  assert.equal(isOptimistic(result, null), false);
  assert.throws(() => isOptimistic({ id: 7 }), TypeError, 'the old one-argument form fails loudly');
});
