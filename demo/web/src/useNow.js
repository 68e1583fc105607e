// Date.now(), re-rendered every `ms` (null: not ticking).
import { useEffect, useState } from 'react';

export function useNow(ms) {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    if (!ms) return undefined;
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}
