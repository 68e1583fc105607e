// A sliding-window failure counter: at most `max` failures per `windowMs` per
// key; past that, retryAfterMs(key) says how long until the oldest failure
// ages out. `now` is injectable so tests need no sleeps. The table forgets
// aged-out keys and never holds more than `maxKeys` (oldest dropped first),
// so a flood of distinct keys cannot grow it without bound.
export function createThrottle({ max, windowMs, now = Date.now, maxKeys = 10000 }) {
  const fails = new Map(); // key -> failure times, oldest first

  function recent(key, t) {
    const times = fails.get(key);
    if (!times) return [];
    while (times.length && times[0] <= t - windowMs) times.shift();
    if (!times.length) fails.delete(key);
    return times;
  }

  let swept = now();
  function sweep(t) {
    swept = t;
    for (const key of fails.keys()) recent(key, t);
    for (const key of fails.keys()) {
      if (fails.size < maxKeys) break;
      fails.delete(key);
    }
  }

  return {
    // 0 when the key may try now, else milliseconds to wait.
    retryAfterMs(key) {
      const t = now();
      const times = recent(key, t);
      return times.length < max ? 0 : times[times.length - max] + windowMs - t;
    },
    fail(key) {
      const t = now();
      if (t - swept >= windowMs || (!fails.has(key) && fails.size >= maxKeys)) sweep(t);
      const times = recent(key, t);
      fails.set(key, times);
      times.push(t);
      if (times.length > max) times.shift(); // older ones no longer decide anything
    },
    reset(key) { fails.delete(key); },
    size: () => fails.size,
  };
}
