// Pure snapshot building for list views: the next items array from the previous
// one and one `view` entry of the runtime's outbox. Rows that did not change keep
// their (frozen) objects, so React rows that did not change keep their identity.

// Freezes a parsed record and what it holds (parsed once, never mutated after).
export function freezeDeep(value) {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const k in value) {
      const v = value[k];
      if (v !== null && typeof v === 'object') freezeDeep(v);
    }
  }
  return value;
}

/** The one frozen empty array of snapshots (items, pending). */
export const EMPTY = Object.freeze([]);
// V8 allocates an array of more than about 16k elements (128 KB) in its large-object
// space, slowly: a slice of 100k rows takes 0.4 ms, of 10k 5 us. Above this many rows a
// few splices in place (a memmove each) beat the two new arrays of slices joined.
const LARGE = 16384;

// Two parsed JSON values with the same content.
export function sameJson(a, b) {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (!Object.prototype.hasOwnProperty.call(b, k) || !sameJson(a[k], b[k])) return false;
  return true;
}

// Returns {items, start, work} for the next snapshot, or null when the entry does not
// fit the previous array (the caller then asks the runtime for every row anew).
// `items === prev.items` when no row changed. `rewindowed`: the window was just
// set, so the runtime resends every row of it; rows the JS side already holds
// with the same content keep their objects.
// `work`: the caller's unfrozen copy of prev.items (the last call's `work`), or null.
// V8 copies a frozen array only element by element (slice of 15k rows: ~0.7 ms, of
// an unfrozen one: ~8 us), so splices are made on this copy, which then becomes the
// next `work`, and the snapshot is a frozen slice of it.
export function nextItems(prev, entry, rewindowed = false, work = null) {
  if (entry.ids !== undefined) return windowItems(prev, entry, rewindowed);
  if (entry.removed !== undefined) return spliceItems(prev, entry, work);
  if (entry.rows !== undefined) {
    // Every row (first hydration, or a window just cleared): rows the JS side
    // already holds with the same content keep their objects.
    const rows = entry.rows;
    let held = null;
    if (prev.items.length) {
      held = new Map();
      for (const rec of prev.items) held.set(String(rec.id), rec);
    }
    for (let i = 0; i < rows.length; i++) {
      const same = held?.get(String(rows[i].id));
      rows[i] = same !== undefined && sameJson(same, rows[i]) ? same : freezeDeep(rows[i]);
    }
    return { items: rows.length ? Object.freeze(rows.slice()) : EMPTY, start: 0, work: rows };
  }
  return { items: prev.items, start: prev.start, work }; // status / total only
}

// Splice form: `removed` = old indices ascending, `inserted` = [[newIndex, record]]
// ascending, `updated` = [[newIndex, record]].
function spliceItems(prev, { removed, inserted, updated }, work) {
  const old = prev.items;
  if (!removed.length && !inserted.length && !updated.length) return { items: old, start: 0, work };
  const n = old.length - removed.length + inserted.length;
  if (n < 0) return null;
  const m = old.length;
  const held = work !== null && work.length === m && (m === 0 || (work[0] === old[0] && work[m - 1] === old[m - 1]));
  const src = held ? work : [...old]; // spread: the fastest copy of a frozen array
  const out = removed.length + inserted.length <= 64 ? spliceFew(src, n, removed, inserted) : spliceMany(src, n, removed, inserted);
  if (out === null) return null;
  for (let u = 0; u < updated.length; u++) {
    const [i, rec] = updated[u];
    if (!(i < n)) return null;
    out[i] = freezeDeep(rec);
  }
  return { items: Object.freeze(out.slice()), start: 0, work: out };
}

// Many rows moved: one pass over the old array.
function spliceMany(old, n, removed, inserted) {
  const out = new Array(n);
  let oi = 0; // next old index
  let ri = 0; // next removed entry
  let ii = 0; // next inserted entry
  for (let ni = 0; ni < n; ni++) {
    if (ii < inserted.length && inserted[ii][0] === ni) {
      out[ni] = freezeDeep(inserted[ii++][1]);
      continue;
    }
    while (ri < removed.length && removed[ri] === oi) { ri++; oi++; }
    if (oi >= old.length) return null;
    out[ni] = old[oi++];
  }
  // Everything removed and inserted must have been placed.
  while (ri < removed.length && removed[ri] === oi) { ri++; oi++; }
  if (ii !== inserted.length || ri !== removed.length || oi !== old.length) return null;
  return out;
}

