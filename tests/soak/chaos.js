#!/usr/bin/env node
// Chaos soak against the real gateway on loopback. Four clients (alice, bob,
// admin twice) hold live views on Product and Message (a plain list, a filtered
// sorted list, an item view, a room's messages) while writers make 10,000
// mutations over REST (--short: 1,000), retrying whatever fails while the server
// is down (the database is the truth). Meanwhile the gateway is killed with
// SIGKILL and restarted about 20 times (--short: 3) at random moments, and
// sockets are cut from the server side: a client publishes an event larger than
// the gateway's frame limit and the gateway closes that socket (1009).
// At the end every view of every client must equal the database (a REST list
// with the same query): 0 lost, 0 doubled, 0 stale. Prints one summary line with
// the resyncs and reconnects (client.stats()); exits 1 on any difference.
//
//   node tests/soak/chaos.js [--short] [--mutations N] [--restarts N] [--seed N]
import { pathToFileURL } from 'node:url';
import { startGateway } from '../support/gateway.js';
import { createClient } from '../../js/index.js';
import { rng } from '../support/rng.js'; // a failing run repeats with --seed

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const q = (o) => encodeURIComponent(JSON.stringify(o));

const FRAME_LIMIT = 16384; // the gateway's limits.maxFrameBytes in this run
const VIEWS = [
  { name: 'products', model: 'Product', query: {}, rest: `/products?orderBy=${q({ id: 'asc' })}` },
  {
    name: 'products price>=50 by stock desc', model: 'Product',
    query: { where: { price: { gte: 50 } }, orderBy: [{ stock: 'desc' }] },
    rest: `/products?where=${q({ price: { gte: 50 } })}&orderBy=${q([{ stock: 'desc' }, { id: 'asc' }])}`,
  },
  { name: 'product 1', model: 'Product', item: 1, rest: '/products/1' },
  {
    name: 'room 1 messages', model: 'Message', query: { where: { roomId: 1 }, orderBy: { id: 'desc' } },
    rest: `/messages?where=${q({ roomId: 1 })}&orderBy=${q({ id: 'desc' })}`,
  },
];

