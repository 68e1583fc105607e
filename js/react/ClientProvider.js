// <ClientProvider client={...}>: the client the hooks below use. `client` may be
// a Client, a promise of one, a factory `() => createClient(config)` (called once
// on mount; `retry` calls it again after a failure), or null / undefined while the
// app has none yet (the hooks then show their loading state). A promise that
// rejects, a factory that fails and a client that is closed put every hook below
// in an error state (see clientSource.js).
import * as React from 'react';
import { ClientSource } from './clientSource.js';

// One context per React copy, shared by every copy of this package (the ESM build
// and the CommonJS one can both be loaded in one app): a provider from one copy
// serves hooks from the other.
const CONTEXTS = Symbol.for('ssot-realtime/react ClientContext');
function sharedContext() {
  const all = (globalThis[CONTEXTS] ??= new Map());
  let ctx = all.get(React.createContext);
  if (!ctx) all.set(React.createContext, (ctx = React.createContext(undefined)));
  return ctx;
}

/** @internal undefined = no provider above; else the ClientSource snapshot {status, client, error, retry}. */
export const ClientContext = sharedContext();

export function ClientProvider({ client, children }) {
  const [source] = React.useState(() => new ClientSource());
  source.prepare(client);
  React.useEffect(() => () => source.dispose(), [source]);
  React.useEffect(() => { source.commit(); }, [source, client]);
  const value = React.useSyncExternalStore(source.subscribe, source.getSnapshot, source.getSnapshot);
  return React.createElement(ClientContext.Provider, { value }, children);
}
