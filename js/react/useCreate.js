// useCreate(model, options) -> {mutate(data), mutateAsync(data), isPending, error, data, reset, ...}
// options.optimistic: the core shows the new record at once in every live view whose
// query it matches (id 'optimistic:<mutation id>' unless data has one; listed in
// `pending`) until the server confirms it; true, the fields the server would fill
// in (authorId, createdAt...), or a function (data) => those fields.
import { useMutation } from './useMutation.js';

const toVars = ([data]) => {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new TypeError('useCreate: mutate(data) needs an object');
  return { data };
};

export function useCreate(model, options) {
  return useMutation('create', model, options, 'useCreate', toVars);
}
