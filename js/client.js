// The client: one wasm Runtime (one engine, one socket), the outbox drain, and
// the objects the app holds (DataClients, views, channels, the connection).
//
// The runtime calls Module.ssotNotify(id) from inside wasm callbacks when it has
// output; we drain in a microtask (never re-entering wasm from its own callback),
// read the outbox as one UTF-8 buffer through a heap view, parse it once, and
// hand each entry to its owner. Listeners run after the whole batch is applied.
import { SsotError } from './errors.js';
import { Listeners } from './listeners.js';
import { Connection } from './connection.js';
import { ClientBase } from './clientBase.js';

const decoder = new TextDecoder();
const RELEASE_AFTER = 1 << 16; // bytes: Outbox::kKeepBytes (wasm/include/ssot/outbox.h)

const weak = typeof WeakRef === 'function' ? (x) => new WeakRef(x) : (x) => ({ deref: () => x });
const finalizer = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry(({ rt, id, live }) => {
    // A client that was never closed: free its runtime (socket, fetches, memory).
    live.delete(id);
    try { rt.delete(); } catch { /* already deleted */ }
  })
  : null;

// Clients whose socket is wanted or that await answers: held here so that the
// finalizer never closes a live stream the app merely stopped referencing.
const anchored = new Set();
const SOCKET_WANTED = new Set(['connecting', 'open', 'reconnecting']);

// Runtime id -> WeakRef(client) (the notify callback must not keep a client alive),
// kept on the Module: when both builds of the package (ESM and CommonJS) run in one
// app they share the one wasm Module, and each one's clients must hear from it.
function liveClients(Module) {
  if (!Module.ssotClients) {
    const live = new Map();
    Module.ssotClients = live;
    Module.ssotNotify = (id) => live.get(id)?.deref()?._scheduleDrain();
  }
  return Module.ssotClients;
}

// The config as the runtime reads it: functions are not serialized; a getToken
// function becomes `getToken: true`; onError and where the wasm comes from stay on the JS side.
const JS_ONLY = new Set(['onError', 'wasmUrl', 'wasmModule', 'mode', 'workerUrl']);
export function configJson(config) {
  return JSON.stringify(config, function replacer(key, value) {
    if (this === config) {
      if (key === 'getToken') return typeof value === 'function' ? true : value;
      if (JS_ONLY.has(key)) return undefined;
    }
    return typeof value === 'function' ? undefined : value;
  });
}

function normalizeList(data) {
  if (Array.isArray(data)) return { items: data, total: data.length };
  if (data && Array.isArray(data.items)) {
    const out = { items: data.items, total: typeof data.total === 'number' ? data.total : data.items.length };
    if (data.page !== undefined) out.page = data.page;
    if (data.pageSize !== undefined) out.pageSize = data.pageSize;
    return out;
  }
  return { items: [], total: 0 };
}

export class Client extends ClientBase {
  /** What runs the engine: always 'main' here (see createClient's `mode`). */
  mode = 'main';
  modeFallback = null;
  #Module;
  #rt;
  #id;
  #closed = false;
  #drainQueued = false;
  #refreshing = false;
  #pending = new Map(); // request id -> {kind, resolve, reject}
  #views = new Map(); // view id -> LiveView | ItemView
  #channels = new Map(); // channel name -> Set<Channel>
  #raw = new Map(); // full channel name -> Listeners (DataClient.subscribe)
  #unregister = {};
  #live;

