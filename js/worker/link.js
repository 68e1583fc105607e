// The tab's line to the engine worker: starts (or finds) the worker, says hello,
// pings it, and notices when it stops answering or fails (then `onLost`).
import { PROTOCOL_VERSION, HEARTBEAT_MS, TIMEOUT_MS } from './protocol.js';
import { realClock } from './lifetimes.js';
import { VERSION } from '../version.js';

const START_TIMEOUT_MS = 20000;

/**
 * Opens a port on the worker: {port, target, close()}. The worker's URL is written
 * inline as bundlers look for it (Vite, webpack 5, Parcel bundle the worker from
 * `new (Shared)Worker(new URL('./x.js', import.meta.url), {type: 'module'})`);
 * `url` (config.workerUrl) replaces it for a worker hosted elsewhere.
 */
export function openWorker(mode, url, name) {
  if (mode === 'shared-worker') {
    const w = url
      ? new SharedWorker(url, { type: 'module', name })
      : new SharedWorker(new URL('./engineWorker.js', import.meta.url), { type: 'module', name });
    return { port: w.port, target: w, close: () => w.port.close() };
  }
  const w = url
    ? new Worker(url, { type: 'module', name })
    : new Worker(new URL('./engineWorker.js', import.meta.url), { type: 'module', name });
  return { port: w, target: w, close: () => w.terminate() };
}

export class Link {
  #open;
  #clock;
  #timeoutMs;
  #heard = 0; // when the worker last said something (one peer: no Liveness needed)
  #stop = null;
  #worker = null;
  #hello;

  /** open() -> {port, target, close}; hello: the hello message; handlers: onMessage(m), onLost(reason). */
  constructor(open, hello, { onMessage, onLost, clock = realClock, timeoutMs = TIMEOUT_MS }) {
    this.#open = open;
    this.#hello = hello;
    this.onMessage = onMessage;
    this.onLost = onLost;
    this.#clock = clock;
    this.#timeoutMs = timeoutMs;
  }

  /** Attaches (again): resolves with the `welcome` message, rejects with why not. */
  attach() {
    this.#detach();
    return new Promise((resolve, reject) => {
      let welcomed = false;
      let worker;
      const fail = (reason) => {
        if (welcomed) return this.#lose(worker, reason);
        this.#detach();
        reject(new Error(reason));
      };
      const timer = setTimeout(() => fail('the engine worker did not answer'), START_TIMEOUT_MS);
      try {
        worker = this.#worker = this.#open();
      } catch (err) {
        clearTimeout(timer);
        return reject(err);
      }
      worker.target.addEventListener('error', (e) => fail(`the engine worker failed${e?.message ? `: ${e.message}` : ''}`));
      worker.port.onmessage = (e) => {
        const m = e.data;
        if (worker !== this.#worker || !m) return;
        this.#heard = this.#clock.now();
        if (!welcomed) {
          if (m.t === 'refused') return fail(`the engine worker refused: ${m.reason}`);
          if (m.t !== 'welcome') return;
          welcomed = true;
          clearTimeout(timer);
          this.#startHeartbeat(worker);
          return resolve(m);
        }
        if (m.t === 'refused') return this.#lose(worker, `the engine worker refused: ${m.reason}`);
        this.onMessage(m);
      };
      worker.port.start?.();
      worker.port.postMessage({ ...this.#hello, v: PROTOCOL_VERSION, pkg: VERSION });
    });
  }

  /** Attached, or attaching (then the worker answers it once the hello is). */
  get linked() { return this.#worker !== null; }

  send(message) {
    try { this.#worker?.port.postMessage(message); } catch { /* lost: the heartbeat notices */ }
  }

  /** The tab is going: tell the worker, then let go. */
  close() {
    this.send({ t: 'bye' });
    this.#detach();
  }

  #startHeartbeat(worker) {
    this.#heard = this.#clock.now();
    this.#stop = this.#clock.every(HEARTBEAT_MS, () => {
      if (this.#clock.now() - this.#heard > this.#timeoutMs) return this.#lose(worker, 'the engine worker stopped answering');
      this.send({ t: 'ping' });
    });
  }

  #lose(worker, reason) {
    if (worker !== this.#worker) return;
    this.#detach();
    this.onLost(reason);
  }

  #detach() {
    this.#stop?.();
    this.#stop = null;
    const w = this.#worker;
    this.#worker = null;
    if (w) {
      w.port.onmessage = null;
      try { w.close(); } catch { /* already gone */ }
    }
  }
}
