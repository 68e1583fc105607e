// Writes bench/report.md and bench/report.svg from the parts scripts/bench.sh runs:
//
//   node bench/js/report.js --out bench/report.md --svg bench/report.svg \
//     [--core core.md] [--node node.json --node-md node.md] [--floor-md floor.md] [--memory memory.json] \
//     [--browser browser.json --browser-md browser.md] [--browser-batch b.json --browser-batch-md b.md]
//     [--command "npm run bench"] [--readme README.md]
//
// --readme: the goal table between the README's <!-- bench:goals --> markers is
// replaced with this run's (nothing else in the file is touched).
// A missing part is reported as missing; the goal table (issue 16) says "-" there.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { chartSvg } from './chart.js';
import { LABEL, fmtX, metText } from './figures.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function args(argv) {
  const o = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || i + 1 >= argv.length) throw new Error(`bad option ${argv[i]}`);
    o[argv[i].slice(2).replace(/-(.)/g, (_, c) => c.toUpperCase())] = argv[i + 1];
  }
  if (!o.out) throw new Error('--out is required');
  return o;
}

const readJson = (f) => (f && fs.existsSync(f) ? JSON.parse(fs.readFileSync(f, 'utf8')) : null);
const readText = (f) => (f && fs.existsSync(f) ? fs.readFileSync(f, 'utf8').trim() : null);

