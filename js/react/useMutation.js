// The state machine shared by useCreate, useUpdate and useDelete:
// -> {mutate, mutateAsync, status, isPending, isSuccess, isError, error, data, reset}
// mutateAsync rejects on failure; mutate never does (the error is in `error`).
// State follows the latest call; a component that unmounted is not updated.
// options: optimistic (passed to the DataClient call, which keeps the pending
// write in the core; for a create also a function (data) => the fields the server
// would fill in), onSuccess(data, vars), onError(error, vars), onSettled(data, error, vars).
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { SsotError } from '../errors.js';
import { useModel } from './useClient.js';

const IDLE = Object.freeze({ status: 'idle', data: undefined, error: null });

function call(kind, dataClient, vars, o) {
  if (kind === 'create') {
    const fields = typeof o.optimistic === 'function' ? o.optimistic(vars.data) ?? true : o.optimistic;
    return dataClient.create(vars.data, { optimistic: fields });
  }
  const options = { optimistic: o.optimistic };
  if (kind === 'delete') return dataClient.delete(vars.id, options);
  return o.method === 'put' ? dataClient.update(vars.id, vars.data, options) : dataClient.patch(vars.id, vars.data, options);
}

export function useMutation(kind, model, options, hook, toVars) {
  const source = useModel(model, hook);
  const latest = useRef({ source, options });
  latest.current = { source, options: options ?? {} };
  const [state, setState] = useState(IDLE);
  const last = useRef(0);
  const mounted = useRef(false);
  useEffect(() => {
    mounted.current = true;
    return () => { mounted.current = false; };
  }, []);

  const mutateAsync = useCallback((...args) => {
    const { source: { scope, name, dataClient, failure }, options: o } = latest.current;
    const n = ++last.current;
    const update = (s) => { if (mounted.current && n === last.current) setState(s); };
    let vars;
    try {
      vars = toVars(args);
    } catch (err) {
      update({ status: 'error', data: undefined, error: err });
      return Promise.reject(err);
    }
    if (!dataClient) {
      const err = failure ?? new SsotError(`${hook}: there is no client yet`, { code: 'closed' });
      update({ status: 'error', data: undefined, error: err });
      return Promise.reject(err);
    }
    update({ status: 'pending', data: undefined, error: null });
    let request;
    try {
      request = Promise.resolve(call(kind, dataClient, vars, o));
    } catch (err) {
      request = Promise.reject(err);
    }
    // Views that are not live read again once the server has answered (before the
    // caller's callbacks run); live views get the confirmation or rollback from the core.
    const settled = request.then(
      (data) => {
        scope.settled(name);
        return data;
      },
      (err) => {
        scope.settled(name);
        throw err;
      },
    );
    return settled.then(
      (data) => {
        update({ status: 'success', data, error: null });
        o.onSuccess?.(data, vars);
        o.onSettled?.(data, null, vars);
        return data;
      },
      (err) => {
        update({ status: 'error', data: undefined, error: err });
        o.onError?.(err, vars);
        o.onSettled?.(undefined, err, vars);
        throw err;
      },
    );
  }, [hook, kind, toVars]);

  const mutate = useCallback((...args) => { mutateAsync(...args).catch(() => {}); }, [mutateAsync]);
  const reset = useCallback(() => {
    last.current++;
    setState(IDLE);
  }, []);

  return useMemo(() => ({
    mutate,
    mutateAsync,
    reset,
    status: state.status,
    isPending: state.status === 'pending',
    isSuccess: state.status === 'success',
    isError: state.status === 'error',
    error: state.error,
    data: state.data,
  }), [mutate, mutateAsync, reset, state]);
}
