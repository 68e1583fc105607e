// useCreate / useUpdate / useDelete against the real runtime and gateway: the
// optimistic overlay shows a change at once in the views it belongs to, the
// server's answer (or echo) replaces it without ever showing it twice, and a
// refusal rolls it back with the error surfaced.
import './node-io.js';
import 'global-jsdom/register';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { renderHook, waitFor, act } from '@testing-library/react';
import { startGateway } from '../support/gateway.js';
import { useList, useGet, useCreate, useUpdate, useDelete, isOptimistic } from '../../js/react/index.js';
import { wrapperFor, openClient, rest } from './helpers.js';

let gw;
before(async () => { gw = await startGateway(); });
after(() => gw.stop());

test('optimistic create: shown at once where it belongs, confirmed by the server, never twice', async (t) => {
  const alice = await openClient(t, gw, 'alice');
  const bob = await openClient(t, gw, 'bob');
  const frames = [];
  const { result, unmount } = renderHook(() => {
    const r = {
      room1: useList('Message', { where: { roomId: 1 }, orderBy: { id: 'asc' } }),
      room2: useList('Message', { where: { roomId: 2 } }),
      create: useCreate('Message', { optimistic: (data) => ({ authorId: 1, createdAt: Date.now() }) }),
    };
    frames.push(r.room1.data.filter((m) => m.text === 'optimistic hello'));
    return r;
  }, { wrapper: wrapperFor(alice) });
  // Bob watches the room too: he gets the real record once.
  const theirs = renderHook(() => useList('Message', { where: { roomId: 1 } }), { wrapper: wrapperFor(bob) });
  await waitFor(() => assert.ok(!result.current.room1.isLoading && !result.current.room2.isLoading && !theirs.result.current.isLoading));
  const total = result.current.room1.total;
  const room2 = result.current.room2.data;

  let done;
  act(() => { done = result.current.create.mutateAsync({ roomId: 1, text: 'optimistic hello' }); });
  // At once, before the server answered:
  const temp = result.current.room1.data.at(-1);
  assert.equal(temp.text, 'optimistic hello');
  assert.match(String(temp.id), /^optimistic:/);
  assert.equal(temp.authorId, 1);
  assert.ok(isOptimistic(temp));
  assert.equal(result.current.room1.total, total + 1);
  assert.equal(result.current.create.isPending, true);
  assert.equal(result.current.room2.data, room2, 'a view the record does not belong to is untouched');

  let made;
  await act(async () => { made = await done; });
  assert.equal(result.current.create.isPending, false);
  assert.equal(result.current.create.data.id, made.id);
  const real = result.current.room1.data.filter((m) => m.text === 'optimistic hello');
  assert.equal(real.length, 1);
  assert.equal(real[0].id, made.id);
  assert.ok(!isOptimistic(real[0]));
  assert.equal(result.current.room1.total, total + 1);
  await waitFor(() => assert.ok(theirs.result.current.data.some((m) => m.id === made.id)));
  // Let the echo arrive too, then check no render ever showed it twice.
  await alice.model('Message').get(made.id);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(result.current.room1.data.filter((m) => m.text === 'optimistic hello').length, 1);
  assert.ok(frames.every((f) => f.length <= 1), `shown twice in a render: ${JSON.stringify(frames.filter((f) => f.length > 1))}`);
  assert.equal(result.current.room1.total, total + 1);
  await rest(gw, 'DELETE', `/messages/${made.id}`, 'alice');
  unmount();
  theirs.unmount();
});

test('optimistic update rolled back on a 403: bob editing alice\'s message', async (t) => {
  const bob = await openClient(t, gw, 'bob');
  const texts = [];
  const { result, unmount } = renderHook(() => {
    const r = {
      list: useList('Message', { where: { roomId: 1 }, orderBy: { id: 'asc' } }),
      one: useGet('Message', 1),
      update: useUpdate('Message', { optimistic: true }),
    };
    texts.push(r.list.data.find((m) => m.id === 1)?.text);
    return r;
  }, { wrapper: wrapperFor(bob) });
  await waitFor(() => assert.ok(!result.current.list.isLoading && result.current.one.data));
  const original = result.current.list.data.find((m) => m.id === 1);
  assert.equal(original.authorId, 1, 'message 1 is alice\'s');

  let done;
  act(() => { done = result.current.update.mutateAsync(1, { text: 'bob was here' }); });
  assert.equal(result.current.list.data.find((m) => m.id === 1).text, 'bob was here', 'shown at once in the list');
  assert.equal(result.current.one.data.text, 'bob was here', 'and in the record view');
  assert.ok(isOptimistic(result.current.one.data));
  let error;
  await act(async () => { await done.catch((e) => { error = e; }); });
  assert.equal(error?.status, 403);
  assert.equal(result.current.update.error, error, 'the error is surfaced on the hook');
  assert.equal(result.current.update.isPending, false);
  assert.equal(result.current.update.isError, true);
  assert.equal(result.current.list.data.find((m) => m.id === 1), original, 'rolled back to the very same row');
  assert.equal(result.current.one.data.text, original.text);
  assert.deepEqual([...new Set(texts.filter(Boolean))], [original.text, 'bob was here']);
  assert.equal(texts.at(-1), original.text);

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
  let done;
  act(() => { done = result.current.update.mutateAsync(a.id, { name: 'Zebra', price: 50 }); });
  assert.equal(result.current.byName.data.at(-1).id, a.id, 'moved to its new place at once');
  assert.ok(!result.current.cheap.data.some((p) => p.id === a.id), 'left the view it no longer matches');
  assert.equal(result.current.cheap.total, cheapTotal - 1);
  await act(() => done);
  assert.equal(result.current.byName.data.at(-1).name, 'Zebra');
  assert.ok(!isOptimistic(result.current.byName.data.at(-1)));
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
  let done;
  act(() => { done = result.current.remove.mutateAsync(mine.id); });
  assert.ok(!result.current.list.data.some((m) => m.id === mine.id));
  assert.equal(result.current.list.total, total - 1);
  assert.equal(result.current.one.data, null);
  await act(async () => { assert.equal(await done, true); });
  assert.ok(!result.current.list.data.some((m) => m.id === mine.id));
  assert.equal(result.current.list.total, total - 1);
  assert.equal(result.current.one.data, null);

  // Alice may not delete bob's message (2): it disappears, then comes back.
  const bobs = result.current.list.data.find((m) => m.id === 2);
  act(() => { done = result.current.remove.mutateAsync(2).catch((e) => e); });
  assert.ok(!result.current.list.data.some((m) => m.id === 2));
  let err;
  await act(async () => { err = await done; });
  assert.equal(err.status, 403);
  assert.equal(result.current.list.data.find((m) => m.id === 2), bobs);
  assert.equal(result.current.remove.error, err);
  unmount();
});
