// Everything --redis adds to one gateway: the Redis connections, the bus over
// Redis, and the outbox relay. See README "Scale-out".
import { connectRedis } from './redis.js';
import { createRedisBus } from './bus.js';
import { createOutbox } from './outbox.js';
import { createClusterPresence } from './presence.js';
import { createSharedThrottle } from './throttle.js';

export async function startCluster({ url, db, capacity, log }) {
  const redis = await connectRedis(url, { epoch: db.epoch, capacity, log });
  const bus = createRedisBus(redis, { log });
  const outbox = createOutbox({ db, redis, log });
  const on = { expired: () => {}, joined: () => {} };
  const ttlMs = Number(process.env.SSOT_PRESENCE_TTL_MS) || 6000;
  const presence = createClusterPresence(redis, { ttlMs, log, onExpired: (...a) => on.expired(...a), onJoined: (...a) => on.joined(...a) });
  presence.on = (event, fn) => { if (Object.hasOwn(on, event)) on[event] = fn; };
  return {
    redis,
    bus,
    outbox,
    presence,
    throttle: (name, opts) => createSharedThrottle(redis, { name, ...opts, log }),
    async start() {
      await bus.start();
      outbox.start();
      presence.start();
    },
    async close() {
      presence.stop();
      bus.stop();
      await outbox.close();
      redis.close();
    },
  };
}
