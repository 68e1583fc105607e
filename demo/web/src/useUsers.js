// userId -> name. User is not a realtime model: one HTTP read.
import { useMemo } from 'react';
import { useList } from 'ssot-realtime/react';
import { USERS_QUERY } from './queries.js';
import { isText } from './format.js';

export function useUsers() {
  const { data } = useList('User', USERS_QUERY);
  return useMemo(() => {
    const byId = new Map(data.map((u) => [Number(u.id), u]));
    const name = (id) => {
      const n = byId.get(Number(id))?.name;
      return isText(n) ? n : `user ${Number(id)}`;
    };
    return { list: data, name };
  }, [data]);
}
