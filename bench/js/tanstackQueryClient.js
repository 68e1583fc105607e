// TanStack Query core as a realtime client: the list is a query's data, and the
// socket handler writes into the cache with setQueryData, as its docs show for
// WebSocket updates. One QueryObserver is subscribed on the key (what useQuery
// does), so the cache's notification path runs too.
//
// Frames are parsed and queued per frame; per flush (every 50 frames, the same
// batching the runtime and the JS clients use) one setQueryData applies the batch
// with an immutable updater: changes collapsed by id, one pass over the old array
// that keeps untouched rows (same identity) and drops changed ones, then the
// changed rows that are still in the view are sorted and merged back in. O(rows +
// k log k) per flush. The UI renders the query's data: the whole array (for the
// window shape it would slice 50 rows of it: a full-array client).
import { QueryClient, QueryObserver } from '@tanstack/query-core';
import { makeMatch, makeCompare } from './bestClient.js';
import { takeUpdate } from './updateFrame.js';

export class TanStackQueryClient {
  constructor(list, query = null, { channel = 'Message:list' } = {}) {
    this.channel = channel;
    this.match = makeMatch(query);
    this.compare = makeCompare(query);
    // structuralSharing off: its default deep compare of old and new data costs
    // O(rows) of object walks per setQueryData (100k rows: ~100 ms); its docs say to
    // turn it off for large data, which a realtime list is.
    this.client = new QueryClient({ defaultOptions: { queries: { staleTime: Infinity, gcTime: Infinity, retry: false, structuralSharing: false } } });
    this.key = ['Message', 'list', query ?? {}];
    this.client.setQueryData(this.key, list.items);
    this.observer = new QueryObserver(this.client, {
      queryKey: this.key,
      queryFn: () => this.client.getQueryData(this.key), // never called: the data is fresh forever
      staleTime: Infinity,
      structuralSharing: false,
    });
    this.renders = 0;
    this.unsubscribe = this.observer.subscribe(() => { this.renders++; });
    this.pending = new Map(); // id -> record, or null for deleted (last frame wins)
    this.seq = 0;
    this.gaps = 0;
  }

  onFrame(text) {
    const u = takeUpdate(this, text);
    if (!u) return;
    const id = u.id ?? u.data?.id;
    this.pending.set(id, u.type === 'deleted' ? null : u.data ?? null);
  }

  /** The array to render: the query's data after this batch. */
  flush() {
    if (this.pending.size) {
      const changes = this.pending;
      this.pending = new Map();
      this.client.setQueryData(this.key, (old) => applyBatch(old, changes, this.match, this.compare));
    }
    return this.observer.getCurrentResult().data;
  }

  close() {
    this.unsubscribe();
    this.client.clear();
  }
}

// old (sorted) + changes (id -> record | null) -> a new sorted array.
function applyBatch(old, changes, match, compare) {
  const kept = [];
  for (let i = 0; i < old.length; i++) {
    const row = old[i];
    if (!changes.has(row.id)) kept.push(row);
  }
  const adds = [];
  for (const rec of changes.values()) if (rec !== null && (match === null || match(rec))) adds.push(rec);
  if (adds.length === 0) return kept;
  adds.sort(compare);
  const out = new Array(kept.length + adds.length);
  let i = 0;
  let j = 0;
  let o = 0;
  while (i < kept.length && j < adds.length) out[o++] = compare(kept[i], adds[j]) <= 0 ? kept[i++] : adds[j++];
  while (i < kept.length) out[o++] = kept[i++];
  while (j < adds.length) out[o++] = adds[j++];
  return out;
}
