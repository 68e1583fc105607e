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

function optimistic(options, fieldsAllowed = false) {
  const o = options?.optimistic;
  if (o === undefined || o === false || o === null) return { on: false, fields: '' };
  if (o === true) return { on: true, fields: '' };
  if (fieldsAllowed && typeof o === 'object' && !Array.isArray(o)) return { on: true, fields: json(o, 'optimistic fields') };
  throw new TypeError(`optimistic must be true${fieldsAllowed ? ' or an object of fields' : ''}`);
}

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

  /**
   * -> the created record. options.optimistic: true, or an object of the fields the
   * server would fill in (authorId, createdAt...): the row shows at once in every
   * view it matches (id: the data's own, or 'optimistic:<mutation id>'), listed in
   * snapshot.pending until the server confirms it; rolled back if the call fails.
   */
  create(data, options) {
    const { on, fields } = optimistic(options, true);
    return this.#client._request('create', (r) => r.create(this.model, json(data, 'data'), on, fields));
  }

  /** PUT: -> the updated record. options.optimistic: true shows it at once (see create). */
  update(id, data, options) {
    const { on } = optimistic(options);
    return this.#client._request('update', (r) => r.update(this.model, json(id, 'id'), json(data, 'data'), false, on));
  }

  /** PATCH (only the fields given): -> the updated record. options.optimistic as for update. */
  patch(id, data, options) {
    const { on } = optimistic(options);
    return this.#client._request('update', (r) => r.update(this.model, json(id, 'id'), json(data, 'data'), true, on));
  }

  /** -> true when deleted, false when there was no such record. options.optimistic hides it at once. */
  delete(id, options) {
    const { on } = optimistic(options);
    return this.#client._request('delete', (r) => r.remove(this.model, json(id, 'id'), on));
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
