// The floor of the runtime's JS side: what the runtime must pay in JS whatever its
// wasm engine does, against the best JS client (bench/js/bestClient.js), on the
// same frames, in one process, interleaved rounds.
//
//   node --expose-gc bench/js/runtime_floor.js [--frames N] [--runs R] [--only list-10k,...]
//
// First the real runtime (createClient against a fake server, as in runtime_vs_js.js,
// the frames fed to its export in-process) ingests the frames; every drained output
// buffer is kept. This is also the timed "runtime" client of each round: its time less
// the floor's is what the engine spends. Then the floor client runs the runtime's JS
// path with an engine that costs nothing: per frame the frame is written into the wasm heap as UTF-8 (TextEncoder.encodeInto)
// and one wasm export is called (`_ssot_feed_frame` with runtime id 0: a no-op);
// per 50 frames the recorded drain of that flush is decoded (TextDecoder), parsed
// (JSON.parse) and applied to the view's rows as js/liveView.js does (nextItems
// with its unfrozen copy, then a frozen snapshot object). Its final rows are checked
// against the expected ones. floor / best says how fast the runtime could be if its
// engine were free: the ceiling of runtime / best in this architecture.
// Issue 16's goal for a workload then leaves the engine a budget per frame:
// 1 / (goal x best) - 1 / floor. Beside it, what the least engine on text frames costs
// (bench/frame_scan.cpp, built as the runtime ships): checking each frame as JSON in
// wasm, as the engine must before acting on it, timed alone on the same frames (a
// tight loop, the frame's encodeInto taken off). A budget below that cost puts the goal
// out of reach of this JS side whatever the engine; above it, the rest is the engine's.
import fs from 'node:fs';
import http from 'node:http';
import { WebSocketServer } from 'ws';

import { generate, FILTERED_QUERY } from './frames.js';
import { BestClient } from './bestClient.js';
import { createClient } from '../../js/index.js';
import { loadRuntime } from '../../js/wasm/loadRuntime.js';
import { nextItems } from '../../js/snapshot.js';

const BATCH = 50;
const WORKLOADS = [
  { name: 'list-1k', n: 1000, filtered: false },
  { name: 'list-10k', n: 10000, filtered: false },
  { name: 'sorted-filtered-10k', n: 10000, filtered: true },
];

function parseArgs(argv) {
  const o = { frames: 50000, runs: 5, only: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--frames') o.frames = Number(argv[++i]);
    else if (a === '--runs') o.runs = Number(argv[++i]);
    else if (a === '--only') o.only = argv[++i].split(',');
    else throw new Error(`unknown option ${a}`);
  }
  if (!(o.frames > 0) || o.frames % BATCH) throw new Error(`--frames must be a positive multiple of ${BATCH}`);
  return o;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const gc = typeof globalThis.gc === 'function' ? globalThis.gc : () => {};
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

async function startServer(body) {
  const server = http.createServer((req, res) => {
    res.writeHead(req.url.startsWith('/api/messages') ? 200 : 404, { 'content-type': 'application/json' });
    res.end(req.url.startsWith('/api/messages') ? body : '{"error":"not found"}');
  });
  const wss = new WebSocketServer({ server, path: '/ws' });
  let subscribed = 0;
  wss.on('connection', (ws) => ws.on('message', (data) => {
    const msg = JSON.parse(String(data));
    if (msg.type === 'subscribe') {
      ws.send(JSON.stringify({ type: 'subscribed', channel: msg.channel, seq: 0 }));
      subscribed++;
    }
  }));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    subscribed: () => subscribed,
    baseUrl: `http://127.0.0.1:${port}/api`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    close: () => new Promise((resolve) => { for (const c of wss.clients) c.terminate(); wss.close(); server.close(resolve); }),
  };
}