// Few rows moved: the untouched runs of the (unfrozen, ours) old array copied with
// slice and joined with one concat (in a large array: spliced in place). Returns the new
// array (`old` itself when only updates follow: it is ours to change), or null when the
// change does not fit.
function spliceFew(old, n, removed, inserted) {
  if (old.length > LARGE) return spliceInPlace(old, n, removed, inserted);
  const parts = [];
  let oi = 0; // next old index
  let ni = 0; // next new index
  let ri = 0;
  let ii = 0;
  while (ri < removed.length || ii < inserted.length) {
    const more = ri < removed.length;
    const r = more ? removed[ri] : old.length;
    const at = ii < inserted.length ? inserted[ii][0] : Infinity;
    const copy = Math.min(r - oi, at - ni); // old rows kept before the next change
    if (!(copy >= 0) || (more && r >= old.length)) return null;
    if (copy > 0) {
      parts.push(old.slice(oi, oi + copy));
      oi += copy;
      ni += copy;
    }
    if (ni === at) {
      const rows = [];
      while (ii < inserted.length && inserted[ii][0] === ni + rows.length) rows.push(freezeDeep(inserted[ii++][1]));
      parts.push(rows);
      ni += rows.length;
    } else if (more && oi === r) {
      ri++;
      oi++;
    } else {
      return null; // an insert beyond the end
    }
  }
  if (oi < old.length) parts.push(oi ? old.slice(oi) : old);
  if (ni + old.length - oi !== n) return null;
  if (parts.length === 0) return [];
  return parts.length === 1 ? parts[0] : parts[0].concat(...parts.slice(1));
}

// Few rows moved in a large array: spliced into `work` (unfrozen, ours) in place, each
// run of adjacent indices with one splice (one memmove of the tail). Returns `work`, or
// null when the change does not fit (`work` is then left half changed: the caller drops it).
function spliceInPlace(work, n, removed, inserted) {
  for (let i = 0; i < removed.length; i++) {
    if (!(removed[i] >= 0 && removed[i] < work.length) || (i > 0 && !(removed[i] > removed[i - 1]))) return null;
  }
  for (let j = removed.length - 1; j >= 0;) { // from the end: the indices before stay valid
    let i = j;
    while (i > 0 && removed[i - 1] === removed[i] - 1) i--;
    work.splice(removed[i], j - i + 1);
    j = i - 1;
  }
  for (let i = 0; i < inserted.length;) { // ascending: each lands at its final index
    const at = inserted[i][0];
    if (!(at >= 0 && at <= work.length) || (i > 0 && !(at > inserted[i - 1][0]))) return null;
    const rows = [freezeDeep(inserted[i++][1])];
    while (i < inserted.length && inserted[i][0] === at + rows.length) rows.push(freezeDeep(inserted[i++][1]));
    work.splice(at, 0, ...rows);
  }
  return work.length === n ? work : null;
}

// Window form: `ids` = the ids of the rows in the window, in order; `rows` =
// [[indexInWindow, record]] for the rows the JS side does not hold yet.
function windowItems(prev, { start, ids, rows }, rewindowed) {
  const n = ids.length;
  const out = new Array(n);
  let held = null;
  if (rewindowed && prev.items.length) {
    held = new Map();
    for (const rec of prev.items) held.set(String(rec.id), rec);
  }
  for (let r = 0; r < rows.length; r++) {
    const [i, rec] = rows[r];
    if (i >= n) return null;
    const same = held?.get(String(rec.id));
    out[i] = same !== undefined && sameJson(same, rec) ? same : freezeDeep(rec);
  }
  if (rows.length !== n) {
    const old = prev.items;
    const shift = start - prev.start; // old index of window row i = i + shift
    let byId = null;
    for (let i = 0; i < n; i++) {
      if (out[i] !== undefined) continue;
      const key = String(ids[i]);
      const same = old[i + shift];
      if (same !== undefined && String(same.id) === key) {
        out[i] = same;
        continue;
      }
      if (byId === null) {
        byId = new Map();
        for (let j = 0; j < old.length; j++) byId.set(String(old[j].id), old[j]);
      }
      const found = byId.get(key);
      if (found === undefined) return null;
      out[i] = found;
    }
  }
  // The same rows as before: keep the old array.
  const old = prev.items;
  if (start === prev.start && n === old.length) {
    let same = true;
    for (let i = 0; i < n && same; i++) same = out[i] === old[i];
    if (same) return { items: old, start };
  }
  return { items: n ? Object.freeze(out) : EMPTY, start };
}
