// Chromium benchmark (issue 16): the runtime, a bare WebSocket + JSON.parse loop and
// TanStack Query core, each in a page of its own, fed the same seeded update frames
// by a small ws server here (the runtime hydrates its list from the same server).
// Not the reference gateway: it broadcasts what HTTP writes put into SQLite, so 5k
// updates/s through it would measure the gateway and a load generator sharing the
// cores with the page, not the clients.
//
//   node bench/browser/run.js [--records N] [--flood F] [--rate R] [--seconds S] [--rounds K]
//                             [--clients runtime,bare,tanstack] [--batch] [--json FILE] [--report FILE]
//                             [--js-flags FLAGS]
//
// Throughput: the server sends F frames (default 40000) as fast as its socket
// takes them; frames/s = F / (the page's commit of the last frame - the server's
// time just before the first send). Latency: the server sends R frames/s (default
// 5000) for S seconds (default 6), noting each frame's send time; a frame's
// broadcast-to-commit latency = the page's first commit that includes it - its send
// time. The page's clock is performance.timeOrigin + performance.now(), the
// server's the same in Node: one machine, one clock. The first second of frames is
// left out of the percentiles (the JIT warms up). K rounds (default 2), the clients
// interleaved; the figures are medians over rounds. --batch: the server sends what one
// tick produced as one `batch` frame (PROTOCOL.md), as the reference gateway does, to
// every client (each asks with ?batch=1): a paced tick's 5-20 frames, a flood's 64 KiB
// at a time. Debian's Chromium through
// playwright-core, headless. A client whose final list is wrong fails the run (exit 1).
// --js-flags passes V8 flags to Chromium, for diagnosis only (never in `npm run bench`):
// --no-wasm-dynamic-tiering compiles the wasm with the optimizing tier at once, which shows
// what a first visit pays to V8's baseline tier (bench/README.md "Chromium").
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';
import { chromium } from 'playwright-core';
import { generate } from '../js/frames.js';
import { createOutbound } from '../../demo/server/outbound.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };
const PAGE = '<!doctype html><meta charset="utf-8"><title>ssot bench</title><script type="importmap">' +
  JSON.stringify({ imports: { '#runtime': '/js/wasm/browser.js', '@tanstack/query-core': '/node_modules/@tanstack/query-core/build/modern/index.js' } }) +
  '</script><script type="module" src="/bench/browser/page.js"></script>';
const SERVED = ['js', 'bench', 'node_modules/@tanstack/query-core'].map((d) => path.join(ROOT, d) + path.sep);
const CLIENTS = ['runtime', 'bare', 'tanstack'];
const now = () => performance.timeOrigin + performance.now();

function args(argv) {
  const o = { records: 10000, flood: 40000, rate: 5000, seconds: 6, rounds: 2, clients: CLIENTS, batch: false, json: null, report: null, jsFlags: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--batch') { o.batch = true; continue; }
    if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
    const v = argv[++i];
    if (a === '--json') o.json = v;
    else if (a === '--report') o.report = v;
    else if (a === '--js-flags') o.jsFlags = v;
    else if (a === '--clients') {
      o.clients = v.split(',');
      for (const c of o.clients) if (!CLIENTS.includes(c)) throw new Error(`unknown client ${c}`);
    }
    else if (['--records', '--flood', '--rate', '--seconds', '--rounds'].includes(a)) {
      o[a.slice(2)] = Number(v);
      if (!(o[a.slice(2)] > 0)) throw new Error(`${a} must be positive`);
    } else throw new Error(`unknown option ${a}`);
  }
  return o;
}

