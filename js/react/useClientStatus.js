// useClientStatus() -> {status, client, error, retry}: where the nearest
// <ClientProvider>'s client stands, for an app-level "could not connect" screen.
//   status: 'idle' (no client given yet) | 'loading' (the promise or factory is
//           pending) | 'ready' | 'error' (it failed) | 'closed' (client.close() ran)
//   error: an SsotError (code 'client', the failure as its cause; or 'closed')
//   retry(): calls the provider's factory again after an error or close (a no-op
//            when the provider was given a client or a promise)
import { useMemo } from 'react';
import { useClientContext } from './useClient.js';

export function useClientStatus() {
  const { status, client, error, retry } = useClientContext('useClientStatus');
  return useMemo(() => Object.freeze({ status, client, error, retry }), [status, client, error, retry]);
}
