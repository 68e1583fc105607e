// useConnection() -> {state, error, retryAt}: the client's socket.
//   state: 'idle' (no client yet) | 'connecting' | 'open' | 'reconnecting' |
//          'unauthorized' | 'forbidden' | 'failed' | 'closed'
//   retryAt: epoch ms of the next attempt while reconnecting, else null.
// The provider's client failed: {state: 'failed', error}; closed: {state: 'closed', error}.
import { useCallback, useMemo, useSyncExternalStore } from 'react';
import { useClientContext } from './useClient.js';

const IDLE = Object.freeze({ state: 'idle', error: null, retryAt: null });
const idle = () => IDLE;

export function useConnection() {
  const { status, client, error } = useClientContext('useConnection');
  const conn = status === 'ready' ? client.connection : null;
  const subscribe = useCallback((fn) => (conn ? conn.subscribe(fn) : () => {}), [conn]);
  const getSnapshot = useCallback(() => (conn ? conn.getSnapshot() : IDLE), [conn]);
  const snap = useSyncExternalStore(subscribe, getSnapshot, idle);
  const failed = useMemo(
    () => (error ? Object.freeze({ state: status === 'closed' ? 'closed' : 'failed', error: error.message, retryAt: null }) : null),
    [status, error],
  );
  return failed ?? snap;
}
