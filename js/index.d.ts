// Types for ssot-realtime's JS API.

export type Unsubscribe = () => void;
export type Id = string | number;

/** A record as the server sends it; `id` is required to keep it live. */
export interface DataRecord {
  id: Id;
  [field: string]: unknown;
}

export type WhereOperator = { eq?: unknown; ne?: unknown; gt?: unknown; gte?: unknown; lt?: unknown; lte?: unknown; in?: unknown[]; contains?: unknown };

export interface QueryParams {
  where?: { [field: string]: unknown | WhereOperator };
  orderBy?: { [field: string]: 'asc' | 'desc' } | Array<{ [field: string]: 'asc' | 'desc' }>;
  skip?: number;
  take?: number;
}

export interface ListResponse<T> {
  items: T[];
  total: number;
  page?: number;
  pageSize?: number;
}

export interface UpdateMessage<T> {
  type: 'created' | 'updated' | 'deleted';
  data?: T;
  id?: Id;
  timestamp: number;
}

export interface ReconnectConfig {
  maxAttempts?: number; // 0 = never give up (default 5)
  backoff?: 'linear' | 'exponential';
  baseDelay?: number; // ms
  maxDelay?: number; // ms
  jitter?: number; // 0..1
}

export interface BatchingConfig {
  enabled?: boolean;
  flushInterval?: number; // ms
  maxBatchSize?: number;
}

export interface HeartbeatConfig {
  enabled?: boolean;
  interval?: number; // ms
  timeout?: number; // ms
}

export interface WebSocketsConfig {
  enabled?: boolean;
  url?: string; // ws:// or wss://
  pubsub?: {
    /** Models kept live over the socket; any other model is HTTP-only. */
    models?: { [model: string]: { subscribe?: Array<'list' | 'item'> } };
    /** Custom channel patterns, e.g. 'chat:room:{roomId}': {events: ['message', 'typing']}. */
    channels?: { [pattern: string]: { events?: string[] } };
  };
  reconnect?: ReconnectConfig;
  batching?: BatchingConfig;
  heartbeat?: HeartbeatConfig;
  maxFrameBytes?: number;
}

export interface ClientConfig {
  baseUrl: string;
  token?: string;
  /** Called for a fresh token (at start when `token` is absent, and after a 4401 close). */
  getToken?: () => string | null | undefined | Promise<string | null | undefined>;
  /** ms before a request fails with SsotError 'request timed out' (default 30000). */
  requestTimeout?: number;
  /**
   * Per model: `path` (REST resource, default lower-case name + 's') and `versionField`
   * (the record field that orders copies of a record: a number, or an ISO-8601 time;
   * default 'version'). A copy older than the one held is never shown.
   */
  models?: { [model: string]: { path?: string; versionField?: string } };
  websockets?: WebSocketsConfig;
  /** Errors nobody else can see (a listener that threw, a malformed frame, a refused raw subscription). Default: console.error. */
  onError?: (error: unknown) => void;
  /**
   * Where the wasm runtime is hosted, when not where the bundler put it (e.g. a CDN, or a
   * bundler that emits no assets). In Node also a file path. The first createClient that
   * loads the runtime decides; later clients share it.
   */
  wasmUrl?: string | URL;
  /** The runtime already compiled (e.g. `await WebAssembly.compileStreaming(fetch(url))`); wins over wasmUrl. Mode 'main' only. */
  wasmModule?: WebAssembly.Module;
  /**
   * Where the engine runs (README "One engine per browser"): 'main' (default) in this tab;
   * 'shared-worker': one SharedWorker per origin, config and user, shared by every tab;
   * 'worker': a dedicated Worker for this tab. A browser without the asked kind falls back
   * (shared-worker -> worker -> main) and says so in `client.modeFallback`.
   */
  mode?: ClientMode;
  /** The engine worker's script when not where the bundler put it (js/worker/engineWorker.js). */
  workerUrl?: string | URL;
}

export type ClientMode = 'main' | 'worker' | 'shared-worker';

