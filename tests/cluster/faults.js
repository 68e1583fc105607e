#!/usr/bin/env node
// Fault test of the scale-out gateway: Postgres, Redis, three gateways and
// HAProxy (scripts/lib/cluster.js). Clients from the package (createClient, in
// Node) connect through HAProxy, so they spread over the gateways, and hold live
// views (products, product 1, room 1's messages). Writer lanes write straight to
// every gateway (lane i starts on gateway i % 3 and moves to the next one while
// its gateway is down), retrying what fails. During the write stream a random
// gateway is killed (SIGKILL) and started again `kills` times, Redis is killed
// and started again once (no persistence: it comes back empty), and Postgres is
// killed and started again once. At the end every view of every client must
// equal the database: 0 lost, 0 duplicated, 0 stale. Prints lost, duplicated,
// reconnects, resyncs and p50/p99 write-to-client latency (created records).
//
//   node tests/cluster/faults.js [--writes N] [--kills N] [--seed N]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startLocalCluster } from '../../scripts/lib/cluster.js';
import { createClient } from '../../js/index.js';
import { rng } from '../support/rng.js';
import { countFrames } from './frameCounter.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const q = (o) => encodeURIComponent(JSON.stringify(o));
const VIEWS = [
  { name: 'products', model: 'Product', query: {}, rest: `/products?orderBy=${q({ id: 'asc' })}`, key: 'name' },
  { name: 'product 1', model: 'Product', item: 1, rest: '/products/1' },
  { name: 'room 1 messages', model: 'Message', query: { where: { roomId: 1 }, orderBy: { id: 'desc' } }, rest: `/messages?where=${q({ roomId: 1 })}&orderBy=${q({ id: 'desc' })}`, key: 'text' },
];
const USERS = ['alice', 'bob', 'admin', 'alice', 'bob', 'admin'];

const pct = (xs, p) => (xs.length ? xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] : NaN);

