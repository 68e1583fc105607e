// What useList and useGet keep per component: the view shown, the one loading
// in its place (new params or a refetch), and the snapshot the component gets
// (a store for useSyncExternalStore).
//
//  - prepare(want) in render records what the component asks for (no side effect);
//    commit() in an effect opens or reuses the view; dispose() on unmount lets go.
//  - A new view (params changed, refetch) loads while the previous one stays on
//    screen; it replaces it once it is no longer loading, and the old one is let go.
//  - Rows that are the same record with the same content as the rows shown before a
//    swap keep the earlier objects (memoized rows skip after a refetch too).
//  - Pending optimistic writes are the core's: they are in the view's rows already,
//    and `pending` (their ids) is passed through.
//  - A view that is not live reads again when a mutation of its model settles.
//  - getSnapshot() returns the same object until something the component gets changed.
//  - No client because the provider's failed or was closed (want.failure): the
//    result carries that error, and refetch() is the provider's retry().
//  - Suspense hooks (want.suspense): the result is always the view for the current
//    params (shown once committed, else the one held for the suspended render),
//    never the previous params' rows; want.slot (useId) keys their private views,
//    as the holder itself does not survive a suspended first render.
import { SsotError } from '../errors.js';
import { sameJson, EMPTY } from '../snapshot.js';

const loading = (h) => h.value.getSnapshot().status === 'loading';
let nextHolder = 1;

function sameResult(a, b) {
  if (a === b) return true;
  for (const k in a) if (!Object.is(a[k], b[k])) return false;
  return true;
}

// A view that is not shared by key: windowed or not live (one per component).
// Suspense hooks share views that are not live by key (a read is a read).
function sharedKey(want, no) {
  if (want.key === null) return null;
  if (want.suspense) return want.window ? `${want.key}#${want.slot}` : want.key;
  return want.window || want.isStatic ? `${want.key}#${no}` : want.key;
}

export class ViewHolder {
  #kind; // 'list' | 'item'
  #no = nextHolder++;
  #want = null;
  #shown = null; // handle {scope, key, q, value, release, off, waiters}
  #pending = null;
  #disposed = false;
  #listeners = new Set();
  #settled = { scope: null, model: null, off: null }; // static views' refetch on a settled mutation
  #canon = null; // {view, map: WeakMap(row -> earlier row)} for list views; {view, data} for items
  #memo = {}; // inputs of the last result
  #result = null;
  #server = null;
  #errorText = null;
  #error = null;

  constructor(kind) {
    this.#kind = kind;
  }

  refetch = () => this.#refetch();

