// A live list query: client.model('Message').watch({where, orderBy, skip, take}).
// getSnapshot() returns the same frozen object until something visible changes;
// subscribe(listener) calls the listener after each change (useSyncExternalStore).
import { ViewHandle } from './viewHandle.js';
import { nextItems, EMPTY } from './snapshot.js';

export class LiveView extends ViewHandle {
  #window = null; // [start, count] while a window is set
  #rewindowed = false; // the next change resends the window's rows
  #work = null; // an unfrozen copy of the items (snapshot.js nextItems)

  /** @internal created by DataClient.watch */
  constructor(client, model, query, report) {
    super(client, Object.freeze({ items: EMPTY, total: 0, status: 'loading', error: null, start: 0, pending: EMPTY }), report);
    this.model = model;
    this.query = query;
    const error = client._open(this, (r) => r.watch(model, JSON.stringify(query ?? {})));
    if (error !== null) this._replace(Object.freeze({ ...this.getSnapshot(), status: 'error', error }));
  }

  // Only rows [start, start + count) become JS objects (virtualized lists);
  // setWindow(null) or a negative count shows every row again.
  setWindow(start, count) {
    if (this.closed || !this.id) return;
    const clear = start === null || start === undefined || count === null || count === undefined || count < 0;
    if (!clear && !(Number.isInteger(start) && start >= 0 && Number.isInteger(count))) {
      throw new TypeError('setWindow(start, count): start and count must be non-negative integers');
    }
    this.#window = clear ? null : [start, count];
    this.#rewindowed = true;
    this._client._call((r) => r.setWindow(this.id, clear ? 0 : start, clear ? -1 : count));
  }

  /** @internal applies one `view` entry; returns true when the snapshot changed. */
  _apply(entry) {
    if (this.closed) return false;
    const prev = this.getSnapshot();
    const next = nextItems(prev, entry, this.#rewindowed, this.#work);
    this.#rewindowed = false;
    this.#work = next?.work ?? null;
    if (next === null) {
      // The change does not fit what we hold (should not happen): ask for every row anew.
      this._client._report(new Error(`ssot view ${this.id}: change did not fit the previous rows; resyncing`));
      const w = this.#window;
      this._client._call((r) => r.setWindow(this.id, w ? w[0] : 0, w ? w[1] : -1));
      return false;
    }
    const error = entry.error ?? null;
    // Ids of rows that await the server's confirmation (sent only when it changed).
    const pending = entry.pending === undefined ? prev.pending : entry.pending.length ? Object.freeze(entry.pending) : EMPTY;
    if (next.items === prev.items && next.start === prev.start && entry.total === prev.total &&
        entry.status === prev.status && error === prev.error && pending === prev.pending) return false;
    this._replace(Object.freeze({ items: next.items, total: entry.total, status: entry.status, error, start: next.start, pending }));
    return true;
  }
}
