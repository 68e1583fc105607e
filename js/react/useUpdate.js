// useUpdate(model, options) -> {mutate(id, data) or mutate({id, data}), mutateAsync, isPending, error, data, reset, ...}
// A PATCH of the fields given (options.method 'put' replaces the record).
// options.optimistic: the core shows the fields at once wherever the record is in a
// live view, and rolls them back if the server refuses (e.g. 403).
import { useMutation } from './useMutation.js';

const toVars = (args) => {
  const [a, b] = args;
  const { id, data } = args.length >= 2 ? { id: a, data: b } : (a ?? {});
  if (id === null || id === undefined) throw new TypeError('useUpdate: mutate(id, data) needs an id');
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new TypeError('useUpdate: mutate(id, data) needs an object');
  return { id, data };
};

export function useUpdate(model, options) {
  return useMutation('update', model, options, 'useUpdate', toVars);
}
