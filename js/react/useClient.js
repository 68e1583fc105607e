// useClient(): the client of the nearest <ClientProvider> (null until it is ready,
// and after it failed or closed: useClientStatus() tells which).
import { useContext } from 'react';
import { ClientContext } from './ClientProvider.js';
import { scopeOf } from './scope.js';

export const onServer = () => typeof window === 'undefined' || typeof document === 'undefined';

function noProvider(hook) {
  return new Error(`${hook}: no <ClientProvider client={...}> above this component. ` +
    'Wrap the app in <ClientProvider client={() => createClient(config)}> from ssot-realtime/react.');
}

export function useClient() {
  const ctx = useContext(ClientContext);
  if (ctx === undefined) throw noProvider('useClient()');
  return ctx.status === 'ready' ? ctx.client : null;
}

const resolved = () => Promise.resolve();
const NO_PROVIDER = Object.freeze({ status: 'idle', client: null, error: null, retry: resolved, canRetry: false, wait: resolved });

/**
 * @internal the provider's {status, client, error, retry}; on the server a missing
 * provider is not an error.
 */
export function useClientContext(hook) {
  const ctx = useContext(ClientContext);
  if (ctx === undefined) {
    if (onServer()) return NO_PROVIDER;
    throw noProvider(hook);
  }
  return ctx;
}

const isDataClient = (m) => m !== null && typeof m === 'object' && typeof m.model === 'string' && typeof m.watch === 'function';

/**
 * @internal What a data hook works on: {scope, name, dataClient, failure, ctx}.
 * scope is null while there is no client yet, and when the provider's client
 * failed or was closed (failure: the SsotError); ctx: the provider's snapshot
 * (retry, and what Suspense hooks wait for).
 * `model` is a model name (needs a provider) or a DataClient (works without one).
 */
export function useModel(model, hook) {
  const found = useContext(ClientContext);
  const ctx = found ?? NO_PROVIDER;
  if (typeof model === 'string' && model) {
    if (found === undefined && !onServer()) throw noProvider(`${hook}('${model}')`);
    const client = ctx.status === 'ready' ? ctx.client : null;
    if (!client) return { scope: null, name: model, dataClient: null, failure: ctx.error, ctx };
    return { scope: scopeOf(client), name: model, dataClient: client.model(model), failure: null, ctx };
  }
  if (isDataClient(model)) {
    // The provider's own DataClient shares its client's views (and their refetch on a settled mutation).
    const client = ctx.status === 'ready' ? ctx.client : null;
    const owner = client && client.model(model.model) === model ? client : model;
    return { scope: scopeOf(owner), name: model.model, dataClient: model, failure: null, ctx };
  }
  throw new TypeError(`${hook}(model): model must be a model name or a DataClient (client.model(name))`);
}
