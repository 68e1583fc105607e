// useSuspenseList(model, params, options): useList for <Suspense>. Same arguments
// and result, but the component suspends (throws a promise) until the rows for its
// current params are in, and throws to the nearest error boundary when they cannot
// be read or the provider's client failed or was closed. Once shown, later errors
// (a live view's failed re-read) are in `error`, as with useList, and refetch()
// keeps the rows on screen. New params suspend again (wrap the change in
// startTransition to keep the old rows on screen meanwhile). options.autoLoad is
// ignored: it always reads. On the server it throws, so that React renders the
// nearest <Suspense> fallback there and the component in the browser.
import { useListHolder } from './useList.js';
import { suspendUnlessReady } from './suspense.js';
import { onServer } from './useClient.js';

export function useSuspenseList(model, params, options = {}) {
  if (onServer()) throw new Error('useSuspenseList renders in the browser only (the server renders the <Suspense> fallback)');
  const { holder, want, ctx, result } = useListHolder('useSuspenseList', model, params, options, true);
  suspendUnlessReady(holder, want, ctx);
  return result;
}
