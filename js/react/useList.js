// useList(model, params, options) -> {data, total, isLoading, isFetching, error, refetch, start, pending}
//   model: 'Message' (with a <ClientProvider>) or a DataClient (client.model('Message'))
//   params: {where, orderBy, skip, take}, compared by value
//   options.subscribe: live over the socket (default: live when the config lists the
//     model as realtime, HTTP-only otherwise); false = one HTTP read, refetched when a
//     mutation of the model settles (it shows no optimistic rows)
//   options.autoLoad: false = nothing is read until refetch()
//   options.window: {start, count}: only those rows become JS objects (virtualized lists)
// New params keep the previous data on screen (isFetching) until the new view is ready.
// pending: ids of rows in data that carry our optimistic writes, not yet confirmed.
// The provider's client failed or was closed: error is why, refetch() its retry().
import { useEffect, useId, useMemo, useState, useSyncExternalStore } from 'react';
import { useModel } from './useClient.js';
import { ViewHolder } from './viewHolder.js';
import { stableKey } from './stableKey.js';
import { staticList } from './staticView.js';
import { releaseHold } from './suspense.js';

export function useList(model, params, options = {}) {
  return useListHolder('useList', model, params, options, false).result;
}

/** @internal useList's work, shared with useSuspenseList (suspense: always loads, never shows other params' rows). */
export function useListHolder(hook, model, params, options, suspense) {
  const { scope, name, dataClient, failure, ctx } = useModel(model, hook);
  const { subscribe, autoLoad = true, window: win } = options ?? {};
  const isStatic = subscribe === false;
  const enabled = suspense || autoLoad !== false;
  const paramsKey = stableKey(params ?? {});
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const query = useMemo(() => params ?? {}, [paramsKey]);
  const windowKey = win ? `${win.start}:${win.count}` : '';
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const window = useMemo(() => (win ? { start: win.start, count: win.count } : null), [windowKey]);
  const slot = useId();
  const [holder] = useState(() => new ViewHolder('list'));
  const key = scope ? `list:${name}:${isStatic ? 'static' : 'live'}:${paramsKey}${window ? ':window' : ''}` : null;

  holder.prepare({
    scope, model: name, key, enabled, isStatic, window, windowKey, failure, retry: ctx.retry, suspense, slot,
    open: () => (isStatic ? staticList(dataClient, query) : dataClient.watch(query)),
  });
  useEffect(() => () => holder.dispose(), [holder]);
  useEffect(() => {
    holder.commit();
    if (suspense) releaseHold(scope, holder.want.sharedKey);
  }, [holder, scope, key, enabled, windowKey, suspense]);
  const result = useSyncExternalStore(holder.subscribe, holder.getSnapshot, holder.getServerSnapshot);
  return { holder, want: holder.want, ctx, result };
}