// The real runtime on the frames: the hydrated rows, every drain (bytes), the final rows and
// the time of the frames' loop (the "runtime" client: the engine's cost is its time less the floor's).
async function recordDrains(Module, w, d) {
  const server = await startServer(d.body);
  let rtId = 0;
  let recording = null;
  const proto = Module.Runtime.prototype;
  const { id, drain } = proto;
  proto.id = function idNoted() { return (rtId = id.call(this)); };
  proto.drain = function drainNoted() {
    const n = drain.call(this);
    if (recording && n > 2) {
      const ptr = this.bufferPtr() >>> 0;
      recording.push(Module.HEAPU8.slice(ptr, ptr + n));
    }
    return n;
  };
  const client = await createClient({
    baseUrl: server.baseUrl,
    token: 'bench',
    websockets: {
      enabled: true, url: server.wsUrl, pubsub: { models: { Message: {} } },
      batching: { enabled: true, flushInterval: 60000, maxBatchSize: BATCH }, heartbeat: { enabled: false },
    },
  });
  try {
    const view = client.model('Message').watch(w.filtered ? FILTERED_QUERY : {});
    while (view.getSnapshot().status === 'loading' || server.subscribed() === 0) await sleep(2);
    await sleep(20);
    const start = view.getSnapshot().items;
    const ptr = Module._malloc(1 << 16);
    const enc = new TextEncoder();
    recording = [];
    const drains = [];
    gc();
    const t0 = performance.now();
    let dst = Module.HEAPU8.subarray(ptr, ptr + (1 << 16));
    for (let i = 0; i < d.frames.length;) {
      for (const end = i + BATCH; i < end; i++) {
        if (dst.buffer !== Module.HEAPU8.buffer) dst = Module.HEAPU8.subarray(ptr, ptr + (1 << 16)); // the heap grew
        Module._ssot_feed_frame(rtId, ptr, enc.encodeInto(d.frames[i], dst).written);
      }
      await null; // the client drains in a microtask
      drains.push(recording.length === 1 ? recording[0] : null);
      recording.length = 0;
    }
    const ms = performance.now() - t0;
    recording = null;
    Module._free(ptr);
    if (drains.some((x) => x === null)) throw new Error('expected exactly one drain per flush');
    return { viewId: view.id, start: JSON.parse(JSON.stringify(start)), drains, ms, items: view.getSnapshot().items };
  } finally {
    proto.id = id;
    proto.drain = drain;
    await client.close();
    await server.close();
  }
}

// The free engine: the frame written into the runtime's heap and its export called with
// runtime id 0 (a no-op).
function freeEngine(Module) {
  return { M: Module, ptr: Module._malloc(1 << 16), call: (p, n) => Module._ssot_feed_frame(0, p, n) };
}

// Microseconds a frame of json::valid in wasm, and of the scan without checks (median of
// 5 timed passes after one untimed), each less the frame's encodeInto alone.
function scanCosts(Scan, frames) {
  const encoder = new TextEncoder();
  const ptr = Scan._malloc(1 << 16);
  const dst = Scan.HEAPU8.subarray(ptr, ptr + (1 << 16));
  const pass = (f, want) => {
    const t0 = performance.now();
    for (const fr of frames) {
      const n = encoder.encodeInto(fr, dst).written;
      if (f && f(ptr, n) !== want) throw new Error('frame_scan rejected a bench frame');
    }
    return ((performance.now() - t0) * 1000) / frames.length;
  };
  const us = (f, want) => median([0, 1, 2, 3, 4, 5].map(() => pass(f, want)).slice(1));
  const base = us(null);
  const cost = { validate: us(Scan._ssot_frame_valid, 1) - base, scan: us(Scan._ssot_frame_scan, 0) - base };
  Scan._free(ptr);
  return cost;
}

// The runtime's JS path with engine `e` (freeEngine above).
async function runFloor(e, d, rec) {
  const frames = d.frames;
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  const { ptr, call: feed } = e;
  let snap = Object.freeze({ items: Object.freeze(rec.start.map((r) => Object.freeze(r))), total: rec.start.length, status: 'ready', error: null, start: 0, pending: [] });
  let work = null;
  gc();
  await sleep(0);
  const t0 = performance.now();
  const dst = e.M.HEAPU8.subarray(ptr, ptr + (1 << 16)); // nothing allocates meanwhile: the heap stays
  for (let i = 0, f = 0; i < frames.length; f++) {
    for (const end = i + BATCH; i < end; i++) feed(ptr, encoder.encodeInto(frames[i], dst).written);
    await null;
    const entries = JSON.parse(decoder.decode(rec.drains[f]));
    for (const e of entries) {
      if (e.k !== 'view' || e.view !== rec.viewId) continue;
      const next = nextItems(snap, e, false, work);
      if (next === null) throw new Error('a recorded change did not fit');
      work = next.work ?? null;
      if (next.items !== snap.items || e.total !== snap.total) {
        snap = Object.freeze({ items: next.items, total: e.total, status: e.status, error: e.error ?? null, start: next.start, pending: snap.pending });
      }
    }
  }
  return { ms: performance.now() - t0, items: snap.items };
}

async function runBest(w, d) {
  const c = new BestClient(JSON.parse(d.body), w.filtered ? FILTERED_QUERY : null);
  gc();
  await sleep(0);
  const t0 = performance.now();
  let items = null;
  for (let i = 0; i < d.frames.length;) {
    for (const end = i + BATCH; i < end; i++) c.onFrame(d.frames[i]);
    await null;
    items = c.flush();
  }
  return { ms: performance.now() - t0, items };
}

