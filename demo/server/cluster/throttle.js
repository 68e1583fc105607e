// The failed-login throttle over all gateways (with --redis): the sliding window
// of throttle.js kept in Redis, a sorted set of failure times per key that
// expires with the window, so that N gateways allow `max` failures, not N x max.
// Redis away (quick fails within 1 s): this gateway's own count stands in (it
// saw every failure made here, also while Redis was up).
import crypto from 'node:crypto';
import { createThrottle } from '../throttle.js';

export function createSharedThrottle(redis, { name, max, windowMs, now = Date.now, log = () => {} }) {
  const local = createThrottle({ max, windowMs, now });
  const r = redis.quick;
  const me = crypto.randomBytes(4).toString('hex');
  let n = 0;
  const key = (k) => `${redis.prefix}throttle:${name}:${k}`;
  // Once per 10 s at most: every login attempt would log while Redis is away.
  let logged = 0;
  const failed = (what, err) => {
    if (Date.now() - logged < 10000) return;
    logged = Date.now();
    log(`login throttle ${what}: ${err.message} (this gateway's count stands in)`);
  };
  async function exec(multi) {
    const results = await multi.exec();
    const err = results.find(([e]) => e)?.[0];
    if (err) throw err;
    return results.map(([, v]) => v);
  }

  return {
    // 0 when the key may try now, else milliseconds to wait: the max-th newest
    // failure within the window decides, as in throttle.js.
    async retryAfterMs(k) {
      const t = now();
      try {
        const [, nth] = await exec(r.multi().zremrangebyscore(key(k), '-inf', t - windowMs).zrevrange(key(k), max - 1, max - 1, 'WITHSCORES'));
        return nth.length ? Math.max(0, Number(nth[1]) + windowMs - t) : 0;
      } catch (err) {
        failed('read', err);
        return local.retryAfterMs(k);
      }
    },
    async fail(k) {
      local.fail(k);
      const t = now();
      try {
        await exec(r.multi().zadd(key(k), t, `${t}:${me}:${n++}`).zremrangebyrank(key(k), 0, -(max + 1)).pexpire(key(k), windowMs));
      } catch (err) {
        failed('write', err);
      }
    },
    async reset(k) {
      local.reset(k);
      try {
        await r.del(key(k));
      } catch (err) {
        failed('reset', err);
      }
    },
  };
}
