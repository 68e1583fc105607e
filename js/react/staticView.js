// Views that are not live (subscribe: false): one HTTP read through the
// DataClient, shaped like a LiveView / ItemView snapshot so the hooks treat both
// alike. They never show optimistic rows (those live in the core's live views);
// the holder reads again when a mutation of the model settles.
import { freezeDeep, EMPTY } from '../snapshot.js';

const message = (err) => (err && err.message) || String(err);

class StaticView {
  #listeners = new Set();
  #snapshot;
  closed = false;
  isStatic = true;

  constructor(initial, read, shape) {
    this.#snapshot = initial;
    let p;
    try {
      p = Promise.resolve(read());
    } catch (err) {
      p = Promise.reject(err);
    }
    p.then(
      (value) => this.#set(shape(value)),
      (err) => this.#set({ ...this.#snapshot, status: 'error', error: message(err) }),
    );
  }

  getSnapshot = () => this.#snapshot;

  subscribe = (listener) => {
    const entry = { listener };
    this.#listeners.add(entry);
    return () => this.#listeners.delete(entry);
  };

  setWindow() {}

  close() {
    this.closed = true;
    this.#listeners.clear();
  }

  #set(snapshot) {
    if (this.closed) return;
    this.#snapshot = Object.freeze(snapshot);
    for (const e of [...this.#listeners]) e.listener(this.#snapshot);
  }
}

/** dataClient.list(query) once. */
export function staticList(dataClient, query) {
  return new StaticView(
    Object.freeze({ items: EMPTY, total: 0, status: 'loading', error: null, start: 0, pending: EMPTY }),
    () => dataClient.list(query),
    (r) => ({ items: Object.freeze(r.items.map(freezeDeep)), total: r.total, status: 'ready', error: null, start: 0, pending: EMPTY }),
  );
}

/** dataClient.get(id) once. */
export function staticItem(dataClient, id) {
  return new StaticView(
    Object.freeze({ data: null, status: 'loading', error: null, pending: EMPTY }),
    () => dataClient.get(id),
    (data) => ({ data: data === null || data === undefined ? null : freezeDeep(data), status: 'ready', error: null, pending: EMPTY }),
  );
}
