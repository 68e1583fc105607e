// Types for ssot-realtime/react.
import type { ReactNode, ReactElement } from 'react';
import type {
  Client, DataClient, DataRecord, Id, QueryParams, SsotError, ChannelStatus, PresenceMember, EventInfo, ConnectionState,
} from '../index.js';

export interface ClientProviderProps {
  /**
   * - a factory, `() => createClient(config)`: called once when the provider mounts
   *   (a new function on a later render is not called, as with useState's
   *   initializer) and again by `retry()` after a failure or close; the provider
   *   closes the clients it made (on retry and on unmount);
   * - a client, or a promise of one: the app's (to close; retry cannot remake it);
   * - null / undefined: no client yet (the hooks show their loading state).
   * A promise or factory that fails, and a client that is closed, put every hook
   * below in an error state (error.code 'client' with the failure as `cause`, or 'closed').
   */
  client: Client | Promise<Client> | (() => Client | Promise<Client>) | null | undefined;
  children?: ReactNode;
}

/** Makes `client` the one the hooks below use. */
export declare function ClientProvider(props: ClientProviderProps): ReactElement;

/** The client of the nearest <ClientProvider> while it is ready, else null; throws when there is no provider. */
export declare function useClient(): Client | null;

export type ClientStatus = 'idle' | 'loading' | 'ready' | 'error' | 'closed';

export interface UseClientStatusResult {
  /** 'idle': no client given yet; 'loading': the promise or factory is pending; 'closed': client.close() ran. */
  status: ClientStatus;
  client: Client | null;
  /** status 'error': code 'client', the failure as `cause`; status 'closed': code 'closed'. */
  error: SsotError | null;
  /** After an error or close, calls the provider's factory again; a no-op otherwise and without a factory. Never rejects. */
  retry(): Promise<void>;
}

/** Where the nearest <ClientProvider>'s client stands (an app-level "could not connect" screen). */
export declare function useClientStatus(): UseClientStatusResult;

/** A model name (needs a <ClientProvider>) or a DataClient (client.model(name)). */
export type ModelRef<T> = string | DataClient<T>;

export interface UseListOptions {
  /**
   * Live over the socket. Default: live when the client's config lists the model
   * as realtime (websockets.pubsub.models), HTTP-only otherwise. false: one HTTP
   * read, read again when a mutation of the model made through these hooks settles;
   * such a view never shows optimistic rows (pending is always empty).
   */
  subscribe?: boolean;
  /** false: nothing is read until refetch() (default true). */
  autoLoad?: boolean;
  /** Only rows [start, start + count) become JS objects (virtualized lists). */
  window?: { start: number; count: number };
}

export interface UseListResult<T> {
  /** The rows (the window's rows with `window`); unchanged rows keep their objects. */
  data: readonly Readonly<T>[];
  /** Every row matching the query, not only those in data. */
  total: number;
  /** Nothing to show yet. */
  isLoading: boolean;
  /** A read is in flight (first load, new params while the previous data is shown, refetch). */
  isFetching: boolean;
  /** Why the read failed, or why there is no client (the provider's failed: code 'client', or it was closed: 'closed'). */
  error: SsotError | null;
  /** Reads again; the current data stays until the new data is in. Without a client: the provider's retry(). */
  refetch(): Promise<void>;
  /** Index of data[0] in the full result (the window's start; 0 without one). */
  start: number;
  /**
   * Ids of the rows in data that carry our own optimistic writes not yet confirmed
   * by the server (a created row has id 'optimistic:<mutation id>' until then).
   * The same array until it changes.
   */
  pending: readonly Id[];
}

export declare function useList<T = DataRecord>(model: ModelRef<T>, params?: QueryParams, options?: UseListOptions): UseListResult<T>;

export interface UseGetOptions {
  subscribe?: boolean;
  autoLoad?: boolean;
}

export interface UseGetResult<T> {
  /** The record, live while subscribed; null when there is none (deleted, not found, not loaded). */
  data: Readonly<T> | null;
  isLoading: boolean;
  isFetching: boolean;
  /** As UseListResult.error. */
  error: SsotError | null;
  /** As UseListResult.refetch. */
  refetch(): Promise<void>;
  /** [id] while our own optimistic write of the record awaits the server's confirmation, else []. */
  pending: readonly Id[];
}

/** id null / undefined: nothing is read. */
export declare function useGet<T = DataRecord>(model: ModelRef<T>, id: Id | null | undefined, options?: UseGetOptions): UseGetResult<T>;

/** useList's options but autoLoad: a Suspense hook always reads. */
export type UseSuspenseListOptions = Omit<UseListOptions, 'autoLoad'>;
export type UseSuspenseGetOptions = Omit<UseGetOptions, 'autoLoad'>;

/**
 * useList for <Suspense>: suspends until the rows for the current params are in
 * (new params suspend again; wrap the change in startTransition to keep the old
 * rows meanwhile) and throws to the nearest error boundary when the first read
 * fails or the provider's client failed or closed; the boundary's reset reads
 * again (or calls the provider's factory again). Once shown, later errors are in
 * `error`. On the server it throws, so the <Suspense> fallback is rendered there.
 */
