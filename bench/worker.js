#!/usr/bin/env node
// Worker mode against main mode in Chromium (README "One engine per browser";
// bench/README.md "worker"): broadcast-to-commit latency in a tab, and the tab's
// main-thread time, while the server pushes N updates/s to a live list.
//
//   node bench/worker.js [--seconds 5] [--rows 500] [--rates 1000,5000] [--modes main,worker,shared-worker]
//
// The server is tests/soak/fake_server.js (the protocol, in-process): the real
// gateway cannot write 5k records/s through SQLite on this machine, and what is
// measured here is the client. It also serves the page and the package's files
// (one origin: no CORS). Each update carries `sentAt` (epoch ms, high resolution)
// set just before the frame is written to the socket; the page's view listener
// takes `performance.timeOrigin + performance.now()` when the snapshot with the
// new row is delivered (what React would render) and records the difference.
// Main-thread time: CDP Performance.getMetrics TaskDuration of the page (its
// renderer main thread; the worker's thread is not in it), per wall second.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startFakeServer } from '../tests/soak/fake_server.js';
import { CHROMIUM_ARGS } from '../tests/support/browser.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const SECONDS = Number(arg('seconds', 5));
const ROWS = Number(arg('rows', 500));
const RATES = arg('rates', '1000,5000').split(',').map(Number);
const MODES = arg('modes', 'main,worker,shared-worker').split(',');

const PAGE = '<!doctype html><meta charset="utf-8"><title>ssot worker bench</title>' +
  '<script type="importmap">{"imports": {"#runtime": "/js/wasm/browser.js"}}</script><script type="module">' +
  "import * as ssot from '/js/index.js'; window.ssot = ssot; window.ready = true;</script>";
const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm' };

function servePackage(req, res, url) {
  if (url.pathname === '/') {
    res.writeHead(200, { 'Content-Type': 'text/html' }).end(PAGE);
    return true;
  }
  if (!url.pathname.startsWith('/js/')) return false;
  const file = path.resolve(ROOT, '.' + url.pathname);
  if (!file.startsWith(path.join(ROOT, 'js') + path.sep) || !fs.existsSync(file)) {
    res.writeHead(404).end();
    return true;
  }
  res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(fs.readFileSync(file));
  return true;
}

const now = () => performance.timeOrigin + performance.now();
const record = (id, n) => ({ id, roomId: 1, authorId: 1 + (id % 5), text: `message ${id} edit ${n}`, createdAt: 1_700_000_000_000 + id, sentAt: now() });

// Pushes `rate` updates/s of random rows for `seconds`, in 5 ms slices.
async function pushUpdates(srv, rate, seconds) {
  const start = now();
  let sent = 0;
  let n = 0;
  while (now() - start < seconds * 1000) {
    const due = Math.floor(((now() - start) / 1000) * rate);
    for (; sent < due; sent++) srv.mutate('Message', 'updated', record(1 + Math.floor(Math.random() * ROWS), ++n));
    await new Promise((r) => setTimeout(r, 5));
  }
  return sent;
}

async function openTab(context, srv, mode) {
  const page = await context.newPage();
  await page.goto(`http://127.0.0.1:${srv.port}/`);
  await page.waitForFunction(() => window.ready === true);
  await page.evaluate(async ({ baseUrl, wsUrl, mode }) => {
    window.client = await window.ssot.createClient({
      baseUrl, mode,
      websockets: { enabled: true, url: wsUrl, pubsub: { models: { Message: {} } }, batching: { enabled: true, flushInterval: 10, maxBatchSize: 200 } },
    });
    window.lat = [];
    window.measuring = false;
    const view = window.client.model('Message').watch({ orderBy: { id: 'asc' } });
    let prev = view.getSnapshot().items;
    view.subscribe((s) => {
      const t = performance.timeOrigin + performance.now();
      const items = s.items;
      if (window.measuring && items.length === prev.length) {
        for (let i = 0; i < items.length; i++) if (items[i] !== prev[i] && items[i].sentAt) window.lat.push(t - items[i].sentAt);
      }
      prev = items;
    });
    await new Promise((r) => { const off = view.subscribe((s) => { if (s.status === 'ready') { off(); r(); } }); });
  }, { baseUrl: srv.baseUrl, wsUrl: srv.wsUrl, mode });
  return page;
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function run(browser, srv, mode, rate) {
  const context = await browser.newContext();
  const page = await openTab(context, srv, mode);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  await pushUpdates(srv, rate, 1); // warm-up
  await page.evaluate(() => { window.lat = []; window.measuring = true; });
  const metric = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  const m0 = await metric();
  const t0 = now();
  const sent = await pushUpdates(srv, rate, SECONDS);
  await new Promise((r) => setTimeout(r, 300)); // the last flushes land
  const m1 = await metric();
  const wall = (now() - t0) / 1000;
  const lat = (await page.evaluate(() => { window.measuring = false; return window.lat; })).sort((a, b) => a - b);
  const actual = await page.evaluate(() => window.client.mode);
  await context.close();
  return {
    mode: actual, rate, sent, seen: lat.length,
    p50: pct(lat, 50), p99: pct(lat, 99),
    taskMsPerS: ((m1.TaskDuration - m0.TaskDuration) * 1000) / wall,
    scriptMsPerS: ((m1.ScriptDuration - m0.ScriptDuration) * 1000) / wall,
  };
}

const initial = { Message: Array.from({ length: ROWS }, (_, i) => ({ ...record(i + 1, 0), sentAt: 0 })) };
const srv = await startFakeServer(initial);
srv.httpHook = servePackage;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
const rows = [];
try {
  for (const rate of RATES) for (const mode of MODES) rows.push(await run(browser, srv, mode, rate));
} finally {
  await browser.close();
  await srv.close();
}
const f = (x) => (x === undefined ? '-' : x.toFixed(1));
console.log(`worker bench: ${ROWS} rows, ${SECONDS} s per run, Chromium ${browser.version?.() ?? ''}`);
console.log('| mode | updates/s | rows changed seen | latency p50 ms | p99 ms | main-thread task ms/s | script ms/s |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows) console.log(`| ${r.mode} | ${r.rate} | ${r.seen} / ${r.sent} | ${f(r.p50)} | ${f(r.p99)} | ${f(r.taskMsPerS)} | ${f(r.scriptMsPerS)} |`);
