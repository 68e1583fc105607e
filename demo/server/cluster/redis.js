// The Redis side of a cluster of gateways (`--redis redis://HOST:PORT`):
// three connections (commands; pub/sub; quick, for what answers a client), the key prefix of this database's
// epoch, the publish script, and the replay buffers read from Redis.
//
// Keys (prefix ssot:{epoch}: so that a new database never meets old numbers):
//   last:{stream}  the last published seq of a stream
//   buf:{stream}   a Redis Stream, entry id {seq}-0, the last N deliveries (MAXLEN)
//   updates        pub/sub channel: JSON arrays of deliveries, in publish order
//   events         pub/sub channel: custom-channel events
import fs from 'node:fs';
import Redis from 'ioredis';

const PUBLISH_LUA = fs.readFileSync(new URL('./publish.lua', import.meta.url), 'utf8');

export async function connectRedis(url, { epoch, capacity, log }) {
  if (!/^rediss?:\/\//.test(url)) throw new Error(`--redis must be a redis://HOST:PORT URL, got '${url}'`);
  const opts = {
    // Commands wait (queued) while Redis is away, and fail after a while so
    // that callers retry rather than hang.
    maxRetriesPerRequest: 20,
    retryStrategy: (n) => Math.min(50 * n, 500),
    lazyConnect: true,
  };
  const cmd = new Redis(url, opts);
  const sub = new Redis(url, { ...opts, maxRetriesPerRequest: null });
  // What answers a client (presence, connection limits, the seq of a read or a
  // subscribe, a replay) must not wait for Redis: while it is away these fail at
  // once (no offline queue) or after 1 s, and the caller falls back (this
  // gateway's own view, cluster/presence.js; the database's count; resync).
  const quick = new Redis(url, { ...opts, maxRetriesPerRequest: 0, enableOfflineQueue: false, commandTimeout: 1000 });
  const all = [cmd, sub, quick];
  for (const c of all) c.on('error', (err) => log(`redis: ${err.message}`));
  try {
    for (const c of all) await c.connect();
  } catch (err) {
    for (const c of all) c.disconnect();
    throw new Error(`redis ${url}: ${err.message}`);
  }
  cmd.defineCommand('ssotPublish', { numberOfKeys: 0, lua: PUBLISH_LUA });
  const prefix = `ssot:${epoch}:`;

  // Entries after `since` up to `to`, or null when they are not all there.
  async function range(stream, since, to, client = cmd) {
    const entries = await client.xrange(`${prefix}buf:${stream}`, `${since + 1}-0`, to === undefined ? '+' : `${to}-0`);
    const out = entries.map(([, fields]) => JSON.parse(fields[1]));
    for (let i = 0; i < out.length; i++) if (out[i].seq !== since + 1 + i) return null;
    return out;
  }

  const buffers = {
    push: async () => {}, // the publish script fills the buffers
    async after(stream, since, current) {
      if (since === current) return [];
      if (since > current) return null;
      let out;
      try {
        out = await range(stream, since, current, quick);
      } catch {
        return null; // Redis away (quick fails within 1 s): resync, which is always right
      }
      return out && out.length === current - since ? out : null;
    },
  };

  // null: Redis has no memory of the stream (never published, or Redis lost its data),
  // or cannot answer now (away or hanging: quick fails within 1 s). The caller then
  // counts in the database, which is never behind what Redis published: reads and
  // subscribes go on while Redis is away (README "Scale-out").
  const published = async (stream) => {
    let v;
    try {
      v = await quick.get(`${prefix}last:${stream}`);
    } catch {
      return null;
    }
    return v === null ? null : Number(v);
  };
  const publishedMany = async (streams) => (await cmd.mget(...streams.map((s) => `${prefix}last:${s}`))).map((v) => Number(v) || 0);

  return {
    cmd, sub, quick, prefix, buffers, published, publishedMany, range,
    // One outbox row's deliveries -> ['ok', n] | ['wait', stream, last]; force: past a hole.
    publishRow: (deliveries, force = false) => cmd.ssotPublish(prefix, capacity, force ? '1' : '0',
      ...deliveries.flatMap((d) => [d.stream ?? '', d.seq ?? 0, JSON.stringify(d)])),
    close() {
      for (const c of all) c.disconnect();
    },
  };
}
