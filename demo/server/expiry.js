// Runs onExpire at expMs (epoch ms), e.g. a token's expiry. setTimeout fires at
// once for delays past 2^31-1 ms (~24.8 days), so long waits are taken in steps.
// Returns cancel().
const MAX_DELAY = 2 ** 31 - 1;

export function atTime(expMs, onExpire, now = Date.now) {
  let timer;
  const arm = () => {
    const left = expMs - now();
    if (left <= 0) return onExpire();
    timer = setTimeout(arm, Math.min(left, MAX_DELAY));
    timer.unref?.(); // never what keeps a process alive
  };
  arm();
  return () => clearTimeout(timer);
}
