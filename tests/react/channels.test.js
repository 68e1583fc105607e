// useChannel, usePresence and useConnection against the real runtime and gateway.
import './node-io.js';
import 'global-jsdom/register';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { renderHook, waitFor, act } from '@testing-library/react';
import { startGateway } from '../support/gateway.js';
import { useChannel, usePresence, useConnection } from '../../js/react/index.js';
import { wrapperFor, openClient } from './helpers.js';

let gw;
before(async () => { gw = await startGateway(); });
after(() => gw.stop());

const ROOM = 'chat:room:{roomId}';

test('useChannel: events from others reach the handler; publish; a new handler does not rejoin', async (t) => {
  const alice = await openClient(t, gw, 'alice');
  const bob = await openClient(t, gw, 'bob');
  const heard = [];
  const a = renderHook(({ tag }) => useChannel(ROOM, { roomId: 1 }, 'typing', (data, info) => heard.push({ tag, data, from: info.from })),
    { wrapper: wrapperFor(alice), initialProps: { tag: 'first' } });
  const b = renderHook(() => useChannel(ROOM, { roomId: 1 }), { wrapper: wrapperFor(bob) });
  assert.equal(a.result.current.status, 'joining');
  await waitFor(() => assert.ok(a.result.current.status === 'ready' && b.result.current.status === 'ready'));
  assert.equal(b.result.current.publish('typing', { on: true }), true);
  await waitFor(() => assert.equal(heard.length, 1));
  assert.deepEqual(heard[0], { tag: 'first', data: { on: true }, from: 2 });

  const framesBefore = alice.stats().framesIn;
  a.rerender({ tag: 'second' });
  b.result.current.publish('typing', { on: false });
  await waitFor(() => assert.equal(heard.length, 2));
  assert.equal(heard[1].tag, 'second', 'the latest handler is called');
  assert.equal(a.result.current.status, 'ready');
  assert.ok(alice.stats().framesIn - framesBefore <= 2, 'no rejoin (only the event came in)');
  // An event that is not configured is refused on the client.
  assert.equal(a.result.current.publish('dance', {}), false);
  a.unmount();
  b.unmount();
});

test('unmount leaves the channel when its last user goes; presence follows', async (t) => {
  const alice = await openClient(t, gw, 'alice');
  const bob = await openClient(t, gw, 'bob');
  const watcher = renderHook(() => usePresence(ROOM, { roomId: 1 }), { wrapper: wrapperFor(bob) });
  await waitFor(() => assert.ok(watcher.result.current.some((m) => m.name === 'bob')));
  const base = alice.stats().channels;

  // Two components of alice on the same room share one subscription.
  const one = renderHook(() => ({ ch: useChannel(ROOM, { roomId: 1 }, 'message', () => {}), members: usePresence(ROOM, { roomId: 1 }) }), { wrapper: wrapperFor(alice) });
  const two = renderHook(() => useChannel(ROOM, { roomId: 1 }), { wrapper: wrapperFor(alice) });
  await waitFor(() => assert.equal(one.result.current.ch.status, 'ready'));
  await waitFor(() => assert.equal(two.result.current.status, 'ready'));
  assert.equal(alice.stats().channels, base + 1);
  await waitFor(() => assert.deepEqual(one.result.current.members.map((m) => m.name).sort(), ['alice', 'bob']));
  await waitFor(() => assert.ok(watcher.result.current.some((m) => m.name === 'alice')));
  assert.ok(Object.isFrozen(one.result.current.members));

  one.unmount();
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(alice.stats().channels, base + 1, 'still joined: another component uses it');
  assert.ok(watcher.result.current.some((m) => m.name === 'alice'));
  two.unmount();
  await waitFor(() => assert.equal(alice.stats().channels, base, 'left with the last user'));
  await waitFor(() => assert.ok(!watcher.result.current.some((m) => m.name === 'alice'), 'bob sees alice leave'));
  watcher.unmount();
});

test('StrictMode: double mounting joins once and leaks no subscription', async (t) => {
  const alice = await openClient(t, gw, 'alice');
  const heard = [];
  const bob = await openClient(t, gw, 'bob');
  const b = renderHook(() => useChannel(ROOM, { roomId: 1 }), { wrapper: wrapperFor(bob) });
  const { result, unmount } = renderHook(() => ({
    ch: useChannel(ROOM, { roomId: 1 }, 'typing', (d) => heard.push(d)),
    members: usePresence(ROOM, { roomId: 1 }),
  }), { wrapper: wrapperFor(alice, { strict: true }) });
  await waitFor(() => assert.ok(result.current.ch.status === 'ready' && b.result.current.status === 'ready'));
  assert.equal(alice.stats().channels, 1);
  b.result.current.publish('typing', { on: true });
  await waitFor(() => assert.equal(heard.length, 1));
  await new Promise((r) => setTimeout(r, 30));
  assert.deepEqual(heard, [{ on: true }], 'the handler is registered once');
  unmount();
  await waitFor(() => assert.equal(alice.stats().channels, 0));
  b.unmount();
});

test('a channel the server refuses shows the error; a missing parameter too', async (t) => {
  const bob = await openClient(t, gw, 'bob');
  // Room 2 (staff) has alice and admin, not bob.
  const { result, unmount } = renderHook(() => ({ staff: useChannel(ROOM, { roomId: 2 }), broken: useChannel(ROOM, {}) }), { wrapper: wrapperFor(bob) });
  assert.equal(result.current.broken.status, 'error');
  assert.match(result.current.broken.error.message, /roomId/);
  await waitFor(() => assert.equal(result.current.staff.status, 'error'));
  assert.ok(result.current.staff.error instanceof Error);
  assert.equal(result.current.staff.publish('typing', {}), false);
  unmount();
});

test('useConnection follows the socket: open, closed, open again', async (t) => {
  const alice = await openClient(t, gw, 'alice');
  let renders = 0;
  const { result, unmount } = renderHook(() => { renders++; return useConnection(); }, { wrapper: wrapperFor(alice) });
  assert.equal(result.current.state, 'open');
  assert.equal(result.current.error, null);
  const r0 = renders;
  act(() => alice.disconnect());
  await waitFor(() => assert.notEqual(result.current.state, 'open'));
  act(() => alice.connect());
  await waitFor(() => assert.equal(result.current.state, 'open'));
  assert.ok(renders - r0 <= 4, `${renders - r0} renders for a few state changes`);
  unmount();

  // A client promise: idle until it resolves, then the client's state.
  let resolve;
  const pending = new Promise((r) => { resolve = r; });
  const p = renderHook(() => useConnection(), { wrapper: wrapperFor(pending) });
  assert.equal(p.result.current.state, 'idle');
  await act(async () => { resolve(alice); await pending; });
  await waitFor(() => assert.equal(p.result.current.state, 'open'));
  p.unmount();
  // A client promise that failed shows as 'failed'.
  const failing = Promise.reject(new Error('no runtime'));
  const f = renderHook(() => useConnection(), { wrapper: wrapperFor(failing) });
  await waitFor(() => assert.equal(f.result.current.state, 'failed'));
  assert.equal(f.result.current.error, 'could not create the client: no runtime');
  f.unmount();
});
