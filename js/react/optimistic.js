// Optimistic mutations, as an overlay the hooks apply to the snapshots they
// return (the JS API has no optimistic layer of its own). One Overlay per client.
//
// An entry lives from the call until the server's answer has reached the views:
//  - create: a temporary row {...data, id: 'optimistic:N'} shown in every view
//    whose query it matches (sorted in place; a page or window stays one);
//  - update: the fields given are laid over the row with that id wherever it is
//    shown (a row that no longer matches the view's where leaves it, a changed
//    sort field moves it);
//  - delete: the row is hidden wherever it is shown.
// Pending: a socket echo that reaches a view before the HTTP answer is recognized
// by content (a create: a row that was not in the view when the entry first showed
// there and carries every field sent; an update: the row already has the fields),
// so the change is never shown twice.
// Confirmed (the HTTP answer, with the server's record): the runtime shows the
// change with its next flush, which may come a batching interval after the
// answer. Until then the entry shows the server's record (real id); in each view
// it stops applying once the change has landed there (the real id is in the view,
// the row changed, the deleted row is gone), and it is dropped after a while.
// Views that are not live (subscribe: false) show a confirmed change until their
// refetch (they refetch when a mutation of their model settles).
// Failure: the entry is dropped at once (rolled back).
import { sameJson } from '../snapshot.js';

const optimisticRows = new WeakSet();

/** true for a temporary (created) or patched row that the server has not confirmed yet. */
export const isOptimistic = (row) => row !== null && typeof row === 'object' && optimisticRows.has(row);

const CONFIRMED_TTL = 5000; // ms a confirmed entry may wait to land (views that are not live refetch before)
let nextTemp = 1;
const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());
const NONE = Object.freeze([]);

