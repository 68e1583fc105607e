// The tab's side of the worker modes: a Client with the same API (model(),
// channel(), connection, close()...) whose engine runs in a (Shared)Worker. It
// stands in for the runtime with `r`, an object whose methods post messages, so
// the same DataClient, LiveView, ItemView and Channel classes run on it; each
// view receives the engine's diffs for it and applies them with the same code.
import { SsotError } from '../errors.js';
import { Connection } from '../connection.js';
import { ClientBase } from '../clientBase.js';
import { Link, openWorker } from './link.js';
import { workerName, identityOf, soloWorker } from './mode.js';
import { realClock, after } from './lifetimes.js';

// After a failed re-attach, tries again after 1 s, 2 s, 4 s... up to 30 s.
const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 30000;

const notAttached = () => new SsotError('the engine worker is not attached (attaching again); try later', { code: 'network' });
const lost = (reason) => new SsotError(`the engine worker was lost (${reason}); the request may or may not have been applied`, { code: 'network' });

// What the worker needs of the config: no functions, no compiled module.
function workerConfig(config) {
  const { getToken, onError, wasmModule, workerUrl, mode, ...rest } = config;
  if (rest.wasmUrl !== undefined) rest.wasmUrl = String(new URL(String(rest.wasmUrl), globalThis.location?.href));
  return JSON.parse(JSON.stringify(rest));
}

