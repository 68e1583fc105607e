// TanStack DB as a realtime client: a collection fed by a sync adapter (the
// custom-adapter pattern of its docs: begin / write / commit), and a live query
// collection per view shape, maintained incrementally (differential dataflow):
//   plain:           orderBy id asc
//   sorted+filtered: where roomId < 5, orderBy createdAt desc, id asc (with an index
//                    on roomId, which TanStack DB suggests for this query)
//   window:          orderBy id asc, limit 50 (with an index on id, which TanStack DB
//                    asks for when a query has orderBy + limit)
// Frames are parsed and written per frame into one sync transaction; the flush
// (every 50 frames) commits it, which updates the live query synchronously, and
// builds the array the UI renders (live.toArray, what useLiveQuery hands React)
// when the live query reported a change. Rows carry TanStack DB's virtual props
// ($synced, $origin, ...); the bench's check compares the record fields.
import { createCollection, createLiveQueryCollection, lt, BTreeIndex } from '@tanstack/db';
import { makeMatch } from './bestClient.js';
import { takeUpdate } from './updateFrame.js';

let instances = 0;

export class TanStackDbClient {
  constructor(list, query = null, { window = 0, channel = 'Message:list' } = {}) {
    this.channel = channel;
    const id = `messages-${++instances}`;
    let sync = null;
    this.source = createCollection({
      id,
      getKey: (r) => r.id,
      sync: {
        rowUpdateMode: 'full',
        sync: (s) => {
          sync = s;
          s.begin();
          for (const r of list.items) s.write({ type: 'insert', value: r });
          s.commit();
          s.markReady();
        },
      },
    });
    this.source.startSyncImmediate?.();
    const filtered = makeMatch(query) !== null;
    if (window) this.source.createIndex((r) => r.id, { indexType: BTreeIndex });
    if (filtered) this.source.createIndex((r) => r.roomId, { indexType: BTreeIndex });
    this.live = createLiveQueryCollection({
      startSync: true,
      query: (q) => {
        let b = q.from({ m: this.source });
        if (filtered) b = b.where(({ m }) => lt(m.roomId, query.where.roomId.lt));
        b = filtered
          ? b.orderBy(({ m }) => m.createdAt, 'desc').orderBy(({ m }) => m.id, 'asc')
          : b.orderBy(({ m }) => m.id, 'asc');
        return window ? b.limit(window) : b;
      },
    });
    if (!sync) throw new Error('TanStack DB did not start the sync adapter');
    this.sync = sync;
    this.open = false; // a sync transaction is open
    this.pending = new Map(); // id -> in the collection after this transaction's writes
    this.changed = true;
    this.subscription = this.live.subscribeChanges(() => { this.changed = true; });
    this.items = null;
    this.seq = 0;
    this.gaps = 0;
  }

  /** Resolves when the live query holds the hydrated rows. */
  ready() {
    return this.live.preload();
  }

  onFrame(text) {
    const u = takeUpdate(this, text);
    if (!u) return;
    const id = u.id ?? u.data?.id;
    if (!this.open) {
      this.sync.begin();
      this.open = true;
    }
    // The collection shows committed rows only: ids this open transaction wrote
    // are looked up in `pending`.
    const has = this.pending.has(id) ? this.pending.get(id) : this.source.has(id);
    if (u.type === 'deleted') {
      if (has) this.sync.write({ type: 'delete', key: id });
      this.pending.set(id, false);
    } else if (u.data) {
      this.sync.write({ type: has ? 'update' : 'insert', value: u.data });
      this.pending.set(id, true);
    }
  }

  /** The array to render: the previous one when the live query did not change. */
  flush() {
    if (this.open) {
      this.sync.commit();
      this.open = false;
      this.pending.clear();
    }
    if (this.changed || this.items === null) {
      this.changed = false;
      this.items = this.live.toArray;
    }
    return this.items;
  }

  close() {
    this.subscription.unsubscribe();
    return Promise.all([this.live.cleanup(), this.source.cleanup()]);
  }
}
