// A small in-process server that speaks the client's protocol (PROTOCOL.md) on
// 127.0.0.1: REST lists/gets/mutations over an in-memory store with per-channel
// seq, and a WebSocket at /ws answering subscribe/request/ping. Tests control
// it: push any frame text to the sockets, replace HTTP answers with a hook,
// cut sockets. Used by the leak soak and the bad-input matrix.
//
//   const srv = await startFakeServer({ Product: [{id: 1, ...}], ... });
//   srv.baseUrl, srv.wsUrl
//   srv.mutate('Product', 'updated', record) -> pushes the update frames (list + item channel, with seq)
//   srv.send(textOrObject)   to every open socket          srv.sockets (Set of ws)
//   srv.httpHook = (req, res, url) => true when it answered the request itself
//   srv.wsHook = (ws, msg) => true when it answered the frame itself
//   srv.subscribed: count of `subscribed` frames sent;  srv.channels: Map channel -> Set<ws>
//   await srv.close()
import http from 'node:http';
import { WebSocketServer } from 'ws';

const cmp = (a, b) => (a === b ? 0 : a < b ? -1 : 1);

function matches(rec, where) {
  for (const [field, cond] of Object.entries(where ?? {})) {
    const v = rec[field];
    if (cond !== null && typeof cond === 'object' && !Array.isArray(cond)) {
      for (const [op, x] of Object.entries(cond)) {
        const ok = op === 'eq' ? v === x : op === 'ne' ? v !== x : op === 'gt' ? v > x : op === 'gte' ? v >= x
          : op === 'lt' ? v < x : op === 'lte' ? v <= x : op === 'in' ? x.includes(v) : op === 'contains' ? String(v).includes(x) : false;
        if (!ok) return false;
      }
    } else if (v !== cond) return false;
  }
  return true;
}

// The server's list semantics: where, orderBy (object or array; ties by id), skip/take.
export function query(records, { where, orderBy, skip, take } = {}) {
  const keys = (Array.isArray(orderBy) ? orderBy : orderBy ? [orderBy] : []).flatMap((o) => Object.entries(o));
  const items = [...records].filter((r) => matches(r, where)).sort((a, b) => {
    for (const [k, dir] of keys) {
      const c = cmp(a[k], b[k]);
      if (c) return dir === 'desc' ? -c : c;
    }
    return cmp(a.id, b.id);
  });
  const total = items.length;
  const from = skip ?? 0;
  return { items: items.slice(from, take === undefined ? undefined : from + take), total };
}

