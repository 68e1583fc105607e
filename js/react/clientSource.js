// What a <ClientProvider> holds: the `client` prop (a Client, a promise of one, a
// factory that returns either, or null while the app has none) and where it
// stands, as a store for useSyncExternalStore. The snapshot is
//   {status: 'idle' | 'loading' | 'ready' | 'error' | 'closed', client, error, retry}
// error: an SsotError (code 'client': the promise or factory failed, the original
// error is its `cause`; code 'closed': the client was closed).
//
// A factory is called once when the provider mounts (a new function on a later
// render is not called, as with useState's initializer), again on retry(), and
// the clients it made are the provider's: closed on retry and on unmount (after
// a macrotask, so StrictMode's unmount + remount keeps the same client).
// A client or promise the app passes is the app's: retry() cannot remake it (give
// the provider a new one, or a factory).
import { SsotError } from '../errors.js';

const waiting = (snap) => snap.status === 'idle' || snap.status === 'loading';
const isThenable = (x) => x !== null && typeof x === 'object' && typeof x.then === 'function';
const settled = new WeakMap(); // thenable -> {client} | {error}
const errors = new WeakMap(); // settled outcome or closed client -> its SsotError (one per cause)

function closeQuietly(made) {
  Promise.resolve(made).then((c) => c?.close?.()).catch(() => {});
}

function errorFor(key, make) {
  let e = errors.get(key);
  if (!e) errors.set(key, (e = make()));
  return e;
}

const failed = (cause) => new SsotError(`could not create the client: ${cause instanceof Error ? cause.message : String(cause)}`, { code: 'client', cause });
const closedError = () => new SsotError('client closed', { code: 'closed' });

export class ClientSource {
  #prop = null;
  #made = null; // what the factory returned (client or promise), while the prop is a factory
  #called = false; // the factory was called (and #made is what it returned)
  #following = null; // the promise whose settling we listen for
  #listeners = new Set();
  #snapshot = null;
  #from = null; // {target, outcome, closed, canRetry} behind #snapshot
  #watched = null; // {client, off}: noticing close()
  #closeTimer = null;
  #mounted = false;
  #waiters = [];

  /** In render: the provider's `client` prop. */
  prepare(prop) { this.#prop = prop ?? null; }

  subscribe = (listener) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  /** In an effect: calls a factory not called yet, follows a promise, watches for close(). */
  commit() {
    this.#mounted = true;
    if (this.#closeTimer) {
      clearTimeout(this.#closeTimer);
      this.#closeTimer = null;
    }
    const isFactory = typeof this.#prop === 'function';
    if (!isFactory) this.#drop();
    else if (!this.#called) this.#make();
    this.#follow();
    if (!waiting(this.getSnapshot())) for (const resolve of this.#waiters.splice(0)) resolve();
  }

  /** On unmount: closes what the factory made, unless the provider mounts again first. */
  dispose() {
    this.#mounted = false;
    this.#unwatch();
    if (this.#closeTimer) clearTimeout(this.#closeTimer);
    this.#closeTimer = setTimeout(() => {
      this.#closeTimer = null;
      this.#drop();
    }, 0);
  }

  /**
   * After a failure or close(): calls the factory again (closing the client it made
   * before). A no-op otherwise, and without a factory.
   */
  retry = () => {
    const { status } = this.getSnapshot();
    if (typeof this.#prop !== 'function' || (status !== 'error' && status !== 'closed')) return Promise.resolve();
    this.#drop();
    this.#make();
    this.#follow();
    this.#notify();
    return this.wait();
  };

  /** Resolves (never rejects) once there is a client, or an error: what Suspense waits for. */
  wait = () => {
    if (!waiting(this.getSnapshot())) return Promise.resolve();
    this.#follow();
    return new Promise((resolve) => this.#waiters.push(resolve));
  };

  getSnapshot = () => {
    const target = this.#target();
    let outcome = null;
    if (isThenable(target)) outcome = settled.get(target) ?? null;
    const client = isThenable(target) ? outcome?.client ?? null : target;
    const closed = !!client?.closed;
    const canRetry = typeof this.#prop === 'function';
    const f = this.#from;
    if (f && f.target === target && f.outcome === outcome && f.closed === closed && f.canRetry === canRetry) return this.#snapshot;
    this.#from = { target, outcome, closed, canRetry };
    let s;
    if (outcome?.error !== undefined) s = { status: 'error', client: null, error: errorFor(outcome, () => failed(outcome.error)) };
    else if (client && closed) s = { status: 'closed', client, error: errorFor(client, closedError) };
    else if (client) s = { status: 'ready', client, error: null };
    else if (isThenable(target) || (target === null && canRetry && !this.#called)) s = { status: 'loading', client: null, error: null };
    else s = { status: 'idle', client: null, error: null };
    // canRetry and wait are internal (Suspense hooks).
    this.#snapshot = Object.freeze({ ...s, retry: this.retry, canRetry, wait: this.wait });
    return this.#snapshot;
  };

  // ---- internal ----

  #target() {
    if (typeof this.#prop === 'function') return this.#made;
    return this.#prop;
  }

  #make() {
    this.#called = true;
    try {
      const made = this.#prop();
      // A factory that returned nothing failed as surely as one that threw.
      this.#made = made ?? Promise.reject(new TypeError('the ClientProvider factory returned no client'));
    } catch (error) {
      this.#made = Promise.reject(error);
    }
  }

  // Lets go of what the factory made (closing it).
  #drop() {
    if (this.#made !== null) closeQuietly(this.#made);
    this.#made = null;
    this.#called = false;
  }

  // Settles the snapshot when the target promise does (and, mounted, notices a close()).
  #follow() {
    const target = this.#target();
    if (isThenable(target) && !settled.has(target) && this.#following !== target) {
      this.#following = target;
      target.then(
        (client) => {
          if (!settled.has(target)) settled.set(target, client ? { client } : { error: new TypeError('the client promise resolved to nothing') });
          this.#notify();
        },
        (error) => {
          if (!settled.has(target)) settled.set(target, { error });
          this.#notify();
        },
      );
    }
    if (this.#mounted) this.#watch(this.getSnapshot().client);
  }

  #watch(client) {
    if (this.#watched?.client === client) return;
    this.#unwatch();
    if (!client || client.closed || typeof client.connection?.subscribe !== 'function') return;
    const off = client.connection.subscribe(() => { if (client.closed) this.#notify(); });
    this.#watched = { client, off };
  }

  #unwatch() {
    this.#watched?.off?.();
    this.#watched = null;
  }

  #notify() {
    const snap = this.getSnapshot();
    if (!waiting(snap)) for (const resolve of this.#waiters.splice(0)) resolve();
    if (this.#mounted && snap.status === 'ready') this.#watch(snap.client);
    for (const fn of [...this.#listeners]) fn();
  }
}
