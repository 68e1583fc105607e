// useSuspenseGet(model, id, options): useGet for <Suspense>. Same arguments and
// result; suspends until the record for `id` is read (data: the record, or null
// when there is none), throws to the nearest error boundary when it cannot be read
// or the provider's client failed or was closed. id null / undefined: nothing to
// read, data null, no suspending. See useSuspenseList for the rest.
import { useGetHolder } from './useGet.js';
import { suspendUnlessReady } from './suspense.js';
import { onServer } from './useClient.js';

export function useSuspenseGet(model, id, options = {}) {
  if (onServer()) throw new Error('useSuspenseGet renders in the browser only (the server renders the <Suspense> fallback)');
  const { holder, want, ctx, result } = useGetHolder('useSuspenseGet', model, id, options, true);
  suspendUnlessReady(holder, want, ctx);
  return result;
}