  subscribe = (listener) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  /**
   * In render: what the component asks for. want = {scope, model, key, open,
   * window, enabled, isStatic}; scope null = no client (yet).
   */
  prepare(want) {
    const w = this.#want;
    if (w && w.scope === want.scope && w.key === want.key && w.enabled === want.enabled &&
        w.windowKey === want.windowKey && w.isStatic === want.isStatic && w.failure === want.failure) return;
    want.sharedKey = sharedKey(want, this.#no);
    this.#want = want;
  }

  /** In an effect: opens what prepare() asked for, or reuses it. */
  commit() {
    this.#disposed = false;
    const w = this.#want;
    this.#watchSettled(w);
    if (!w || !w.scope || w.key === null) {
      this.#drop('pending');
      this.#drop('shown');
      return this.#notify();
    }
    const matches = (h) => h !== null && h.scope === w.scope && h.key === w.key;
    if (matches(this.#shown)) {
      this.#drop('pending');
      this.#applyWindow(this.#shown);
      return this.#notify();
    }
    if (!w.enabled) {
      // Nothing is loaded until refetch(); data of other params is not kept.
      this.#drop('pending');
      this.#drop('shown');
      return this.#notify();
    }
    if (matches(this.#pending)) {
      this.#applyWindow(this.#pending);
      return undefined;
    }
    this.#drop('pending');
    this.#place(this.#open(w, false));
    return this.#notify();
  }

  /** What the last prepare() recorded (with its sharedKey). */
  get want() { return this.#want; }

  /** The view shown is the one for what the component asks now (committed). */
  shows() {
    const w = this.#want;
    const h = this.#shown;
    return !!(h && w && h.scope === w.scope && h.key === w.key);
  }

  /** On unmount: lets go of every view (shared ones close when their last user goes). */
  dispose() {
    this.#disposed = true;
    this.#drop('pending');
    this.#drop('shown');
    this.#watchSettled(null);
  }

  getSnapshot = () => (this.#kind === 'list' ? this.#listSnapshot() : this.#itemSnapshot());

  /** Server rendering and hydration: loading (or idle when not auto-loading). */
  getServerSnapshot = () => {
    const enabled = !!this.#want?.enabled;
    if (this.#server?.enabled !== enabled) this.#server = { enabled, result: this.#empty(enabled) };
    return this.#server.result;
  };

  // ---- views ----

  #open(w, fresh) {
    const h = w.scope.acquire(w.sharedKey, w.open, fresh);
    h.scope = w.scope;
    h.key = w.key;
    h.want = w;
    h.waiters = [];
    h.window = null;
    h.off = h.value.subscribe(() => this.#onView(h));
    this.#applyWindow(h);
    return h;
  }

  // A new handle replaces a shown one that has nothing to show yet, else loads beside it.
  #place(h) {
    if (!this.#shown || loading(this.#shown) || !loading(h)) this.#promote(h);
    else this.#pending = h;
  }

  #onView(h) {
    if (!loading(h)) {
      if (h === this.#pending) this.#promote(h);
      for (const resolve of h.waiters.splice(0)) resolve();
    }
    this.#notify();
  }

  #promote(h) {
    const old = this.#shown;
    if (this.#pending === h) this.#pending = null;
    this.#shown = h;
    this.#remember(old, h);
    if (old) this.#release(old);
    if (!loading(h)) for (const resolve of h.waiters.splice(0)) resolve();
  }

  // Rows of the new view that equal rows shown from the old one keep the old objects.
  #remember(old, h) {
    this.#canon = null;
    if (!old || old === h) return;
    const prev = old.value.getSnapshot();
    const next = h.value.getSnapshot();
    if (this.#kind === 'item') {
      const shown = this.#memo.view === old.value ? this.#memo.mapped : prev.data;
      if (shown && next.data && sameJson(shown, next.data)) this.#canon = { view: h.value, from: next.data, to: shown };
      return;
    }
    const shownItems = this.#memo.view === old.value ? this.#memo.mapped : prev.items;
    if (!shownItems?.length || !next.items?.length) return;
    const byId = new Map();
    for (const r of shownItems) byId.set(String(r.id), r);
    const map = new WeakMap();
    let n = 0;
    for (const r of next.items) {
      const o = byId.get(String(r.id));
      if (o !== undefined && o !== r && sameJson(o, r)) {
        map.set(r, o);
        n++;
      }
    }
    if (n) this.#canon = { view: h.value, map };
  }

  #drop(which) {
    const h = which === 'shown' ? this.#shown : this.#pending;
    if (!h) return;
    if (which === 'shown') this.#shown = null;
    else this.#pending = null;
    this.#release(h);
  }

  #release(h) {
    h.off();
    h.release();
    for (const resolve of h.waiters.splice(0)) resolve();
  }

  #applyWindow(h) {
    const win = this.#want?.window;
    if (!win || h.value.isStatic) return;
    const key = `${win.start}:${win.count}`;
    if (h.window === key) return;
    h.window = key;
    h.value.setWindow(win.start, win.count);
  }

  #refetch() {
    const w = this.#want;
    if (w?.failure) return w.retry();
    if (this.#disposed || !w || !w.scope || w.key === null) return Promise.resolve();
    this.#drop('pending');
    const h = this.#open(w, true);
    const done = new Promise((resolve) => h.waiters.push(resolve));
    this.#place(h);
    this.#notify();
    return done;
  }

  // Views that are not live see no echo: they read again when a mutation of their model settles.
  #watchSettled(w) {
    const o = this.#settled;
    const scope = w?.isStatic ? w.scope ?? null : null;
    const model = scope ? w.model ?? null : null;
    if (o.scope === scope && o.model === model) return;
    o.off?.();
    o.off = null;
    o.scope = scope;
    o.model = model;
    if (scope && model) o.off = scope.onSettled(model, () => { this.#refetch(); });
  }

  #notify() {
    for (const fn of [...this.#listeners]) fn();
  }

  // ---- snapshots ----

  #source() {
    const w = this.#want;
    if (this.#shown && (!w?.suspense || this.shows())) return { view: this.#shown.value, w: this.#shown.want };
    // Before the effect ran: a shared view already open for the same key shows at once.
    const view = w?.enabled && w.scope && w.sharedKey !== null ? w.scope.peek(w.sharedKey) : undefined;
    return { view, w };
  }

  // A read is in flight beside what is shown: a refetch, or new params (also in the
  // render that asked for them, before the effect opened their view).
  #fetching() {
    if (this.#pending !== null) return true;
    const w = this.#want;
    if (w?.suspense) return false;
    const h = this.#shown;
    return !!(h && w && w.enabled && w.scope && w.key !== null && (h.scope !== w.scope || h.key !== w.key));
  }

  #errorOf(text) {
    if (!text) return null;
    if (text !== this.#errorText) {
      this.#errorText = text;
      this.#error = new SsotError(text, { code: 'view' });
    }
    return this.#error;
  }

  #empty(isLoading) {
    return this.#kind === 'list'
      ? Object.freeze({ data: EMPTY, total: 0, isLoading, isFetching: isLoading, error: null, refetch: this.refetch, start: 0, pending: EMPTY })
      : Object.freeze({ data: null, isLoading, isFetching: isLoading, error: null, refetch: this.refetch, pending: EMPTY });
  }

  #finish(result) {
    if (this.#result && sameResult(result, this.#result)) return this.#result;
    this.#result = Object.freeze(result);
    return this.#result;
  }

  // The provider's client failed or was closed: nothing to show, and why.
  #failed(failure) {
    if (this.#result?.error === failure && this.#memo.failure === failure) return this.#result;
    this.#memo = { failure };
    return this.#finish({ ...this.#empty(false), error: failure });
  }

  #listSnapshot() {
    if (this.#want?.failure) return this.#failed(this.#want.failure);
    const { view, w } = this.#source();
    const base = view ? view.getSnapshot() : null;
    const fetching = this.#fetching();
    const m = this.#memo;
    if (m.view === view && m.base === base && m.fetching === fetching && m.w === w && this.#result) return this.#result;
    m.view = view;
    m.w = w;
    m.fetching = fetching;
    if (!base) {
      m.base = base;
      m.mapped = null;
      const waiting = !!(w?.enabled && (w.scope === null || w.key !== null));
      return this.#finish({ ...this.#empty(waiting || fetching), isFetching: waiting || fetching });
    }
    if (m.base !== base || m.mappedFrom !== this.#canon) {
      const canon = this.#canon?.view === view ? this.#canon.map : null;
      m.mapped = !base.items.length ? EMPTY : canon ? Object.freeze(base.items.map((r) => canon.get(r) ?? r)) : base.items;
      m.mappedFrom = this.#canon;
    }
    m.base = base;
    const win = w?.window ?? null;
    let items = m.mapped;
    let first = base.start ?? 0;
    if (win && view.isStatic) {
      // Not live: the window is a slice of what was read.
      if (m.sliceOf !== items || m.sliceKey !== `${win.start}:${win.count}`) {
        m.sliceOf = items;
        m.sliceKey = `${win.start}:${win.count}`;
        m.slice = Object.freeze(items.slice(win.start, win.start + win.count));
      }
      items = m.slice;
      first = win.start;
    }
    const isLoading = base.status === 'loading';
    return this.#finish({
      data: items,
      total: base.total,
      isLoading,
      isFetching: isLoading || fetching,
      error: base.status === 'error' ? this.#errorOf(base.error) : null,
      refetch: this.refetch,
      start: first,
      pending: base.pending ?? EMPTY,
    });
  }

  #itemSnapshot() {
    if (this.#want?.failure) return this.#failed(this.#want.failure);
    const { view, w } = this.#source();
    const base = view ? view.getSnapshot() : null;
    const fetching = this.#fetching();
    const m = this.#memo;
    if (m.view === view && m.base === base && m.fetching === fetching && m.w === w && this.#result) return this.#result;
    m.view = view;
    m.base = base;
    m.w = w;
    m.fetching = fetching;
    if (!base) {
      m.mapped = null;
      const waiting = !!(w?.enabled && (w.scope === null || w.key !== null));
      return this.#finish({ ...this.#empty(waiting || fetching), isFetching: waiting || fetching });
    }
    const c = this.#canon;
    m.mapped = c && c.view === view && c.from === base.data ? c.to : base.data;
    const isLoading = base.status === 'loading';
    return this.#finish({
      data: m.mapped ?? null,
      isLoading,
      isFetching: isLoading || fetching,
      error: base.status === 'error' ? this.#errorOf(base.error) : null,
      refetch: this.refetch,
      pending: base.pending ?? EMPTY,
    });
  }
}
