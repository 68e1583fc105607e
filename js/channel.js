// A custom channel (client.channel('chat:room:{roomId}', {roomId: 1})): events
// published by others, publish(), presence, and the subscription's status.
import { Listeners } from './listeners.js';

const NO_MEMBERS = Object.freeze([]);

// Fills `{name}` placeholders from params: 'chat:room:{roomId}' + {roomId: 1} -> 'chat:room:1'.
export function expandChannel(pattern, params) {
  if (typeof pattern !== 'string' || !pattern) throw new TypeError('channel name must be a non-empty string');
  return pattern.replace(/\{([^{}]*)\}/g, (_, name) => {
    const v = params?.[name];
    if ((typeof v === 'string' && v) || (typeof v === 'number' && Number.isFinite(v))) return String(v);
    throw new TypeError(`channel parameter '${name}' is missing`);
  });
}

class Presence {
  #members = NO_MEMBERS;
  #listeners;

  constructor(report) { this.#listeners = new Listeners(report); }

  /** Who is on the channel: [{userId, name}], frozen; a new array on each change. */
  get members() { return this.#members; }

  subscribe = (listener) => this.#listeners.add(listener);

  getSnapshot = () => this.#members;

  /** @internal */
  _set(members) {
    this.#members = Object.freeze(members.map((m) => Object.freeze({ ...m })));
    return true;
  }

  /** @internal */
  _join(member) {
    if (!member || member.userId === undefined) return false;
    if (this.#members.some((m) => m.userId === member.userId)) return false;
    return this._set([...this.#members, member]);
  }

  /** @internal */
  _leave(member) {
    if (!member || member.userId === undefined) return false;
    const next = this.#members.filter((m) => m.userId !== member.userId);
    if (next.length === this.#members.length) return false;
    return this._set(next);
  }

  /** @internal */ _notify() { this.#listeners.emit(this.#members); }
  /** @internal */ _clear() { this.#listeners.clear(); }
}

export class Channel {
  #client;
  #events = new Map(); // event name (or '*') -> Listeners
  #listeners;
  #report;
  #snapshot = Object.freeze({ status: 'joining', error: null });
  #closed = false;

  /** @internal created by client.channel() */
  constructor(client, name, report) {
    this.#client = client;
    this.#report = report;
    this.name = name;
    this.#listeners = new Listeners(report);
    this.presence = new Presence(report);
    const error = client._join(this);
    if (error !== null) this.#snapshot = Object.freeze({ status: 'error', error });
  }

  /** 'joining' | 'ready' | 'error' | 'closed' */
  get status() { return this.#snapshot.status; }
  get error() { return this.#snapshot.error; }

  /** {status, error}: the same frozen object until one of them changes. */
  getSnapshot = () => this.#snapshot;

  /** Status changes (joined, refused, rejoining after a reconnect). */
  subscribe = (listener) => this.#listeners.add(listener);

  /** cb(data, {event, from, channel}) for each `event` published by someone else; '*' = every event. */
  on(event, callback) {
    if (typeof event !== 'string' || !event) throw new TypeError('on(event, callback): event must be a non-empty string');
    let set = this.#events.get(event);
    if (!set) this.#events.set(event, (set = new Listeners(this.#report)));
    return set.add(callback);
  }

  /** Sends an event to the channel's other subscribers; false when it cannot be sent now. */
  publish(event, data) {
    if (this.#closed) return false;
    let json;
    try {
      json = data === undefined ? 'null' : JSON.stringify(data);
    } catch (err) {
      this.#report(err);
      return false;
    }
    return this.#client._publish(this.name, event, json);
  }

  close() {
    if (this.#closed) return;
    this.#closed = true;
    this.#client._leave(this);
    this.#setStatus('closed', null);
    this.#events.clear();
    this.#listeners.clear();
    this.presence._clear();
  }

  /** @internal */
  _detach() {
    if (this.#closed) return;
    this.#closed = true;
    this.#setStatus('closed', null);
    this.#events.clear();
    this.#listeners.clear();
    this.presence._clear();
  }

  /** @internal a `channel` entry: subscribed (again), maybe with the members. */
  _ready(entry) {
    if (this.#closed) return;
    if (Array.isArray(entry.members) && this.presence._set(entry.members)) this.presence._notify();
    this.#setStatus('ready', null);
  }

  /** @internal an `error` entry for this channel (Unauthorized, Too many subscriptions...). */
  _error(message) {
    if (!this.#closed) this.#setStatus('error', message);
  }

  /** @internal the socket is gone: the subscription will be renewed on reconnect. */
  _rejoining() {
    if (!this.#closed && this.#snapshot.status === 'ready') this.#setStatus('joining', null);
  }

  /** @internal an `event` entry. */
  _event(entry) {
    if (this.#closed) return;
    const { event, data, from } = entry;
    if (event === 'join' ? this.presence._join(data) : event === 'leave' ? this.presence._leave(data) : false) {
      this.presence._notify();
    }
    const info = { event, from, channel: this.name };
    this.#events.get(event)?.emit(data, info);
    this.#events.get('*')?.emit(data, info);
  }

  #setStatus(status, error) {
    if (status === this.#snapshot.status && error === this.#snapshot.error) return;
    this.#snapshot = Object.freeze({ status, error });
    this.#listeners.emit(this.#snapshot);
  }
}