function check(items, want) {
  if (items.length !== want.length) return `${items.length} rows, expected ${want.length}`;
  for (let i = 0; i < want.length; i++) if (JSON.stringify(items[i]) !== want[i]) return `row ${i} differs`;
  return null;
}

// Issue 16's goals for these workloads: runtime / best.
const GOALS = { 'list-1k': 1, 'list-10k': 1, 'sorted-filtered-10k': 2 };
const CLIENTS = ['best', 'runtime', 'floor'];

// bench/frame_scan.cpp as built by `bash scripts/build.sh wasm ssot_frame_scan`; the
// wasm bytes passed in, as js/wasm/node.js does for the runtime (a web build: TOOLCHAIN.md 5).
async function loadScan() {
  const dir = new URL('../../build/wasm/', import.meta.url);
  const glue = new URL('ssot_frame_scan.mjs', dir);
  if (!fs.existsSync(glue)) throw new Error('build/wasm/ssot_frame_scan.mjs is missing: run bash scripts/build.sh wasm ssot_frame_scan');
  const { default: create } = await import(glue);
  return create({ wasmBinary: fs.readFileSync(new URL('ssot_frame_scan.wasm', dir)) });
}

const ratioCell = (xs) => `**${median(xs).toFixed(2)}x** (${Math.min(...xs).toFixed(2)} - ${Math.max(...xs).toFixed(2)})`;

async function main() {
  const opt = parseArgs(process.argv.slice(2));
  const Module = await loadRuntime();
  const Scan = await loadScan();
  const free = freeEngine(Module);
  const workloads = WORKLOADS.filter((w) => !opt.only || opt.only.includes(w.name));
  const data = new Map();
  for (const w of workloads) {
    const d = generate(w, opt.frames);
    data.set(w.name, { d, rec: await recordDrains(Module, w, d) });
  }
  const rows = [];
  for (const w of workloads) {
    const { d, rec } = data.get(w.name);
    const goal = GOALS[w.name];
    const fps = Object.fromEntries(CLIENTS.map((c) => [c, []]));
    const ratios = { runtime: [], floor: [] };
    const budget = [];
    const spent = [];
    const run = { best: () => runBest(w, d), runtime: () => recordDrains(Module, w, d), floor: () => runFloor(free, d, rec) };
    for (let r = -1; r < opt.runs; r++) { // round -1: warm-up
      const order = CLIENTS.map((_, i) => CLIENTS[(i + r + 1) % CLIENTS.length]);
      const res = {};
      for (const c of order) {
        const out = await run[c]();
        const bad = check(out.items, d.expected);
        if (bad) throw new Error(`${w.name} ${c}: ${bad}`);
        res[c] = d.frames.length / (out.ms / 1000);
      }
      if (r < 0) continue;
      for (const c of CLIENTS) fps[c].push(res[c]);
      for (const c of Object.keys(ratios)) ratios[c].push(res[c] / res.best);
      budget.push(1e6 / (goal * res.best) - 1e6 / res.floor);
      spent.push(1e6 / res.runtime - 1e6 / res.floor);
      console.error(`floor: ${w.name} round ${r + 1}: ${CLIENTS.map((c) => `${c} ${Math.round(res[c] / 1000)}k`).join(', ')} frames/s`);
    }
    const cost = scanCosts(Scan, d.frames);
    const us = (xs) => `${median(xs).toFixed(2)} (${Math.min(...xs).toFixed(2)} - ${Math.max(...xs).toFixed(2)})`;
    const verdict = Math.max(...budget) < cost.validate ? 'out of reach of this JS side: below the check in every round'
      : median(budget) < cost.validate ? 'at the edge: below the check in most rounds'
        : `${(median(budget) / cost.validate).toFixed(1)}x the check`;
    rows.push(`| ${w.name} | ${Math.round(median(fps.best) / 1000)}k | ${ratioCell(ratios.runtime)} | ${ratioCell(ratios.floor)} | >= ${goal}x | ${us(budget)} | ${us(spent)} | ${cost.validate.toFixed(2)} (scan ${cost.scan.toFixed(2)}) | ${verdict} |`);
  }
  console.log(`${opt.frames} frames per run, median of ${opt.runs} rounds, the clients interleaved (node ${process.version}).\n`);
  console.log('| workload | best JS frames/s | runtime / best (min - max) | free engine / best | goal | engine budget for the goal, us/frame | the engine spends, us/frame | the check alone, us/frame | budget |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) console.log(r);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
