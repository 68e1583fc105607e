// What useSuspenseList and useSuspenseGet add to useList / useGet: in render,
// until the component shows the view for its current params, throw a promise
// while there is nothing to show and the error when the first read failed.
//
// A render that suspends keeps no state, so the view it waits for is held here,
// per client and key, for the render that comes back: released once a component
// committed with it, or HOLD_MS after it settled if none did.
// An error thrown to an error boundary is thrown again by the renders of that
// moment (React renders once more before it gives up), but once a macrotask has
// passed, the next render (the boundary's reset, or another mount) tries again:
// a view that failed is opened anew, a provider whose client failed is retried.
import { SsotError } from '../errors.js';

const HOLD_MS = 30_000;
const holds = new WeakMap(); // scope -> Map(sharedKey -> {handle, timer})
const waits = new WeakMap(); // view -> promise of it settling (while it is loading)
const thrown = new WeakMap(); // failure or view -> 'thrown' | 'stale'

/** Throws what a Suspense hook throws instead of returning; returns when the result can be shown. */
export function suspendUnlessReady(holder, want, client) {
  if (want.failure) throw failureToThrow(want.failure, client);
  if (!want.enabled) return; // useSuspenseGet without an id: nothing to read
  if (!want.scope) throw client.wait();
  if (want.key === null || holder.shows()) return;
  let view = hold(want, false);
  if (view.getSnapshot().status === 'error' && thrown.get(view) === 'stale') view = hold(want, true);
  const snap = view.getSnapshot();
  if (snap.status === 'loading') throw settling(view, want);
  if (snap.status === 'error') {
    markThrown(view);
    later(() => release(want.scope, want.sharedKey, view), 0);
    throw new SsotError(snap.error, { code: 'view' });
  }
}

/** After the commit that took the held view over (the holder holds it now). */
export function releaseHold(scope, key) {
  if (scope && key !== null) release(scope, key);
}

function markThrown(x) {
  if (thrown.has(x)) return;
  thrown.set(x, 'thrown');
  later(() => thrown.set(x, 'stale'), 0);
}

function failureToThrow(failure, client) {
  if (thrown.get(failure) === 'stale' && client.canRetry) {
    thrown.delete(failure);
    return client.retry();
  }
  markThrown(failure);
  return failure;
}

// The view held for want's key; fresh: a new one (it becomes the shared one).
function hold(want, fresh) {
  let map = holds.get(want.scope);
  if (!map) holds.set(want.scope, (map = new Map()));
  let e = map.get(want.sharedKey);
  if (e && (fresh || e.handle.value.closed)) {
    release(want.scope, want.sharedKey);
    e = undefined;
  }
  if (!e) {
    e = { handle: want.scope.acquire(want.sharedKey, want.open, fresh), timer: null };
    map.set(want.sharedKey, e);
    const view = e.handle.value;
    if (want.window && !view.isStatic) view.setWindow(want.window.start, want.window.count);
  }
  return e.handle.value;
}

// A timer that does not keep Node alive (tests, server-side tools).
function later(fn, ms) {
  const t = setTimeout(fn, ms);
  t?.unref?.();
  return t;
}

function release(scope, key, view) {
  const map = holds.get(scope);
  const e = map?.get(key);
  if (!e || (view && e.handle.value !== view)) return;
  map.delete(key);
  clearTimeout(e.timer);
  e.handle.release();
}

// A promise (the same one for every render that waits) settled when the view is;
// a view loading again later gets a new one.
function settling(view, want) {
  let p = waits.get(view);
  if (!p) {
    p = new Promise((resolve) => {
      const off = view.subscribe(() => {
        if (view.getSnapshot().status === 'loading') return;
        off();
        waits.delete(view);
        resolve();
      });
    });
    p.then(() => {
      const e = holds.get(want.scope)?.get(want.sharedKey);
      if (e && e.handle.value === view && !e.timer) e.timer = later(() => release(want.scope, want.sharedKey, view), HOLD_MS);
    });
    waits.set(view, p);
  }
  return p;
}
