// What Client (the engine in this tab) and WorkerClient (the engine in a worker)
// share: the calls whose answer does not depend on where the engine runs.
import { defaultReport } from './listeners.js';
import { Channel, expandChannel } from './channel.js';
import { DataClient } from './dataClient.js';

export class ClientBase {
  #report;
  #getToken;
  #models = new Map(); // model name -> DataClient

  constructor(config) {
    const onError = typeof config.onError === 'function' ? config.onError : null;
    // An onError that throws must not break the client: its own error goes to the console.
    this.#report = onError ? (err) => { try { onError(err); } catch (e) { defaultReport(e); } } : defaultReport;
    this.#getToken = typeof config.getToken === 'function' ? config.getToken : null;
  }

  /** The seeds' DataClient for a model (one per name). */
  model(name) {
    if (typeof name !== 'string' || !name) throw new TypeError('model(name): name must be a non-empty string');
    let m = this.#models.get(name);
    if (!m) this.#models.set(name, (m = new DataClient(this, name, this.#report)));
    return m;
  }

  /** A custom channel: channel('chat:room:{roomId}', {roomId: 1}). */
  channel(pattern, params) {
    return new Channel(this, expandChannel(pattern, params), this.#report);
  }

  /** @internal config.getToken's answer: a non-empty string, else null (a failure is reported). */
  async _askToken() {
    let token = null;
    try {
      if (this.#getToken) token = await this.#getToken();
    } catch (err) {
      this.#report(err);
    }
    return typeof token === 'string' && token ? token : null;
  }

  /** @internal config.onError, else the console (listeners' errors, errors with no caller to reject). */
  get _report() { return this.#report; }
}
