// The engine worker's side: one Client (one engine, one socket) shared by every
// attached tab. Tabs are ref-counted: a tab that says `bye`, whose Web Lock is
// released (it closed or crashed) or that stops pinging is dropped with all it
// held; after the last one, the engine closes when the grace period ends.
import { TabSession } from './tabSession.js';
import { PROTOCOL_VERSION, HEARTBEAT_MS, TIMEOUT_MS, GRACE_MS, badMessage } from './protocol.js';
import { Liveness, Grace, realClock } from './lifetimes.js';
import { identityOf } from './mode.js';

const TOKEN_WAIT_MS = 15000;

export class EngineHost {
  #startEngine; // (config) -> Promise<Client>
  #clock;
  #client = null;
  #starting = null;
  #tabs = new Map(); // port -> TabSession
  #greeting = new Map(); // port -> messages that came while its hello was being answered
  #live;
  #grace;
  #stopTimer = null;
  #tokenWaiters = [];
  #offConn = null;
  #self = null; // the user's id as the token's sub says

  /**
   * startEngine(config) -> Promise<Client>; options: mode, clock ({now, every}),
   * timeoutMs, graceMs, locks (navigator.locks or null).
   */
  constructor(startEngine, { mode = 'shared-worker', clock = realClock, timeoutMs = TIMEOUT_MS, graceMs = GRACE_MS,
    locks = null } = {}) {
    this.#startEngine = startEngine;
    this.mode = mode;
    this.#clock = clock;
    this.#live = new Liveness(timeoutMs);
    this.#grace = new Grace(graceMs);
    this.locks = locks;
  }

  get tabs() { return this.#tabs.size; }
  get engine() { return this.#client; }

  /** A new tab's port (SharedWorker `connect`, or the dedicated worker's scope). */
  attach(port) {
    port.onmessage = (e) => this.#onMessage(port, e.data);
    port.start?.();
  }

  #onMessage(port, m) {
    const bad = badMessage(m);
    if (bad) return; // not ours (or a newer tab's): ignored
    const session = this.#tabs.get(port);
    if (m.t === 'hello') return this.#hello(port, m);
    const early = this.#greeting.get(port);
    if (early) return void early.push(m); // sent right behind its hello: handled once attached
    if (!session) return void port.postMessage({ t: 'refused', reason: 'not attached' });
    this.#live.seen(port, this.#clock.now());
    this.#handle(session, m);
  }

  // A message the engine refuses (bad arguments) is reported to its tab, never thrown here.
  #handle(s, m) {
    try {
      this.#dispatch(s, m);
    } catch (err) {
      s.post({ k: 'error', message: `${m.t}: ${err?.message ?? err}`, code: 'invalid' });
    }
  }

