// usePresence(pattern, params) -> who is on the channel: a frozen [{userId, name}]
// (empty until joined). Shares the channel with useChannel on the same name.
import { useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { useClientContext } from './useClient.js';
import { scopeOf } from './scope.js';
import { ChannelRef, channelName } from './channelRef.js';
import { stableKey } from './stableKey.js';

export function usePresence(pattern, params) {
  const ctx = useClientContext('usePresence');
  const client = ctx.status === 'ready' ? ctx.client : null;
  const paramsKey = stableKey(params ?? {});
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const { name, error } = useMemo(() => channelName(pattern, params), [pattern, paramsKey]);
  const [ref] = useState(() => new ChannelRef());
  const scope = client ? scopeOf(client) : null;
  ref.prepare({ client, scope, name, error: error ?? ctx.error });
  useEffect(() => ref.commit(), [ref, client, scope, name]);
  return useSyncExternalStore(ref.subscribe, ref.getMembers, ref.getServerMembers);
}