export declare function useSuspenseList<T = DataRecord>(model: ModelRef<T>, params?: QueryParams, options?: UseSuspenseListOptions): UseListResult<T>;

/** useGet for <Suspense> (see useSuspenseList); id null / undefined: data null, no suspending. */
export declare function useSuspenseGet<T = DataRecord>(model: ModelRef<T>, id: Id | null | undefined, options?: UseSuspenseGetOptions): UseGetResult<T>;

export type MutationStatus = 'idle' | 'pending' | 'success' | 'error';

export interface MutationOptions<TData, TVars> {
  onSuccess?: (data: TData, vars: TVars) => void;
  onError?: (error: SsotError | Error, vars: TVars) => void;
  onSettled?: (data: TData | undefined, error: SsotError | Error | null, vars: TVars) => void;
}

export interface MutationResult<TData, TArgs extends unknown[]> {
  /** Never rejects: the outcome is in status / error / data. */
  mutate(...args: TArgs): void;
  /** Rejects with an SsotError (status = HTTP status) when the server refuses. */
  mutateAsync(...args: TArgs): Promise<TData>;
  status: MutationStatus;
  isPending: boolean;
  isSuccess: boolean;
  isError: boolean;
  error: SsotError | Error | null;
  data: TData | undefined;
  /** Back to idle. */
  reset(): void;
}

export interface UseCreateOptions<T> extends MutationOptions<T, { data: Partial<T> }> {
  /**
   * The core shows the new record at once in every live view whose query it matches
   * (id 'optimistic:<mutation id>' unless the data has one; listed in `pending`),
   * sorted like any row; the server's record replaces it in place; removed if the
   * server refuses. An object, or a function of the data returning one: fields the
   * server would fill in (authorId, createdAt...).
   */
  optimistic?: boolean | Partial<T> | { [field: string]: unknown } | ((data: Partial<T>) => Partial<T> | { [field: string]: unknown } | null | undefined);
}

export interface UseUpdateOptions<T> extends MutationOptions<T, { id: Id; data: Partial<T> }> {
  /** The core shows the fields at once wherever the record is in a live view (listed in `pending`); rolled back if the server refuses. */
  optimistic?: boolean;
  /** 'patch' (default: only the fields given) or 'put' (replaces the record). */
  method?: 'patch' | 'put';
}

export interface UseDeleteOptions extends MutationOptions<boolean, { id: Id }> {
  /** The core hides the record at once in every live view; it comes back if the server refuses. */
  optimistic?: boolean;
}

export declare function useCreate<T = DataRecord>(model: ModelRef<T>, options?: UseCreateOptions<T>): MutationResult<T, [data: Partial<T> | { [field: string]: unknown }]>;

export declare function useUpdate<T = DataRecord>(model: ModelRef<T>, options?: UseUpdateOptions<T>): MutationResult<T, [id: Id, data: Partial<T> | { [field: string]: unknown }] | [{ id: Id; data: Partial<T> | { [field: string]: unknown } }]>;

/** mutateAsync resolves true, or false when there was no such record. */
export declare function useDelete(model: ModelRef<unknown>, options?: UseDeleteOptions): MutationResult<boolean, [id: Id] | [{ id: Id }]>;

export interface UseChannelResult {
  /** false when it cannot be sent (no client, not connected, refused channel, event not configured). */
  publish(event: string, data?: unknown): boolean;
  /** 'idle' until there is a client and a name. */
  status: ChannelStatus | 'idle';
  error: Error | null;
}

/**
 * Joins `pattern` filled from `params` (e.g. 'chat:room:{roomId}', {roomId: 1})
 * while mounted; `handler(data, info)` hears `event` ('*' = every event) published
 * by others. Hooks on the same channel share one subscription, left when the last
 * of them unmounts. The handler may change on every render.
 */
export declare function useChannel(
  pattern: string,
  params?: { [name: string]: string | number },
  event?: string | null,
  handler?: (data: unknown, info: EventInfo) => void,
): UseChannelResult;

/** Who is on the channel (empty until joined). */
export declare function usePresence(pattern: string, params?: { [name: string]: string | number }): readonly PresenceMember[];

export interface UseConnectionResult {
  /** 'idle' while there is no client yet. */
  state: ConnectionState | 'idle';
  error: string | null;
  /** epoch ms of the next attempt while reconnecting */
  retryAt: number | null;
}

export declare function useConnection(): UseConnectionResult;

/**
 * true when `row` (or an id) is in `result.pending`: it carries our own optimistic
 * write the server has not confirmed yet. `result`: the useList / useGet result (or
 * view snapshot) the row came from; throws a TypeError when it has no `pending`.
 */
export declare function isOptimistic(result: { readonly pending: readonly Id[] }, row: { id?: unknown } | Id | null | undefined): boolean;
