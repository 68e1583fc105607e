// What list and item views share: the runtime view id, listeners, the frozen
// snapshot (getSnapshot/subscribe for useSyncExternalStore), refetch and close.
import { Listeners } from './listeners.js';

export class ViewHandle {
  #client;
  #id = 0;
  #listeners;
  #snapshot;
  #closed = false;

  constructor(client, snapshot, report) {
    this.#client = client;
    this.#snapshot = snapshot;
    this.#listeners = new Listeners(report);
  }

  /** The runtime's view id (0 when the view could not be opened). */
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

  /** @internal the client closed: keep the last snapshot, drop listeners. */
  _detach() {
    this.#closed = true;
    this.#listeners.clear();
  }

  /** @internal */ _notify() { this.#listeners.emit(this.#snapshot); }

  /** @protected */ get _client() { return this.#client; }
  /** @protected */ _replace(snapshot) { this.#snapshot = snapshot; }
}
