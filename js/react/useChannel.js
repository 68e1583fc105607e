// useChannel(pattern, params, event, handler) -> {publish(event, data), status, error}
//   publish -> false when it cannot be sent (no client, not connected, refused channel,
//   event not in the config).
//   useChannel('chat:room:{roomId}', {roomId}, 'typing', (data, info) => ...)
//   event '*' hears every event; event / handler may be omitted (status and publish only).
//   status: 'idle' (no client yet) | 'joining' | 'ready' | 'error' | 'closed'.
//   The provider's client failed or was closed: status 'error', error why.
// The handler may change every render without rejoining. Hooks on the same channel
// share one subscription, left when the last of them unmounts.
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { useClientContext } from './useClient.js';
import { scopeOf } from './scope.js';
import { ChannelRef, channelName } from './channelRef.js';
import { stableKey } from './stableKey.js';

export function useChannel(pattern, params, event, handler) {
  const ctx = useClientContext('useChannel');
  const client = ctx.status === 'ready' ? ctx.client : null;
  const paramsKey = stableKey(params ?? {});
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const { name, error } = useMemo(() => channelName(pattern, params), [pattern, paramsKey]);
  const [ref] = useState(() => new ChannelRef());
  const scope = client ? scopeOf(client) : null;
  ref.prepare({ client, scope, name, error: error ?? ctx.error });
  const handlerRef = useRef(handler);
  handlerRef.current = handler;

  useEffect(() => {
    const release = ref.commit();
    const ch = ref.channel;
    const off = ch && event ? ch.on(event, (data, info) => handlerRef.current?.(data, info)) : null;
    return () => {
      off?.();
      release?.();
    };
  }, [ref, client, scope, name, event]);

  const snap = useSyncExternalStore(ref.subscribe, ref.getStatus, ref.getServerStatus);
  const publish = useCallback((ev, data) => {
    const ch = ref.channel;
    return ch && ch.status !== 'error' && ch.status !== 'closed' ? ch.publish(ev, data) : false;
  }, [ref]);
  return useMemo(() => ({ publish, status: snap.status, error: snap.error }), [publish, snap]);
}
