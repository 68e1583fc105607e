// useGet(model, id, options) -> {data, isLoading, isFetching, error, refetch, pending}
//   live while subscribed (options.subscribe, as useList); a deleted record is null;
//   pending: [id] while our optimistic write of it awaits confirmation, else [];
//   id null / undefined or options.autoLoad false: nothing is read (until refetch()).
import { useEffect, useState, useSyncExternalStore } from 'react';
import { useModel } from './useClient.js';
import { ViewHolder } from './viewHolder.js';
import { staticItem } from './staticView.js';

export function useGet(model, id, options = {}) {
  const { scope, name, dataClient } = useModel(model, 'useGet');
  const { subscribe, autoLoad = true } = options ?? {};
  const isStatic = subscribe === false;
  const hasId = id !== null && id !== undefined && id !== '';
  const enabled = autoLoad !== false && hasId;
  const [holder] = useState(() => new ViewHolder('item'));
  const key = scope && hasId ? `item:${name}:${isStatic ? 'static' : 'live'}:${JSON.stringify(id)}` : null;

  holder.prepare({
    scope, model: name, key, enabled, isStatic, id, window: null, windowKey: '',
    open: () => (isStatic ? staticItem(dataClient, id) : dataClient.watchItem(id)),
  });
  useEffect(() => () => holder.dispose(), [holder]);
  useEffect(() => { holder.commit(); }, [holder, scope, key, enabled]);
  return useSyncExternalStore(holder.subscribe, holder.getSnapshot, holder.getServerSnapshot);
}
