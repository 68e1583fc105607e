// A live record: client.model('Message').watchItem(id). getSnapshot() ->
// {data, status, error}, the same frozen object until something changes.
import { ViewHandle } from './viewHandle.js';
import { freezeDeep, EMPTY } from './snapshot.js';

export class ItemView extends ViewHandle {
  /** @internal created by DataClient.watchItem */
  constructor(client, model, itemId, report) {
    super(client, Object.freeze({ data: null, status: 'loading', error: null, pending: EMPTY }), report);
    this.model = model;
    this.itemId = itemId;
    const error = client._open(this, (r) => r.watchItem(model, JSON.stringify(itemId)));
    if (error !== null) this._replace(Object.freeze({ ...this.getSnapshot(), status: 'error', error }));
  }

  /** @internal applies one `item` entry; returns true when the snapshot changed. */
  _apply(entry) {
    if (this.closed) return false;
    const prev = this.getSnapshot();
    const data = entry.data === undefined ? prev.data : freezeDeep(entry.data);
    const error = entry.error ?? null;
    const pending = entry.pending?.length ? (prev.pending.length ? prev.pending : Object.freeze(entry.pending)) : EMPTY;
    if (data === prev.data && entry.status === prev.status && error === prev.error && pending === prev.pending) return false;
    this._replace(Object.freeze({ data, status: entry.status, error, pending }));
    return true;
  }
}
