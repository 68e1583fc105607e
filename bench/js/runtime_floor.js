// The floor of the runtime's JS side: what the runtime must pay in JS whatever its
// wasm engine does, against the best JS client (bench/js/bestClient.js), on the
// same frames, in one process, interleaved rounds.
//
//   node --expose-gc bench/js/runtime_floor.js [--frames N] [--runs R] [--only list-10k,...]
//
// First, untimed, the real runtime (createClient against a fake server, as in
// runtime_vs_js.js) ingests the frames; every drained output buffer is kept. Then
// the floor client runs the runtime's JS path with an engine that costs nothing:
// per frame the frame is written into the wasm heap as UTF-8 (TextEncoder.encodeInto)
// and one wasm export is called (`_ssot_feed_frame` with runtime id 0: a no-op);
// per 50 frames the recorded drain of that flush is decoded (TextDecoder), parsed
// (JSON.parse) and applied to the view's rows as js/liveView.js does (nextItems
// with its unfrozen copy, then a frozen snapshot object). Its final rows are checked
// against the expected ones. floor / best says how fast the runtime could be if its
// engine were free: the ceiling of runtime / best in this architecture.
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

// The real runtime on the frames, untimed: the hydrated rows and every drain (bytes).
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
    for (let i = 0; i < d.frames.length;) {
      for (const end = i + BATCH; i < end; i++) {
        Module._ssot_feed_frame(rtId, ptr, enc.encodeInto(d.frames[i], Module.HEAPU8.subarray(ptr, ptr + (1 << 16))).written);
      }
      await null; // the client drains in a microtask
      drains.push(recording.length === 1 ? recording[0] : null);
      recording.length = 0;
    }
    recording = null;
    Module._free(ptr);
    if (drains.some((x) => x === null)) throw new Error('expected exactly one drain per flush');
    return { viewId: view.id, start: JSON.parse(JSON.stringify(start)), drains };
  } finally {
    proto.id = id;
    proto.drain = drain;
    await client.close();
    await server.close();
  }
}

// The runtime's JS path with a free engine.
async function runFloor(Module, d, rec) {
  const frames = d.frames;
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  const ptr = Module._malloc(1 << 16);
  const feed = Module._ssot_feed_frame;
  let snap = Object.freeze({ items: Object.freeze(rec.start.map((r) => Object.freeze(r))), total: rec.start.length, status: 'ready', error: null, start: 0, pending: [] });
  let work = null;
  gc();
  await sleep(0);
  const t0 = performance.now();
  const dst = Module.HEAPU8.subarray(ptr, ptr + (1 << 16)); // nothing allocates meanwhile: the heap stays
  for (let i = 0, f = 0; i < frames.length; f++) {
    for (const end = i + BATCH; i < end; i++) feed(0, ptr, encoder.encodeInto(frames[i], dst).written);
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
  const ms = performance.now() - t0;
  Module._free(ptr);
  return { ms, items: snap.items };
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

async function main() {
  const opt = parseArgs(process.argv.slice(2));
  const Module = await loadRuntime();
  const workloads = WORKLOADS.filter((w) => !opt.only || opt.only.includes(w.name));
  const data = new Map();
  for (const w of workloads) {
    const d = generate(w, opt.frames);
    data.set(w.name, { d, rec: await recordDrains(Module, w, d) });
  }
  const rows = [];
  for (const w of workloads) {
    const { d, rec } = data.get(w.name);
    const fps = { floor: [], best: [] };
    const ratios = [];
    for (let r = -1; r < opt.runs; r++) { // round -1: warm-up
      const order = r % 2 ? ['floor', 'best'] : ['best', 'floor'];
      const res = {};
      for (const c of order) {
        const out = c === 'floor' ? await runFloor(Module, d, rec) : await runBest(w, d);
        const bad = check(out.items, d.expected);
        if (bad) throw new Error(`${w.name} ${c}: ${bad}`);
        res[c] = d.frames.length / (out.ms / 1000);
      }
      if (r < 0) continue;
      fps.floor.push(res.floor);
      fps.best.push(res.best);
      ratios.push(res.floor / res.best);
      console.error(`floor: ${w.name} round ${r + 1}: floor ${Math.round(res.floor / 1000)}k, best ${Math.round(res.best / 1000)}k frames/s`);
    }
    rows.push(`| ${w.name} | ${Math.round(median(fps.floor) / 1000)}k | ${Math.round(median(fps.best) / 1000)}k | **${median(ratios).toFixed(2)}x** (${Math.min(...ratios).toFixed(2)} - ${Math.max(...ratios).toFixed(2)}) |`);
  }
  console.log(`${opt.frames} frames per run, median of ${opt.runs} paired rounds (node ${process.version}).\n`);
  console.log('| workload | floor frames/s (runtime JS side, free engine) | best JS frames/s | floor / best (min - max) |');
  console.log('| --- | --- | --- | --- |');
  for (const r of rows) console.log(r);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
