// One attached tab, in the engine worker: its views, channels and raw listeners
// on the shared Client, and what the engine produced for it, posted once per drain.

// Stands in for a tab's LiveView/ItemView inside the worker's Client: each entry
// the engine emits for it (a diff of what the tab shows) goes to the tab as is.
class ForwardView {
  id = 0;
  closed = false;
  #status = 'loading';

  constructor(session, tabViewId) {
    this.session = session;
    this.tabViewId = tabViewId;
  }

  _setId(id) { this.id = id; }
  getSnapshot() { return { status: this.#status }; }
  refetch() { if (!this.closed) this.session.client._call((r) => r.refetch(this.id)); }

  _apply(entry) {
    if (this.closed) return false;
    this.#status = entry.status;
    entry.view = this.tabViewId;
    this.session.post(entry);
    return false; // nothing to notify in the worker
  }

  _detach() { this.closed = true; }
  _notify() {}

  close() {
    if (this.closed) return;
    this.closed = true;
    if (this.id) this.session.client._close(this, (r) => r.closeView(this.id));
  }
}

export class TabSession {
  views = new Map(); // tab's view id -> ForwardView
  channels = new Map(); // tab's channel id -> {channel, offs}
  listens = new Map(); // tab's listener id -> {channel, off}
  closed = false;
  heardAt = 0; // when the tab last said something
  unread = 0; // messages sent since
  #out = [];
  #flushQueued = false;

  constructor(port, client, { tab, getToken }) {
    this.port = port;
    this.client = client;
    this.tab = tab;
    this.getToken = getToken;
  }

  heard(now) {
    this.heardAt = now;
    this.unread = 0;
  }

  /** Silent for FROZEN_MS, or for TIMEOUT_MS with MAX_UNREAD messages waiting: a frozen tab. */
  frozen(now, { frozenMs, timeoutMs, maxUnread }) {
    const silent = now - this.heardAt;
    return silent > frozenMs || (silent > timeoutMs && this.unread > maxUnread);
  }

  /** A raw listener of this tab is on the channel that `message` (an engine error) names. */
  listensTo(message) {
    for (const { channel } of this.listens.values()) if (message.startsWith(`${channel}: `)) return true;
    return false;
  }

  /** Queues an entry; one `batch` message per microtask. */
  post(entry) {
    if (this.closed) return;
    this.#out.push(entry);
    if (this.#flushQueued) return;
    this.#flushQueued = true;
    queueMicrotask(() => {
      this.#flushQueued = false;
      const entries = this.#out;
      this.#out = [];
      this.send({ t: 'batch', entries });
    });
  }

  send(message) {
    if (this.closed) return;
    this.unread++;
    try { this.port.postMessage(message); } catch { /* the tab is gone */ }
  }

  watch(id, kind, model, arg) {
    if (this.views.has(id)) return;
    const view = new ForwardView(this, id);
    this.views.set(id, view);
    const error = this.client._open(view, (r) => (kind === 'item' ? r.watchItem(model, arg) : r.watch(model, arg)));
    if (error !== null) this.post({ k: kind, view: id, status: 'error', error, total: 0 });
  }

  setWindow(id, start, count) {
    const view = this.views.get(id);
    if (view?.id && !view.closed) this.client._call((r) => r.setWindow(view.id, start, count));
  }

  unwatch(id) {
    this.views.get(id)?.close();
    this.views.delete(id);
  }

  /** A request the host could not read: its promise in the tab still gets an answer. */
  refuse(req, why) {
    this.post({ k: 'result', req, ok: false, error: why, status: 0, code: 'invalid' });
  }

  request(req, kind, method, args) {
    this.client._request(kind, (r) => r[method](...args)).then(
      (data) => this.post({ k: 'result', req, ok: true, data }),
      (err) => this.post({ k: 'result', req, ok: false, error: err?.message ?? String(err), status: err?.status ?? 0, code: err?.code ?? 'invalid' }),
    );
  }

  join(id, name) {
    if (this.channels.has(id)) return;
    let channel;
    try {
      channel = this.client.channel(name);
    } catch (err) {
      this.post({ k: 'channel', ch: id, status: 'error', error: err.message });
      return;
    }
    const status = () => this.post({ k: 'channel', ch: id, status: channel.status, error: channel.error,
      members: channel.status === 'ready' ? channel.presence.members : undefined });
    const offs = [
      channel.subscribe(status),
      channel.presence.subscribe(() => { if (channel.status === 'ready') status(); }),
      channel.on('*', (data, info) => this.post({ k: 'event', ch: id, event: info.event, data, from: info.from })),
    ];
    this.channels.set(id, { channel, offs });
    if (channel.status !== 'joining') status();
  }

  leave(id) {
    const c = this.channels.get(id);
    if (!c) return;
    this.channels.delete(id);
    for (const off of c.offs) off();
    c.channel.close();
  }

  listen(id, channel) {
    if (this.listens.has(id)) return;
    this.listens.set(id, { channel: String(channel), off: null });
    this.listens.get(id).off = this.client._listen(channel, (data) => this.post({ k: 'update', sub: id, data }));
  }

  unlisten(id) {
    this.listens.get(id)?.off?.();
    this.listens.delete(id);
  }

  /** The tab is gone: everything it held on the engine is released; nothing more is sent to it. */
  release() {
    this.closed = true;
    for (const id of [...this.views.keys()]) this.unwatch(id);
    for (const id of [...this.channels.keys()]) this.leave(id);
    for (const id of [...this.listens.keys()]) this.unlisten(id);
  }
}
