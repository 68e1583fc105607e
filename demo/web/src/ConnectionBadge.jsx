// The socket's state: connected, reconnecting in N s, offline, unauthorized.
import { useConnection } from 'ssot-realtime/react';
import { useNow } from './useNow.js';

function describe({ state, retryAt }, now) {
  switch (state) {
    case 'open': return ['ok', 'connected'];
    case 'reconnecting':
      return ['wait', typeof retryAt === 'number'
        ? `reconnecting in ${Math.max(0, Math.ceil((retryAt - now) / 1000))} s` : 'reconnecting…'];
    case 'idle':
    case 'connecting': return ['wait', 'connecting…'];
    case 'unauthorized':
    case 'forbidden': return ['bad', 'unauthorized'];
    default: return ['off', 'offline']; // closed (disconnected), failed (gave up)
  }
}

export function ConnectionBadge({ onSignIn }) {
  const conn = useConnection();
  const now = useNow(conn.state === 'reconnecting' ? 250 : null);
  const [tone, label] = describe(conn, now);
  return (
    <span className="badge-wrap">
      <span className={`badge badge-${tone}`} data-state={conn.state} title={conn.error ?? ''} role="status">
        {label}
      </span>
      {tone === 'bad' && <button type="button" className="link" onClick={onSignIn}>Sign in again</button>}
    </span>
  );
}
