// The bus between gateways, over Redis pub/sub (see redis.js for the keys).
// 'update' messages come only from the publish script (outbox.js relays);
// 'event' messages (custom channels) are published here directly.
//
// Pub/sub delivers at most once: a message is lost while this gateway's
// connection to Redis is down. So each stream's last seq handed to the gateway
// is remembered, and a hole (a seq past last + 1, or a reconnection) is filled
// from the stream's replay buffer before anything newer is handed on; when the
// buffer no longer holds it, the stream's subscribers get resync. Only the
// streams this gateway's sockets follow are tracked (watch/unwatch, from the
// gateway): memory and the catch-up's MGET stay proportional to them, and a
// stream is tracked from the lowest seq a subscriber got (see watch).
import { createMutex } from '../store/mutex.js';

export function createRedisBus(redis, { log = () => {} } = {}) {
  const handlers = new Set();
  const seen = new Map(); // stream -> {seq, channel}, for the watched streams
  const watched = new Map(); // stream -> local subscriptions
  const inOrder = createMutex();
  const channels = { updates: `${redis.prefix}updates`, events: `${redis.prefix}events` };
  const handed = new Map(); // stream -> last seq this gateway's sockets were given
  let waiters = [];

  // Resolves once every numbered delivery of `list` was handed on here (or
  // after timeoutMs: the record is committed either way; only the order of a
  // REST answer and its own broadcast is at stake).
  function reached(list, timeoutMs = 2000) {
    const done = () => list.every((d) => !d.stream || d.seq === undefined || (handed.get(d.stream) ?? 0) >= d.seq);
    if (done()) return Promise.resolve();
    return new Promise((resolve) => {
      const w = { done, resolve: () => { clearTimeout(timer); resolve(); } };
      const timer = setTimeout(() => { waiters = waiters.filter((x) => x !== w); resolve(); }, timeoutMs);
      waiters.push(w);
    });
  }
  function noteHanded(list) {
    for (const d of list) {
      if (!d.stream || d.seq === undefined || d.seq <= (handed.get(d.stream) ?? 0)) continue;
      handed.delete(d.stream); // re-inserted last: the oldest go first past the bound
      handed.set(d.stream, d.seq);
      if (handed.size > 10000) handed.delete(handed.keys().next().value);
    }
    const ready = waiters.filter((w) => w.done());
    waiters = waiters.filter((w) => !ready.includes(w));
    ready.forEach((w) => w.resolve());
  }

  const hand = async (topic, message) => {
    for (const h of [...handlers]) {
      try { await h(topic, message); } catch (err) { log(`bus handler: ${err.stack}`); }
    }
  };

  // The deliveries of `stream` after what was handed on, from the buffer.
  async function fill(stream, from, upTo) {
    const got = await redis.range(stream, from, upTo);
    if (got && got.length === upTo - from) return got;
    const { channel } = seen.get(stream);
    return [{ channel, stream, resync: true, seq: upTo }];
  }

  async function onUpdates(list) {
    const out = [];
    for (const d of list) {
      if (!d.stream || d.seq === undefined || !watched.has(d.stream)) { out.push(d); continue; }
      const last = seen.get(d.stream)?.seq;
      if (last !== undefined && d.seq <= last) continue; // had it (from a fill)
      if (last !== undefined && d.seq > last + 1) out.push(...(await fill(d.stream, last, d.seq - 1)));
      seen.set(d.stream, { seq: d.seq, channel: d.channel });
      out.push(d);
    }
    if (out.length) await hand('update', { deliveries: out });
    noteHanded(out);
  }

  // After a reconnection: whatever was published meanwhile, stream by stream.
  async function catchUp() {
    const out = [];
    const list = [...seen.keys()];
    const nows = list.length ? await redis.publishedMany(list) : [];
    for (const [i, stream] of list.entries()) {
      const { seq, channel, lostAt } = seen.get(stream);
      const now = nows[i];
      if (now === seq || (now < seq && lostAt === seq)) continue; // up to date, or resynced already
      if (now > seq) {
        out.push(...(await fill(stream, seq, now))); // replay, or resync past the buffer
        seen.set(stream, { seq: now, channel: seen.get(stream).channel });
      } else {
        // Redis lost its data: what it held may not have reached us. The database
        // numbering goes on from `seq`, so that stays our mark.
        out.push({ channel, stream, resync: true });
        seen.set(stream, { seq, channel, lostAt: seq });
      }
    }
    if (out.length) await hand('update', { deliveries: out });
    noteHanded(out);
  }

  redis.sub.on('message', (channel, text) => {
    let msg;
    try { msg = JSON.parse(text); } catch { return log('bus: unparsable message'); }
    if (channel === channels.updates) inOrder(() => onUpdates(msg)).catch((err) => log(`bus: ${err.message}`));
    else if (channel === channels.events) inOrder(() => hand('event', msg));
  });
  const catchUpSoon = () => inOrder(catchUp).catch((err) => log(`bus catch-up: ${err.message}`));
  let first = true;
  redis.sub.on('ready', () => {
    if (first) { first = false; return; }
    catchUpSoon();
  });
  // Also every second: a message lost around a reconnection with nothing after it.
  let timer = null;

  return {
    start() {
      timer = setInterval(catchUpSoon, 1000);
      timer.unref();
      return redis.sub.subscribe(channels.updates, channels.events);
    },
    stop: () => clearInterval(timer),
    reached,
    async publish(topic, message) {
      if (topic !== 'event') throw new Error(`the Redis bus carries updates through the outbox, not '${topic}'`);
      await redis.cmd.publish(channels.events, JSON.stringify(message));
    },
    // A local subscription of `stream` (of `channel`), which was told `seq`. The
    // stream is tracked from the lowest seq a subscriber was told: one told the
    // database's count while Redis did not answer is ahead of Redis, and tracking
    // from there would skip what a later subscriber, told Redis's seq, still needs
    // (each socket skips what it already has: gateway.js deliverTo).
    watch(stream, channel, seq) {
      watched.set(stream, (watched.get(stream) ?? 0) + 1);
      if (seq !== undefined && !(seen.get(stream)?.seq <= seq)) seen.set(stream, { seq, channel });
    },
    unwatch(stream) {
      const n = (watched.get(stream) ?? 0) - 1;
      if (n > 0) return void watched.set(stream, n);
      watched.delete(stream);
      seen.delete(stream);
    },
    subscribe(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
  };
}
