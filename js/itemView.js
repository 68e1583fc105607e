// A live record: client.model('Message').watchItem(id). getSnapshot() ->
// {data, status, error}, the same frozen object until something changes.
import { Listeners } from './listeners.js';
import { freezeDeep } from './snapshot.js';

export class ItemView {
  #client;
  #id = 0;
  #listeners;
  #snapshot = Object.freeze({ data: null, status: 'loading', error: null });
  #closed = false;

  /** @internal created by DataClient.watchItem */
  constructor(client, model, itemId, report) {
    this.#client = client;
    this.model = model;
    this.itemId = itemId;
    this.#listeners = new Listeners(report);
    const error = client._open(this, (r) => r.watchItem(model, JSON.stringify(itemId)));
    if (error !== null) this.#snapshot = Object.freeze({ data: null, status: 'error', error });
  }

  get id() { return this.#id; }
  get closed() { return this.#closed; }

  getSnapshot = () => this.#snapshot;

  subscribe = (listener) => this.#listeners.add(listener);

  refetch() {
    if (this.#closed || !this.#id) return;
    this.#client._call((r) => r.refetch(this.#id));
  }

  close() {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#id) this.#client._close(this, (r) => r.closeView(this.#id));
    this.#listeners.clear();
  }

  /** @internal */ _setId(id) { this.#id = id; }

  /** @internal */
  _detach() {
    this.#closed = true;
    this.#listeners.clear();
  }

  /** @internal applies one `item` entry; returns true when the snapshot changed. */
  _apply(entry) {
    if (this.#closed) return false;
    const prev = this.#snapshot;
    const data = entry.data === undefined ? prev.data : freezeDeep(entry.data);
    const error = entry.error ?? null;
    if (data === prev.data && entry.status === prev.status && error === prev.error) return false;
    this.#snapshot = Object.freeze({ data, status: entry.status, error });
    return true;
  }

  /** @internal */ _notify() { this.#listeners.emit(this.#snapshot); }
}
