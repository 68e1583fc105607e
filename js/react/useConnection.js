// useConnection() -> {state, error, retryAt}: the client's socket.
//   state: 'idle' (no client yet) | 'connecting' | 'open' | 'reconnecting' |
//          'unauthorized' | 'forbidden' | 'failed' | 'closed'
//   retryAt: epoch ms of the next attempt while reconnecting, else null.
// A client promise that rejected shows as {state: 'failed', error}.
import { useCallback, useMemo, useSyncExternalStore } from 'react';
import { useClientContext } from './useClient.js';

const IDLE = Object.freeze({ state: 'idle', error: null, retryAt: null });
const idle = () => IDLE;

export function useConnection() {
  const { client, error } = useClientContext('useConnection');
  const conn = client?.connection ?? null;
  const subscribe = useCallback((fn) => (conn ? conn.subscribe(fn) : () => {}), [conn]);
  const getSnapshot = useCallback(() => (conn ? conn.getSnapshot() : IDLE), [conn]);
  const snap = useSyncExternalStore(subscribe, getSnapshot, idle);
  const failed = useMemo(() => (error ? Object.freeze({ state: 'failed', error: error.message ?? String(error), retryAt: null }) : null), [error]);
  return failed ?? snap;
}