export interface ModeFallback {
  /** The mode config.mode asked for. */
  readonly requested: ClientMode;
  /** Why it does not run, e.g. 'SharedWorker is not available' or 'the engine worker failed'. */
  readonly reason: string;
}

export declare class SsotError extends Error {
  constructor(message: string, options?: { status?: number; code?: string; cause?: unknown });
  name: 'SsotError';
  /** HTTP status, or 0 when no response came (network, timeout, closed client). */
  status: number;
  /**
   * 'http' | 'timeout' | 'network' | 'closed' | 'invalid' | 'config' | 'frame' | 'server' | 'channel' |
   * 'runtime' (the wasm did not load); from the React hooks also 'view' (a view's read failed) and
   * 'client' (the provider's client could not be created); in the worker modes also 'identity' (getToken
   * returned a token of another user: refused) and 'publish' (the worker could not send a publish).
   */
  code: string;
}

export type ViewStatus = 'loading' | 'ready' | 'error';

export interface ListSnapshot<T> {
  readonly items: readonly Readonly<T>[];
  readonly total: number;
  readonly status: ViewStatus;
  /**
   * Why status is 'error'. A hydration that failed on the network, a timeout, 408, 425,
   * 429 or 5xx is retried by itself (reconnect backoff, or at once when the socket
   * reopens) and the view keeps its last rows meanwhile; other errors wait for refetch().
   */
  readonly error: string | null;
  /** Index of items[0] in the full result (the window's start; 0 without a window). */
  readonly start: number;
  /** Ids of the rows shown that carry our own optimistic writes not yet confirmed by the server, in no particular order. */
  readonly pending: readonly Id[];
}

export interface LiveView<T> {
  readonly id: number;
  readonly model: string;
  readonly query: QueryParams;
  readonly closed: boolean;
  /** The same frozen object until something visible changes; unchanged rows keep their objects. */
  getSnapshot(): ListSnapshot<T>;
  /** Called after the snapshot changed. */
  subscribe(listener: (snapshot: ListSnapshot<T>) => void): Unsubscribe;
  /** Only rows [start, start + count) become JS objects; setWindow(null) (or count < 0) shows all rows. */
  setWindow(start: number | null, count?: number | null): void;
  refetch(): void;
  close(): void;
}

export interface ItemSnapshot<T> {
  readonly data: Readonly<T> | null;
  readonly status: ViewStatus;
  readonly error: string | null;
  /** [id] while our optimistic write of this record awaits confirmation, else []. */
  readonly pending: readonly Id[];
}

export interface MutationOptions {
  /**
   * Show the change at once in every view it touches, sorted and filtered like any
   * row, until the server's echo or answer confirms it; rolled back (and the promise
   * rejected with the server's status and message) when the call fails.
   */
  optimistic?: boolean;
}

export interface CreateOptions {
  /** true, or the fields the server would fill in (authorId, createdAt...) for the pending row. */
  optimistic?: boolean | { [field: string]: unknown };
}

export interface ItemView<T> {
  readonly id: number;
  readonly model: string;
  readonly itemId: Id;
  readonly closed: boolean;
  getSnapshot(): ItemSnapshot<T>;
  subscribe(listener: (snapshot: ItemSnapshot<T>) => void): Unsubscribe;
  refetch(): void;
  close(): void;
}

export interface DataClient<T = DataRecord> {
  readonly model: string;
  list(params?: QueryParams): Promise<ListResponse<T>>;
  get(id: Id): Promise<T | null>;
  /** A pending optimistic row has the data's id, or 'optimistic:<mutation id>' until confirmed. */
  create(data: Partial<T> | { [field: string]: unknown }, options?: CreateOptions): Promise<T>;
  /** PUT */
  update(id: Id, data: Partial<T> | { [field: string]: unknown }, options?: MutationOptions): Promise<T>;
  /** PATCH: only the fields given */
  patch(id: Id, data: Partial<T> | { [field: string]: unknown }, options?: MutationOptions): Promise<T>;
  /** true when deleted, false when there was no such record */
  delete(id: Id, options?: MutationOptions): Promise<boolean>;
  watch(query?: QueryParams): LiveView<T>;
  watchItem(id: Id): ItemView<T>;
  /** Raw updates: channel 'list' or `item:${id}`, relative to the model. */
  subscribe(channel: 'list' | `item:${string}`, callback: (update: UpdateMessage<T>) => void): Unsubscribe;
  onUpdate(id: Id, callback: (data: T) => void): Unsubscribe;
  onDelete(id: Id, callback: () => void): Unsubscribe;
}