class ModelEntries {
  entries = NONE; // a new frozen array on each change
  listeners = new Set();
  settled = new Set();
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
    return () => m.settled.delete(listener);
  }

  /**
   * Adds an entry: kind 'create' (data; `row`: more fields for the temporary
   * row), 'update' (id, data) or 'delete' (id).
   */
  add(model, kind, { id, data, row }) {
    const entry = { model, kind, key: `optimistic:${nextTemp++}`, id: id === undefined ? undefined : String(id), data, state: 'pending', record: null, at: 0 };
    if (kind === 'create') {
      entry.row = Object.freeze({ ...data, ...row, id: entry.key });
      optimisticRows.add(entry.row);
    }
    this.#set(model, [...this.entries(model), entry]);
    return entry;
  }

  /** The server answered with `record` (null for a delete): shown until it lands. */
  confirm(entry, record = null) {
    const m = this.#models.get(entry.model);
    if (!m || !m.entries.includes(entry)) return;
    const rec = record !== null && typeof record === 'object' ? Object.freeze({ ...record }) : null;
    if (entry.kind !== 'delete' && (!rec || rec.id === undefined || rec.id === null)) return this.remove(entry);
    const confirmed = { ...entry, state: 'confirmed', record: rec, at: now(), id: rec ? String(rec.id) : entry.id };
    this.#set(entry.model, m.entries.map((e) => (e === entry ? confirmed : e)));
    const timer = setTimeout(() => this.remove(confirmed), CONFIRMED_TTL);
    timer.unref?.();
    return undefined;
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

// Per holder: what each entry has seen in each view (echo baselines, landed
// changes) and patched rows kept by identity (same base row + entry = same object).
export class OverlayCache {
  #views = new WeakMap(); // view -> {baselines: WeakMap(entry -> Set), rows: WeakMap(entry -> row), landed: WeakSet}
  #patched = new WeakMap(); // base row -> Map(entry -> patched row)

  of(view) {
    let v = this.#views.get(view);
    if (!v) this.#views.set(view, (v = { baselines: new WeakMap(), rows: new WeakMap(), landed: new WeakSet() }));
    return v;
  }

  patch(row, entry, fields) {
    let m = this.#patched.get(row);
    if (!m) this.#patched.set(row, (m = new Map()));
    let out = m.get(entry);
    if (!out) {
      out = Object.freeze({ ...row, ...fields, id: row.id });
      if (entry.state === 'pending') optimisticRows.add(out);
      m.set(entry, out);
    }
    return out;
  }
}

// Every field of `fields` already has that value in `row`.
function has(row, fields) {
  for (const k in fields) if (!sameJson(fields[k], row[k] ?? null)) return false;
  return true;
}

function idsOf(items) {
  const ids = new Map();
  for (let i = 0; i < items.length; i++) ids.set(String(items[i].id), i);
  return ids;
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

// Whether a confirmed entry still applies to this view, marking it landed when not.
function stillApplies(e, seen, baseIds, baseRow, isStatic, fetchedAt) {
  if (isStatic) return fetchedAt < e.at;
  if (seen.landed.has(e)) return false;
  let landed;
  if (e.kind === 'create') landed = baseIds.has(e.id);
  else if (e.kind === 'delete') landed = !baseIds.has(e.id);
  else if (!baseRow) landed = false;
  else {
    // The row changed since the answer came (the echo or newer), or already has it.
    if (!seen.rows.has(e)) seen.rows.set(e, baseRow);
    landed = seen.rows.get(e) !== baseRow || has(baseRow, e.record);
  }
  if (landed) seen.landed.add(e);
  return !landed;
}

/**
 * The overlay over a list snapshot -> {items, total} (the same items array when
 * no entry touches this view). `items` are the rows to show (base.items, maybe
 * with earlier objects for unchanged rows); `view` is where base came from; `q`
 * is compileQuery(params); `offset` the index of items[0] in the full result;
 * `cap` bounds a page or window (null: none).
 */
export function applyList(entries, base, items, { view, q, cache, isStatic, fetchedAt, offset, cap }) {
  if (!entries.length) return { items, total: base.total };
  const seen = cache.of(view);
  const baseIds = idsOf(base.items);
  let arr = null; // copied on first change
  let total = base.total;
  let claimed = null;
  const cur = () => arr ?? items;
  const copy = () => (arr ??= items.slice());
  const indexOf = (id) => (arr === null ? baseIds.get(id) ?? -1 : arr.findIndex((r) => String(r.id) === id));
  for (const e of entries) {
    if (e.state === 'confirmed' && !stillApplies(e, seen, baseIds, e.kind === 'update' ? base.items[baseIds.get(e.id)] : null, isStatic, fetchedAt)) continue;
    if (e.kind === 'create') {
      const rec = e.state === 'pending' ? e.row : e.record;
      if (!q.matches(rec)) continue;
      if (e.state === 'pending') {
        // An echo that came before the answer: a new row with every field sent.
        let baseline = seen.baselines.get(e);
        if (!baseline) seen.baselines.set(e, (baseline = new Set(baseIds.keys())));
        claimed ??= new Set();
        const echo = base.items.find((r) => !baseline.has(String(r.id)) && !claimed.has(String(r.id)) && has(r, e.data));
        if (echo) {
          claimed.add(String(echo.id));
          continue;
        }
      } else if (indexOf(e.id) >= 0) continue;
      const a = cur();
      const pos = sortedIndex(a, rec, q.compare);
      total++;
      if (pos === 0 && offset > 0 && a.length > 0) continue; // may belong to an earlier page
      if (pos === a.length && offset + a.length < base.total) continue; // belongs to a later page
      copy().splice(pos, 0, rec);
      if (cap !== null && arr.length > cap) arr.pop();
      continue;
    }
    const i = indexOf(e.id);
    if (i < 0) continue;
    if (e.kind === 'delete') {
      copy().splice(i, 1);
      total--;
      continue;
    }
    const fields = e.state === 'pending' ? e.data : e.record;
    const row = cur()[i];
    if (!fields || typeof fields !== 'object' || has(row, fields)) continue;
    const next = cache.patch(row, e, fields);
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
export function applyItem(entries, data, id, { view, cache, isStatic, fetchedAt }) {
  if (data === null || data === undefined || !entries.length) return data ?? null;
  const key = String(id);
  const seen = cache.of(view);
  const ids = new Map([[String(data.id ?? key), 0]]);
  let out = data;
  for (const e of entries) {
    if (e.kind === 'create' || e.id !== key) continue;
    if (e.state === 'confirmed' && !stillApplies(e, seen, ids, data, isStatic, fetchedAt)) continue;
    if (e.kind === 'delete') return null;
    const fields = e.state === 'pending' ? e.data : e.record;
    if (fields && typeof fields === 'object' && !has(out, fields)) out = cache.patch(out, e, fields);
  }
  return out;
}
