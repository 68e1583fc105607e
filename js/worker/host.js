// The engine worker's side: one Client (one engine, one socket) shared by every
// attached tab. Tabs are ref-counted by their tab id: a tab that says `bye`,
// whose Web Lock is released (it closed or crashed), that stops pinging, or that
// stays frozen is dropped with all it held; a tab that attaches again replaces
// its old session. After the last one, the engine closes when the grace period ends.
// The engine has one user (the identity of the token that started it): a token
// of another user is refused, from a hello or from a tab's getToken.
import { TabSession } from './tabSession.js';
import { TokenAsk } from './tokenAsk.js';
import { PROTOCOL_VERSION, HEARTBEAT_MS, TIMEOUT_MS, GRACE_MS, FROZEN_MS, MAX_UNREAD, TOKEN_WAIT_MS, badMessage } from './protocol.js';
import { Liveness, Grace, realClock } from './lifetimes.js';
import { identityOf, subjectOf } from './mode.js';
import { VERSION } from '../version.js';

const ANOTHER_USER = 'getToken returned a token of another user than this engine\'s: refused (the engine keeps its user; create a new client for the new user)';

export class EngineHost {
  #startEngine; // (config) -> Promise<Client>
  #clock;
  #client = null;
  #starting = null;
  #tabs = new Map(); // port -> TabSession
  #byTab = new Map(); // tab id -> its current TabSession
  #locked = new Set(); // tab ids whose Web Lock is asked for (once per tab)
  #greeting = new Map(); // port -> messages that came while its hello was being answered
  #live;
  #grace;
  #stopTimer = null;
  #ask = null; // TokenAsk while the engine waits for a token
  #offConn = null;
  #identity = ''; // the engine's user: identityOf(the token that started it)
  #solo = false; // the worker is one tab's own: its first user may sign it in
  #self = null; // the token's sub, as `from` of the events echoed to other tabs
  #limits;

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
    this.#limits = { frozenMs: FROZEN_MS, timeoutMs, maxUnread: MAX_UNREAD };
    this.locks = locks;
  }

  get tabs() { return this.#tabs.size; }

  /** A new tab's port (SharedWorker `connect`, or the dedicated worker's scope). */
  attach(port) {
    port.onmessage = (e) => this.#onMessage(port, e.data);
    port.start?.();
  }

  #onMessage(port, m) {
    const bad = badMessage(m);
    if (bad && m?.t !== 'req') return; // not ours (or a newer tab's): ignored
    if (m.t === 'hello') return this.#hello(port, m);
    const early = this.#greeting.get(port);
    if (early) return void early.push(m); // sent right behind its hello: handled once attached
    const session = this.#tabs.get(port);
    if (!session) return void port.postMessage({ t: 'refused', reason: 'not attached' });
    const now = this.#clock.now();
    this.#live.seen(port, now);
    session.heard(now);
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
      case 'req': {
        const bad = badMessage(m);
        if (bad) s.refuse(m.req, `${bad}: ${String(m.method)}`);
        else s.request(m.req, m.kind, m.method, m.args);
        break;
      }
      case 'join': s.join(m.id, m.name); break;
      case 'leave': s.leave(m.id); break;
      case 'publish': this.#publish(s, m); break;
      case 'listen': s.listen(m.id, m.channel); break;
      case 'unlisten': s.unlisten(m.id); break;
      case 'connect': this.#client.connect(); break;
      case 'disconnect': this.#client.disconnect(); break; // for every tab: README says so
      case 'stats': s.post({ k: 'stats', stats: { ...this.#client.stats(), tabs: this.tabs } }); break;
      case 'token': this.#onToken(s, m.token); break;
      default: break;
    }
  }

  async #hello(port, m) {
    if (m.v !== PROTOCOL_VERSION || m.pkg !== VERSION) {
      return void port.postMessage({ t: 'refused', reason: `protocol ${m.v}, package ${m.pkg} (this worker: protocol ${PROTOCOL_VERSION}, package ${VERSION})` });
    }
    if (typeof m.tab !== 'string' || !m.tab) return void port.postMessage({ t: 'refused', reason: 'hello without a tab id' });
    if (this.#tabs.has(port) || this.#greeting.has(port)) return;
    // The same tab again (it lost this worker, or came back from the bfcache): its old session goes first.
    const old = this.#byTab.get(m.tab);
    if (old) this.#drop(old.port);
    this.#greeting.set(port, []);
    let client;
    try {
      client = await this.#engine(m);
      if (!this.#admit(identityOf(m.config?.token))) throw new Error('this engine is another user\'s');
    } catch (err) {
      this.#greeting.delete(port);
      return void port.postMessage({ t: 'refused', reason: err?.message ?? String(err) });
    }
    const early = this.#greeting.get(port);
    this.#greeting.delete(port);
    this.#adoptToken(m.config?.token);
    const session = new TabSession(port, client, { tab: m.tab, getToken: !!m.getToken });
    const racing = this.#byTab.get(m.tab); // another hello of this tab, answered while this one waited
    if (racing) this.#drop(racing.port);
    const now = this.#clock.now();
    this.#tabs.set(port, session);
    this.#byTab.set(m.tab, session);
    this.#grace.filled();
    this.#live.seen(port, now);
    session.heard(now);
    if (typeof m.lock === 'string' && this.locks) this.#watchLock(m.tab, m.lock, port);
    port.postMessage({ t: 'welcome', v: PROTOCOL_VERSION, mode: this.mode, tabs: this.tabs, conn: client.connection.getSnapshot() });
    this.#broadcastTabs();
    this.#startTimer();
    if (session.getToken) this.#ask?.ask(session);
    for (const e of early) this.#handle(session, e);
  }

  // The tab holds this lock while it lives: granted to us when it closes or crashes. Asked for
  // once per tab; while it is asked for, the tab's sessions are exempt from the heartbeat.
  #watchLock(tab, lock, port) {
    this.#live.exempt(port);
    if (this.#locked.has(tab)) return;
    this.#locked.add(tab);
    const session = () => this.#byTab.get(tab);
    this.locks.request(lock, () => {
      this.#locked.delete(tab);
      if (session()) this.#drop(session().port);
    }).catch(() => {
      // No lock after all: the heartbeat watches the tab from now on.
      this.#locked.delete(tab);
      if (session()) this.#live.watch(session().port, this.#clock.now());
    });
  }

  #engine(hello) {
    if (this.#client && !this.#client.closed) return Promise.resolve(this.#client);
    if (!this.#starting) {
      const config = hello.config ?? {};
      const cfg = { ...config, onError: (err) => this.#engineError(err) };
      if (hello.getToken) cfg.getToken = () => this.#askToken();
      this.#identity = identityOf(config.token);
      this.#solo = hello.solo === true;
      this.#self = subjectOf(config.token);
      this.#starting = this.#startEngine(cfg).then((client) => {
        this.#client = client;
        this.#offConn = client.connection.subscribe((conn) => this.#broadcast({ k: 'conn', ...conn }));
        return client;
      }).finally(() => { this.#starting = null; });
    }
    return this.#starting;
  }

  /** May a token of `who` drive this engine? A solo engine without a user takes its first one. */
  #admit(who) {
    if (who === this.#identity) return true;
    if (!this.#solo || this.#identity !== '' || who === '') return false;
    this.#identity = who;
    return true;
  }

  // An engine the server refused (4401, no fresh token) takes a token of its user
  // that comes later: a tab attaching with one, or a getToken answer after the wait.
  #adoptToken(token) {
    const client = this.#client;
    if (!client || client.closed || typeof token !== 'string' || !token) return;
    const { state } = client.connection;
    if (state !== 'unauthorized' && state !== 'forbidden') return;
    this.#self = subjectOf(token);
    client._call((r) => r.setToken(token, true));
    client.connect();
    for (const s of this.#tabs.values()) for (const v of s.views.values()) if (v.getSnapshot().status === 'error') v.refetch();
  }

  #askToken() {
    if (this.#ask && !this.#ask.done) return this.#ask.promise;
    const ask = this.#ask = new TokenAsk(this.#clock.now(), TOKEN_WAIT_MS);
    for (const s of this.#tabs.values()) if (s.getToken) ask.ask(s);
    ask.nobodyAsked(); // no tab has a getToken: null at once
    return ask.promise.then((token) => {
      if (this.#ask === ask) this.#ask = null;
      return token;
    });
  }

  #onToken(s, answer) {
    let token = typeof answer === 'string' && answer ? answer : null;
    if (token && !this.#admit(identityOf(token))) {
      s.post({ k: 'error', message: ANOTHER_USER, code: 'identity' });
      token = null;
    }
    if (token) this.#self = subjectOf(token);
    if (this.#ask && !this.#ask.done) this.#ask.answer(s, token);
    else this.#adoptToken(token); // late: the engine gave up waiting
  }

  #publish(s, m) {
    if (this.#client._publish(m.name, m.event, m.json)) return this.#echo(s, m);
    if (m.guess) s.post({ k: 'error', message: `publish ${m.name} ${m.event}: not sent (the socket is not open)`, code: 'publish' });
  }

  // The server sends an event to every socket but its sender's: the other tabs on
  // this engine get it from here, as soon as the engine sent it (the server does
  // not acknowledge publishes), with `from` = the token's sub as the token has it.
  #echo(sender, m) {
    let data;
    try { data = JSON.parse(m.json); } catch { return; }
    for (const s of this.#tabs.values()) {
      if (s === sender) continue;
      for (const [id, c] of s.channels) if (c.channel.name === m.name) s.post({ k: 'event', ch: id, event: m.event, data, from: this.#self });
    }
  }

  // An error about a raw listener's channel goes to the tabs listening on it; the rest
  // (socket, protocol, runtime) concern every tab. Views and channels report their own.
  #engineError(err) {
    const entry = { k: 'error', message: err?.message ?? String(err), code: err?.code ?? 'runtime' };
    const owners = entry.code === 'channel' ? [...this.#tabs.values()].filter((s) => s.listensTo(entry.message)) : [];
    for (const s of owners.length ? owners : this.#tabs.values()) s.post(entry);
  }

  #drop(port) {
    const s = this.#tabs.get(port);
    if (!s) return;
    this.#tabs.delete(port);
    if (this.#byTab.get(s.tab) === s) this.#byTab.delete(s.tab);
    this.#live.forget(port);
    s.release();
    this.#ask?.answer(s, null);
    if (port !== globalThis) port.close?.(); // a dedicated worker's port is its own scope
    if (this.#tabs.size === 0) this.#grace.empty(this.#clock.now());
    this.#broadcastTabs();
  }

  #broadcast(entry) { for (const s of this.#tabs.values()) s.post(entry); }
  #broadcastTabs() { this.#broadcast({ k: 'tabs', n: this.tabs }); }

  #startTimer() {
    if (!this.#stopTimer) this.#stopTimer = this.#clock.every(HEARTBEAT_MS, () => this.tick());
  }

  /** @internal one heartbeat: pong every tab, drop the silent and the frozen, close an engine left alone. */
  tick() {
    const now = this.#clock.now();
    for (const port of this.#live.expired(now)) this.#drop(port);
    for (const s of [...this.#tabs.values()]) if (s.frozen(now, this.#limits)) this.#drop(s.port);
    if (this.#ask?.expired(now)) this.#ask.end(null);
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
