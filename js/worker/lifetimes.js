// The timing logic of the worker modes, on an injected clock (unit-tested with
// a fake one): which peers went silent, and when an empty engine may close.

/** {now(), every(ms, fn) -> stop()}: the real clock. */
export const realClock = {
  now: () => performance.now(),
  every(ms, fn) {
    const t = setInterval(fn, ms);
    return () => clearInterval(t);
  },
};

/** Runs fn once, `ms` from now, on `clock`; -> cancel(). */
export function after(clock, ms, fn) {
  const stop = clock.every(ms, () => {
    stop();
    fn();
  });
  return stop;
}

/** Peers that must be heard from every `timeoutMs`; exempt ones (a Web Lock watches them) never expire. */
export class Liveness {
  #seen = new Map(); // key -> last time heard (or Infinity: exempt)
  constructor(timeoutMs) { this.timeoutMs = timeoutMs; }
  seen(key, now) { if (this.#seen.get(key) !== Infinity) this.#seen.set(key, now); }
  exempt(key) { this.#seen.set(key, Infinity); }
  /** No longer exempt (its Web Lock could not be had): heard from `now`, then the timeout applies. */
  watch(key, now) { this.#seen.set(key, now); }
  forget(key) { this.#seen.delete(key); }
  /** The keys not heard from for longer than the timeout (still listed until forgotten). */
  expired(now) {
    const out = [];
    for (const [key, t] of this.#seen) if (now - t > this.timeoutMs) out.push(key);
    return out;
  }
}

/** Starts when the last peer leaves; due `ms` later unless a peer came back. */
export class Grace {
  #since = null;
  constructor(ms) { this.ms = ms; }
  empty(now) { if (this.#since === null) this.#since = now; }
  filled() { this.#since = null; }
  due(now) { return this.#since !== null && now - this.#since >= this.ms; }
}