let commitMemo = null;
// The commit, noted once (before this run's report files change the tree).
function commitText() {
  if (commitMemo) return commitMemo;
  try {
    let c = execSync('git rev-parse --short HEAD', { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    try {
      execSync("git diff --quiet HEAD -- wasm js bench ':!bench/report.md' ':!bench/report.svg'", { cwd: ROOT, stdio: 'ignore' });
    } catch {
      c += ', with uncommitted changes to wasm/, js/ or bench/';
    }
    return (commitMemo = c);
  } catch {
    return (commitMemo = 'unknown');
  }
}

// The Chromium goals from one browser run (run.js; `how`: single frames, or the
// server's batch frames, one per tick, as the reference gateway sends them).
// No client commits a frame before the page has received it: the bare loop's latency
// (receive, JSON.parse, commit) is the floor in that run. A floor above the goal puts
// the goal out of reach on that machine, whatever the client.
const ms = (x) => (Number.isFinite(x) ? x.toFixed(1) : '-');  // a client whose rounds all failed has none

function chromiumRows(browser, how) {
  const rt = browser?.clients?.runtime;
  const ts = browser?.clients?.tanstack;
  const bare = browser?.clients?.bare;
  const floorAbove = bare && Number.isFinite(bare.p99) && bare.p99 > 25;
  return [{
    what: `Chromium, 5k updates/s, flushInterval 16 ms${how}: runtime broadcast-to-commit p99`,
    measured: rt ? `${ms(rt.p99)} ms (p50 ${ms(rt.p50)}; TanStack Query ${ms(ts?.p99)} ms; bare loop ${ms(bare?.p99)} ms)` : '-',
    goal: '<= 25 ms',
    met: rt && Number.isFinite(rt.p99) ? rt.p99 <= 25 : null,
    note: floorAbove ? 'out of reach on this machine in this run: the bare loop\'s own p99 is above the goal' : undefined,
  }, {
    what: `Chromium throughput${how}: runtime / bare WebSocket + JSON.parse loop`,
    measured: rt ? `${fmtX(rt.vsBare)} (TanStack Query ${ts ? fmtX(ts.vsBare) : '-'}; ${Math.round(rt.fps)} frames/s)` : '-',
    goal: '>= 0.9x',
    met: rt && Number.isFinite(rt.vsBare) ? rt.vsBare >= 0.9 : null,
    bar: rt ? { group: 'Chromium-throughput', label: `bare loop${how}`, value: rt.vsBare, goal: 0.9 } : undefined,
  }];
}

// The goal rows: {what, measured (text), goal (text), met (bool|null), bar?}.
export function goalRows(node, memory, browser, browserBatch) {
  const rows = [];
  for (const w of node?.workloads ?? []) {
    for (const g of w.goals) {
      rows.push({
        what: `${w.name}: runtime / ${g.label}`,
        measured: `${fmtX(g.measured)} (fastest: ${LABEL[g.best] ?? '-'})`,
        goal: `>= ${g.goal}x${g.aim ? ` (aim ${g.aim}x)` : ''}`,
        met: g.met,
        bar: { group: w.name, label: w.window ? (g.goal >= 10 ? 'full array' : 'window-aware') : 'best JS', value: g.measured, goal: g.goal },
      });
    }
  }
  rows.push(...chromiumRows(browser, ''), ...chromiumRows(browserBatch, ', batch frames'));
  const m = memory && Number.isFinite(memory.ratio) ? memory : null;
  const per = (c) => memory?.rows.find((r) => r.client === c)?.perRecord;
  rows.push({
    what: `Memory per cached record at ${memory?.records ?? 100000} records: runtime (wasm + JS) / plain JS client`,
    measured: m ? `${fmtX(m.ratio)} (${Math.round(per('runtime'))} vs ${Math.round(per('best'))} bytes; a second list in the same module: ${Math.round(memory.rows.find((r) => r.client === 'runtime')?.marginalPerRecord)})` : '-',
    goal: '<= 2x',
    met: m ? m.ratio <= 2 : null,
  });
  const kb = node?.sizeGzip;
  rows.push({
    what: 'Size: wasm + glue + JS shim, gzip -9 file by file',
    measured: kb ? `${(kb / 1024).toFixed(1)} KB` : '-',
    goal: '<= 40 KB',
    met: kb ? kb <= 40 * 1024 : null,
  });
  return rows;
}

// The runtime's memory taken apart (the second list's figures), and what this design
// pays with every per-record structure free: the rows the UI gets, the store's copy
// of the records' text, and the list answer, which sits in the wasm memory (it never
// shrinks) while the records are copied out of it.
function memoryFloor(rt, plain) {
  const js = rt.marginalJsHeapBytes / rt.records;
  const floor = js + rt.recordTextPerRecord + rt.answerPerRecord;
  const b = (x) => `${Math.round(x)} B`;
  return [
    `Taken apart, per record (the second list): JS rows ${b(js)}; the engine's live heap ${b(rt.liveWasmPerRecord)} ` +
    `(malloc'd and not freed), of which the records' own text ${b(rt.recordTextPerRecord)}; the list answer ${b(rt.answerPerRecord)}, ` +
    `in the wasm memory while the records are copied out of it. With every per-record structure free, this design ` +
    `(the store keeps each record's text, the answer is read whole into the heap) still pays ${b(floor)} a record: ` +
    `${fmtX(floor / plain)} the plain JS client's ${b(plain)}.`,
  ];
}

function memoryTable(memory) {
  if (!memory) return ['(the memory part did not run)'];
  const lines = [
    `Each client in a child process of its own holding one hydrated ${memory.records}-record list (id order, one flush taken). ` +
    'Growth of process.memoryUsage().heapUsed and of the wasm memory\'s buffer.byteLength from just before hydration to after it, each after gc() x3 (node --expose-gc). ' +
    'The wasm figure is what the engine grew its memory to (64 KB pages, grown in steps; freed temporaries such as the copied HTTP body stay in it): an upper bound of what the engine holds, and what a page pays. ' +
    'Method: the header of bench/js/memory.js.',
    '',
    '| client | JS heap bytes | wasm bytes | bytes per record | / plain JS |',
    '| --- | --- | --- | --- | --- |',
  ];
  const plain = memory.rows.find((r) => r.client === 'best')?.perRecord;
  for (const r of memory.rows) {
    if (r.error) lines.push(`| ${LABEL[r.client] ?? r.client} | failed: ${r.error} | | | |`);
    else lines.push(`| ${LABEL[r.client] ?? r.client} | ${r.jsHeapBytes} | ${r.wasmBytes} | ${Math.round(r.perRecord)} | ${fmtX(r.perRecord / plain)} |`);
    if (r.marginalPerRecord !== undefined) {
      lines.push(`| ${LABEL[r.client] ?? r.client}, a second list in the same module (marginal) | ${r.marginalJsHeapBytes} | ${r.marginalWasmBytes} | ${Math.round(r.marginalPerRecord)} | ${fmtX(r.marginalPerRecord / plain)} |`);
    }
  }
  const rt = memory.rows.find((r) => r.client === 'runtime' && Number.isFinite(r.liveWasmPerRecord));
  if (rt && plain) lines.push('', ...memoryFloor(rt, plain));
  return lines;
}

const goalLine = (r) => `| ${r.what} | **${r.measured}** | ${r.goal} | ${metText(r.met)}${r.note && !r.met ? ` (${r.note})` : ''} |`;

function main() {
  const o = args(process.argv.slice(2));
  const node = readJson(o.node);
  const memory = readJson(o.memory);
  const browser = readJson(o.browser);
  const browserBatch = readJson(o.browserBatch);
  const rows = goalRows(node, memory, browser, browserBatch);
  const cpu = (os.cpus()[0]?.model ?? 'unknown CPU').trim();
  const when = new Date().toISOString().slice(0, 16).replace('T', ' ');
  const svgName = o.svg ? path.relative(path.dirname(o.out), o.svg) : null;
  const L = [];
  L.push('# Benchmarks');
  L.push('');
  L.push(`Generated by \`${o.command ?? 'npm run bench'}\` on ${when} UTC. Commit ${commitText()}.`);
  L.push(`Machine: ${cpu}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GB, node ${process.version}${browser ? `, Chromium ${browser.chromium}` : ''}, ${os.type()} ${os.release()}; load average at the end ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}.`);
  L.push('The machine is shared: absolute figures vary by 10-30% between runs, so every goal is a ratio of clients run side by side, interleaved, in one run. What the figures mean: bench/README.md.');
  L.push('');
  L.push('## Goals (issue 16)');
  L.push('');
  if (svgName) L.push(`![runtime / other clients, per workload, with the goals](${svgName})`, '');
  L.push('| goal | measured | target | |');
  L.push('| --- | --- | --- | --- |');
  for (const r of rows) L.push(goalLine(r));
  L.push('');
  L.push(readText(o.nodeMd) ?? '## Runtime vs JS clients (Node)\n\n(this part did not run)');
  L.push('');
  L.push('## What the goals leave the engine (bench/js/runtime_floor.js)');
  L.push('');
  L.push(readText(o.floorMd) ?? '(this part did not run)');
  L.push('');
  L.push('## Memory per cached record');
  L.push('');
  L.push(...memoryTable(memory));
  L.push('');
  L.push(readText(o.browserMd) ?? '## Chromium\n\n(this part did not run)');
  L.push('');
  L.push(readText(o.browserBatchMd) ?? '## Chromium, batch frames\n\n(this part did not run)');
  L.push('');
  L.push('## Core ingest (the engine alone, no JS)');
  L.push('');
  L.push(readText(o.core)?.replace(/^## /gm, '### ') ?? '(this part did not run)');
  fs.writeFileSync(o.out, L.join('\n') + '\n');
  console.error(`bench: wrote ${o.out}`);
  if (o.svg) {
    const bars = rows.filter((r) => r.bar).map((r) => r.bar);
    fs.writeFileSync(o.svg, chartSvg(bars, { title: `ssot-realtime runtime vs JS clients (${when} UTC, ${commitText().split(',')[0]})` }));
    console.error(`bench: wrote ${o.svg}`);
  }
  const g = ['| goal | measured | target | |', '| --- | --- | --- | --- |', ...rows.map(goalLine)];
  if (o.goalsMd) fs.writeFileSync(o.goalsMd, g.join('\n') + '\n');
  if (o.readme) {
    const text = fs.readFileSync(o.readme, 'utf8');
    const a = text.indexOf('<!-- bench:goals -->');
    const b = text.indexOf('<!-- /bench:goals -->');
    if (a < 0 || b < a) throw new Error(`${o.readme}: no <!-- bench:goals --> ... <!-- /bench:goals --> block`);
    const block = `<!-- bench:goals -->\nMeasured ${when} UTC, commit ${commitText()}, ${cpu}, ${os.cpus().length} cores:\n\n${g.join('\n')}\n`;
    fs.writeFileSync(o.readme, text.slice(0, a) + block + text.slice(b));
    console.error(`bench: updated the goal table in ${o.readme}`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