export async function runChaos({ mutations = 10_000, restarts = 20, cuts = 10, lanes = 4, seed = Date.now() % 1e9, log = () => {} } = {}) {
  const t0 = Date.now();
  const rand = rng(seed);
  const pick = (arr) => arr[Math.floor(rand() * arr.length)];
  const gw = await startGateway({ config: { websockets: { limits: { maxFrameBytes: FRAME_LIMIT } } } });
  const clients = [];
  const result = { seed, mutations: 0, retries: 0, restarts: 0, cuts: 0, ok: false };
  try {
    const tokens = {};
    for (const u of ['alice', 'bob', 'admin']) tokens[u] = await gw.login(u);

    // ---- the clients and their views ----
    for (const user of ['alice', 'bob', 'admin', 'admin']) {
      const client = await createClient({
        baseUrl: gw.baseUrl,
        token: tokens[user],
        requestTimeout: 5000,
        onError: () => {}, // frame-level reports: none expected from our own gateway, counted in stats
        websockets: {
          enabled: true,
          url: gw.wsUrl,
          pubsub: { models: { Product: {}, Message: {} }, channels: { 'chat:room:{roomId}': { events: ['message', 'typing', 'join', 'leave'] } } },
          reconnect: { baseDelay: 50, maxDelay: 400, maxAttempts: 0, jitter: 0.2 },
          batching: { flushInterval: 20, maxBatchSize: 200 },
          maxFrameBytes: 1 << 20,
        },
      });
      const views = VIEWS.map((v) => (v.item ? client.model(v.model).watchItem(v.item) : client.model(v.model).watch(v.query)));
      const room = client.channel('chat:room:{roomId}', { roomId: 1 });
      clients.push({ user, client, views, room });
    }
    const deadline = Date.now() + 15000;
    while (!clients.every((c) => c.client.connection.state === 'open' && c.views.every((v) => v.getSnapshot().status === 'ready'))) {
      if (Date.now() > deadline) throw new Error('clients did not become ready');
      await sleep(10);
    }

    // ---- the writers ----
    let down = false;
    async function write(method, path, token, body) {
      for (let attempt = 0; ; attempt++) {
        try {
          const res = await gw.request(method, path, { token, body });
          if (res.status < 500) return res; // 4xx: e.g. a delete of a record another retry already deleted
        } catch { /* connection refused: the server is down */ }
        result.retries += 1;
        if (attempt > 2000) throw new Error(`${method} ${path}: still failing after ${attempt} attempts`);
        await sleep(down ? 30 : 10);
      }
    }
    let issued = 0;
    async function lane(n) {
      const mine = []; // products this lane created (and may update or delete)
      const myMessages = [];
      while (issued < mutations) {
        issued += 1;
        const r = rand();
        if (r < 0.25 || mine.length === 0) {
          const res = await write('POST', '/products', tokens.admin, { name: `p${n}-${issued}`, price: Math.round(rand() * 10000) / 100, stock: Math.floor(rand() * 100) });
          if (res.status === 201 || res.status === 200) mine.push(res.body.id);
        } else if (r < 0.45) {
          await write('PATCH', `/products/${1 + Math.floor(rand() * 4)}`, tokens.admin, { stock: Math.floor(rand() * 100), price: Math.round(rand() * 10000) / 100 });
        } else if (r < 0.65) {
          await write('PATCH', `/products/${pick(mine)}`, tokens.admin, { stock: Math.floor(rand() * 100), price: Math.round(rand() * 10000) / 100 });
        } else if (r < 0.77) {
          const id = mine.splice(Math.floor(rand() * mine.length), 1)[0];
          await write('DELETE', `/products/${id}`, tokens.admin);
        } else if (r < 0.9 || myMessages.length === 0) {
          const res = await write('POST', '/messages', tokens.bob, { roomId: 1, text: `m${n}-${issued}` });
          if (res.status === 201 || res.status === 200) myMessages.push(res.body.id);
        } else if (r < 0.96) {
          await write('PATCH', `/messages/${pick(myMessages)}`, tokens.bob, { text: `edited ${issued}` });
        } else {
          const id = myMessages.splice(Math.floor(rand() * myMessages.length), 1)[0];
          await write('DELETE', `/messages/${id}`, tokens.bob);
        }
        result.mutations += 1;
      }
    }

    // ---- the chaos: kills and server-side cuts at random points of the write stream ----
    const killAt = Array.from({ length: restarts }, () => Math.floor(mutations * (0.05 + 0.9 * rand()))).sort((a, b) => a - b);
    const cutAt = Array.from({ length: cuts }, () => Math.floor(mutations * (0.05 + 0.9 * rand()))).sort((a, b) => a - b);
    let writing = true;
    const chaos = (async () => {
      while (writing) {
        if (killAt.length && result.mutations >= killAt[0]) {
          killAt.shift();
          down = true;
          await sleep(rand() * 50); // mid-burst
          await gw.kill();
          await sleep(rand() * 300);
          await gw.restart();
          down = false;
          result.restarts += 1;
          log(`  restart ${result.restarts} after ${result.mutations} mutations`);
        } else if (cutAt.length && result.mutations >= cutAt[0]) {
          const c = pick(clients);
          // Over the gateway's frame limit: it closes this socket with 1009. A client
          // that is not connected right now cannot publish: try again shortly.
          if (c.room.publish('typing', { pad: 'x'.repeat(FRAME_LIMIT + 1000) })) {
            cutAt.shift();
            result.cuts += 1;
          } else await sleep(5);
        } else await sleep(2);
      }
    })();
    await Promise.all(Array.from({ length: lanes }, (_, i) => lane(i)));
    writing = false;
    await chaos;
    result.writeMs = Date.now() - t0;

    // ---- the end: every view equals the database ----
    const truth = {};
    for (const v of VIEWS) {
      const res = await gw.request('GET', v.rest, { token: tokens.admin });
      if (res.status !== (v.item ? 200 : 200)) throw new Error(`GET ${v.rest}: ${res.status}`);
      truth[v.name] = v.item ? res.body : res.body;
    }
    const compare = () => {
      const diffs = [];
      for (const c of clients) {
        c.views.forEach((view, i) => {
          const v = VIEWS[i];
          const s = view.getSnapshot();
          if (v.item) {
            if (JSON.stringify(s.data) !== JSON.stringify(truth[v.name])) diffs.push({ who: c.user, view: v.name, lost: 0, doubled: 0, stale: 1, status: s.status, error: s.error });
            return;
          }
          const db = truth[v.name];
          const have = new Map();
          let doubled = 0;
          for (const r of s.items) {
            if (have.has(r.id)) doubled += 1;
            have.set(r.id, r);
          }
          const want = new Map(db.items.map((r) => [r.id, r]));
          let lost = 0;
          let stale = 0;
          for (const [id, r] of want) {
            if (!have.has(id)) lost += 1;
            else if (JSON.stringify(have.get(id)) !== JSON.stringify(r)) stale += 1;
          }
          const extra = [...have.keys()].filter((id) => !want.has(id)).length;
          const orderOk = JSON.stringify(s.items) === JSON.stringify(db.items) && s.total === db.total;
          if (lost || doubled || stale || extra || !orderOk) diffs.push({ who: c.user, view: v.name, lost, doubled, stale, extra, total: [s.total, db.total], status: s.status, error: s.error });
        });
      }
      return diffs;
    };
    let diffs = compare();
    for (const until = Date.now() + 30000; diffs.length && Date.now() < until;) {
      await sleep(50);
      diffs = compare();
    }
    result.diffs = diffs;
    result.lost = diffs.reduce((a, d) => a + d.lost, 0);
    result.doubled = diffs.reduce((a, d) => a + d.doubled, 0);
    result.stale = diffs.reduce((a, d) => a + d.stale + (d.extra ?? 0), 0);
    result.products = truth.products.total;
    result.messages = truth['room 1 messages'].total;
    result.clients = clients.map((c) => {
      const s = c.client.stats();
      return { user: c.user, reconnects: s.reconnects, resyncs: s.resyncs, gaps: s.gaps, duplicates: s.duplicates, malformed: s.malformed, httpRequests: s.httpRequests };
    });
    result.ok = diffs.length === 0;
  } catch (err) {
    result.error = err.message;
    result.ok = false;
  } finally {
    for (const c of clients) await c.client.close();
    await gw.stop();
  }
  result.ms = Date.now() - t0;
  const per = (result.clients ?? []).map((c) => `${c.user} ${c.reconnects}/${c.resyncs}/${c.gaps}`).join(', ');
  result.summary = `chaos soak: ${result.ok ? 'OK' : 'FAIL'} ${result.mutations} mutations (${result.retries} retried writes), `
    + `${result.restarts} kills+restarts, ${result.cuts} server-side cuts, ${clients.length} clients x ${VIEWS.length} views; `
    + `lost ${result.lost ?? '?'}, doubled ${result.doubled ?? '?'}, stale ${result.stale ?? '?'}; `
    + `reconnects/resyncs/gaps per client: ${per}; ${result.products ?? '?'} products, ${result.messages ?? '?'} messages; seed ${seed}; ${result.ms} ms`
    + (result.error ? `; error: ${result.error}` : '')
    + (result.diffs?.length ? `; differences: ${JSON.stringify(result.diffs)}` : '');
  return result;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const num = (name, dflt) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
  const short = args.includes('--short');
  const r = await runChaos({
    mutations: num('--mutations', short ? 1000 : 10_000),
    restarts: num('--restarts', short ? 3 : 20),
    cuts: num('--cuts', short ? 3 : 10),
    seed: num('--seed', Date.now() % 1e9),
    log: (m) => console.log(m),
  });
  console.log(r.summary);
  process.exit(r.ok ? 0 : 1);
}
