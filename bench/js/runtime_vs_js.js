// The runtime (wasm engine + JS shim, through the package's own API) against JS
// clients on the same frames: issues 4 and 16. Each workload runs in a process of
// its own (its data set would weigh on the others' garbage collections); its
// clients run in that process, in interleaved rounds.
//
//   node --expose-gc --max-old-space-size=8192 bench/js/runtime_vs_js.js [options]
//   (bash scripts/bench.sh runs it)
//
//   --frames N        frames per run for every workload (default: each workload's own,
//                     40000 at 1k-10k records, 20000 at 100k and 1M; a multiple of 50)
//   --runs R          interleaved rounds per workload (default 3)
//   --only a,b        workloads: list-1k list-10k list-100k sorted-filtered-10k
//                     sorted-filtered-100k window-100k window-1M
//   --clients a,b     runtime best best-windowed tanstack-query tanstack-db seed parse
//                     (default: all but seed)
//   --warmup N        frames per client and workload in one untimed round first, for
//                     workloads up to 10k records: the code paths are the same at every size (default 2000; 0: none)
//   --peer-budget W   caps TanStack Query's and TanStack DB's frames to W / rows (default 5e8:
//                     both are O(rows) per flush; 100k rows: 5000 frames, 1M: 500)
//   --best-budget W   caps the plain JS client's frames to W / rows (default 5e9: a full
//                     array per flush; 1M rows: 5000 frames)
//   --seed-budget W   caps the seed design's frames to W / rows (default 4e8; it is O(rows) per frame)
//   --report FILE     where to write the Markdown section (default: none; stdout always)
//   --json FILE       where to write the figures as JSON (bench/js/report.js reads it)
//
// The runtime: createClient() against a fake server started here (node http + ws
// on 127.0.0.1: the list endpoint returns the hydration records, the socket answers
// `subscribe` with `subscribed` seq 0), a live view (watch, the query, or a 50-row
// window), status ready; then the frames go in through the runtime's socket entry
// point `Module._ssot_feed_frame(runtimeId, ptr, len)`, each one written as UTF-8
// into one heap buffer with TextEncoder.encodeInto, as the runtime's own socket
// handler does (wasm/platform/web_io.cpp: encodeInto into one reused buffer, then
// one call). The engine flushes every 50 frames; the shim
// drains in a microtask, so the loop awaits one microtask turn every 50 frames and
// then reads view.getSnapshot().items, which is the new frozen array.
// The JS clients get the same frame strings: onFrame(text) per frame, flush() per 50
// frames (the new array the UI would render), and the same await.
//
// Timing never fails the run. Wrong answers do (exit 1): after every run each
// client's final array must hold the expected records (JSON text equal) in the
// expected order (for the window: the first 50), and the runtime's counters must
// show every frame applied with no gap, duplicate or malformed frame.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { generate, FILTERED_QUERY } from './frames.js';
import { startServer } from './fakeServer.js';
import { SeedClient } from './seedClient.js';
import { BestClient, WindowedBestClient } from './bestClient.js';
import { TanStackQueryClient } from './tanstackQueryClient.js';
import { TanStackDbClient } from './tanstackDbClient.js';
import { workloadFigures, workloadTables, fmtK } from './figures.js';
import { createClient } from '../../js/index.js';
import { loadRuntime } from '../../js/wasm/loadRuntime.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BATCH = 50;
const WINDOW = 50;

// ---- options ----

const WORKLOADS = [
  { name: 'list-1k', n: 1000, filtered: false, window: false, frames: 40000 },
  { name: 'list-10k', n: 10000, filtered: false, window: false, frames: 40000 },
  { name: 'list-100k', n: 100000, filtered: false, window: false, frames: 20000 },
  { name: 'sorted-filtered-10k', n: 10000, filtered: true, window: false, frames: 40000 },
  { name: 'sorted-filtered-100k', n: 100000, filtered: true, window: false, frames: 20000 },
  { name: 'window-100k', n: 100000, filtered: false, window: true, frames: 20000 },
  { name: 'window-1M', n: 1000000, filtered: false, window: true, frames: 20000 },
];
const CLIENTS = ['runtime', 'best', 'best-windowed', 'tanstack-query', 'tanstack-db', 'seed', 'parse'];
const DEFAULT_CLIENTS = CLIENTS.filter((c) => c !== 'seed'); // the seeds' design is O(rows) per frame: opt-in

