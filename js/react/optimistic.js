// Optimistic mutations, as an overlay the hooks apply to the snapshots they
// return (the JS API has no optimistic layer of its own). One Overlay per client.
//
// An entry lives from the call until the server answers:
//  - create: a temporary row {...data, id: 'optimistic:N'} shown in every view
//    whose query it matches (sorted in place, paged views stay paged);
//  - update: the fields given are laid over the row with that id wherever it is
//    shown (a row that no longer matches the view's where leaves it, a changed
//    sort field moves it);
//  - delete: the row is hidden wherever it is shown.
// Success: the runtime has already applied the server's answer to its views in
// the same drain that settles the request, so the entry is dropped and the real
// row takes the temporary one's place in the same render. A socket echo that
// comes before the HTTP answer is recognized by content (a row that was not in
// the view when the entry first showed there and carries every field sent), so
// the change is never shown twice. Failure: the entry is dropped (rolled back).
// Views that are not live (subscribe: false) keep showing a confirmed change
// until their refetch (they refetch when a mutation of their model settles).
import { sameJson } from '../snapshot.js';

const optimisticRows = new WeakSet();

/** true for a temporary (created) or patched row that the server has not confirmed yet. */
export const isOptimistic = (row) => row !== null && typeof row === 'object' && optimisticRows.has(row);

const CONFIRMED_TTL = 30000; // ms a confirmed entry stays for views that are not live
let nextTemp = 1;
const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());
const NONE = Object.freeze([]);

class ModelEntries {
  entries = NONE; // a new frozen array on each change
  listeners = new Set();
  settled = new Set();
  staticViews = 0;
}

export class Overlay {
  #models = new Map();