export interface PresenceMember {
  readonly userId: number | string;
  readonly name?: string;
  readonly [field: string]: unknown;
}

export interface Presence {
  /** Who is on the channel; a new frozen array on each change. */
  readonly members: readonly PresenceMember[];
  getSnapshot(): readonly PresenceMember[];
  subscribe(listener: (members: readonly PresenceMember[]) => void): Unsubscribe;
}

export type ChannelStatus = 'joining' | 'ready' | 'error' | 'closed';

export interface ChannelSnapshot {
  readonly status: ChannelStatus;
  readonly error: string | null;
}

export interface EventInfo {
  event: string;
  from: unknown;
  channel: string;
}

export interface Channel {
  readonly name: string;
  readonly status: ChannelStatus;
  readonly error: string | null;
  readonly presence: Presence;
  getSnapshot(): ChannelSnapshot;
  subscribe(listener: (snapshot: ChannelSnapshot) => void): Unsubscribe;
  /** Events published by others; '*' receives every event. */
  on(event: string, callback: (data: unknown, info: EventInfo) => void): Unsubscribe;
  /** false when it cannot be sent now (not connected, event not configured). */
  publish(event: string, data?: unknown): boolean;
  close(): void;
}

export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'unauthorized' | 'forbidden' | 'failed' | 'closed';

export interface ConnectionSnapshot {
  readonly state: ConnectionState;
  readonly error: string | null;
  /** epoch ms of the next attempt while reconnecting */
  readonly retryAt: number | null;
}

export interface Connection extends ConnectionSnapshot {
  getSnapshot(): ConnectionSnapshot;
  subscribe(listener: (snapshot: ConnectionSnapshot) => void): Unsubscribe;
}

export interface Stats {
  /** server frames received (each frame of a batch counts) */
  framesIn: number;
  updatesApplied: number;
  flushes: number;
  coalesced: number;
  reconnects: number;
  resyncs: number;
  malformed: number;
  unknownFrames: number;
  gaps: number;
  duplicates: number;
  echoes: number;
  httpRequests: number;
  wsRequests: number;
  timeouts: number;
  records: number;
  views: number;
  channels: number;
  /** wasm heap in use (malloc'd bytes) */
  heapBytes: number;
  [counter: string]: number;
}

export declare class Client {
  private constructor();
  readonly connection: Connection;
  readonly closed: boolean;
  /** Where the engine runs. */
  readonly mode: ClientMode;
  /** null when config.mode runs as asked, else what was asked and why it fell back. */
  readonly modeFallback: ModeFallback | null;
  /** Worker modes: how many tabs share this engine (1 in 'worker'); absent in 'main'. */
  readonly tabs?: number;
  /** Worker modes: how many times this tab re-attached to a new worker. */
  readonly reattached?: number;
  model<T = DataRecord>(name: string): DataClient<T>;
  channel(pattern: string, params?: { [name: string]: string | number }): Channel;
  connect(): void;
  disconnect(): void;
  /** The engine's counters. Worker modes: as the worker last sent them (on attaching and at each call), plus `tabs`. */
  stats(): Stats;
  /** Frees everything; pending requests reject with SsotError('client closed'). */
  close(): Promise<void>;
}

/** Loads the wasm runtime (once) and starts a client; connects when websockets are enabled. */
export declare function createClient(config: ClientConfig): Promise<Client>;