async function startServer(body, batch) {
  let socket = null; // the page's subscribed socket's outbound (one page at a time)
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
    if (url.pathname.startsWith('/api/messages')) return res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    const file = path.resolve(ROOT, '.' + url.pathname);
    if (!SERVED.some((d) => file.startsWith(d))) return res.writeHead(404).end();
    try {
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(await readFile(file));
    } catch {
      res.writeHead(404).end();
    }
  });
  const wss = new WebSocketServer({ server, path: '/ws' });
  wss.on('connection', (ws, req) => {
    const asked = new URL(req.url, 'http://x').searchParams.get('batch') === '1';
    const out = createOutbound(ws, { maxBufferedBytes: Infinity, batch: batch && asked });
    ws.on('message', (data) => {
      let msg;
      try { msg = JSON.parse(String(data)); } catch { return; }
      if (msg.type === 'subscribe') {
        ws.send(JSON.stringify({ type: 'subscribed', channel: msg.channel, seq: 0 }));
        socket = out;
      } else if (msg.type === 'ping') ws.send(JSON.stringify({ type: 'pong', t: msg.t }));
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    origin,
    socket: () => socket,
    reset: () => { socket = null; },
    close: () => new Promise((r) => { for (const c of wss.clients) c.terminate(); wss.close(); server.close(r); }),
  };
}

// Every frame at once; resolves the time just before the first send.
function flood(out, frames) {
  const t0 = now();
  for (const f of frames) out.send(f);
  return t0;
}

// `rate` frames/s, in steps of about a millisecond; resolves the send times.
function paced(out, frames, rate) {
  return new Promise((resolve) => {
    const sent = new Float64Array(frames.length);
    const start = now();
    let i = 0;
    const tick = () => {
      const due = Math.min(frames.length, Math.floor(((now() - start) * rate) / 1000) + 1);
      for (; i < due; i++) {
        sent[i] = now();
        out.send(frames[i]);
      }
      if (i < frames.length) setTimeout(tick, 1);
      else resolve(sent);
    };
    tick();
  });
}

function pct(sorted, p) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

// Per frame k (1-based): the first commit whose count >= k.
function latencies(log, sent, skip) {
  const out = [];
  let c = 0;
  for (let k = skip + 1; k <= sent.length; k++) {
    while (c < log.counts.length && log.counts[c] < k) c++;
    if (c === log.counts.length) break;
    out.push(log.times[c] - sent[k - 1]);
  }
  return out.sort((a, b) => a - b);
}

// The worst latency of the frames sent in each 250 ms (for the JSON: when the stalls happen).
function worstPerSlice(log, sent, rate) {
  const per = Math.max(1, Math.round(rate / 4));
  const out = [];
  let c = 0;
  for (let k = 1; k <= sent.length; k++) {
    while (c < log.counts.length && log.counts[c] < k) c++;
    if (c === log.counts.length) break;
    const i = Math.floor((k - 1) / per);
    out[i] = Math.max(out[i] ?? 0, Math.round(log.times[c] - sent[k - 1]));
  }
  return out;
}

function check(kind, log, frameCount, expected) {
  if (kind === 'bare') return log.lastSeq === frameCount ? null : `last seq ${log.lastSeq}, expected ${frameCount}`;
  if (log.stats && (log.stats.malformed || log.stats.gaps || log.stats.duplicates || log.stats.resyncs)) return `runtime counters ${JSON.stringify(log.stats)}`;
  const rows = log.rows;
  if (!rows || rows.length !== expected.length) return `${rows?.length} rows, expected ${expected.length}`;
  for (let i = 0; i < rows.length; i++) if (rows[i] !== expected[i]) return `row ${i}: ${rows[i].slice(0, 100)} != ${expected[i].slice(0, 100)}`;
  return null;
}

async function runOne(browser, server, kind, mode, d, o) {
  const frames = mode === 'flood' ? d.frames.slice(0, o.flood) : d.frames.slice(0, o.rate * o.seconds);
  const expected = frames.length === d.frames.length ? d.expected : d.checkpoints.get(frames.length);
  server.reset();
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  try {
    await page.goto(server.origin + '/');
    await page.waitForFunction(() => window.ready === true, null, { timeout: 60000 });
    await page.evaluate(([k, b, w, batch]) => window.bench.setup(k, b, w, batch), [kind, `${server.origin}/api`, server.origin.replace('http', 'ws') + '/ws', o.batch]);
    const deadline = Date.now() + 30000;
    while (!server.socket()) {
      if (Date.now() > deadline) throw new Error('the page never subscribed');
      await new Promise((r) => setTimeout(r, 10));
    }
    await new Promise((r) => setTimeout(r, 200)); // the `subscribed` frame lands
    const out = server.socket();
    let t0 = 0;
    let sent = null;
    if (mode === 'flood') t0 = flood(out, frames);
    else sent = await paced(out, frames, o.rate);
    const log = await page.evaluate(([n, ms]) => window.bench.until(n, ms), [frames.length, 300000]);
    const problem = check(kind, log, frames.length, expected) ?? (errors.length ? errors.join('; ') : null);
    if (mode === 'flood') return { fps: frames.length / ((log.times.at(-1) - t0) / 1000), frames: frames.length, problem };
    const lat = latencies(log, sent, o.rate); // the first second left out
    return { p50: pct(lat, 50), p99: pct(lat, 99), max: lat.at(-1), frames: frames.length, commits: log.times.length, worst: worstPerSlice(log, sent, o.rate), problem };
  } finally {
    await context.close();
  }
}

const median = (xs) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};

async function main() {
  const o = args(process.argv.slice(2));
  const total = Math.max(o.flood, o.rate * o.seconds);
  const d = generate({ n: o.records, filtered: false }, total, { checkpoints: [o.flood, o.rate * o.seconds] });
  const server = await startServer(d.body, o.batch);
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ...(o.jsFlags ? [`--js-flags=${o.jsFlags}`] : [])],
  });
  const version = browser.version();
  const res = { flood: {}, paced: {} };
  const problems = [];
  try {
    for (let r = 0; r < o.rounds; r++) {
      for (let i = 0; i < o.clients.length; i++) {
        const kind = o.clients[(i + r) % o.clients.length];
        for (const mode of ['flood', 'paced']) {
          let x;
          try {
            x = await runOne(browser, server, kind, mode, d, o);
          } catch (err) {
            x = { problem: `failed: ${err.message}` };
          }
          (res[mode][kind] ??= []).push(x);
          if (x.problem) problems.push(`${kind} ${mode} round ${r + 1}: ${x.problem}`);
          console.error(`bench: chromium round ${r + 1} ${kind} ${mode}: ${mode === 'flood' ? `${Math.round(x.fps)} frames/s` : `p50 ${x.p50?.toFixed(1)} ms, p99 ${x.p99?.toFixed(1)} ms`}${x.problem ? ` PROBLEM ${x.problem}` : ''}`);
        }
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }
  const fps = (k) => median((res.flood[k] ?? []).map((x) => x.fps));
  const ratio = (k) => median((res.flood[k] ?? []).map((x, i) => x.fps / res.flood.bare?.[i]?.fps));
  const lat = (k, p) => median((res.paced[k] ?? []).map((x) => x[p]));
  const out = {
    chromium: version, records: o.records, flood: o.flood, rate: o.rate, seconds: o.seconds, rounds: o.rounds, batch: o.batch, jsFlags: o.jsFlags,
    clients: Object.fromEntries(o.clients.map((k) => [k, { fps: fps(k), vsBare: ratio(k), p50: lat(k, 'p50'), p99: lat(k, 'p99'), max: lat(k, 'max') }])),
    runs: res, problems,
  };
  const md = report(out);
  process.stdout.write(md);
  if (o.json) fs.writeFileSync(o.json, JSON.stringify(out, null, 1));
  if (o.report) fs.writeFileSync(o.report, md);
  if (problems.length) process.exitCode = 1;
}

function report(x) {
  const f = (v, dgt = 1) => (Number.isFinite(v) ? v.toFixed(dgt) : '-');
  const L = { runtime: 'runtime (live list, flushInterval 16 ms)', bare: 'bare WebSocket + JSON.parse', tanstack: 'TanStack Query core (same 16 ms batching)' };
  const lines = [
    x.batch ? '## Chromium, batch frames' : '## Chromium',
    '',
    ...(x.batch ? ['The server sends what one tick produced as one `batch` frame to every client (run.js --batch), as the reference gateway does for a client that asks.', ''] : []),
    `Chromium ${x.chromium} (Debian, headless, playwright-core${x.jsFlags ? `, --js-flags=${x.jsFlags}` : ''}), ${os.cpus().length} cores, load average at the end ${os.loadavg().map((v) => v.toFixed(1)).join(' ')}. ` +
    `A list of ${x.records} records (id order), the frames of bench/js/frames.js; a small ws server in bench/browser/run.js sends them. ` +
    `Throughput: ${x.flood} frames sent at once, frames/s until the list the UI renders holds the last one. ` +
    `Latency: ${x.rate} frames/s for ${x.seconds} s, broadcast (server send) to commit (the list ready in the page), the first second left out. ` +
    `Median of ${x.rounds} interleaved rounds. Method: the header of bench/browser/run.js (why not the reference gateway, too). ` +
    'The bare loop\'s latency shows what the machine\'s load alone adds.',
    '',
    '| client | frames/s (flood) | / bare loop | latency p50 ms | p99 ms | max ms |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const [k, c] of Object.entries(x.clients)) {
    lines.push(`| ${L[k]} | ${Math.round(c.fps)} | ${f(c.vsBare, 2)}x | ${f(c.p50)} | ${f(c.p99)} | ${f(c.max)} |`);
  }
  lines.push('');
  lines.push(x.problems.length ? x.problems.map((p) => `- ${p}`).join('\n') : 'Every page ended with the expected list (record text and order; the bare loop: the last seq).');
  return lines.join('\n') + '\n';
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
