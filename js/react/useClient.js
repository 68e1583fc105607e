// useClient(): the client of the nearest <ClientProvider> (null until it exists).
import { useContext } from 'react';
import { ClientContext } from './ClientProvider.js';
import { scopeOf } from './scope.js';

const onServer = () => typeof window === 'undefined' || typeof document === 'undefined';

function noProvider(hook) {
  return new Error(`${hook}: no <ClientProvider client={...}> above this component. ` +
    'Wrap the app in <ClientProvider client={createClient(config)}> from ssot-realtime/react.');
}

export function useClient() {
  const ctx = useContext(ClientContext);
  if (ctx === undefined) throw noProvider('useClient()');
  return ctx.client;
}

/** @internal the provider's {client, error}; on the server a missing provider is not an error. */
export function useClientContext(hook) {
  const ctx = useContext(ClientContext);
  if (ctx === undefined) {
    if (onServer()) return { client: null, error: null };
    throw noProvider(hook);
  }
  return ctx;
}

const isDataClient = (m) => m !== null && typeof m === 'object' && typeof m.model === 'string' && typeof m.watch === 'function';

/**
 * @internal What a data hook works on: {scope, name, dataClient}; scope is null
 * while there is no client yet. `model` is a model name (needs a provider) or a
 * DataClient (works without one).
 */
export function useModel(model, hook) {
  const ctx = useContext(ClientContext);
  if (typeof model === 'string' && model) {
    if (ctx === undefined && !onServer()) throw noProvider(`${hook}('${model}')`);
    const client = ctx?.client ?? null;
    if (!client) return { scope: null, name: model, dataClient: null };
    return { scope: scopeOf(client), name: model, dataClient: client.model(model) };
  }
  if (isDataClient(model)) {
    // The provider's own DataClient shares its client's views (and their refetch on a settled mutation).
    const client = ctx?.client ?? null;
    const owner = client && !client.closed && client.model(model.model) === model ? client : model;
    return { scope: scopeOf(owner), name: model.model, dataClient: model };
  }
  throw new TypeError(`${hook}(model): model must be a model name or a DataClient (client.model(name))`);
}
