// A token bucket: holds up to `burst` tokens, refilled at `perSecond`; take()
// spends one if there is one. `now` is injectable so tests need no sleeps.
export function createTokenBucket({ perSecond, burst, now = Date.now }) {
  let tokens = burst;
  let last = now();
  return {
    take() {
      const t = now();
      // A clock that steps back refills nothing, and refilling goes on from there.
      if (t > last) tokens = Math.min(burst, tokens + ((t - last) / 1000) * perSecond);
      last = t;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}
