// What useChannel and usePresence keep per component: a handle on the client's
// channel object for one name, shared by every hook on that name (the channel is
// left when the last one lets go) and opened in an effect, never in render.
import { SsotError } from '../errors.js';
import { expandChannel } from '../channel.js';
import { EMPTY as NO_MEMBERS } from '../snapshot.js';

const IDLE = Object.freeze({ status: 'idle', error: null });
const JOINING = Object.freeze({ status: 'joining', error: null });

/** The channel name for a pattern and params, or the error (a missing parameter). */
export function channelName(pattern, params) {
  if (pattern === null || pattern === undefined || pattern === '') return { name: null, error: null };
  try {
    return { name: expandChannel(pattern, params), error: null };
  } catch (error) {
    return { name: null, error };
  }
}

export class ChannelRef {
  #want = { client: null, scope: null, name: null, error: null };
  #h = null;
  #listeners = new Set();
  #status = null; // the last {status, error} given out
  #statusFrom = null;

  subscribe = (listener) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  /** In render. */
  prepare(want) { this.#want = want; }

  /** In an effect: joins (or shares) the channel; returns the cleanup that lets go. */
  commit() {
    const { client, scope, name } = this.#want;
    if (!client || !scope || !name) {
      this.#notify();
      return undefined;
    }
    const h = scope.acquire(`channel:${name}`, () => client.channel(name));
    const offStatus = h.value.subscribe(() => this.#notify());
    const offPresence = h.value.presence.subscribe(() => this.#notify());
    this.#h = h;
    this.#notify();
    return () => {
      offStatus();
      offPresence();
      if (this.#h === h) this.#h = null;
      h.release();
    };
  }

  /** The channel object (the shared one), or null. */
  get channel() {
    if (this.#h) return this.#h.value;
    const { scope, name } = this.#want;
    return (scope && name && scope.peek(`channel:${name}`)) || null;
  }

  getStatus = () => {
    const { client, name, error } = this.#want;
    const ch = this.channel;
    const from = ch ? ch.getSnapshot() : error ?? (client && name ? JOINING : IDLE);
    if (from === this.#statusFrom) return this.#status;
    this.#statusFrom = from;
    const snap = ch || !error ? from : { status: 'error', error };
    const err = snap.error === null || snap.error === undefined || snap.error instanceof Error
      ? snap.error ?? null
      : new SsotError(String(snap.error), { code: 'channel' });
    this.#status = Object.freeze({ status: snap.status, error: err });
    return this.#status;
  };

  getServerStatus = () => IDLE;

  getMembers = () => this.channel?.presence.getSnapshot() ?? NO_MEMBERS;

  getServerMembers = () => NO_MEMBERS;

  #notify() {
    for (const fn of [...this.#listeners]) fn();
  }
}
