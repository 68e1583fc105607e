// The engine's getToken, in the worker: every attached tab that has a getToken is
// asked (and a tab that attaches meanwhile); the first token wins. The ask ends
// with null once every asked tab answered null or went, or after `waitMs` (a
// frozen tab must not hold the engine); a token that comes later is still taken
// (the host adopts it: the engine reconnects).
export class TokenAsk {
  #resolve;
  #asked = new Set();

  constructor(now, waitMs) {
    this.since = now;
    this.waitMs = waitMs;
    this.promise = new Promise((resolve) => { this.#resolve = resolve; });
    this.done = false;
  }

  ask(session) {
    if (this.done || this.#asked.has(session)) return;
    this.#asked.add(session);
    session.send({ t: 'getToken' });
  }

  /** The tab answered (token or null) or went (null). */
  answer(session, token) {
    if (this.done) return;
    this.#asked.delete(session);
    if (token) this.end(token);
    else if (this.#asked.size === 0) this.end(null);
  }

  nobodyAsked() { if (this.#asked.size === 0) this.end(null); }

  expired(now) { return now - this.since > this.waitMs; }

  end(token) {
    if (this.done) return;
    this.done = true;
    this.#resolve(token);
  }
}