export async function startFakeServer(initial = {}) {
  const models = new Map(); // model -> Map(id -> record)
  for (const [m, recs] of Object.entries(initial)) models.set(m, new Map(recs.map((r) => [r.id, r])));
  const seqs = new Map(); // channel -> seq
  const pathToModel = (p) => [...models.keys()].find((m) => `${m.toLowerCase()}s` === p);
  let nextId = 1 + Math.max(0, ...[...models.values()].flatMap((m) => [...m.keys()]));

  const srv = {
    models,
    seqs,
    httpHook: null,
    wsHook: null,
    subscribed: 0,
    sockets: new Set(),
    channels: new Map(),
    requests: [], // every HTTP request: {method, url}
  };

  const json = (res, status, body) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  };

  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      const url = new URL(req.url, 'http://x');
      srv.requests.push({ method: req.method, url: req.url });
      if (srv.httpHook && srv.httpHook(req, res, url, body)) return;
      const [, api, p, id] = url.pathname.split('/');
      const model = api === 'api' ? pathToModel(p) : undefined;
      if (!model) return json(res, 404, { error: 'Not found' });
      const store = models.get(model);
      try {
        if (req.method === 'GET' && id === undefined) {
          const q = {};
          for (const k of ['where', 'orderBy']) if (url.searchParams.has(k)) q[k] = JSON.parse(url.searchParams.get(k));
          for (const k of ['skip', 'take']) if (url.searchParams.has(k)) q[k] = Number(url.searchParams.get(k));
          return json(res, 200, { ...query(store.values(), q), seq: seqs.get(`${model}:list`) ?? 0 });
        }
        const rid = Number(id);
        if (req.method === 'GET') return store.has(rid) ? json(res, 200, store.get(rid)) : json(res, 404, { error: 'Not found' });
        if (req.method === 'POST') {
          const rec = { ...JSON.parse(body), id: nextId++ };
          srv.mutate(model, 'created', rec, req.headers['x-client-mutation-id']);
          return json(res, 201, rec);
        }
        if (req.method === 'PUT' || req.method === 'PATCH') {
          if (!store.has(rid)) return json(res, 404, { error: 'Not found' });
          const rec = { ...(req.method === 'PATCH' ? store.get(rid) : {}), ...JSON.parse(body), id: rid };
          srv.mutate(model, 'updated', rec, req.headers['x-client-mutation-id']);
          return json(res, 200, rec);
        }
        if (req.method === 'DELETE') {
          if (!store.has(rid)) return json(res, 404, { error: 'Not found' });
          srv.mutate(model, 'deleted', { id: rid }, req.headers['x-client-mutation-id']);
          return json(res, 200, { deleted: true });
        }
        return json(res, 405, { error: 'Method not allowed' });
      } catch (err) {
        return json(res, 400, { error: err.message });
      }
    });
  });
  const sockets = new Set(); // raw TCP sockets, destroyed at close
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });

  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    if (!req.url.startsWith('/ws')) return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => {
      srv.sockets.add(ws);
      const mine = new Set();
      ws.on('close', () => {
        srv.sockets.delete(ws);
        for (const c of mine) srv.channels.get(c)?.delete(ws);
      });
      ws.on('error', () => {});
      ws.on('message', (data) => {
        let msg;
        try { msg = JSON.parse(data.toString()); } catch { return; }
        if (srv.wsHook && srv.wsHook(ws, msg)) return;
        const reply = (f) => ws.send(JSON.stringify(f));
        if (msg.type === 'ping') return reply({ type: 'pong', t: msg.t });
        if (msg.type === 'subscribe') {
          const [model, kind] = msg.channel.split(':');
          if (!models.has(model) || !['list', 'item'].includes(kind)) {
            return reply({ type: 'error', error: 'Unknown channel', code: 'unknown_channel', channel: msg.channel });
          }
          mine.add(msg.channel);
          if (!srv.channels.has(msg.channel)) srv.channels.set(msg.channel, new Set());
          srv.channels.get(msg.channel).add(ws);
          const seq = seqs.get(msg.channel) ?? 0;
          srv.subscribed += 1;
          reply({ type: 'subscribed', channel: msg.channel, seq });
          // No replay buffer: a client behind the counter re-hydrates.
          if (msg.since !== undefined && msg.since !== null && msg.since !== seq) reply({ type: 'resync', channel: msg.channel });
          return;
        }
        if (msg.type === 'unsubscribe') {
          mine.delete(msg.channel);
          srv.channels.get(msg.channel)?.delete(ws);
          return reply({ type: 'unsubscribed', channel: msg.channel });
        }
        if (msg.type === 'request') {
          const store = models.get(msg.model);
          if (!store) return reply({ type: 'response', requestId: msg.requestId, error: 'Unknown model' });
          if (msg.action === 'list') {
            return reply({ type: 'response', requestId: msg.requestId, data: { ...query(store.values(), msg.params ?? {}), seq: seqs.get(`${msg.model}:list`) ?? 0 } });
          }
          return reply({ type: 'response', requestId: msg.requestId, data: store.get(msg.params?.id) ?? null });
        }
      });
    });
  });

  // Applies a change to the store and returns the update frames (as text) it
  // produces: one on `${model}:list` and one on `${model}:item:${id}`, each
  // with the channel's next seq. push=false only applies and numbers them.
  srv.mutate = (model, type, rec, mutationId, { push = true } = {}) => {
    const store = models.get(model);
    if (type === 'deleted') store.delete(rec.id);
    else store.set(rec.id, rec);
    const out = [];
    for (const channel of [`${model}:list`, `${model}:item:${rec.id}`]) {
      const seq = (seqs.get(channel) ?? 0) + 1;
      seqs.set(channel, seq);
      const data = type === 'deleted' ? { type, id: rec.id, timestamp: Date.now() } : { type, data: rec, id: rec.id, timestamp: Date.now() };
      const frame = { type: 'update', channel, data, seq };
      if (mutationId) frame.mutationId = mutationId;
      const text = JSON.stringify(frame);
      out.push(text);
      if (push) for (const ws of srv.channels.get(channel) ?? []) ws.send(text);
    }
    return out;
  };
  srv.send = (frame) => {
    const text = typeof frame === 'string' ? frame : JSON.stringify(frame);
    for (const ws of srv.sockets) ws.send(text);
  };
  srv.list = (model, q) => query(models.get(model).values(), q);

  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  srv.port = port;
  srv.baseUrl = `http://127.0.0.1:${port}/api`;
  srv.wsUrl = `ws://127.0.0.1:${port}/ws`;
  srv.close = () => new Promise((r) => {
    for (const ws of srv.sockets) ws.terminate();
    for (const s of sockets) s.destroy();
    wss.close();
    server.close(() => r());
  });
  return srv;
}
