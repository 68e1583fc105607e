// Per-connection publish limit: a token bucket for publishes, and a second one
// for rejections, so a client that keeps publishing past its rate (more than
// publishRejectionsBeforeClose rejections within publishRejectionWindowSeconds)
// is told to go away rather than answered with error frames forever.
import { createTokenBucket } from './tokenBucket.js';

// Returns publish() -> 'ok' | 'limited' (answer with an error) | 'abuse' (close the socket).
export function createPublishLimiter(limits, now = Date.now) {
  const publishes = createTokenBucket({ perSecond: limits.publishPerSecond, burst: limits.publishBurst, now });
  const rejections = createTokenBucket({
    perSecond: limits.publishRejectionsBeforeClose / limits.publishRejectionWindowSeconds,
    burst: limits.publishRejectionsBeforeClose,
    now,
  });
  return () => {
    if (publishes.take()) return 'ok';
    return rejections.take() ? 'limited' : 'abuse';
  };
}