function tabUid() {
  return globalThis.crypto?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

export class WorkerClient extends ClientBase {
  /** How many tabs share this engine (1 in mode 'worker'). */
  tabs = 1;
  /** How many times this tab re-attached to a new worker. */
  reattached = 0;
  #link;
  #closed = false;
  #nextId = 1;
  #kind = 'get';
  #lastRequest = null;
  #resend = new Map(); // request id -> pending read, asked again once re-attached
  #pending = new Map(); // request id -> {resolve, reject}
  #views = new Map(); // view id -> LiveView | ItemView
  #opens = new Map(); // view id -> [watch message, window message?] (sent again on re-attach)
  #channels = new Map(); // channel id -> Channel
  #channelIds = new Map(); // Channel -> channel id
  #listens = new Map(); // listener id -> {channel, callback}
  #stats = null;
  #releaseLock = null;
  #hello;
  #identity; // the user of this tab's tokens: a getToken answer of another user is refused
  #clock;
  #stopRetry = null;
  #r;

  /**
   * @internal use createClient({mode}); open() -> {port, target, close}; clock, locks: tests' own
   * (default: the real clock, navigator.locks).
   */
  constructor(config, mode, fallback, open, { clock = realClock, locks = globalThis.navigator?.locks } = {}) {
    super(config);
    this.mode = mode;
    this.modeFallback = fallback;
    this.connection = new Connection(this._report);
    this.#r = this.#runtime();
    this.#clock = clock;
    this.#identity = identityOf(config.token);
    // config.token is kept up to date (getToken's answers): a re-attach starts a new engine with the latest.
    const hello = this.#hello = { t: 'hello', tab: tabUid(), config: workerConfig(config), getToken: typeof config.getToken === 'function',
      solo: soloWorker(config) };
    this.#link = new Link(open, hello, {
      onMessage: (m) => this.#onMessage(m),
      onLost: (reason) => this.#onLost(reason),
      clock,
    });
    this._started = this.#lockTab(hello, locks).then(() => this.#attach());
    if (typeof addEventListener === 'function') {
      addEventListener('pagehide', this.#onPageHide);
      addEventListener('pageshow', this.#onPageShow);
    }
  }

  get closed() { return this.#closed; }

  get _runtimeId() { return 0; }

  connect() { this.#send({ t: 'connect' }); }
  disconnect() { this.#send({ t: 'disconnect' }); }

  /** The engine's counters as the worker last sent them (asked for on attaching and at each call), plus tabs. */
  stats() {
    if (this.#closed) throw new SsotError('client closed');
    this.#send({ t: 'stats' });
    return this.#stats ?? { tabs: this.tabs };
  }

  async close() {
    if (this.#closed) return;
    this.#closed = true;
    if (typeof removeEventListener === 'function') {
      removeEventListener('pagehide', this.#onPageHide);
      removeEventListener('pageshow', this.#onPageShow);
    }
    this.#stopRetry?.();
    this.#link.close();
    this.#releaseLock?.();
    for (const view of this.#views.values()) view._detach();
    for (const ch of this.#channels.values()) ch._detach();
    this.#views.clear();
    this.#channels.clear();
    this.#channelIds.clear();
    this.#listens.clear();
    this.#rejectPending(() => new SsotError('client closed', { code: 'closed' }));
    if (this.connection._set({ state: 'closed' })) this.connection._notify();
    this.connection._clear();
  }

  // ---- what DataClient, LiveView, ItemView and Channel call (as on Client) ----

  /** @internal */
  _call(fn) {
    if (this.#closed) return undefined;
    return fn(this.#r);
  }

  /** @internal */
  _request(kind, fn) {
    if (this.#closed) return Promise.reject(new SsotError('client closed', { code: 'closed' }));
    if (!this.#link.linked) return Promise.reject(notAttached());
    this.#kind = kind;
    let req;
    try {
      req = fn(this.#r);
    } catch (err) {
      return Promise.reject(err instanceof SsotError ? err : new SsotError(err.message, { code: 'invalid', cause: err }));
    }
    return new Promise((resolve, reject) => this.#pending.set(req, { resolve, reject, msg: this.#lastRequest }));
  }

  /** @internal */
  _open(view, fn) {
    if (this.#closed) {
      view._detach();
      return 'client closed';
    }
    const id = fn(this.#r);
    view._setId(id);
    this.#views.set(id, view);
    return null;
  }

  /** @internal */
  _close(view, fn) {
    if (this.#closed) return;
    this.#views.delete(view.id);
    fn(this.#r);
  }

  /** @internal */
  _join(channel) {
    if (this.#closed) return 'client closed';
    const id = this.#nextId++;
    this.#channels.set(id, channel);
    this.#channelIds.set(channel, id);
    this.#send({ t: 'join', id, name: channel.name });
    return null;
  }

  /** @internal */
  _leave(channel) {
    const id = this.#channelIds.get(channel);
    if (id === undefined) return;
    this.#channelIds.delete(channel);
    this.#channels.delete(id);
    this.#send({ t: 'leave', id });
  }

  /**
   * @internal true when it can go out now, as this tab knows it (attached, the socket open): the
   * worker's answer comes later; when it could not send it after all, onError gets code 'publish'.
   */
  _publish(name, event, json) {
    if (this.#closed) return false;
    const guess = this.#link.linked && this.connection.state === 'open';
    this.#send({ t: 'publish', name, event, json, guess });
    return guess;
  }

  /** @internal */
  _listen(channel, callback) {
    if (this.#closed) return () => {};
    const id = this.#nextId++;
    this.#listens.set(id, { channel, callback });
    this.#send({ t: 'listen', id, channel });
    return () => {
      if (this.#listens.delete(id)) this.#send({ t: 'unlisten', id });
    };
  }

  // ---- the worker's side of the line ----

  // The runtime's methods that DataClient and the views call, as messages; views and
  // requests get ids from here (connect() and disconnect() send their own).
  #runtime() {
    const open = (msg) => {
      const id = this.#nextId++;
      msg.id = id;
      this.#opens.set(id, [msg]);
      this.#send(msg);
      return id;
    };
    const request = (method) => (...args) => {
      const req = this.#nextId++;
      this.#lastRequest = { t: 'req', req, kind: this.#kind, method, args };
      this.#send(this.#lastRequest);
      return req;
    };
    return {
      watch: (model, query) => open({ t: 'watch', model, query }),
      watchItem: (model, itemId) => open({ t: 'watchItem', model, itemId }),
      setWindow: (id, start, count) => {
        const msg = { t: 'window', id, start, count };
        const o = this.#opens.get(id);
        if (o) o[1] = msg;
        this.#send(msg);
      },
      refetch: (id) => this.#send({ t: 'refetch', id }),
      closeView: (id) => {
        this.#opens.delete(id);
        this.#send({ t: 'unwatch', id });
      },
      list: request('list'),
      get: request('get'),
      create: request('create'),
      update: request('update'),
      remove: request('remove'),
    };
  }

  #send(message) { if (!this.#closed) this.#link.send(message); }

  // A Web Lock held while this tab lives: the worker waits on it to learn that the tab closed or crashed.
  #lockTab(hello, locks) {
    if (!locks) return Promise.resolve();
    hello.lock = `ssot-realtime-tab:${hello.tab}`;
    return new Promise((granted) => {
      locks.request(hello.lock, () => {
        granted();
        return new Promise((release) => { this.#releaseLock = release; });
      }).catch(() => {
        delete hello.lock; // no lock (an opaque origin): the heartbeat alone tells the worker
        granted();
      });
    });
  }

  async #attach() {
    const welcome = await this.#link.attach();
    if (this.#closed) return;
    this.tabs = welcome.tabs;
    if (this.connection._set(welcome.conn)) this.connection._notify();
    // Everything this tab holds, opened again on this worker (a no-op the first time).
    for (const msgs of this.#opens.values()) for (const m of msgs) this.#send(m);
    for (const [id, ch] of this.#channels) this.#send({ t: 'join', id, name: ch.name });
    for (const [id, { channel }] of this.#listens) this.#send({ t: 'listen', id, channel });
    for (const [req, p] of this.#resend) { // reads in flight when the worker was lost
      this.#pending.set(req, p);
      this.#send(p.msg);
    }
    this.#resend.clear();
    this.#send({ t: 'stats' }); // so that the first stats() has the counters
  }

  #onLost(reason) {
    if (this.#closed) return;
    // Reads are asked again of the new worker; a write may or may not have been applied.
    for (const [req, p] of this.#pending) {
      this.#pending.delete(req);
      if (p.msg?.method === 'list' || p.msg?.method === 'get') this.#resend.set(req, p);
      else p.reject(lost(reason));
    }
    if (this.connection._set({ state: 'reconnecting', error: reason })) this.connection._notify();
    for (const ch of this.#channels.values()) ch._rejoining();
    this.reattached++;
    this.#reattach(RETRY_MIN_MS);
  }

  // A worker that cannot be reached now is tried again with backoff; meanwhile
  // requests reject with code 'network' (views and channels wait, opened again on attaching).
  #reattach(delay) {
    this.#stopRetry = null;
    this.#attach().catch((err) => {
      if (this.#closed) return;
      this.#rejectPending(() => lost(err.message));
      if (delay === RETRY_MIN_MS) this._report(err); // once per loss, not at each try
      const error = `the engine worker could not be reached (${err.message}); trying again`;
      if (this.connection._set({ state: 'reconnecting', error, retryAt: Date.now() + delay })) this.connection._notify();
      this.#stopRetry = after(this.#clock, delay, () => this.#reattach(Math.min(2 * delay, RETRY_MAX_MS)));
    });
  }

  #onPageHide = (e) => {
    if (!e.persisted) this.#link.close(); // leaving for good (bfcache: see pageshow)
  };

  #onPageShow = (e) => {
    if (e.persisted && !this.#closed) this.#onLost('the page came back from the back/forward cache');
  };

  // Every request waiting for an answer, reads waiting to be asked again included.
  #rejectPending(error) {
    const pending = [...this.#pending.values(), ...this.#resend.values()];
    this.#pending.clear();
    this.#resend.clear();
    for (const p of pending) p.reject(error());
  }

  #onMessage(m) {
    if (this.#closed) return;
    if (m.t === 'pong') this.tabs = m.tabs;
    else if (m.t === 'getToken') this.#answerToken();
    else if (m.t === 'batch') this.#apply(m.entries);
  }

  async #answerToken() {
    let token = await this._askToken();
    const who = identityOf(token);
    if (token && this.#identity && who !== this.#identity) {
      this._report(new SsotError('getToken returned a token of another user than this client\'s: not used (create a new client for the new user)', { code: 'identity' }));
      token = null;
    }
    if (token) {
      this.#identity = who; // a solo tab's first user
      this.#hello.config.token = token;
    }
    this.#send({ t: 'token', token });
  }

  #apply(entries) {
    const changed = new Set();
    for (const e of entries) {
      try {
        this.#dispatch(e, changed);
      } catch (err) {
        this._report(err);
      }
    }
    for (const x of changed) x._notify();
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
        if (e.ok) p.resolve(e.data);
        else p.reject(new SsotError(e.error, { status: e.status, code: e.code }));
        break;
      }
      case 'update':
        this.#listens.get(e.sub)?.callback(e.data);
        break;
      case 'event':
        this.#channels.get(e.ch)?._event(e);
        break;
      case 'channel': {
        const ch = this.#channels.get(e.ch);
        if (!ch) break;
        if (e.status === 'ready') ch._ready(e);
        else if (e.status === 'error') ch._error(e.error);
        else if (e.status === 'joining') ch._rejoining();
        break;
      }
      case 'conn':
        if (this.connection._set(e)) changed.add(this.connection);
        break;
      case 'error':
        this._report(new SsotError(e.message, { code: e.code }));
        break;
      case 'tabs':
        this.tabs = e.n;
        break;
      case 'stats':
        this.#stats = e.stats;
        break;
      default:
        break; // a newer worker may say more
    }
  }
}

/** -> {client} once the worker welcomed this tab, or {fallback} (then the engine runs in the tab). */
export async function startWorkerClient(config, mode, fallback) {
  const name = workerName(config, undefined, soloWorker(config) ? tabUid() : '');
  const url = config.workerUrl;
  const client = new WorkerClient(config, mode, fallback, () => openWorker(mode, url, name));
  try {
    await client._started;
    return { client };
  } catch (err) {
    await client.close();
    return { fallback: { requested: config.mode, reason: err?.message ?? String(err) } };
  }
}
