// Presence and per-user connection limits over all gateways (with --redis).
//
// Room presence is the union of every gateway's members: a sorted set per
// channel (presence.lua), one entry per (user, gateway), refreshed by its
// gateway every ttl/3 and expiring after ttl. A gateway that dies stops
// refreshing: within ttl (+ one sweep) its users leave, announced once by
// whichever gateway's sweep removed them. Connections are counted the same
// way per user, one entry per socket.
//
// Redis away (README "Scale-out"): these calls fail fast (redis.quick) and
// fail open: this gateway's own sockets and members stand in for the union
// (the connection limit then counts this gateway only); the next refresh
// after Redis is back writes them again. Removals that failed are retried
// at every refresh, and stop being refreshed at once, so they expire anyway.
import fs from 'node:fs';
import crypto from 'node:crypto';
import { createPresence } from '../presence.js';

const LUA = fs.readFileSync(new URL('./presence.lua', import.meta.url), 'utf8');
const KEY_TTL_MS = 3600000; // a whole key of a channel nobody refreshes any more

export function createClusterPresence(redis, { ttlMs = 6000, now = Date.now, log = () => {}, onExpired = () => {}, onJoined = () => {} } = {}) {
  const r = redis.quick ?? redis.cmd;
  r.defineCommand('ssotPresence', { numberOfKeys: 0, lua: LUA });
  const gatewayId = crypto.randomBytes(6).toString('hex');
  const local = createPresence(); // this gateway's sockets, counted per user
  const names = new Map(); // `${channel}\n${userId}` -> name, for this gateway's entries
  const conns = new Map(); // member -> key, this gateway's sockets
  const removals = new Map(); // `${key}\n${member}` -> [key, member]: ZREMs to retry
  const pkey = (channel) => `${redis.prefix}presence:${channel}`;
  const ckey = (userId) => `${redis.prefix}conns:${userId}`;
  const nameKey = (channel) => `${redis.prefix}names:${channel}`;
  const call = (...args) => r.ssotPresence(...args);
  const failed = (what, err) => log(`presence ${what}: ${err.message} (this gateway's view stands in)`);

  async function join(channel, user) {
    if (!local.join(channel, user)) return false;
    names.set(`${channel}\n${user.id}`, user.name);
    removals.delete(`${pkey(channel)}\n${user.id}|${gatewayId}`); // back before its retry
    try {
      await r.hset(nameKey(channel), String(user.id), user.name);
      return (await call('join', pkey(channel), now(), `${user.id}|${gatewayId}`, String(user.id), now() + ttlMs)) === 1;
    } catch (err) {
      failed('join', err);
      return true; // first here; the refresh adds it to Redis
    }
  }

  async function leave(channel, user) {
    if (!local.leave(channel, user)) return false;
    names.delete(`${channel}\n${user.id}`);
    const member = `${user.id}|${gatewayId}`;
    try {
      return (await call('leave', pkey(channel), now(), member, String(user.id))) === 1;
    } catch (err) {
      failed('leave', err);
      removals.set(`${pkey(channel)}\n${member}`, [pkey(channel), member]);
      return false; // its entry expires; a sweep announces the leave
    }
  }

  async function members(channel) {
    try {
      const live = await r.zrangebyscore(pkey(channel), `(${now()}`, '+inf');
      const ids = [...new Set(live.map((m) => Number(m.split('|')[0])))].sort((a, b) => a - b);
      const known = ids.length ? await r.hmget(nameKey(channel), ...ids.map(String)) : [];
      return ids.map((userId, i) => ({ userId, name: known[i] ?? '' }));
    } catch (err) {
      failed('members', err);
      return local.members(channel);
    }
  }

  // A socket of userId may open when the user has fewer than `limit` live ones.
  async function acquire(userId, connId, limit, localCount = 0) {
    const member = `${userId}|${gatewayId}|${connId}`;
    let ok;
    try {
      ok = (await call('count', ckey(userId), now(), member, String(userId), now() + ttlMs, limit)) === 1;
    } catch (err) {
      failed('acquire', err);
      ok = localCount < limit; // fail open: this gateway's sockets only
    }
    if (ok) conns.set(member, ckey(userId));
    return ok;
  }

  // Never throws: the socket is forgotten here at once, Redis when it answers.
  async function release(userId, connId) {
    const member = `${userId}|${gatewayId}|${connId}`;
    conns.delete(member);
    try {
      await r.zrem(ckey(userId), member);
    } catch (err) {
      failed('release', err);
      removals.set(`${ckey(userId)}\n${member}`, [ckey(userId), member]);
    }
  }

  // Refresh this gateway's entries (score, name, key TTL); a user whose entry
  // was gone (swept late, or Redis lost its data) is announced as joining again.
  async function refresh() {
    const expiry = now() + ttlMs;
    const p = r.pipeline();
    const entries = [...names].map(([k, name]) => [...k.split('\n'), name]);
    for (const [channel, userId, name] of entries) {
      p.hset(nameKey(channel), userId, name);
      p.pexpire(nameKey(channel), KEY_TTL_MS);
      p.ssotPresence('join', pkey(channel), now(), `${userId}|${gatewayId}`, userId, expiry);
    }
    for (const [member, key] of conns) p.zadd(key, expiry, member).pexpire(key, KEY_TTL_MS);
    for (const [key, member] of removals.values()) p.zrem(key, member);
    const results = await p.exec();
    removals.clear();
    entries.forEach(([channel, userId, name], i) => {
      if (results[i * 3 + 2][1] === 1) onJoined(channel, Number(userId), name);
    });
  }

  // Refresh; sweep the expired entries of the channels this gateway serves.
  async function tick() {
    await refresh();
    const channels = new Set([...names.keys()].map((k) => k.split('\n')[0]));
    for (const channel of channels) {
      const gone = await call('sweep', pkey(channel), now());
      for (const userId of gone) onExpired(channel, Number(userId), (await r.hget(nameKey(channel), userId)) ?? '');
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
