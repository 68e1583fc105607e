// <ClientProvider client={client}>: the client the hooks below use. `client` may
// be a Client, a Promise of one (createClient(...) as is), or null / undefined
// while the app has not created it yet (the hooks then show their loading state).
import { createContext, createElement, useEffect, useMemo, useState } from 'react';

/** @internal undefined = no provider above; else {client, error}. */
export const ClientContext = createContext(undefined);

const isThenable = (x) => x !== null && typeof x === 'object' && typeof x.then === 'function';

export function ClientProvider({ client, children }) {
  const pending = isThenable(client);
  const [settled, setSettled] = useState(null); // {from: the promise, client, error}
  useEffect(() => {
    if (!pending) return undefined;
    let live = true;
    client.then(
      (c) => { if (live) setSettled({ from: client, client: c, error: null }); },
      (error) => { if (live) setSettled({ from: client, client: null, error }); },
    );
    return () => { live = false; };
  }, [client, pending]);
  const current = pending ? (settled?.from === client ? settled : null) : null;
  const resolved = pending ? (current?.client ?? null) : (client ?? null);
  const error = current?.error ?? null;
  const value = useMemo(() => ({ client: resolved, error }), [resolved, error]);
  return createElement(ClientContext.Provider, { value }, children);
}
