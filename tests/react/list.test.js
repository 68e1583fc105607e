// useList and useGet against the real wasm runtime and the reference gateway:
// hydrate then live, render counts, row identity, params switches, refetch,
// windows, StrictMode, HTTP-only lists, live records.
import './node-io.js';
import 'global-jsdom/register';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import React from 'react';
import { render, renderHook, waitFor, act } from '@testing-library/react';
import { startGateway } from '../support/gateway.js';
import { useClient, useList, useGet, useCreate } from '../../js/react/index.js';
import { h, wrapperFor, openClient, rest, holdMutations } from './helpers.js';

let gw;
before(async () => { gw = await startGateway(); });
after(() => gw.stop());

test('hydrate then live: the list arrives, then changes by others show up', async (t) => {
  const alice = await openClient(t, gw, 'alice');
  const { result, unmount } = renderHook(() => useList('Product', { orderBy: { id: 'asc' } }), { wrapper: wrapperFor(alice) });
  assert.equal(result.current.isLoading, true);
  assert.deepEqual(result.current.data, []);
  await waitFor(() => assert.equal(result.current.isLoading, false));
  const first = result.current;
  const db = await rest(gw, 'GET', '/products', 'alice');
  assert.deepEqual(first.data.map((p) => p.id), db.items.map((p) => p.id).sort((a, b) => a - b));
  assert.equal(first.total, db.total);
  assert.equal(first.error, null);
  assert.equal(first.isFetching, false);

  const lamp = await rest(gw, 'POST', '/products', 'admin', { name: 'Lamp', price: 30, stock: 2 });
  await waitFor(() => assert.ok(result.current.data.some((p) => p.id === lamp.id)));
  assert.equal(result.current.total, first.total + 1);
  // Rows that did not change keep their objects.
  for (const row of first.data) assert.equal(result.current.data.find((p) => p.id === row.id), row);

  await rest(gw, 'PATCH', `/products/${lamp.id}`, 'admin', { stock: 7 });
  await waitFor(() => assert.equal(result.current.data.find((p) => p.id === lamp.id)?.stock, 7));
  await rest(gw, 'DELETE', `/products/${lamp.id}`, 'admin');
  await waitFor(() => assert.ok(!result.current.data.some((p) => p.id === lamp.id)));
  assert.equal(result.current.total, first.total);
  unmount();
  await waitFor(() => assert.equal(alice.stats().views, 0));
});

test('render counts: a change to another model or another view does not re-render', async (t) => {
  const admin = await openClient(t, gw, 'admin');
  const renders = { products: 0, rich: 0, messages: 0 };
  function Products() { renders.products++; const r = useList('Product'); return h('i', { id: 'p' }, `${r.isLoading ? '-' : r.total}`); }
  function Rich() { renders.rich++; const r = useList('Product', { where: { stock: { gt: 1000 } } }); return h('i', { id: 'r' }, `${r.isLoading ? '-' : r.total}`); }
  function Messages() { renders.messages++; const r = useList('Message', { where: { roomId: 2 } }); return h('i', { id: 'm' }, `${r.isLoading ? '-' : r.total}`); }
  const ui = render(h('div', null, h(Products), h(Rich), h(Messages)), { wrapper: wrapperFor(admin) });
  const text = (id) => ui.container.querySelector(`#${id}`).textContent;
  await waitFor(() => assert.ok(text('p') !== '-' && text('r') !== '-' && text('m') !== '-'));
  const settled = { ...renders };
  assert.ok(settled.products <= 3, `products rendered ${settled.products} times to hydrate`);

  // Another model: only Messages renders.
  const msg = await admin.model('Message').create({ roomId: 2, text: 'render count' });
  await waitFor(() => assert.ok(renders.messages > settled.messages));
  assert.equal(renders.products, settled.products, 'the Product views did not render for a Message');
  assert.equal(renders.rich, settled.rich);
  // A product that the other Product view does not show: it does not render.
  const before2 = { ...renders };
  const cheap = await admin.model('Product').create({ name: 'Pencil', price: 1, stock: 3 });
  await waitFor(() => assert.ok(renders.products > before2.products));
  assert.equal(renders.products, before2.products + 1, 'one render for one change');
  assert.equal(renders.rich, before2.rich, 'a Product view whose query the change misses did not render');
  assert.equal(renders.messages, before2.messages, 'the Message view did not render for a Product');
  await admin.model('Product').delete(cheap.id);
  await admin.model('Message').delete(msg.id);
  ui.unmount();
});

