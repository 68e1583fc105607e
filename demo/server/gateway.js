// The WebSocket gateway at /ws: authentication at connect, the frames of
// PROTOCOL.md, limits, presence, and delivery of what arrives on the bus.
import crypto from 'node:crypto';
import { WebSocketServer } from 'ws';
import { verifyToken } from './auth.js';
import { HttpError } from './errors.js';
import { getRecord } from './db.js';
import { listRecords } from './query.js';
import { createChannelResolver } from './channels.js';
import { createPresence } from './presence.js';
import { createReplayBuffers } from './replay.js';
import { createRenderer } from './render.js';
import { createRights } from './rights.js';
import { createPublishLimiter } from './publishLimiter.js';
import { RESERVED_EVENTS } from './eventShapes.js';
import { atTime } from './expiry.js';
import { createOutbound } from './outbound.js';
import { parseJson, lookup } from './input.js';
import { createMutex, createKeyedMutex } from './store/mutex.js';

const CODES = { 400: 'bad_request', 403: 'forbidden', 404: 'not_found' };
const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

// Each socket has a lane: its connect, frames, deliveries and drop take turns
// there, each running to its end (awaiting the store or Redis) before the
// next starts, so a subscriber never sees a delivery between its `subscribed`
// and its replay, and deliveries reach it in the bus's order. A slow socket
// (its drop waiting on Redis, say) delays only itself; pings skip the lane.
// With --redis, `shared` brings the replay buffers, presence and connection
// counts of all gateways (cluster/); without, they live here.
export function createGateway({ config, db, access, visibility, streams, bus, secret, log = () => {}, shared = {} }) {
  const limits = config.limits;
  // maxPayload makes ws close oversized frames with 1009 itself.
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxFrameBytes });
  const instance = crypto.randomBytes(6).toString('hex'); // tells our own publishes apart on a shared bus
  const resolve = createChannelResolver(config);
  const presence = shared.presence ?? createPresence();
  const buffers = shared.buffers ?? createReplayBuffers(limits.replayBufferPerChannel);
  const render = createRenderer(config, visibility);
  const rights = createRights({ db, access, visibility, streams });
  const conns = new Set();
  const byUser = new Map(); // userId -> Set<conn>
  const byChannel = new Map(); // channel -> Set<conn>
  // userId -> its sockets' admissions, in turn (one slow lookup delays that user's next sockets)
  const admission = createKeyedMutex();
  let nextId = 1;

  const send = (conn, frame) => conn.out.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  const sendError = (conn, error, code, extra = {}) => send(conn, { type: 'error', error, code, ...extra });

  function malformed(conn, error, extra = {}) {
    conn.malformed += 1;
    sendError(conn, error, 'malformed', extra);
    // The limit is how many malformed frames are tolerated; the next one closes.
    if (conn.malformed > limits.malformedFramesPerConnection) conn.out.close(1008, 'Too many malformed frames');
  }

  // slot.conn is set once the socket is accepted; frames that arrive before
  // (while the user is read) wait on the lane behind connect.
  async function connect(ws, req, slot) {
    const params = new URL(req.url, 'http://x').searchParams;
    const token = params.get('token');
    const payload = token ? verifyToken(token, secret) : null;
    // Accept first, then close: browsers only see close codes of open sockets.
    if (!payload) return ws.close(4401, token ? 'Invalid or expired token' : 'Missing token');
    // A user's sockets are admitted in arrival order, so the one refused is the
    // last to arrive whatever order the store answers the lookups in.
    return admission(payload.sub, () => admit(ws, params, payload, slot));
  }

  async function admit(ws, params, payload, slot) {
    const user = await access.user(payload.sub);
    if (!user) return ws.close(4401, 'Invalid or expired token');
    const mine = byUser.get(user.id) ?? new Set();
    const id = nextId++;
    const allowed = shared.presence ? await shared.presence.acquire(user.id, id, limits.connectionsPerUser, mine.size) : mine.size < limits.connectionsPerUser;
    if (!allowed) return ws.close(4429, 'Too many connections');
    const out = createOutbound(ws, { maxBufferedBytes: limits.maxBufferedBytes, batch: params.get('batch') === '1' });
    const conn = { id, ws, out, user, lane: slot.lane, subs: new Map(), malformed: 0, publishLimit: createPublishLimiter(limits) };
    conns.add(conn);
    byUser.set(user.id, mine.add(conn));
    slot.conn = conn;
    if (ws.readyState !== 1) return drop(conn); // closed while the user was read
    // The socket's rights end with its token; the client fetches a new one on 4401.
    conn.cancelExpiry = atTime(payload.exp * 1000, () => out.close(4401, 'Token expired'));
  }

  async function onFrame(conn, data, isBinary) {
    if (isBinary) return malformed(conn, 'Binary frames are not supported');
    let msg;
    try { msg = parseJson(data.toString('utf8')); } catch { return malformed(conn, 'Invalid JSON'); }
    if (!isObj(msg)) return malformed(conn, 'Frame must be a JSON object');
    try {
      switch (msg.type) {
        case 'subscribe': return await subscribe(conn, msg);
        case 'unsubscribe': return await unsubscribe(conn, msg);
        case 'request': return await request(conn, msg);
        case 'publish': return await publish(conn, msg);
        case 'ping': return send(conn, msg.t === undefined ? { type: 'pong' } : { type: 'pong', t: msg.t });
        case undefined: return malformed(conn, "Missing 'type'");
        default: return malformed(conn, typeof msg.type === 'string' ? `Unknown type '${msg.type.slice(0, 50)}'` : "'type' must be a string");
      }
    } catch (err) {
      log(`ws ${conn.id}: ${err.stack}`);
      // An error answering a request names it, so the client settles that call.
      const answers = msg.type === 'request' && typeof msg.requestId === 'string' ? { requestId: msg.requestId } : {};
      sendError(conn, 'Internal server error', 'internal', answers);
    }
  }

  const channelOk = (c) => typeof c === 'string' && c.length > 0 && c.length <= 256;

  async function subscribe(conn, msg) {
    const { channel, since } = msg;
    if (!channelOk(channel)) return malformed(conn, "subscribe: 'channel' must be a non-empty string");
    if (since !== undefined && since !== null && !(Number.isSafeInteger(since) && since >= 0)) {
      return malformed(conn, "subscribe: 'since' must be a non-negative integer", { channel });
    }
    const target = resolve(channel);
    if (!target) return sendError(conn, 'Unknown channel', 'unknown_channel', { channel });
    const again = conn.subs.has(channel);
    if (!again && conn.subs.size >= limits.subscriptionsPerConnection) {
      return sendError(conn, 'Too many subscriptions', 'too_many_subscriptions', { channel });
    }
    const refused = await rights.refusal(conn.user, target);
    if (refused) return sendError(conn, refused === 'not_found' ? 'Not found' : 'Unauthorized', refused, { channel });
    const stream = target.kind === 'list' ? streams.listStream(target.mc, conn.user) : target.kind === 'item' ? channel : null;
    conn.subs.set(channel, { stream, target });
    if (!byChannel.has(channel)) byChannel.set(channel, new Set());
    byChannel.get(channel).add(conn);
    const frame = { type: 'subscribed', channel };
    if (stream) Object.assign(frame, { seq: await streams.current(stream), epoch: streams.epoch });
    // Deliveries up to this seq are in the snapshot or the replay (with Redis,
    // some may still be on their way to this gateway: they are skipped).
    conn.subs.get(channel).seq = frame.seq;
    if (stream && !again) bus.watch?.(stream, channel, frame.seq);
    if (target.kind === 'custom' && target.def.presence) {
      if (!again && await presence.join(channel, conn.user)) announce(conn, channel, 'join');
      frame.members = await presence.members(channel);
    }
    send(conn, frame);
    if (stream && since !== undefined && since !== null) await replay(conn, channel, target, stream, since, frame.seq);
  }

  // The missed frames, rendered for this subscriber; resync when one is not
  // buffered, marks a change of what it may see, or is a record it may not read.
  async function replay(conn, channel, target, stream, since, seq) {
    const ds = await buffers.after(stream, since, seq);
    let ok = !!ds;
    for (const d of ds ?? []) {
      if (d.resync || (target.kind === 'item' && !(await visibility.canRead(target.mc, conn.user, d.record)))) ok = false;
    }
    if (!ok) return send(conn, { type: 'resync', channel });
    for (const d of ds) send(conn, await render(d, conn.user));
  }

  // Presence join/leave go to every other subscriber of the channel (with
  // --redis, on every gateway: through the bus, like events).
  function announce(conn, channel, event) {
    const { id: userId, name } = conn.user;
    if (shared.presence) return announceShared(channel, event, userId, name);
    const text = JSON.stringify({ type: 'event', channel, event, data: { userId, name }, from: userId });
    for (const c of byChannel.get(channel) ?? []) if (c.user.id !== userId) send(c, text);
  }

  function announceShared(channel, event, userId, name) {
    const m = { channel, event, data: { userId, name }, from: userId, presence: true };
    Promise.resolve(bus.publish('event', m)).catch((err) => log(`presence: ${err.message}`));
  }

  async function leave(conn, channel) {
    const sub = conn.subs.get(channel);
    if (!sub) return;
    conn.subs.delete(channel);
    if (sub.stream) bus.unwatch?.(sub.stream);
    const set = byChannel.get(channel);
    set?.delete(conn);
    if (set && set.size === 0) byChannel.delete(channel);
    if (sub.target.kind === 'custom' && sub.target.def.presence && await presence.leave(channel, conn.user)) announce(conn, channel, 'leave');
  }

  // A right was lost: end the subscription (rather than skip a seq) and say why.
  async function revoke(conn, channel) {
    await leave(conn, channel);
    send(conn, { type: 'unsubscribed', channel });
    sendError(conn, 'Unauthorized', 'unauthorized', { channel });
  }

  // The rights of these users changed: revoke every subscription they lost.
  async function recheck(conn) {
    for (const [channel, sub] of [...conn.subs]) {
      if (await rights.refusal(conn.user, sub.target) === 'unauthorized') await revoke(conn, channel);
    }
  }

  async function unsubscribe(conn, msg) {
    if (!channelOk(msg.channel)) return malformed(conn, "unsubscribe: 'channel' must be a non-empty string");
    await leave(conn, msg.channel);
    send(conn, { type: 'unsubscribed', channel: msg.channel });
  }

  async function request(conn, msg) {
    const { requestId, model, action, params } = msg;
    if (typeof requestId !== 'string' || !requestId || requestId.length > 200) {
      return malformed(conn, "request: 'requestId' must be a non-empty string", requestId === undefined ? {} : { requestId });
    }
    if (typeof model !== 'string' || typeof action !== 'string') return malformed(conn, "request: 'model' and 'action' must be strings", { requestId });
    if (params !== undefined && params !== null && !isObj(params)) return malformed(conn, "request: 'params' must be an object", { requestId });
    const reply = (body) => send(conn, { type: 'response', requestId, ...body });
    const mc = lookup(config.models, model);
    if (!mc) return reply({ error: `Unknown model '${model.slice(0, 50)}'`, code: 'bad_request' });
    try {
      if (action === 'list') {
        const stream = streams.listStream(mc, conn.user);
        if (!stream) throw new HttpError(403, `Forbidden: you may not list ${mc.name}`);
        const seq = await streams.current(stream); // before the read, as in rest.js
        const { items, total } = await listRecords(db, visibility, mc, conn.user, params ?? {});
        return reply({ data: { items, total, seq, epoch: streams.epoch } });
      }
      if (action === 'get') {
        const id = params?.id;
        if (!Number.isSafeInteger(id) || id < 1) throw new HttpError(400, "get: 'params.id' must be a positive integer");
        const rec = await getRecord(db, mc.name, id);
        if (!rec) return reply({ data: null }); // like REST 404: the client answers null
        if (!(await visibility.canRead(mc, conn.user, rec))) throw new HttpError(403, `Forbidden: you may not read ${mc.name} ${id}`);
        return reply({ data: await visibility.project(mc, conn.user, rec) });
      }
      throw new HttpError(400, `Unknown action '${action.slice(0, 50)}' (expected list or get)`);
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      reply({ error: err.message, code: CODES[err.status] ?? 'bad_request' });
    }
  }

  async function publish(conn, msg) {
    const { channel, event } = msg;
    const limited = conn.publishLimit();
    if (limited !== 'ok') {
      sendError(conn, 'Too many publishes', 'rate_limited', channelOk(channel) ? { channel } : {});
      if (limited === 'abuse') conn.out.close(1008, 'Too many publishes');
      return;
    }
    if (!channelOk(channel) || typeof event !== 'string' || !event) {
      return malformed(conn, "publish: 'channel' and 'event' must be non-empty strings", channelOk(channel) ? { channel } : {});
    }
    const target = resolve(channel);
    if (!target) return sendError(conn, 'Unknown channel', 'unknown_channel', { channel });
    if (target.kind !== 'custom') return sendError(conn, 'Events can only be published on custom channels', 'bad_request', { channel });
    if (RESERVED_EVENTS.has(event)) return sendError(conn, `'${event}' is sent by the server only`, 'reserved_event', { channel });
    const check = target.def.events.get(event);
    if (!check) return sendError(conn, `Unknown event '${event.slice(0, 50)}' for this channel`, 'unknown_event', { channel });
    if (!(await access.canChannel(target.def, target.params, conn.user))) return sendError(conn, 'Unauthorized', 'unauthorized', { channel });
    const wrong = check(msg.data ?? null);
    if (wrong) return sendError(conn, wrong, 'bad_event_data', { channel });
    // Not awaited: the bus hands it back to this gateway's lane, after this frame.
    Promise.resolve(bus.publish('event', { channel, event, data: msg.data ?? null, from: conn.user.id, origin: `${instance}:${conn.id}` })).catch((err) => log(`publish: ${err.message}`));
  }

  // Local state first and whatever Redis says: the socket is forgotten here
  // even when a leave or the release fails (presence retries those).
  async function drop(conn) {
    if (!conns.delete(conn)) return;
    conn.cancelExpiry?.();
    const mine = byUser.get(conn.user.id);
    mine?.delete(conn);
    if (mine && mine.size === 0) byUser.delete(conn.user.id);
    try {
      for (const channel of [...conn.subs.keys()]) await leave(conn, channel).catch((err) => log(`ws ${conn.id} leave: ${err.message}`));
    } finally {
      if (shared.presence) await shared.presence.release(conn.user.id, conn.id);
    }
  }

  async function deliverTo(conn, d) {
    const sub = conn.subs.get(d.channel);
    if (!sub || sub.stream !== d.stream) return;
    if (d.seq !== undefined && sub.seq !== undefined && d.seq <= sub.seq) return;
    if (d.seq !== undefined) sub.seq = d.seq;
    // List streams are computed per user (streams.js); item rights are re-checked here.
    if (sub.target.kind === 'item' && !(await visibility.canRead(sub.target.mc, conn.user, d.record))) await revoke(conn, d.channel);
    else send(conn, await render(d, conn.user));
  }

  // Events: the channel's right is re-checked for every subscriber, every time
  // (the room is read once per event).
  function fanOutEvent(m, on) {
    const target = resolve(m.channel);
    if (!target || target.kind !== 'custom') return;
    const gate = access.channelGate(target.def, target.params);
    gate.catch(() => {}); // reported by each subscriber's task
    const text = JSON.stringify({ type: 'event', channel: m.channel, event: m.event, data: m.data, from: m.from });
    for (const c of byChannel.get(m.channel) ?? []) {
      if (m.presence ? c.user.id === m.from : `${instance}:${c.id}` === m.origin) continue;
      on(c, async () => {
        if (!c.subs.has(m.channel)) return;
        if ((await gate)(c.user)) send(c, text);
        else await revoke(c, m.channel);
      });
    }
  }

  // Queued on each concerned socket's lane now, in the bus's order; settles
  // when all have run (a REST answer follows its own broadcast).
  const unlisten = bus.subscribe((topic, m) => {
    const tasks = [];
    const on = (conn, fn) => { if (conns.has(conn)) tasks.push(onLane(conn.lane, fn, `ws ${conn.id}`)); }; // not one being dropped
    if (topic === 'event') fanOutEvent(m, on);
    for (const d of topic === 'update' ? m.deliveries : []) {
      if (d.rights) {
        for (const id of d.rights) for (const conn of byUser.get(id) ?? []) on(conn, () => recheck(conn));
        continue;
      }
      buffers.push(d.stream, d.seq, d).catch((err) => log(`replay buffer: ${err.message}`));
      for (const conn of byChannel.get(d.channel) ?? []) on(conn, () => deliverTo(conn, d));
    }
    return Promise.all(tasks);
  });

  // Work on a lane never rejects: a failure is logged (the lane goes on).
  const onLane = (lane, fn, what) => lane(fn).catch((err) => log(`${what}: ${err.stack ?? err.message}`));

  // A ping is answered at once, whatever the socket's lane is waiting for.
  function answerPing(conn, data, isBinary) {
    if (isBinary || data.length > 200) return false;
    let msg;
    try { msg = JSON.parse(data.toString('utf8')); } catch { return false; }
    if (!isObj(msg) || msg.type !== 'ping') return false;
    send(conn, msg.t === undefined ? { type: 'pong' } : { type: 'pong', t: msg.t });
    return true;
  }

  return {
    // With --redis: a user whose every entry expired (their gateway died) leaves.
    presenceExpired: (channel, userId, name) => announceShared(channel, 'leave', userId, name),
    // ...and one whose entry was gone while they were here (a late refresh, Redis wiped) joins again.
    presenceJoined: (channel, userId, name) => announceShared(channel, 'join', userId, name),
    handleUpgrade(req, socket, head) {
      wss.handleUpgrade(req, socket, head, (ws) => {
        const slot = { conn: null, lane: createMutex() };
        slot.lane(() => connect(ws, req, slot)).catch((err) => {
          log(`ws connect: ${err.stack}`);
          ws.close(1011, 'Internal server error');
        });
        ws.on('message', (data, isBinary) => {
          if (slot.conn && answerPing(slot.conn, data, isBinary)) return;
          onLane(slot.lane, () => slot.conn && onFrame(slot.conn, data, isBinary), `ws ${slot.conn?.id ?? '-'}`);
        });
        ws.on('close', () => onLane(slot.lane, () => slot.conn && drop(slot.conn), `ws ${slot.conn?.id ?? '-'} drop`));
        ws.on('error', (err) => log(`ws ${slot.conn?.id ?? '-'}: ${err.message}`));
      });
    },
    // Close every socket with 1001; sockets that do not answer within
    // graceMs are terminated so shutdown never hangs.
    close(graceMs = 1000) {
      unlisten();
      for (const c of conns) c.out.flush(); // what this tick sent goes before the close
      const open = [...wss.clients];
      const closed = open.map((ws) => new Promise((r) => {
        if (ws.readyState === 3) return r();
        ws.once('close', r);
        ws.close(1001, 'Server shutting down');
      }));
      const timer = setTimeout(() => open.forEach((ws) => ws.terminate()), graceMs);
      return Promise.all(closed).then(() => { clearTimeout(timer); wss.close(); });
    },
    stats() {
      let bufferedBytes = 0; // output the kernel has not taken yet (or queued for the tick's batch)
      let largestBufferedBytes = 0;
      for (const c of conns) {
        const waiting = c.ws.bufferedAmount + c.out.queuedBytes;
        bufferedBytes += waiting;
        largestBufferedBytes = Math.max(largestBufferedBytes, waiting);
      }
      return { connections: conns.size, channels: byChannel.size, bufferedBytes, largestBufferedBytes };
    },
  };
}
