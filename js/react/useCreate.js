// useCreate(model, options) -> {mutate(data), mutateAsync(data), isPending, error, data, reset, ...}
// options.optimistic: the new record shows at once (a temporary row with id
// 'optimistic:N') in every view whose query it matches; a function
// (data) => fields adds fields the server would fill in (authorId, createdAt...).
import { useMutation } from './useMutation.js';

const toVars = ([data]) => {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new TypeError('useCreate: mutate(data) needs an object');
  return { data };
};

export function useCreate(model, options) {
  return useMutation('create', model, options, 'useCreate', toVars);
}
