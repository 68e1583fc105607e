// client.connection: the WebSocket's state as the runtime reports it.
// state: 'idle' | 'connecting' | 'open' | 'reconnecting' | 'unauthorized' |
//        'forbidden' | 'failed' | 'closed'; error: why the last close or
// failure happened (or null); retryAt: epoch ms of the next attempt while
// reconnecting (or null).
import { Listeners } from './listeners.js';

export class Connection {
  #snapshot;
  #listeners;

  /** @internal */
  constructor(report, state = 'idle') {
    this.#listeners = new Listeners(report);
    this.#snapshot = Object.freeze({ state, error: null, retryAt: null });
  }

  get state() { return this.#snapshot.state; }
  get error() { return this.#snapshot.error; }
  get retryAt() { return this.#snapshot.retryAt; }

  /** {state, error, retryAt}: the same frozen object until one of them changes. */
  getSnapshot = () => this.#snapshot;

  subscribe = (listener) => this.#listeners.add(listener);

  /** @internal returns true when something changed (listeners are called by _notify). */
  _set({ state, error = null, retryAt = null }) {
    const s = this.#snapshot;
    if (s.state === state && s.error === error && s.retryAt === retryAt) return false;
    this.#snapshot = Object.freeze({ state, error, retryAt });
    return true;
  }

  /** @internal */ _notify() { this.#listeners.emit(this.#snapshot); }
  /** @internal */ _clear() { this.#listeners.clear(); }
}
