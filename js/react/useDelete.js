// useDelete(model, options) -> {mutate(id), mutateAsync(id) (-> true, or false when
// there was no such record), isPending, error, data, reset, ...}
// options.optimistic: the core hides the record at once in every live view; it comes
// back if the server refuses.
import { useMutation } from './useMutation.js';

const toVars = ([arg]) => {
  const id = arg !== null && typeof arg === 'object' ? arg.id : arg;
  if (id === null || id === undefined) throw new TypeError('useDelete: mutate(id) needs an id');
  return { id };
};

export function useDelete(model, options) {
  return useMutation('delete', model, options, 'useDelete', toVars);
}
