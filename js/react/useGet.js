// useGet(model, id, options) -> {data, isLoading, isFetching, error, refetch, pending}
//   live while subscribed (options.subscribe, as useList); a deleted record is null;
//   pending: [id] while our optimistic write of it awaits confirmation, else [];
//   id null / undefined or options.autoLoad false: nothing is read (until refetch()).
// The provider's client failed or was closed: error is why, refetch() its retry().
import { useEffect, useState, useSyncExternalStore } from 'react';
import { useModel } from './useClient.js';
import { ViewHolder } from './viewHolder.js';
import { staticItem } from './staticView.js';
import { releaseHold } from './suspense.js';

export function useGet(model, id, options = {}) {
  return useGetHolder('useGet', model, id, options, false).result;
}

/** @internal useGet's work, shared with useSuspenseGet. */
export function useGetHolder(hook, model, id, options, suspense) {
  const { scope, name, dataClient, failure, ctx } = useModel(model, hook);
  const { subscribe, autoLoad = true } = options ?? {};
  const isStatic = subscribe === false;
  const hasId = id !== null && id !== undefined && id !== '';
  const enabled = (suspense || autoLoad !== false) && hasId;
  const [holder] = useState(() => new ViewHolder('item'));
  const key = scope && hasId ? `item:${name}:${isStatic ? 'static' : 'live'}:${JSON.stringify(id)}` : null;

  holder.prepare({
    scope, model: name, key, enabled, isStatic, failure, retry: ctx.retry, suspense, // no window (nor its slot)
    open: () => (isStatic ? staticItem(dataClient, id) : dataClient.watchItem(id)),
  });
  useEffect(() => () => holder.dispose(), [holder]);
  useEffect(() => {
    holder.commit();
    if (suspense) releaseHold(scope, holder.want.sharedKey);
  }, [holder, scope, key, enabled, suspense]);
  const result = useSyncExternalStore(holder.subscribe, holder.getSnapshot, holder.getServerSnapshot);
  return { holder, want: holder.want, ctx, result };
}