function parseArgs(argv) {
  const o = { frames: null, runs: 3, warmup: 2000, only: null, clients: null, seedBudget: 4e8, peerBudget: 5e8, bestBudget: 5e9, report: null, json: null, child: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--frames') o.frames = Number(val());
    else if (a === '--runs') o.runs = Number(val());
    else if (a === '--only') o.only = val().split(',');
    else if (a === '--clients') o.clients = val().split(',');
    else if (a === '--warmup') o.warmup = Number(val());
    else if (a === '--seed-budget') o.seedBudget = Number(val());
    else if (a === '--peer-budget') o.peerBudget = Number(val());
    else if (a === '--best-budget') o.bestBudget = Number(val());
    else if (a === '--json') o.json = path.resolve(val());
    else if (a === '--report') o.report = path.resolve(val());
    else if (a === '--no-report') o.report = null;
    else if (a === '--child') o.child = true;
    else if (a === '--help' || a === '-h') {
      const head = fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n');
      console.log(head.slice(0, head.findIndex((l) => l.startsWith('// The runtime:'))).join('\n'));
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  if (o.frames !== null && (!(o.frames > 0) || o.frames % BATCH)) throw new Error(`--frames must be a positive multiple of ${BATCH}`);
  if (!(o.warmup >= 0) || o.warmup % BATCH) throw new Error(`--warmup must be a multiple of ${BATCH}`);
  if (!(o.seedBudget > 0) || !(o.peerBudget > 0) || !(o.bestBudget > 0)) throw new Error('budgets must be positive');
  if (!(o.runs >= 1)) throw new Error('--runs must be at least 1');
  for (const w of o.only ?? []) if (!WORKLOADS.some((x) => x.name === w)) throw new Error(`unknown workload ${w}`);
  for (const c of o.clients ?? []) if (!CLIENTS.includes(c)) throw new Error(`unknown client ${c}`);
  return o;
}

// ---- helpers ----

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const gc = typeof globalThis.gc === 'function' ? globalThis.gc : () => {};

async function until(cond, what, ms = 120000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

// TanStack DB adds virtual props ($synced, $origin, ...) to its rows: not record fields.
const noVirtual = (k, v) => (k[0] === '$' ? undefined : v);

// `items` must hold exactly `want` (records as JSON text), in order.
function compareRows(items, want) {
  if (!Array.isArray(items)) return 'no array';
  if (items.length !== want.length) return `${items.length} rows, expected ${want.length}`;
  for (let i = 0; i < want.length; i++) {
    const got = JSON.stringify(items[i], noVirtual);
    if (got !== want[i]) return `row ${i}: ${got?.slice(0, 120)} != ${want[i].slice(0, 120)}`;
  }
  return null;
}

// ---- the runtime ----

let Module = null;
let capturedId = 0;
let feed = null;
let framePtr = 0;
const FRAME_CAP = 1 << 16;
const encoder = new TextEncoder();

async function setupRuntime() {
  Module = await loadRuntime();
  // The client keeps its Runtime in a private field and has no accessor for the
  // runtime id that _ssot_feed_frame takes; the client asks rt.id() once in its
  // constructor, so we note the answer there.
  const proto = Module.Runtime.prototype;
  const id = proto.id;
  proto.id = function idNoted() {
    const v = id.call(this);
    capturedId = v;
    return v;
  };
  framePtr = Module._malloc(FRAME_CAP);
  Module._ssot_feed_frame(0, framePtr, 0); // resolves the export wrapper (no runtime 0: a no-op)
  feed = Module._ssot_feed_frame;
}

async function runRuntime(server, w, d, k, query) {
  const ts = performance.now();
  server.state.body = d.body;
  const subscribedBefore = server.state.subscribed;
  capturedId = 0;
  const client = await createClient({
    baseUrl: server.baseUrl,
    token: 'bench',
    websockets: {
      enabled: true,
      url: server.wsUrl,
      pubsub: { models: { Message: {} } },
      batching: { enabled: true, flushInterval: 60000, maxBatchSize: BATCH },
      heartbeat: { enabled: false },
    },
  });
  const rtId = capturedId;
  try {
    if (!rtId) throw new Error('could not learn the runtime id');
    const view = client.model('Message').watch(query ?? {});
    if (w.window) view.setWindow(0, WINDOW);
    await until(() => view.getSnapshot().status !== 'loading' && server.state.subscribed > subscribedBefore, 'the view to hydrate and subscribe');
    if (view.getSnapshot().status !== 'ready') throw new Error(`view status ${view.getSnapshot().status}: ${view.getSnapshot().error}`);
    await sleep(20); // the `subscribed` frame reaches the runtime
    const startRows = view.getSnapshot().items.length;
    const expectRows = w.window ? Math.min(WINDOW, d.viewStart) : d.viewStart;
    if (startRows !== expectRows) throw new Error(`hydrated ${startRows} rows, expected ${expectRows}`);
    const s0 = client.stats();
    const frames = d.frames;
    const setupMs = performance.now() - ts;
    gc();
    await sleep(0);

    const t0 = performance.now();
    let heap = Module.HEAPU8;
    let dst = heap.subarray(framePtr, framePtr + FRAME_CAP);
    let items = null;
    let changes = 0;
    for (let i = 0; i < k;) {
      const end = i + BATCH;
      for (; i < end; i++) {
        if (Module.HEAPU8 !== heap) { // the heap grew: new views
          heap = Module.HEAPU8;
          dst = heap.subarray(framePtr, framePtr + FRAME_CAP);
        }
        feed(rtId, framePtr, encoder.encodeInto(frames[i], dst).written);
      }
      await null; // the shim's drain (queued by the flush inside the 50th frame) runs first
      const next = view.getSnapshot().items;
      if (next !== items) changes++;
      items = next;
    }
    const ms = performance.now() - t0;

    const s1 = client.stats();
    const problems = [];
    const applied = s1.updatesApplied - s0.updatesApplied;
    if (applied !== k) problems.push(`updatesApplied +${applied}, expected +${k}`);
    for (const key of ['malformed', 'gaps', 'duplicates', 'resyncs']) {
      if (s1[key] !== s0[key]) problems.push(`${key} +${s1[key] - s0[key]}`);
    }
    const want = k === d.frames.length ? d.expected : d.checkpoints.get(k);
    const rows = compareRows(view.getSnapshot().items, w.window ? want.slice(0, WINDOW) : want);
    if (rows) problems.push(rows);
    if (view.getSnapshot().total !== want.length) problems.push(`total ${view.getSnapshot().total}, expected ${want.length}`);
    view.close();
    return { ms, frames: k, problem: problems.join('; ') || null, changes, setupMs };
  } finally {
    await client.close();
  }
}

// ---- the JS clients ----

async function runJs(make, w, d, k, check = true) {
  const ts = performance.now();
  const list = JSON.parse(d.body);
  const c = make(list);
  if (c.ready) await c.ready();
  const frames = d.frames;
  const setupMs = performance.now() - ts;
  gc();
  await sleep(0);
  const t0 = performance.now();
  let items = null;
  let changes = 0;
  for (let i = 0; i < k;) {
    const end = i + BATCH;
    for (; i < end; i++) c.onFrame(frames[i]);
    await null;
    const next = c.flush();
    if (next !== items) changes++;
    items = next;
  }
  const ms = performance.now() - t0;
  let problem = null;
  if (check) {
    const want = k === d.frames.length ? d.expected : d.checkpoints.get(k);
    problem = compareRows(w.window ? items.slice(0, WINDOW) : items, w.window ? want.slice(0, WINDOW) : want);
    if (!problem && c.gaps) problem = `${c.gaps} seq gaps`;
  }
  await c.close?.();
  return { ms, frames: k, problem, changes, setupMs };
}

// JSON.parse of each frame and nothing else: the floor any JS client pays.
async function runParse(d, k) {
  const frames = d.frames;
  gc();
  await sleep(0);
  const t0 = performance.now();
  let sink = 0;
  for (let i = 0; i < k;) {
    const end = i + BATCH;
    for (; i < end; i++) sink += JSON.parse(frames[i]).seq;
    await null;
  }
  const ms = performance.now() - t0;
  return { ms, frames: k, problem: sink > 0 ? null : 'no frames parsed', changes: 0 };
}

// ---- size ----

function gz(file) {
  return zlib.gzipSync(fs.readFileSync(file), { level: 9 }).length;
}

function sizes() {
  const js = fs.readdirSync(path.join(ROOT, 'js')).filter((f) => f.endsWith('.js')).sort().map((f) => `js/${f}`);
  // What a browser loads: the node loader (js/wasm/node.js) never enters a browser bundle.
  const wasmJs = ['loadRuntime.js', 'browser.js', 'failure.js'].map((f) => `js/wasm/${f}`);
  const files = ['js/wasm/ssot_runtime.wasm', 'js/wasm/ssot_runtime.mjs', ...wasmJs, ...js];
  const rows = files.filter((f) => fs.existsSync(path.join(ROOT, f))).map((f) => ({
    file: f, bytes: fs.statSync(path.join(ROOT, f)).size, gzip: gz(path.join(ROOT, f)),
  }));
  const react = fs.existsSync(path.join(ROOT, 'js/react'))
    ? fs.readdirSync(path.join(ROOT, 'js/react')).filter((f) => f.endsWith('.js')).map((f) => `js/react/${f}`)
    : [];
  const reactRows = react.map((f) => ({ file: f, bytes: fs.statSync(path.join(ROOT, f)).size, gzip: gz(path.join(ROOT, f)) }));
  return { rows, reactRows };
}

// ---- main ----


// Measures `workloads` in this process: per workload its figures, every round's
// frames/s per client, and the problems found.
async function measure(opt, workloads) {
  const want = (c) => (opt.clients ?? DEFAULT_CLIENTS).includes(c);

  // Frames per run: each workload's own (or --frames); the O(rows)-per-flush peers and
  // the seed design run fewer (a budget / rows), their ratios compare rates.
  const baseFrames = (w) => opt.frames ?? w.frames;
  const budget = { seed: opt.seedBudget, 'tanstack-query': opt.peerBudget, 'tanstack-db': opt.peerBudget, best: opt.bestBudget };
  const capped = (w, c, k) => (budget[c] ? Math.min(k, Math.max(BATCH, Math.floor(budget[c] / w.n / BATCH) * BATCH)) : k);
  const warmFrames = (w) => (w.n <= 10000 ? Math.min(opt.warmup, baseFrames(w)) : 0);
  // Frames, generated before timing; workloads measured in one process share a data set
  // when they can (list-100k and window-100k).
  const datasets = new Map();
  for (const w of workloads) {
    const key = `${w.n}/${w.filtered}`;
    const entry = datasets.get(key) ?? { w, frames: 0, cps: new Set() };
    entry.frames = Math.max(entry.frames, baseFrames(w));
    for (const k of [baseFrames(w), warmFrames(w)]) for (const c of CLIENTS) if (k) entry.cps.add(capped(w, c, k));
    datasets.set(key, entry);
  }
  for (const [key, entry] of datasets) {
    const t0 = performance.now();
    entry.d = generate(entry.w, entry.frames, { checkpoints: [...entry.cps] });
    console.error(`bench: generated ${entry.frames} frames for ${entry.w.n} records${entry.w.filtered ? ' (filtered)' : ''} in ${Math.round(performance.now() - t0)} ms`);
    datasets.set(key, entry);
  }
  const data = (w) => datasets.get(`${w.n}/${w.filtered}`).d;

  const server = await startServer();
  await setupRuntime();

  // results[workload][client] = [{ms, frames, problem}, ...] one per round
  const results = new Map(workloads.map((w) => [w.name, new Map()]));
  const problems = [];
  const plan = (w) => {
    const list = [];
    if (want('runtime')) list.push('runtime');
    if (want('best')) list.push('best');
    if (want('seed')) list.push('seed');
    if (w.window && want('best-windowed')) list.push('best-windowed');
    if (want('tanstack-query')) list.push('tanstack-query');
    if (want('tanstack-db')) list.push('tanstack-db');
    if (want('parse')) list.push('parse');
    return list;
  };
  const rounds = opt.warmup ? [-1] : [];
  for (let r = 0; r < opt.runs; r++) rounds.push(r);
  for (const r of rounds) {
    const warm = r < 0;
    for (let wi = 0; wi < workloads.length; wi++) {
      const w = workloads[(wi + Math.max(r, 0)) % workloads.length];
      const frameCount = warm ? warmFrames(w) : baseFrames(w);
      if (!frameCount) continue;
      const d = data(w);
      const query = w.filtered ? FILTERED_QUERY : null;
      const clients = plan(w);
      for (let ci = 0; ci < clients.length; ci++) {
        const c = clients[(ci + Math.max(r, 0)) % clients.length];
        let res;
        try {
          if (c === 'runtime') res = await runRuntime(server, w, d, frameCount, query);
          else if (c === 'best') res = await runJs((list) => new BestClient(list, query), w, d, capped(w, c, frameCount));
          else if (c === 'seed') res = await runJs((list) => new SeedClient(list, query), w, d, capped(w, c, frameCount));
          else if (c === 'best-windowed') res = await runJs((list) => new WindowedBestClient(list, query, { start: 0, count: WINDOW }), w, d, frameCount);
          else if (c === 'tanstack-query') res = await runJs((list) => new TanStackQueryClient(list, query), w, d, capped(w, c, frameCount));
          else if (c === 'tanstack-db') res = await runJs((list) => new TanStackDbClient(list, query, { window: w.window ? WINDOW : 0 }), w, d, capped(w, c, frameCount));
          else res = await runParse(d, frameCount);
        } catch (err) {
          res = { ms: NaN, frames: 0, problem: `failed: ${err.stack || err}` };
        }
        res.fps = res.frames / (res.ms / 1000);
        const label = warm ? 'warm-up' : `round ${r + 1}`;
        if (res.problem) problems.push(`${w.name} ${c} ${label}: ${res.problem}`);
        if (!warm) {
          if (!results.get(w.name).has(c)) results.get(w.name).set(c, []);
          results.get(w.name).get(c)[r] = res;
        }
        console.error(`bench: ${label} ${w.name} ${c}: ${fmtK(res.fps)} frames/s (${res.frames} frames, ${Math.round(res.ms)} ms; set-up ${Math.round(res.setupMs ?? 0)} ms)${res.problem ? ` PROBLEM ${res.problem}` : ''}`);
      }
    }
  }
  await server.close();
  return workloads.map((w) => ({
    fig: workloadFigures(w, results.get(w.name), data(w)),
    fps: Object.fromEntries([...results.get(w.name)].map(([c, rs]) => [c, rs.map((x) => x?.fps)])),
    frames: baseFrames(w),
    meanUpsertBytes: data(w).meanUpsertBytes,
    problems: problems.filter((p) => p.startsWith(`${w.name} `)),
  }));
}

// Each workload in a child process of its own, one after the other: a workload's
// data set lives in the heap while it runs (1M records: over a GB), and every
// client measured beside it pays for that heap in its garbage collections. Run
// together, list-1k measured all clients 2-3x slower, the JS clients more than the
// runtime (runtime / plain JS 0.81x, against 0.53x alone).
function measureApart(workloads) {
  const self = fileURLToPath(import.meta.url);
  const args = process.argv.slice(2);
  const keep = [];
  for (let i = 0; i < args.length; i++) {
    if (['--only', '--json', '--report'].includes(args[i])) i++;
    else if (args[i] !== '--no-report') keep.push(args[i]);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssot-bench-'));
  try {
    return workloads.flatMap((w) => {
      const file = path.join(dir, `${w.name}.json`);
      const r = spawnSync(process.execPath, [...process.execArgv, self, ...keep, '--only', w.name, '--child', '--json', file],
        { stdio: ['ignore', 'ignore', 'inherit'] });
      if (r.status !== 0 && !fs.existsSync(file)) throw new Error(`bench: the ${w.name} process failed (${r.status ?? r.signal})`);
      // JSON has no NaN (a failed run's frames/s and set-up time): back from null.
      const measured = JSON.parse(fs.readFileSync(file, 'utf8')).measured;
      const nan = (x) => x ?? NaN;
      for (const m of measured) {
        for (const c of Object.keys(m.fps)) m.fps[c] = m.fps[c].map(nan);
        for (const c of Object.keys(m.fig.setupMs)) m.fig.setupMs[c] = nan(m.fig.setupMs[c]);
      }
      return measured;
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const opt = parseArgs(process.argv.slice(2));
  const workloads = WORKLOADS.filter((w) => !opt.only || opt.only.includes(w.name));
  if (typeof globalThis.gc !== 'function') console.error('bench: run node with --expose-gc for a GC before each run');
  const measured = workloads.length > 1 ? measureApart(workloads) : await measure(opt, workloads);
  const problems = measured.flatMap((m) => m.problems);
  if (opt.child) {
    fs.writeFileSync(opt.json, JSON.stringify({ measured }));
    process.exitCode = problems.length ? 1 : 0;
    return;
  }

  // ---- figures ----
  const figs = measured.map((m) => m.fig);
  const lines = [];
  const out = (s = '') => lines.push(s);
  out('## Runtime vs JS clients (Node)');
  out();
  out(`\`node --expose-gc bench/js/runtime_vs_js.js${process.argv.slice(2).length ? ' ' + process.argv.slice(2).join(' ') : ''}\`, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, load average at the end ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}. ` +
    'Clients: bench/js/bestClient.js, tanstackQueryClient.js, tanstackDbClient.js; frames: bench/js/frames.js; method: the header of bench/js/runtime_vs_js.js.');
  out();
  out(`Frames per run: ${measured.map((m) => `${m.fig.name} ${m.frames}`).join(', ')} ` +
    `(50% updated / 30% created / 20% deleted; ${measured[0].meanUpsertBytes.toFixed(0)} bytes per created/updated frame). ` +
    `Every client gets a new array for the UI after every ${BATCH} frames. frames/s = frames / wall time of the whole loop (frames in, flushes, the array the UI renders). ` +
    `Each workload in a process of its own, ${opt.runs} interleaved rounds in it (each round runs every client, each starting one further along${opt.warmup ? `; an untimed warm-up round of ${opt.warmup} frames first, for the workloads up to 10k records` : ''}). ` +
    'The runtime\'s snapshots and records are frozen (its API promises it); the JS clients freeze nothing.');
  out();
  for (const l of workloadTables(figs)) out(l);
  out();
  out('Every run, frames/s per round:');
  out();
  out('| workload | client | runs | min - max |');
  out('| --- | --- | --- | --- |');
  for (const m of measured) {
    for (const [c, f] of Object.entries(m.fps)) {
      out(`| ${m.fig.name} | ${c} | ${f.map(fmtK).join(', ')} | ${fmtK(Math.min(...f))} - ${fmtK(Math.max(...f))} |`);
    }
  }
  out();
  const { rows, reactRows } = sizes();
  const total = rows.reduce((s, x) => s + x.gzip, 0);
  out(`### Size, file by file (gzip -9 each): ${(total / 1024).toFixed(1)} KB for the wasm + its loader + the JS shim`);
  out();
  out('| file | bytes | gzip -9 |');
  out('| --- | --- | --- |');
  for (const x of rows) out(`| ${x.file} | ${x.bytes} | ${x.gzip} |`);
  out(`| **total** | ${rows.reduce((s, x) => s + x.bytes, 0)} | **${total}** |`);
  if (reactRows.length) out(`| (js/react, the \`./react\` export, not counted) | ${reactRows.reduce((s, x) => s + x.bytes, 0)} | ${reactRows.reduce((s, x) => s + x.gzip, 0)} |`);
  out();
  out('### Checks');
  out();
  out(problems.length ? problems.map((p) => `- ${p}`).join('\n') : 'Every run of every client ended with the expected rows (record text and order), and every runtime run with every frame applied, no gap, duplicate, malformed frame or resync.');

  if (opt.json) {
    fs.writeFileSync(opt.json, JSON.stringify({ command: process.argv.slice(2), runs: opt.runs, workloads: figs, sizeGzip: total, problems }, null, 1));
    console.error(`bench: wrote ${path.relative(process.cwd(), opt.json)}`);
  }
  const report = lines.join('\n') + '\n';
  process.stdout.write(report);
  if (opt.report) {
    fs.writeFileSync(opt.report, report);
    console.error(`bench: wrote ${path.relative(process.cwd(), opt.report)}`);
  }
  if (problems.length) {
    console.error(`bench: ${problems.length} run(s) gave wrong answers`);
    process.exitCode = 1;
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