async function http(base, method, urlPath, token, body) {
  const res = await fetch(`${base}/api${urlPath}`, {
    method,
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(10000),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

export async function runFaults({ writes = 600, kills = 3, lanes = 3, seed = Date.now() % 1e9, log = () => {} } = {}) {
  const t0 = Date.now();
  const rand = rng(seed);
  const pick = (arr) => arr[Math.floor(rand() * arr.length)];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssot-faults-'));
  process.env.SSOT_PG_FAST ??= '1';
  const result = { seed, writes: 0, retries: 0, kills: 0, redisRestarts: 0, pgRestarts: 0, ok: false };
  let cluster;
  const clients = [];
  let counters = [];
  try {
    cluster = await startLocalCluster({ dir, gateways: 3, env: { SSOT_SECRET: 'faults', SSOT_PRESENCE_TTL_MS: '3000' }, log: process.env.SSOT_FAULTS_LOG ? (m) => process.stderr.write(m) : () => {} });
    const base = cluster.url;
    const tokens = {};
    for (const u of ['alice', 'bob', 'admin']) tokens[u] = (await http(base, 'POST', '/login', null, { username: u, password: u })).body.token;

    // ---- clients through HAProxy, with latency probes on created records ----
    const createdAt = new Map(); // name/text of a created record -> ms when its write started
    const latencies = [];
    for (const user of USERS) {
      const client = await createClient({
        baseUrl: `${base}/api`, token: tokens[user], requestTimeout: 5000, onError: () => {},
        websockets: {
          enabled: true, url: `${base.replace('http', 'ws')}/ws`,
          pubsub: { models: { Product: {}, Message: {} } },
          reconnect: { baseDelay: 50, maxDelay: 400, maxAttempts: 0, jitter: 0.2 },
        },
      });
      const views = VIEWS.map((v) => (v.item ? client.model(v.model).watchItem(v.item) : client.model(v.model).watch(v.query)));
      views.forEach((view, i) => {
        const key = VIEWS[i].key;
        if (!key) return;
        const seen = new Set();
        view.subscribe(() => {
          const now = Date.now();
          for (const r of view.getSnapshot().items) {
            if (seen.has(r.id)) continue;
            seen.add(r.id);
            const at = createdAt.get(r[key]);
            if (at !== undefined) latencies.push(now - at);
          }
        });
      });
      clients.push({ user, client, views });
    }
    // The wire, per client: live update frames out of seq order (frameCounter.js).
    counters = USERS.map((u) => countFrames(`${base.replace('http', 'ws')}/ws`, tokens[u], ['Product:list', 'Product:item:1', 'Message:list']));
    for (const until = Date.now() + 20000; !clients.every((c) => c.client.connection.state === 'open' && c.views.every((v) => v.getSnapshot().status === 'ready'));) {
      if (Date.now() > until) throw new Error('clients did not become ready');
      await sleep(20);
    }

    // ---- writers on every gateway ----
    const gws = cluster.gateways;
    async function write(lane, method, urlPath, token, body) {
      for (let attempt = 0, g = lane % gws.length; ; attempt++) {
        try {
          const res = await http(gws[g].url, method, urlPath, token, body);
          if (res.status < 500) return res; // 4xx: e.g. deleting what a retried delete already deleted
        } catch { /* refused or cut: that gateway is down */ }
        result.retries += 1;
        g = (g + 1) % gws.length;
        if (attempt > 3000) throw new Error(`${method} ${urlPath}: still failing after ${attempt} attempts`);
        await sleep(20);
      }
    }
    let issued = 0;
    async function lane(n) {
      const mine = [];
      const myMessages = [];
      while (issued < writes) {
        issued += 1;
        const r = rand();
        if (r < 0.3 || mine.length === 0) {
          const name = `p${n}-${issued}`;
          createdAt.set(name, Date.now());
          const res = await write(n, 'POST', '/products', tokens.admin, { name, price: Math.round(rand() * 10000) / 100, stock: Math.floor(rand() * 100) });
          if (res.status === 201) mine.push(res.body.id);
        } else if (r < 0.45) {
          await write(n, 'PATCH', '/products/1', tokens.admin, { stock: Math.floor(rand() * 100) });
        } else if (r < 0.6) {
          await write(n, 'PATCH', `/products/${pick(mine)}`, tokens.admin, { stock: Math.floor(rand() * 100), price: Math.round(rand() * 10000) / 100 });
        } else if (r < 0.7) {
          const id = mine.splice(Math.floor(rand() * mine.length), 1)[0];
          await write(n, 'DELETE', `/products/${id}`, tokens.admin);
        } else if (r < 0.9 || myMessages.length === 0) {
          const text = `m${n}-${issued}`;
          createdAt.set(text, Date.now());
          const res = await write(n, 'POST', '/messages', tokens.bob, { roomId: 1, text });
          if (res.status === 201) myMessages.push(res.body.id);
        } else {
          await write(n, 'PATCH', `/messages/${pick(myMessages)}`, tokens.bob, { text: `edited ${issued}` });
        }
        result.writes += 1;
      }
    }

    // ---- the faults, at random points of the write stream ----
    const at = () => Math.floor(writes * (0.05 + 0.9 * rand()));
    const plan = [
      ...Array.from({ length: kills }, () => ({ at: at(), what: 'gateway' })),
      { at: Math.floor(writes * (0.2 + 0.2 * rand())), what: 'redis' },
      { at: Math.floor(writes * (0.6 + 0.2 * rand())), what: 'postgres' },
    ].sort((a, b) => a.at - b.at);
    let writing = true;
    const chaos = (async () => {
      // Every planned fault happens, even if the writes outran one (then right after them).
      while (writing || plan.length) {
        if (!plan.length || (writing && result.writes < plan[0].at)) { await sleep(5); continue; }
        const { what } = plan.shift();
        if (what === 'gateway') {
          const g = pick(gws);
          await g.kill();
          await sleep(100 + rand() * 400);
          await g.start();
          result.kills += 1;
        } else if (what === 'redis') {
          await cluster.redis.restart({ hard: true });
          result.redisRestarts += 1;
        } else {
          await cluster.pg.restart({ hard: true });
          result.pgRestarts += 1;
        }
        log(`  ${what} killed and restarted after ${result.writes} writes`);
      }
    })();
    await Promise.all(Array.from({ length: lanes }, (_, i) => lane(i)));
    writing = false;
    await chaos;
    result.writeMs = Date.now() - t0;

    // ---- the end: every view of every client equals the database ----
    const truth = [];
    for (const v of VIEWS) truth.push((await http(base, 'GET', v.rest, tokens.admin)).body);
    const direct = (await cluster.query('SELECT COUNT(*)::int AS n FROM "Product"')).rows[0].n;
    if (direct !== truth[0].total) throw new Error(`REST says ${truth[0].total} products, Postgres ${direct}`);
    const compare = () => {
      const diffs = [];
      for (const c of clients) {
        c.views.forEach((view, i) => {
          const s = view.getSnapshot();
          const db = truth[i];
          if (VIEWS[i].item) {
            if (JSON.stringify(s.data) !== JSON.stringify(db)) diffs.push({ who: c.user, view: VIEWS[i].name, lost: 0, doubled: 0, stale: 1 });
            return;
          }
          const have = new Map();
          let doubled = 0;
          for (const r of s.items) { if (have.has(r.id)) doubled += 1; have.set(r.id, r); }
          let lost = 0;
          let stale = 0;
          for (const r of db.items) {
            if (!have.has(r.id)) lost += 1;
            else if (JSON.stringify(have.get(r.id)) !== JSON.stringify(r)) stale += 1;
          }
          const want = new Set(db.items.map((r) => r.id));
          stale += [...have.keys()].filter((id) => !want.has(id)).length; // deleted in the database, still shown
          const same = JSON.stringify(s.items) === JSON.stringify(db.items) && s.total === db.total;
          if (lost || doubled || stale || !same) diffs.push({ who: c.user, view: VIEWS[i].name, lost, doubled, stale, status: s.status });
        });
      }
      return diffs;
    };
    // Lost and stale are what is still wrong once the views had time to settle
    // (up to 30 s after the last write; the time it took is printed).
    const settle = Date.now();
    let diffs = compare();
    for (const until = Date.now() + 30000; diffs.length && Date.now() < until;) {
      await sleep(100);
      diffs = compare();
    }
    result.settleMs = Date.now() - settle;
    for (const k of counters) k.stop();
    const wire = counters.map((k) => k.stats);
    result.wire = Object.fromEntries(['updates', 'duplicates', 'gaps', 'resyncs', 'reconnects'].map((f) => [f, wire.reduce((a, w) => a + w[f], 0)]));
    result.diffs = diffs;
    result.lost = diffs.reduce((a, d) => a + d.lost, 0);
    result.duplicated = diffs.reduce((a, d) => a + d.doubled, 0);
    result.stale = diffs.reduce((a, d) => a + d.stale, 0);
    result.products = truth[0].total;
    result.messages = truth[2].total;
    const stats = clients.map((c) => c.client.stats());
    result.reconnects = stats.reduce((a, s) => a + s.reconnects, 0);
    result.resyncs = stats.reduce((a, s) => a + s.resyncs, 0);
    latencies.sort((a, b) => a - b);
    result.latency = { n: latencies.length, p50: pct(latencies, 50), p99: pct(latencies, 99) };
    result.ok = diffs.length === 0 && result.wire.duplicates === 0 && result.wire.gaps === 0;
  } catch (err) {
    result.error = err.stack;
  } finally {
    for (const k of counters) k.stop();
    for (const c of clients) await c.client.close();
    await cluster?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  result.ms = Date.now() - t0;
  result.summary = `cluster faults: ${result.ok ? 'OK' : 'FAIL'} ${result.writes} writes (${result.retries} retried) on 3 gateways; `
    + `${result.kills} gateway kills, ${result.redisRestarts} Redis and ${result.pgRestarts} Postgres kill+restart; `
    + `${clients.length} clients x ${VIEWS.length} views; lost ${result.lost ?? '?'}, duplicated ${result.duplicated ?? '?'}, stale ${result.stale ?? '?'}; `
    + `reconnects ${result.reconnects ?? '?'}, resyncs ${result.resyncs ?? '?'}; settled in ${result.settleMs ?? '?'} ms; `
    + `on the wire (${USERS.length} raw sockets): ${result.wire?.updates ?? '?'} live updates, ${result.wire?.duplicates ?? '?'} duplicated, ${result.wire?.gaps ?? '?'} gaps, `
    + `${result.wire?.resyncs ?? '?'} resyncs, ${result.wire?.reconnects ?? '?'} reconnects; write-to-client latency p50 ${result.latency?.p50 ?? '?'} ms, `
    + `p99 ${result.latency?.p99 ?? '?'} ms (${result.latency?.n ?? 0} deliveries); ${result.products ?? '?'} products, ${result.messages ?? '?'} messages; `
    + `seed ${seed}; ${result.ms} ms`
    + (result.error ? `; error: ${result.error}` : '')
    + (result.diffs?.length ? `; differences: ${JSON.stringify(result.diffs)}` : '');
  return result;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.on('unhandledRejection', (err) => { console.error('unhandled rejection:', err); });
  const args = process.argv.slice(2);
  const num = (name, dflt) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
  const r = await runFaults({ writes: num('--writes', 10_000), kills: num('--kills', 20), seed: num('--seed', Date.now() % 1e9), log: (m) => console.log(m) });
  console.log(r.summary);
  process.exit(r.ok ? 0 : 1);
}
