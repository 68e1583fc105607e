// Presence and per-user connection limits over all gateways (with --redis).
//
// Room presence is the union of every gateway's members: a sorted set per
// channel (presence.lua), one entry per (user, gateway), refreshed by its
// gateway every ttl/3 and expiring after ttl. A gateway that dies stops
// refreshing: within ttl (+ one sweep) its users leave, announced once by
// whichever gateway's sweep removed them. Connections are counted the same
// way per user, one entry per socket.
import fs from 'node:fs';
import crypto from 'node:crypto';
import { createPresence } from '../presence.js';

const LUA = fs.readFileSync(new URL('./presence.lua', import.meta.url), 'utf8');

export function createClusterPresence(redis, { ttlMs = 6000, now = Date.now, log = () => {}, onExpired = () => {} } = {}) {
  redis.cmd.defineCommand('ssotPresence', { numberOfKeys: 0, lua: LUA });
  const gatewayId = crypto.randomBytes(6).toString('hex');
  const local = createPresence(); // this gateway's sockets, counted per user
  const names = new Map(); // `${channel}\n${userId}` -> name, for this gateway's entries
  const conns = new Map(); // member -> key, this gateway's sockets
  const pkey = (channel) => `${redis.prefix}presence:${channel}`;
  const ckey = (userId) => `${redis.prefix}conns:${userId}`;
  const call = (...args) => redis.cmd.ssotPresence(...args);
  const nameKey = (channel) => `${redis.prefix}names:${channel}`;

  async function join(channel, user) {
    if (!local.join(channel, user)) return false;
    names.set(`${channel}\n${user.id}`, user.name);
    await redis.cmd.hset(nameKey(channel), String(user.id), user.name);
    return (await call('join', pkey(channel), now(), `${user.id}|${gatewayId}`, String(user.id), now() + ttlMs)) === 1;
  }

  async function leave(channel, user) {
    if (!local.leave(channel, user)) return false;
    names.delete(`${channel}\n${user.id}`);
    return (await call('leave', pkey(channel), now(), `${user.id}|${gatewayId}`, String(user.id))) === 1;
  }

  async function members(channel) {
    const live = await redis.cmd.zrangebyscore(pkey(channel), `(${now()}`, '+inf');
    const ids = [...new Set(live.map((m) => Number(m.split('|')[0])))].sort((a, b) => a - b);
    const known = ids.length ? await redis.cmd.hmget(nameKey(channel), ...ids.map(String)) : [];
    return ids.map((userId, i) => ({ userId, name: known[i] ?? '' }));
  }

  // A socket of userId may open when the user has fewer than `limit` live ones.
  async function acquire(userId, connId, limit) {
    const member = `${userId}|${gatewayId}|${connId}`;
    const ok = (await call('count', ckey(userId), now(), member, String(userId), now() + ttlMs, limit)) === 1;
    if (ok) conns.set(member, ckey(userId));
    return ok;
  }
  async function release(userId, connId) {
    const member = `${userId}|${gatewayId}|${connId}`;
    conns.delete(member);
    await redis.cmd.zrem(ckey(userId), member);
  }

  // Refresh this gateway's entries; sweep the expired ones of the channels it serves.
  async function tick() {
    const expiry = now() + ttlMs;
    const p = redis.cmd.pipeline();
    for (const k of names.keys()) {
      const [channel, userId] = k.split('\n');
      p.zadd(pkey(channel), expiry, `${userId}|${gatewayId}`);
    }
    for (const [member, key] of conns) p.zadd(key, expiry, member);
    await p.exec();
    const channels = new Set([...names.keys()].map((k) => k.split('\n')[0]));
    for (const channel of channels) {
      const gone = await call('sweep', pkey(channel), now());
      for (const userId of gone) onExpired(channel, Number(userId), (await redis.cmd.hget(nameKey(channel), userId)) ?? '');
    }
  }

  let timer = null;
  return {
    join, leave, members, acquire, release,
    start() {
      const loop = () => {
        tick().catch((err) => log(`presence: ${err.message}`)).finally(() => { if (timer) timer = setTimeout(loop, ttlMs / 3); });
      };
      timer = setTimeout(loop, ttlMs / 3);
    },
    stop() { clearTimeout(timer); timer = null; },
    tick,
  };
}
