// Memory per cached record: the runtime (wasm heap + JS heap) against the plain JS
// client (JS heap) and the peers, each holding one hydrated list (issue 16).
//
//   node --expose-gc bench/js/memory.js [--records N] [--json FILE]   (default 100000)
//
// Each client runs in a child process of its own (node --expose-gc), so nothing
// another client allocated is counted and the wasm memory, which never shrinks,
// starts fresh. In the child, after the dataset is generated and (for the runtime)
// the wasm module is loaded: gc() twice, then the baseline (process.memoryUsage()
// .heapUsed and the wasm memory's buffer.byteLength); the client hydrates the list
// (the runtime through createClient and a live view, status ready; the JS clients
// from JSON.parse of the same body) and takes one flush; gc() twice, measured again.
// Per record = the growth / N. The wasm figure is the memory the engine grew to:
// what the page pays, including allocator slack and freed temporaries (it is
// rounded to 64 KB pages and grows in steps), so it is an upper bound of the
// bytes the engine holds. The runtime's JS heap holds the frozen snapshot rows.
// For the runtime a second client then hydrates the same list in the same module:
// its growth ("marginal") reuses the memory the first one's temporaries freed, so it
// is closer to what holding the records costs. For it the child also reports what the
// engine holds live (the runtime's stats().heapBytes: malloc'd, not freed), the list
// answer's bytes and the records' own text, per record: report.js takes the runtime's
// memory apart with them and names this design's floor.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
const CLIENTS = ['runtime', 'best', 'tanstack-query', 'tanstack-db'];

function args(argv) {
  const o = { records: 100000, json: null, child: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (i + 1 >= argv.length && a !== '--help') throw new Error(`${a} needs a value`);
    if (a === '--records') o.records = Number(argv[++i]);
    else if (a === '--json') o.json = argv[++i];
    else if (a === '--child') o.child = argv[++i];
    else throw new Error(`unknown option ${a}`);
  }
  if (!Number.isInteger(o.records) || o.records < 1) throw new Error('--records must be a positive integer');
  if (o.child && !CLIENTS.includes(o.child)) throw new Error(`unknown client ${o.child}`);
  return o;
}

const settle = async () => {
  for (let i = 0; i < 3; i++) {
    globalThis.gc();
    await new Promise((r) => setTimeout(r, 20));
  }
};

async function child(name, n) {
  if (typeof globalThis.gc !== 'function') throw new Error('run with --expose-gc');
  const { generate } = await import('./frames.js');
  const d = generate({ n, filtered: false }, 0);
  let wasm = () => 0;
  let server = null;
  if (name === 'runtime') {
    const { loadRuntime } = await import('../../js/wasm/loadRuntime.js');
    const Module = await loadRuntime();
    wasm = () => Module.HEAPU8.buffer.byteLength;
    server = await (await import('./fakeServer.js')).startServer();
    server.state.body = d.body;
  }
  await settle();
  const heap0 = process.memoryUsage().heapUsed;
  const wasm0 = wasm();
  let keep;
  const hydrateRuntime = async () => {
    const { createClient } = await import('../../js/index.js');
    const client = await createClient({
      baseUrl: server.baseUrl, token: 'bench',
      websockets: { enabled: true, url: server.wsUrl, pubsub: { models: { Message: {} } }, heartbeat: { enabled: false } },
    });
    const view = client.model('Message').watch({});
    const end = Date.now() + 120000;
    while (view.getSnapshot().status === 'loading' && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
    const snap = view.getSnapshot();
    if (snap.status !== 'ready' || snap.items.length !== n) throw new Error(`runtime view: ${snap.status}, ${snap.items.length} rows`);
    return { client, view };
  };
  if (name === 'runtime') {
    keep = await hydrateRuntime();
  } else {
    const list = JSON.parse(d.body);
    let c;
    if (name === 'best') c = new (await import('./bestClient.js')).BestClient(list);
    else if (name === 'tanstack-query') c = new (await import('./tanstackQueryClient.js')).TanStackQueryClient(list);
    else c = new (await import('./tanstackDbClient.js')).TanStackDbClient(list);
    if (c.ready) await c.ready();
    if (c.flush().length !== n) throw new Error(`${name}: wrong row count`);
    keep = c;
  }
  await settle();
  const heap = process.memoryUsage().heapUsed - heap0;
  const wasmBytes = wasm() - wasm0;
  if (!keep) throw new Error('unreachable');
  const row = { client: name, records: n, jsHeapBytes: heap, wasmBytes, perRecord: (heap + wasmBytes) / n };
  if (name === 'runtime') {
    const heap1 = process.memoryUsage().heapUsed;
    const wasm1 = wasm();
    const live1 = keep.client.stats().heapBytes;
    const second = await hydrateRuntime();
    await settle();
    row.marginalJsHeapBytes = process.memoryUsage().heapUsed - heap1;
    row.marginalWasmBytes = wasm() - wasm1;
    row.marginalPerRecord = (row.marginalJsHeapBytes + row.marginalWasmBytes) / n;
    // What the second client's engine holds once hydrated (bytes malloc'd and not freed),
    // beside the list answer it read and the records' own text, per record.
    row.liveWasmPerRecord = (second.client.stats().heapBytes - live1) / n;
    row.answerPerRecord = d.body.length / n;
    row.recordTextPerRecord = JSON.parse(d.body).items.reduce((sum, r) => sum + JSON.stringify(r).length, 0) / n;
  }
  return row;
}

async function main() {
  const o = args(process.argv.slice(2));
  if (o.child) {
    process.stdout.write(JSON.stringify(await child(o.child, o.records)));
    process.exit(0); // the runtime's socket would keep the child alive
  }
  const rows = [];
  for (const c of CLIENTS) {
    try {
      const out = execFileSync(process.execPath, ['--expose-gc', '--max-old-space-size=8192', SELF, '--child', c, '--records', String(o.records)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
      rows.push(JSON.parse(out));
    } catch (err) {
      rows.push({ client: c, records: o.records, error: String(err.message).split('\n')[0] });
    }
    console.error(`bench: memory ${c}: ${JSON.stringify(rows.at(-1))}`);
  }
  const plain = rows.find((r) => r.client === 'best')?.perRecord;
  const rt = rows.find((r) => r.client === 'runtime')?.perRecord;
  const result = { records: o.records, rows, ratio: rt / plain };
  if (o.json) fs.writeFileSync(o.json, JSON.stringify(result, null, 1));
  process.stdout.write(JSON.stringify(result, null, 1) + '\n');
  if (rows.some((r) => r.error)) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
