// Everything --redis adds to one gateway: the Redis connections, the bus over
// Redis, and the outbox relay. See README "Scale-out".
import { connectRedis } from './redis.js';
import { createRedisBus } from './bus.js';
import { createOutbox } from './outbox.js';

export async function startCluster({ url, db, capacity, log }) {
  const redis = await connectRedis(url, { epoch: db.epoch, capacity, log });
  const bus = createRedisBus(redis, { log });
  const outbox = createOutbox({ db, redis, log });
  return {
    redis,
    bus,
    outbox,
    async start() {
      await bus.start();
      outbox.start();
    },
    async close() {
      bus.stop();
      await outbox.close();
      redis.close();
    },
  };
}
