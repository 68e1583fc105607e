// Break the connection on purpose: a cut (the socket drops and reconnects are
// refused for a few seconds, like a gateway outage) or going offline and back.
import { useSyncExternalStore } from 'react';
import { useClient, useConnection } from 'ssot-realtime/react';
import { cutUntil, dropConnection, subscribeCut } from './networkFault.js';
import { useNow } from './useNow.js';

const CUT_MS = 2000;

export function ConnectionControls() {
  const client = useClient();
  const { state } = useConnection();
  const until = useSyncExternalStore(subscribeCut, cutUntil);
  const now = useNow(until ? 250 : null);
  const cutLeft = until > now ? Math.ceil((until - now) / 1000) : 0;
  const offline = state === 'closed' || state === 'failed';
  // The cut wraps this page's WebSocket: in a worker mode the socket is the worker's.
  const canCut = client?.mode === 'main';
  return (
    <section className="panel controls">
      <h3>Connection</h3>
      <button type="button" disabled={!client || state !== 'open' || !canCut} onClick={() => dropConnection(CUT_MS)}
        title={canCut ? '' : 'the socket lives in the worker: open the page with ?mode=main to cut it'}>
        Drop connection
      </button>
      <button type="button" disabled={!client} onClick={() => (offline ? client.connect() : client.disconnect())}>
        {offline ? 'Go online' : 'Go offline'}
      </button>
      <p className="hint">
        {cutLeft > 0
          ? `Network cut: reconnects refused for ${cutLeft} s more.`
          : 'Drop refuses the socket for 2 s, like a server outage; changes made meanwhile arrive on reconnect (replay or resync).'}
      </p>
    </section>
  );
}
