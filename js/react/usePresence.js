// usePresence(pattern, params) -> who is on the channel: a frozen [{userId, name}]
// (empty until joined). Shares the channel with useChannel on the same name.
import { useEffect, useState, useSyncExternalStore } from 'react';
import { useClientContext } from './useClient.js';
import { scopeOf } from './scope.js';
import { ChannelRef, channelName } from './channelRef.js';

export function usePresence(pattern, params) {
  const { client } = useClientContext('usePresence');
  const { name, error } = channelName(pattern, params);
  const [ref] = useState(() => new ChannelRef());
  const scope = client ? scopeOf(client) : null;
  ref.prepare({ client, scope, name, error });
  useEffect(() => ref.commit(), [ref, client, scope, name]);
  return useSyncExternalStore(ref.subscribe, ref.getMembers, ref.getServerMembers);
}
