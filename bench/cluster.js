#!/usr/bin/env node
// Scale-out figure: updates/s delivered to subscribers and write-to-socket
// latency with 1 and with 3 gateways on Postgres + Redis (behind nothing: the
// writers and subscribers spread over the gateways directly), plus the default
// single process on SQLite for reference. Each run: `subs` WebSocket
// subscribers of Product:list (raw ws, so the client library's cost is not in
// the figure), `writers` concurrent lanes PATCHing products for `seconds`.
// Where the ceiling is: the CPU each part used (from /proc), as % of one core.
//
//   node bench/cluster.js [--seconds 10] [--subs 60] [--writers 12]
// Prints figures; never fails on timing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { startLocalCluster, gatewayProcess } from '../scripts/lib/cluster.js';
import { freePort } from '../scripts/lib/postgres.js';

const args = process.argv.slice(2);
const num = (name, d) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : d);
const SECONDS = num('--seconds', 10);
const SUBS = num('--subs', 60);
const WRITERS = num('--writers', 12);
const CONFIG = { websockets: { limits: { connectionsPerUser: 1000 } } };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// /proc times are in clock ticks, 100 per second on Linux.

// CPU seconds used so far by pid and its children's live processes (Postgres backends).
function cpuOf(pids) {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      ticks += Number(f[11]) + Number(f[12]); // utime, stime
    } catch { /* exited */ }
  }
  return ticks / 100;
}
function childrenOf(pid) {
  const out = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const ppid = Number(fs.readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
      if (ppid === pid) out.push(Number(d));
    } catch { /* gone */ }
  }
  return out;
}

// Busy and total jiffies of the whole machine (every process, every core).
function machine() {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3] + f[4];
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

async function login(base, user) {
  const r = await fetch(`${base}/api/login`, { method: 'POST', body: JSON.stringify({ username: user, password: user }) });
  return (await r.json()).token;
}

// gateways: base URLs; parts: {name: () => pids} for the CPU table.
async function measure(label, gateways, parts) {
  const admin = await login(gateways[0], 'admin');
  const bob = await login(gateways[0], 'bob');
  const started = new Map(); // product name -> ms
  const latencies = [];
  let delivered = 0;
  const socks = [];
  for (let i = 0; i < SUBS; i++) {
    const ws = new WebSocket(`${gateways[i % gateways.length].replace('http', 'ws')}/ws?token=${bob}`);
    await new Promise((r, j) => { ws.once('open', r); ws.once('error', j); });
    ws.on('message', (m) => {
      const f = JSON.parse(m);
      if (f.type !== 'update') return;
      delivered += 1;
      const t = started.get(f.data.data?.name);
      if (t !== undefined) latencies.push(Date.now() - t);
    });
    ws.send(JSON.stringify({ type: 'subscribe', channel: 'Product:list' }));
    socks.push(ws);
  }
  await sleep(500);
  const cpu0 = Object.fromEntries(Object.entries(parts).map(([k, f]) => [k, cpuOf(f())]));
  const m0 = machine();
  const me0 = process.cpuUsage();
  const t0 = Date.now();
  let writes = 0;
  const until = t0 + SECONDS * 1000;
  await Promise.all(Array.from({ length: WRITERS }, async (_, lane) => {
    for (let n = 0; Date.now() < until; n++) {
      const name = `w${lane}-${n}`;
      started.set(name, Date.now());
      const base = gateways[(lane + n) % gateways.length];
      const r = await fetch(`${base}/api/products/${1 + (lane % 4)}`, { method: 'PATCH', headers: { Authorization: `Bearer ${admin}` }, body: JSON.stringify({ name }) });
      await r.arrayBuffer();
      if (r.status === 200) writes += 1;
    }
  }));
  const seconds = (Date.now() - t0) / 1000;
  await sleep(1000); // let the last deliveries arrive
  const cpu = Object.fromEntries(Object.entries(parts).map(([k, f]) => [k, Math.round((cpuOf(f()) - cpu0[k]) / seconds * 100)]));
  const me = process.cpuUsage(me0);
  cpu.benchClient = Math.round((me.user + me.system) / 1e6 / (seconds + 1) * 100);
  const m1 = machine();
  const machineBusy = Math.round(((m1.busy - m0.busy) / (m1.total - m0.total)) * 100);
  socks.forEach((s) => s.close());
  latencies.sort((a, b) => a - b);
  const p = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  const line = {
    label, writesPerSecond: Math.round(writes / seconds), deliveredPerSecond: Math.round(delivered / seconds),
    p50: p(0.5), p99: p(0.99), cpuPercentOfOneCore: cpu, machineBusyPercent: machineBusy, loadAverage: os.loadavg()[0].toFixed(1),
  };
  console.log(JSON.stringify(line));
  return line;
}

async function main() {
  process.env.SSOT_PG_FAST ??= '1';
  console.log(`cluster bench: ${SUBS} subscribers of Product:list, ${WRITERS} writer lanes, ${SECONDS} s per run, ${os.cpus().length} cores`);
  const results = [];
  {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssot-bench-sqlite-'));
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(CONFIG));
    const g = gatewayProcess({ port: await freePort(), args: ['--db', path.join(dir, 'db.sqlite'), '--config', path.join(dir, 'config.json')], env: { SSOT_SECRET: 'bench' }, log: () => {} });
    await g.start();
    results.push(await measure('1 gateway, SQLite (default, no Redis)', [g.url], { gateways: () => [g.pid()] }));
    await g.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  for (const n of [1, 3]) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssot-bench-cluster-'));
    const c = await startLocalCluster({ dir, gateways: n, env: { SSOT_SECRET: 'bench' }, config: CONFIG });
    results.push(await measure(`${n} gateway${n > 1 ? 's' : ''}, Postgres + Redis`, c.gateways.map((g) => g.url), {
      gateways: () => c.gateways.map((g) => g.pid()),
      postgres: () => [c.pg.pid(), ...childrenOf(c.pg.pid())],
      redis: () => [c.redis.pid()],
    }));
    await c.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

main().then(() => process.exit(0), (err) => { console.error(err); process.exit(1); });