  #model(name) {
    let m = this.#models.get(name);
    if (!m) this.#models.set(name, (m = new ModelEntries()));
    return m;
  }

  /** The model's entries: the same array until one is added, confirmed or removed. */
  entries(model) { return this.#models.get(model)?.entries ?? NONE; }

  subscribe(model, listener) {
    const m = this.#model(model);
    m.listeners.add(listener);
    return () => m.listeners.delete(listener);
  }

  /** listener() after any mutation of the model settled (views that are not live refetch). */
  onSettled(model, listener) {
    const m = this.#model(model);
    m.settled.add(listener);
    m.staticViews++;
    return () => {
      m.settled.delete(listener);
      m.staticViews--;
    };
  }

  /** Adds an entry: kind 'create' (data; `row` adds fields to the temporary row), 'update' (id, data) or 'delete' (id). */
  add(model, kind, { id, data, row }) {
    const entry = { model, kind, key: `optimistic:${nextTemp++}`, id: id === undefined ? undefined : String(id), data, state: 'pending', record: null, at: 0 };
    if (kind === 'create') {
      entry.row = Object.freeze({ ...data, ...row, id: entry.key });
      optimisticRows.add(entry.row);
    }
    this.#set(model, [...this.entries(model), entry]);
    return entry;
  }

  /** The server answered: views that are not live keep `record` until they refetch. */
  confirm(entry, record = null) {
    const m = this.#models.get(entry.model);
    if (!m || !m.entries.includes(entry)) return;
    if (m.staticViews > 0) {
      const confirmed = { ...entry, state: 'confirmed', record, at: now() };
      this.#set(entry.model, m.entries.map((e) => (e === entry ? confirmed : e)));
      const timer = setTimeout(() => this.remove(confirmed), CONFIRMED_TTL);
      timer.unref?.();
    } else {
      this.remove(entry);
    }
  }

  remove(entry) {
    const m = this.#models.get(entry.model);
    if (m && m.entries.includes(entry)) this.#set(entry.model, m.entries.filter((e) => e !== entry));
  }

  /** A mutation of `model` settled (with or without an optimistic entry). */
  settled(model) {
    for (const fn of [...(this.#models.get(model)?.settled ?? [])]) fn();
  }

  #set(model, entries) {
    const m = this.#model(model);
    m.entries = entries.length ? Object.freeze(entries) : NONE;
    for (const fn of [...m.listeners]) fn();
  }
}

// Per holder: which rows a create entry may be echoed as, and patched rows kept
// by identity (the same base row and entry give the same object).
export class OverlayCache {
  baselines = new WeakMap(); // view -> WeakMap(entry -> Set of ids)
  patched = new WeakMap(); // base row -> Map(entry -> patched row)

  patch(row, entry, fields) {
    let m = this.patched.get(row);
    if (!m) this.patched.set(row, (m = new Map()));
    let out = m.get(entry);
    if (!out) {
      out = Object.freeze({ ...row, ...fields, id: row.id });
      if (entry.state === 'pending') optimisticRows.add(out);
      m.set(entry, out);
    }
    return out;
  }

  baseline(view, entry, items) {
    let m = this.baselines.get(view);
    if (!m) this.baselines.set(view, (m = new WeakMap()));
    let ids = m.get(entry);
    if (!ids) {
      ids = new Set();
      for (const r of items) ids.add(String(r.id));
      m.set(entry, ids);
    }
    return ids;
  }
}

// Which entries a view sees: pending ones; confirmed ones only in views that are
// not live and were fetched before the confirmation.
function visible(entries, isStatic, fetchedAt) {
  return entries.filter((e) => e.state === 'pending' || (isStatic && fetchedAt < e.at));
}

function echoed(entry, baseItems, baseline, claimed) {
  for (const row of baseItems) {
    const id = String(row.id);
    if (baseline.has(id) || claimed.has(id)) continue;
    let same = true;
    for (const k in entry.data) if (!sameJson(entry.data[k], row[k] ?? null)) { same = false; break; }
    if (same) {
      claimed.add(id);
      return true;
    }
  }
  return false;
}

function sortedIndex(arr, rec, compare) {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compare(arr[mid], rec) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The overlay over a list snapshot -> {items, total} (the same items array when
 * no entry touches this view). `view` identifies the source of `base` (baselines),
 * `q` is compileQuery(params); `cap` bounds a page or window (null: none).
 */
export function applyList(entries, base, items, { view, q, cache, isStatic, fetchedAt, offset, cap }) {
  const list = visible(entries, isStatic, fetchedAt);
  if (!list.length) return { items, total: base.total };
  let arr = null; // copied on first change
  let total = base.total;
  const claimed = new Set();
  const cur = () => arr ?? items;
  const copy = () => (arr ??= items.slice());
  for (const e of list) {
    if (e.kind === 'create') {
      const rec = e.state === 'pending' ? e.row : e.record;
      if (!rec || !q.matches(rec)) continue;
      if (e.state === 'confirmed' && cur().some((r) => String(r.id) === String(rec.id))) continue;
      if (e.state === 'pending' && echoed(e, base.items, cache.baseline(view, e, base.items), claimed)) continue;
      const a = cur();
      const pos = sortedIndex(a, rec, q.compare);
      total++;
      if (pos === 0 && offset > 0 && a.length > 0) continue; // may belong to an earlier page
      if (pos === a.length && offset + a.length < base.total) continue; // belongs to a later page
      copy().splice(pos, 0, rec);
      if (cap !== null && arr.length > cap) arr.pop();
      continue;
    }
    const a = cur();
    const i = a.findIndex((r) => String(r.id) === e.id);
    if (i < 0) continue;
    if (e.kind === 'delete') {
      copy().splice(i, 1);
      total--;
      continue;
    }
    const fields = e.state === 'pending' ? e.data : e.record;
    if (!fields || typeof fields !== 'object') continue;
    const next = cache.patch(a[i], e, fields);
    copy();
    if (!q.matches(next)) {
      arr.splice(i, 1);
      total--;
    } else if (Object.keys(fields).some((k) => q.orderFields.has(k))) {
      arr.splice(i, 1);
      arr.splice(sortedIndex(arr, next, q.compare), 0, next);
    } else {
      arr[i] = next;
    }
  }
  if (!arr) return { items, total };
  return { items: Object.freeze(arr), total: Math.max(0, total) };
}

/** The overlay over one record (useGet): patched, or null when deleted. */
export function applyItem(entries, data, id, { cache, isStatic, fetchedAt }) {
  if (data === null || data === undefined) return data ?? null;
  const key = String(id);
  let out = data;
  for (const e of visible(entries, isStatic, fetchedAt)) {
    if (e.kind === 'create' || e.id !== key) continue;
    if (e.kind === 'delete') return null;
    const fields = e.state === 'pending' ? e.data : e.record;
    if (fields && typeof fields === 'object') out = cache.patch(out, e, fields);
  }
  return out;
}