  /** @internal use createClient() */
  constructor(Module, rt, config) {
    super(config);
    this.#Module = Module;
    this.#rt = rt;
    this.#id = rt.id();
    this.connection = new Connection(this._report, rt.state());
    this.#live = liveClients(Module);
    this.#live.set(this.#id, weak(this));
    finalizer?.register(this, { rt, id: this.#id, live: this.#live }, this.#unregister);
  }

  get closed() { return this.#closed; }

  /** @internal the wasm Runtime's id (benchmarks and soak tests feed frames with it). */
  get _runtimeId() { return this.#closed ? 0 : this.#rt.id(); }

  /** Opens the socket (createClient does when websockets are enabled). */
  connect() { this._call((r) => r.connect()); }

  /** Closes the socket (1000); views keep their last data. connect() reopens it. */
  disconnect() { this._call((r) => r.disconnect()); }

  /** The runtime's counters, plus the wasm heap in use (heapBytes). */
  stats() {
    if (this.#closed) throw new SsotError('client closed');
    return JSON.parse(this.#rt.stats());
  }

  /** Frees everything; pending requests reject with Error('client closed'). */
  async close() {
    if (this.#closed) return;
    this.#closed = true;
    anchored.delete(this);
    finalizer?.unregister(this.#unregister);
    this.#live.delete(this.#id);
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const view of this.#views.values()) view._detach();
    this.#views.clear();
    for (const set of this.#channels.values()) for (const ch of set) ch._detach();
    this.#channels.clear();
    this.#raw.clear();
    try {
      this.#rt.delete();
    } catch (err) {
      this._report(err); // a runtime that failed to free itself: say so, carry on closing
    }
    this.#rt = null;
    if (this.connection._set({ state: 'closed' })) this.connection._notify();
    this.connection._clear();
    for (const p of pending) p.reject(new SsotError('client closed', { code: 'closed' }));
  }

  // ---- internal: used by DataClient, LiveView, ItemView, Channel ----

  /** @internal runs a runtime call, then drains whatever it produced. */
  _call(fn) {
    if (this.#closed) return undefined;
    try {
      return fn(this.#rt);
    } finally {
      this._scheduleDrain();
    }
  }

  /** @internal a one-shot request; its `result` entry settles the promise. */
  _request(kind, fn) {
    if (this.#closed) return Promise.reject(new SsotError('client closed', { code: 'closed' }));
    let req;
    try {
      req = this._call(fn);
    } catch (err) {
      return Promise.reject(err instanceof SsotError ? err : new SsotError(err.message, { code: 'invalid', cause: err }));
    }
    if (!req) return Promise.reject(new SsotError(this.#rt.lastError() || 'request refused', { code: 'invalid' }));
    const answer = new Promise((resolve, reject) => this.#pending.set(req, { kind, resolve, reject }));
    this.#anchor();
    return answer;
  }

  /** @internal opens a view; returns null, or the error that kept it from opening. */
  _open(view, fn) {
    if (this.#closed) {
      view._detach();
      return 'client closed';
    }
    let id;
    try {
      id = this._call(fn);
    } catch (err) {
      return err.message;
    }
    if (!id) return this.#rt.lastError() || 'could not open the view';
    view._setId(id);
    this.#views.set(id, view);
    return null;
  }

  /** @internal */
  _close(view, fn) {
    if (this.#closed) return;
    this.#views.delete(view.id);
    try {
      this._call(fn);
    } catch (err) {
      this._report(err); // closing never throws at the app
    }
  }

  /** @internal joins a custom channel; returns null or the error. */
  _join(channel) {
    if (this.#closed) return 'client closed';
    if (!this._call((r) => r.join(channel.name))) return this.#rt.lastError() || 'could not join the channel';
    let set = this.#channels.get(channel.name);
    if (!set) this.#channels.set(channel.name, (set = new Set()));
    // Already subscribed: no new `subscribed` frame will come, so start from a peer's state.
    const peer = [...set].find((c) => c.status === 'ready');
    set.add(channel);
    if (peer) queueMicrotask(() => channel._ready({ members: peer.presence.members })); // _ready copies them
    return null;
  }

  /** @internal */
  _leave(channel) {
    const set = this.#channels.get(channel.name);
    if (!set || !set.delete(channel)) return; // never joined (refused) or the client closed
    if (set.size === 0) this.#channels.delete(channel.name);
    this._call((r) => r.leave(channel.name));
  }

  /** @internal */
  _publish(name, event, dataJson) {
    if (this.#closed) return false;
    return !!this._call((r) => r.publish(name, event, dataJson));
  }

  /** @internal raw update listeners of a model channel (DataClient.subscribe). */
  _listen(full, callback) {
    if (this.#closed) return () => {};
    let set = this.#raw.get(full);
    if (!set) {
      if (!this._call((r) => r.listen(full, true))) {
        this._report(new SsotError(`subscribe ${full}: ${this.#rt.lastError()}`));
        return () => {};
      }
      this.#raw.set(full, (set = new Listeners(this._report)));
    }
    const off = set.add(callback);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      off();
      if (set.size === 0 && this.#raw.get(full) === set) {
        this.#raw.delete(full);
        this._call((r) => r.listen(full, false));
      }
    };
  }

  /** @internal called by Module.ssotNotify and after every call. */
  _scheduleDrain() {
    if (this.#drainQueued || this.#closed) return;
    this.#drainQueued = true;
    queueMicrotask(() => this.#drain());
  }

  #drain() {
    this.#drainQueued = false;
    if (this.#closed) return;
    const n = this.#rt.drain();
    if (n <= 2) return; // "[]"
    const ptr = this.#rt.bufferPtr() >>> 0;
    let entries;
    try {
      entries = JSON.parse(decoder.decode(this.#Module.HEAPU8.subarray(ptr, ptr + n)));
    } catch (err) {
      this._report(new SsotError(`invalid runtime output: ${err.message}`));
      return;
    }
    const changed = new Set();
    for (const e of entries) {
      try {
        this.#dispatch(e, changed);
      } catch (err) {
        this._report(err);
      }
    }
    this.#anchor();
    for (const x of changed) x._notify();
    // The runtime frees a large output buffer at its next drain (a hydration's first
    // batch: 15 MB at 100k records); without one it would stay until the next change.
    if (n > RELEASE_AFTER) this._scheduleDrain();
  }

  #anchor() {
    if (!this.#closed && (SOCKET_WANTED.has(this.connection.state) || this.#pending.size > 0)) anchored.add(this);
    else anchored.delete(this);
  }

  #dispatch(e, changed) {
    switch (e.k) {
      case 'view':
      case 'item': {
        const view = this.#views.get(e.view);
        if (view && view._apply(e)) changed.add(view);
        break;
      }
      case 'result': {
        const p = this.#pending.get(e.req);
        if (!p) break;
        this.#pending.delete(e.req);
        if (!e.ok) p.reject(new SsotError(e.error || `request failed (${e.status})`, { status: e.status }));
        else if (p.kind === 'list') p.resolve(normalizeList(e.data));
        else if (p.kind === 'delete') p.resolve(e.data !== false);
        else p.resolve(e.data ?? null);
        break;
      }
      case 'update':
        this.#raw.get(e.channel)?.emit(e.data);
        break;
      case 'event':
        for (const ch of this.#channels.get(e.channel) ?? []) ch._event(e);
        break;
      case 'channel':
        for (const ch of this.#channels.get(e.channel) ?? []) ch._ready(e);
        break;
      case 'error':
        this.#onError(e);
        break;
      case 'conn':
        // The runtime's clock is performance.now(); the app gets epoch ms.
        if (typeof e.retryAt === 'number') e.retryAt = Math.round(Date.now() + (e.retryAt - performance.now()));
        if (this.connection._set(e)) changed.add(this.connection);
        if (e.state !== 'open') for (const set of this.#channels.values()) for (const ch of set) ch._rejoining();
        break;
      case 'token':
        this.#refreshToken();
        break;
      default:
        break; // newer runtimes may say more
    }
  }

  #onError(e) {
    if (e.requestId !== undefined) return; // settles its request as a result
    if (e.scope === 'channel') {
      const set = this.#channels.get(e.channel);
      if (set) {
        for (const ch of set) ch._error(e.error);
        return;
      }
      // Views on the channel show it themselves; raw listeners have only onError.
      if (this.#raw.has(e.channel)) this._report(new SsotError(`${e.channel}: ${e.error}`, { code: 'channel' }));
      return;
    }
    this._report(new SsotError(e.error, { code: e.scope }));
  }

  async #refreshToken() {
    if (this.#refreshing) return;
    this.#refreshing = true;
    const token = await this._askToken();
    this.#refreshing = false;
    if (this.#closed) return;
    if (token) {
      this._call((r) => r.setToken(token, true));
      // Views whose HTTP hydration failed with the old token (401) try again with the new one.
      for (const view of this.#views.values()) if (view.getSnapshot().status === 'error') view.refetch();
    } else {
      this._call((r) => r.setToken('', false));
    }
  }
}

/** @internal a Client on a loaded runtime Module (createClient, and the engine worker). */
export function clientFromModule(Module, config) {
  const rt = new Module.Runtime(configJson(config));
  const error = rt.error();
  if (error) {
    rt.delete();
    throw new SsotError(error, { code: 'config' });
  }
  const client = new Client(Module, rt, config);
  if (config.websockets?.enabled) client.connect();
  return client;
}