test('unchanged rows keep their identity: memoized rows do not re-render', async (t) => {
  const admin = await openClient(t, gw, 'admin');
  const rowRenders = new Map();
  const Row = React.memo(function Row({ p }) {
    rowRenders.set(p.id, (rowRenders.get(p.id) ?? 0) + 1);
    return h('li', null, `${p.name}:${p.stock}`);
  });
  let list = null;
  function List() {
    list = useList('Product', { orderBy: { id: 'asc' } });
    return h('ul', null, list.data.map((p) => h(Row, { key: p.id, p })));
  }
  const ui = render(h(List), { wrapper: wrapperFor(admin) });
  await waitFor(() => assert.ok(list.data.length >= 4));
  const target = list.data[1];
  const counts = new Map(rowRenders);
  await admin.model('Product').patch(target.id, { stock: target.stock + 1 });
  await waitFor(() => assert.equal(list.data[1].stock, target.stock + 1));
  for (const p of list.data) {
    const expected = p.id === target.id ? counts.get(p.id) + 1 : counts.get(p.id);
    assert.equal(rowRenders.get(p.id), expected, `row ${p.id} rendered ${rowRenders.get(p.id)} times`);
  }
  // A refetch reads everything again: rows whose content did not change keep their objects.
  const shown = list.data;
  let done;
  act(() => { done = list.refetch(); });
  assert.equal(list.isFetching, true);
  assert.equal(list.data, shown, 'the data stays while refetching');
  await act(() => done);
  await waitFor(() => assert.equal(list.isFetching, false));
  for (let i = 0; i < shown.length; i++) assert.equal(list.data[i], shown[i], `row ${shown[i].id} kept its object after a refetch`);
  await admin.model('Product').patch(target.id, { stock: target.stock });
  ui.unmount();
});

test('new params switch views without a flash of empty data, then close the old view', async (t) => {
  const alice = await openClient(t, gw, 'alice');
  const seen = [];
  const { result, rerender, unmount } = renderHook(({ roomId }) => {
    const r = useList('Message', { where: { roomId }, orderBy: { id: 'asc' } });
    seen.push({ roomId, rooms: [...new Set(r.data.map((m) => m.roomId))], n: r.data.length, isLoading: r.isLoading, isFetching: r.isFetching });
    return r;
  }, { wrapper: wrapperFor(alice), initialProps: { roomId: 1 } });
  await waitFor(() => assert.equal(result.current.isLoading, false));
  assert.ok(result.current.data.length > 0 && result.current.data.every((m) => m.roomId === 1));
  const from = seen.length;

  // The same params in a new object: nothing changes.
  rerender({ roomId: 1 });
  assert.equal(alice.stats().views, 1);

  rerender({ roomId: 2 });
  assert.equal(result.current.isLoading, false, 'the previous data is shown, not a loading state');
  assert.equal(result.current.isFetching, true);
  assert.ok(result.current.data.every((m) => m.roomId === 1));
  await waitFor(() => assert.ok(result.current.data.length > 0 && result.current.data.every((m) => m.roomId === 2)));
  assert.equal(result.current.isFetching, false);
  for (const s of seen.slice(from)) {
    assert.ok(s.n > 0, `no render showed an empty list: ${JSON.stringify(seen.slice(from))}`);
    assert.equal(s.isLoading, false);
    assert.equal(s.rooms.length, 1, 'never a mix of both rooms');
  }
  await waitFor(() => assert.equal(alice.stats().views, 1, 'the old view was closed'));
  unmount();
  await waitFor(() => assert.equal(alice.stats().views, 0));
});

test('a shared view: two components with the same params use one view, which shows at once to the second', async (t) => {
  const alice = await openClient(t, gw, 'alice');
  const wrapper = wrapperFor(alice);
  const a = renderHook(() => useList('Product', { where: { price: { lt: 100 } } }), { wrapper });
  await waitFor(() => assert.equal(a.result.current.isLoading, false));
  const b = renderHook(() => useList('Product', { where: { price: { lt: 100 } } }), { wrapper });
  assert.equal(b.result.current.isLoading, false, 'the second component showed the shared view on its first render');
  assert.equal(b.result.current.data, a.result.current.data);
  assert.equal(alice.stats().views, 1);
  a.unmount();
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(alice.stats().views, 1, 'kept while a user remains');
  b.unmount();
  await waitFor(() => assert.equal(alice.stats().views, 0));
});

test('StrictMode: double mounting opens one view and leaks nothing', async (t) => {
  const alice = await openClient(t, gw, 'alice');
  const { result, unmount } = renderHook(() => [useList('Message', { where: { roomId: 1 } }), useGet('Product', 1)], { wrapper: wrapperFor(alice, { strict: true }) });
  await waitFor(() => assert.ok(!result.current[0].isLoading && !result.current[1].isLoading));
  assert.equal(result.current[1].data.id, 1);
  assert.equal(alice.stats().views, 2);
  const channels = alice.stats().channels;
  assert.ok(channels >= 2, `subscribed channels: ${channels}`);
  unmount();
  await waitFor(() => assert.deepEqual([alice.stats().views, alice.stats().channels], [0, 0]));
});