  #dispatch(s, m) {
    switch (m.t) {
      case 'ping': break;
      case 'bye': this.#drop(s.port); break;
      case 'watch': s.watch(m.id, 'view', m.model, m.query); break;
      case 'watchItem': s.watch(m.id, 'item', m.model, m.itemId); break;
      case 'window': s.setWindow(m.id, m.start, m.count); break;
      case 'refetch': s.views.get(m.id)?.refetch(); break;
      case 'unwatch': s.unwatch(m.id); break;
      case 'req': s.request(m.req, m.kind, m.method, m.args); break;
      case 'join': s.join(m.id, m.name); break;
      case 'leave': s.leave(m.id); break;
      case 'publish': if (this.#client._publish(m.name, m.event, m.json)) this.#echo(s, m); break;
      case 'listen': s.listen(m.id, m.channel); break;
      case 'unlisten': s.unlisten(m.id); break;
      case 'connect': this.#client.connect(); break;
      case 'disconnect': this.#client.disconnect(); break;
      case 'stats': s.post({ k: 'stats', stats: { ...this.#client.stats(), tabs: this.tabs } }); break;
      case 'token': this.#tokenWaiters[0]?.(typeof m.token === 'string' && m.token ? m.token : null); break;
      default: break;
    }
  }

  async #hello(port, m) {
    if (m.v !== PROTOCOL_VERSION) return void port.postMessage({ t: 'refused', reason: `protocol ${m.v} (this worker speaks ${PROTOCOL_VERSION})` });
    if (this.#tabs.has(port) || this.#greeting.has(port)) return;
    this.#greeting.set(port, []);
    let client;
    try {
      client = await this.#engine(m.config, m.getToken);
    } catch (err) {
      this.#greeting.delete(port);
      return void port.postMessage({ t: 'refused', reason: err?.message ?? String(err) });
    }
    const early = this.#greeting.get(port);
    this.#greeting.delete(port);
    this.#adoptToken(client, m.config?.token);
    const session = new TabSession(port, client, { tabId: m.tab, getToken: !!m.getToken });
    this.#tabs.set(port, session);
    this.#grace.filled();
    this.#live.seen(port, this.#clock.now());
    if (m.lock && this.locks) {
      // The tab holds this lock while it lives: granted to us when it closes or crashes.
      this.#live.exempt(port);
      this.locks.request(m.lock, () => this.#drop(port)).catch(() => {});
    }
    port.postMessage({ t: 'welcome', v: PROTOCOL_VERSION, mode: this.mode, tabs: this.tabs, conn: client.connection.getSnapshot() });
    this.#broadcastTabs();
    this.#startTimer();
    for (const e of early) this.#handle(session, e);
  }

  #engine(config, tabHasToken) {
    if (this.#client && !this.#client.closed) return Promise.resolve(this.#client);
    if (!this.#starting) {
      const cfg = { ...config, onError: (err) => this.#broadcast({ k: 'error', message: err?.message ?? String(err), code: err?.code ?? 'runtime' }) };
      if (tabHasToken) cfg.getToken = () => this.#askToken();
      const sub = identityOf(config.token);
      this.#self = sub.startsWith('sub:') ? (/^\d+$/.test(sub.slice(4)) ? Number(sub.slice(4)) : sub.slice(4)) : null;
      this.#starting = this.#startEngine(cfg).then((client) => {
        this.#client = client;
        this.#offConn = client.connection.subscribe((conn) => this.#broadcast({ k: 'conn', ...conn }));
        return client;
      }).finally(() => { this.#starting = null; });
    }
    return this.#starting;
  }

  // An engine the server refused (4401, no fresh token) takes the token of a tab
  // that attaches with one: the user signed in again in a new tab.
  #adoptToken(client, token) {
    const { state } = client.connection;
    if (typeof token !== 'string' || !token || (state !== 'unauthorized' && state !== 'forbidden')) return;
    client._call((r) => r.setToken(token, true));
    client.connect();
    for (const s of this.#tabs.values()) for (const v of s.views.values()) if (v.getSnapshot().status === 'error') v.refetch();
  }

  // getToken runs in a tab that has one; the first answer wins.
  #askToken() {
    const tab = [...this.#tabs.values()].find((s) => s.getToken);
    if (!tab) return Promise.resolve(null);
    return new Promise((resolve) => {
      // A tab that goes before it answers must not leave the engine waiting for ever.
      const timer = setTimeout(() => done(null), TOKEN_WAIT_MS);
      const done = (token) => {
        clearTimeout(timer);
        const i = this.#tokenWaiters.indexOf(done);
        if (i >= 0) this.#tokenWaiters.splice(i, 1);
        resolve(token);
      };
      this.#tokenWaiters.push(done);
      tab.send({ t: 'getToken' });
    });
  }

  // The server sends an event to every socket but its sender's: the other tabs on
  // this engine get it from here (from: the user's id, the token's sub).
  #echo(sender, m) {
    let data;
    try { data = JSON.parse(m.json); } catch { return; }
    for (const s of this.#tabs.values()) {
      if (s === sender) continue;
      for (const [id, c] of s.channels) if (c.channel.name === m.name) s.post({ k: 'event', ch: id, event: m.event, data, from: this.#self });
    }
  }

  #drop(port) {
    const s = this.#tabs.get(port);
    if (!s) return;
    this.#tabs.delete(port);
    this.#live.forget(port);
    s.release();
    if (port !== globalThis) port.close?.(); // a dedicated worker's port is its own scope
    if (this.#tabs.size === 0) this.#grace.empty(this.#clock.now());
    this.#broadcastTabs();
  }

  #broadcast(entry) { for (const s of this.#tabs.values()) s.post(entry); }
  #broadcastTabs() { this.#broadcast({ k: 'tabs', n: this.tabs }); }

  #startTimer() {
    if (!this.#stopTimer) this.#stopTimer = this.#clock.every(HEARTBEAT_MS, () => this.tick());
  }

  /** @internal one heartbeat: pong every tab, drop the silent, close an engine left alone. */
  tick() {
    const now = this.#clock.now();
    for (const port of this.#live.expired(now)) this.#drop(port);
    for (const s of this.#tabs.values()) s.send({ t: 'pong', tabs: this.tabs });
    if (this.#grace.due(now)) this.#closeEngine();
  }

  #closeEngine() {
    this.#grace.filled();
    this.#stopTimer?.();
    this.#stopTimer = null;
    this.#offConn?.();
    const client = this.#client;
    this.#client = null;
    client?.close().catch(() => {});
  }
}
