// The seeds' DataClient for one model: client.model('Message').
// Reads are served from the live cache when a confirmed subscription keeps it,
// else over the socket, else over HTTP; mutations always go over HTTP (the
// runtime decides). Everything rejects with an SsotError on failure.
import { LiveView } from './liveView.js';
import { ItemView } from './itemView.js';

const json = (value, what) => {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError(`${what} must be JSON-serializable`);
  return text;
};

export class DataClient {
  #client;
  #report;

  /** @internal created by client.model(name) */
  constructor(client, model, report) {
    this.#client = client;
    this.#report = report;
    this.model = model;
  }

  /** -> {items, total} */
  list(params) {
    return this.#client._request('list', (r) => r.list(this.model, json(params ?? {}, 'list params')));
  }

  /** -> the record, or null when there is none */
  get(id) {
    return this.#client._request('get', (r) => r.get(this.model, json(id, 'id')));
  }

  /** -> the created record */
  create(data) {
    return this.#client._request('create', (r) => r.create(this.model, json(data, 'data')));
  }

  /** PUT: -> the updated record */
  update(id, data) {
    return this.#client._request('update', (r) => r.update(this.model, json(id, 'id'), json(data, 'data'), false));
  }

  /** PATCH (only the fields given): -> the updated record */
  patch(id, data) {
    return this.#client._request('update', (r) => r.update(this.model, json(id, 'id'), json(data, 'data'), true));
  }

  /** -> true when deleted, false when there was no such record */
  delete(id) {
    return this.#client._request('delete', (r) => r.remove(this.model, json(id, 'id')));
  }

  /** A live query kept up to date over the socket. */
  watch(query = {}) {
    return new LiveView(this.#client, this.model, query, this.#report);
  }

  /** One live record. */
  watchItem(id) {
    return new ItemView(this.#client, this.model, id, this.#report);
  }

  /**
   * Raw updates of a channel relative to the model: 'list' or `item:${id}`
   * (on the wire `${model}:${channel}`). callback({type, id, data?, timestamp}).
   */
  subscribe(channel, callback) {
    if (typeof channel !== 'string' || !(channel === 'list' || /^item:./.test(channel))) {
      throw new TypeError(`subscribe(channel): channel must be 'list' or 'item:<id>', got ${JSON.stringify(channel)}`);
    }
    if (typeof callback !== 'function') throw new TypeError('subscribe(channel, callback): callback must be a function');
    return this.#client._listen(`${this.model}:${channel}`, callback);
  }

  /** callback(record) whenever record `id` is updated. */
  onUpdate(id, callback) {
    return this.subscribe(`item:${id}`, (u) => {
      if (u.type === 'updated' && u.data) callback(u.data);
    });
  }

  /** callback() when record `id` is deleted. */
  onDelete(id, callback) {
    return this.subscribe(`item:${id}`, (u) => {
      if (u.type === 'deleted') callback();
    });
  }
}