test('window: only the rows in the window, with the full total; the window moves', async (t) => {
  const alice = await openClient(t, gw, 'alice');
  const { result, rerender, unmount } = renderHook(({ start }) => useList('Product', { orderBy: { id: 'asc' } }, { window: { start, count: 2 } }),
    { wrapper: wrapperFor(alice), initialProps: { start: 0 } });
  await waitFor(() => assert.equal(result.current.data.length, 2));
  const all = await rest(gw, 'GET', '/products', 'alice');
  const ids = all.items.map((p) => p.id).sort((a, b) => a - b);
  assert.deepEqual(result.current.data.map((p) => p.id), ids.slice(0, 2));
  assert.equal(result.current.total, all.total);
  const second = result.current.data[1];
  rerender({ start: 1 });
  await waitFor(() => assert.equal(result.current.start, 1));
  assert.deepEqual(result.current.data.map((p) => p.id), ids.slice(1, 3));
  assert.equal(result.current.data[0], second, 'a row still in the window keeps its object');
  assert.equal(alice.stats().views, 1);
  unmount();
});

test('subscribe: false reads once over HTTP, shows no optimistic row, and refetches after a mutation of the model', async (t) => {
  const admin = await openClient(t, gw, 'admin');
  const { result, unmount } = renderHook(() => ({
    list: useList('Product', { orderBy: { id: 'asc' } }, { subscribe: false }),
    create: useCreate('Product', { optimistic: true }),
  }), { wrapper: wrapperFor(admin) });
  await waitFor(() => assert.equal(result.current.list.isLoading, false));
  const n = result.current.list.total;
  const before = result.current.list.data;
  assert.equal(admin.stats().views, 0, 'no live view');
  // Someone else's change does not show (not live)...
  const other = await rest(gw, 'POST', '/products', 'admin', { name: 'Unseen', price: 1, stock: 1 });
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(result.current.list.total, n);
  // ...nor does our own pending one (optimistic rows live in the core's live views)...
  const release = holdMutations(t);
  let done;
  await act(async () => { done = result.current.create.mutateAsync({ name: 'Seen', price: 2, stock: 2 }); });
  assert.equal(result.current.list.data, before);
  assert.deepEqual(result.current.list.pending, []);
  // ...but once it settled the view reads again (the other one shows up too).
  let made;
  await act(async () => { release(); made = await done; });
  await waitFor(() => assert.equal(result.current.list.total, n + 2));
  const seen = result.current.list.data.filter((p) => p.name === 'Seen');
  assert.deepEqual(seen.map((p) => p.id), [made.id], 'the server record, once');
  assert.ok(result.current.list.data.some((p) => p.id === other.id));
  assert.deepEqual(result.current.list.pending, []);
  await rest(gw, 'DELETE', `/products/${other.id}`, 'admin');
  await rest(gw, 'DELETE', `/products/${made.id}`, 'admin');
  unmount();
});

test('useGet: a live record; a deleted one becomes null; autoLoad false waits for refetch', async (t) => {
  const admin = await openClient(t, gw, 'admin');
  const made = await rest(gw, 'POST', '/products', 'admin', { name: 'Desk', price: 120, stock: 1 });
  const { result, unmount } = renderHook(() => ({
    one: useGet('Product', made.id),
    lazy: useGet('Product', made.id, { autoLoad: false }),
    none: useGet('Product', null),
  }), { wrapper: wrapperFor(admin) });
  assert.equal(result.current.lazy.isLoading, false);
  assert.equal(result.current.none.isLoading, false);
  await waitFor(() => assert.equal(result.current.one.data?.name, 'Desk'));
  assert.equal(result.current.lazy.data, null);
  await rest(gw, 'PATCH', `/products/${made.id}`, 'admin', { stock: 9 });
  await waitFor(() => assert.equal(result.current.one.data.stock, 9));
  await act(() => result.current.lazy.refetch());
  assert.equal(result.current.lazy.data.stock, 9);
  await rest(gw, 'DELETE', `/products/${made.id}`, 'admin');
  await waitFor(() => assert.equal(result.current.one.data, null));
  assert.equal(result.current.one.error, null);
  unmount();
  await waitFor(() => assert.equal(admin.stats().views, 0));
});

test('errors: a view the server refuses shows the error; no provider is a clear error', async (t) => {
  const bob = await openClient(t, gw, 'bob');
  const { result, unmount } = renderHook(() => useList('ActivityLog'), { wrapper: wrapperFor(bob) });
  await waitFor(() => assert.ok(result.current.error));
  assert.equal(result.current.isLoading, false);
  // The HTTP list (403) or the socket's subscribe (error `unauthorized`): whichever refusal lands first.
  assert.match(result.current.error.message, /forbidden|denied|not allowed|permission|unauthorized/i);
  unmount();

  const quiet = t.mock.method(console, 'error', () => {});
  assert.throws(() => renderHook(() => useClient()), /no <ClientProvider/);
  assert.throws(() => renderHook(() => useList('Message')), /useList\('Message'\): no <ClientProvider/);
  quiet.mock.restore();
  // A DataClient works without a provider.
  const dc = renderHook(() => useList(bob.model('Room'), undefined, { subscribe: true }));
  await waitFor(() => assert.ok(dc.result.current.data.length >= 1));
  dc.unmount();
});
