// The size budget (issue 15, README "Size"): everything a browser loads for both
// entries, `ssot-realtime` and `ssot-realtime/react`, gzip -9 per file, summed:
//   - js/wasm/ssot_runtime.wasm and js/wasm/ssot_runtime.mjs (the glue) as built
//     by `bash scripts/build.sh runtime` (it minifies the glue);
//   - the package's JS as an app's bundler ships it: esbuild --bundle --minify of
//     both entries, resolved through package.json `exports` with the browser
//     conditions, code splitting on (shared modules once), react external. The
//     glue's own file and the Node-only modules (ws, xhr2, node:*) stay out of it.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

// The goal, not met (README "Size": the engine's own code alone is more),
// and the ceiling enforced meanwhile: 78.0 KB with the error states, Suspense hooks and
// optimistic layer merged, plus 1 KB of room. Lower it as things shrink; never raise it
// to let a feature in without saying what it cost.
// Worker modes (issue 17): +2.9 KB, the tab-side proxy (js/worker/) in the main entry
// (an import() would keep it out of main-mode apps, but Rollup's output.file builds
// refuse the second chunk).
// 2026-12-05: 80.6 KB (82,547 B) after the flat string map replaced std::unordered_map
// (-2.2 KB) and the inlining pass (+0.4 KB): lowered to 81 KB.
// 2026-12-05, later: 82,958 B (+161 B on 82,797) with the fixes of fuzz bugs 35-38, net of
// -80 B of lookups merged: raised to 81.1 KB (83,046 B), for those fixes only.
// 2026-12-05, eighth session: 83,134 B (+178 B on 82,956) with the fixes of fuzz bugs 39-43
// (what a resubscription lost, a refusal per subscription, pages with refused members, the
// splice-to-window switch, our delete's answer after a re-create): raised to 81.2 KB
// (83,149 B), for those fixes only; 83,081 B with bug 44's; 83,145 B (+64 B) with bug 45's
// (answers that do not settle a view back off).
// 2026-12-05, eleventh session: 82,605 B after stats() without mallinfo (-124 B), the
// one-pass hydration with the JSON readers gone (+660 B net) and one sort instantiation
// instead of three in the list flushes (-1,076 B); 82,633 B with the socket handler's
// kept heap view (+28 B of glue), 82,663 B with the review's fixes: lowered to 80.8 KB (82,739 B).
// 2026-12-05, twelfth session: 82,830 B. Batch frames cost +0.5 KB of wasm (the decoder's
// batch type, the one-pass reader of the gateway's form, the socket URL's batch=1); a review
// of the JS took 296 B out (one ClientBase for Client and WorkerClient, the link's own
// liveness, one frozen empty array): raised to 80.95 KB (82,893 B) for the batch frames
// (a fresh clone's build has come out a few bytes apart from this machine's).
// 2026-12-06, thirteenth session: 83,012 B (+182 B) for engine speed: the decode result the
// engine keeps and decodes into per frame (+42 B) and the ordered index's 64-bit prefix
// (+140 B), each measured faster on its own (the commits' figures): raised to 81.15 KB (83,098 B)
// for those two only.
// 2026-12-06, fourteenth session: 83,119 B. A field repeated in orderBy (+35 B) and our
// mutations' answers that a refetch read past (+72 B: the record was lost for good, fuzz
// engine_stream): raised to 81.2 KB (83,149 B) for those fixes only.
// 2026-12-06, fifteenth session: 80,491 B. libc++ code the core no longer instantiates:
// std::to_string (-715 B of wasm), std::deque (-1,074 B), std::sort (-580 B), a
// std::map<string, double> and a std::set of pointers (-235 B), string::rfind (-138 B); a
// flush's pending map kept between flushes (+122 B) and the ordered index's inlined
// prefix comparison (+10 B), both for speed: lowered to 78.7 KB (80,589 B).
// 2026-12-06, sixteenth session: 80,395 B. std::function instantiations the engine made for
// a default random source, a copy of it and the test stream of random bytes (-0.4 KB of wasm),
// Query::extract's fill-assign (-135 B), the runtime's fetches in a vector (-56 B); an
// update's record members read in the frame's one pass, for speed (+0.5 KB with the id
// lookup): lowered to 78.55 KB (80,435 B).
// 2026-12-06, seventeenth session: 80,301 B. The string map's clear() and a value's reset
// without a temporary (-270 B of wasm); the ordered index's block-end prefixes beside the
// blocks (+107 B) and a record's seq and version without std::optional's flag (+87 B,
// 16 bytes less per record): lowered to 78.45 KB (80,333 B). Then 79,551 B: a key and its
// value in one entry of the string map's slabs, no per-type array of values (-750 B):
// lowered to 77.72 KB (79,585 B). Then 79,391 B: std::set<std::string> (a string set on the
// same index, -96 B) and the mutations' std::map (-126 B) out; bug 47's fix (+80 B): lowered
// to 77.56 KB (79,421 B).
// 2026-12-06, eighteenth session: 79,373 B. Fuzz bug 48's fix and the review's two paths
// (+0 B net with the mutation's start seq as a plain integer); a small map's first 16
// entries in a chunk of their own, the chunks kept by address (-18 B): lowered to 77.54 KB
// (79,401 B).
// 2026-12-06, nineteenth session. Five fixes of the core, each with its test:
// our delete's answer over a copy read since, with the list channel refused, reads the views
// again (a record created again after our delete was lost to them, +41 B); views that a
// channel's refusal put in error are ready again when a later socket takes the channel
// (they stayed in error, live, +77 B); no echo expected from a channel the server ended; an
// item view's held item-channel copies dropped, and the record read again, when anything
// wrote it after them (they undid a later list read while the list was refused, +131 B
// with the former); and any answer applied with nothing sure to order it reads again the
// views that read past it, not only for a delete (+67 B): 79,691 B. Then the held copies'
// rule moved into replay_buffer, which the item's failed read used without it (-131 B):
// 79,560 B (+185 B in all), raised to 77.72 KB (79,585 B).
// 2026-12-06, twentieth session: the engine's std::map instances out (its views, stores,
// channels, configured models and requests in vectors or the string map; the tree's code
// went with the last of them, the views: -539 B alone) beside three fixes of the core:
// 79,560 -> 78,749 B. Then three more fixes of the core found by the reviews (a store made
// anywhere takes its model's versionField: -10 B in all) and fuzz bug 55's (+4 B): 78,743 B,
// ceiling 76.96 KB (78,807 B).
// 2026-12-07, twenty-first session: 78,248 B. wasm-opt flattens and rebuilds the control
// flow twice after its passes (-476 B), -sSUPPORT_ERRNO=0 (-16 B), one store lookup path
// (-8 B), a fix of the core (+5 B): ceiling 76.45 KB (78,285 B). Then fuzz bugs 56 and 57 (a
// server restarted on a fresh database, told by an item channel alone or by a channel taken
// anew: the epoch kept with the model's records too, +90 B): 78,338 B, ceiling 76.55 KB (78,387 B).
// Then bug 58 and the review's two other epoch cases (the records take a new epoch once, also
// when made after their channel was told; an old epoch's answer read again, +123 B): 78,461 B,
// ceiling 76.65 KB (78,490 B). Then bugs 59-60 (the epoch known when a read began kept with
// the view; what views held dropped at a numbering restart, +121 B): 78,582 B, ceiling 76.8 KB
// (78,643 B); bug 61's fix -9 B: 78,573 B.
// 2026-12-07, twenty-second session: a record's writes sent one after the other (two at
// once could reach the server in the other order; the demo's CI run lost a "+1" so, we
// think), with the headers (a renewed token) made when it goes: +493 B, 79,066 B, ceiling
// 77.3 KB (79,155 B). A write that timed out still holds the next until its fetch has
// ended: +55 B, 79,121 B. Reads and writes share one send path (start_http only reads): -84 B,
// 79,037 B.
// 2026-12-07, twenty-third session: fuzz bug 63 (list views whose page an unordered item
// copy may have changed read again when the list returns): +112 B, 79,149 B. Then the second
// review's case (a view that was reading keeps its mark if its read fails): +18 B, 79,167 B,
// ceiling 77.35 KB (79,206 B).
// 2026-12-07, twenty-fourth session: a refetch during a read that failed for good, a timed-out
// write's next write when its fetch ends (the platform's cancelled list gone), a 401 after a
// renewed token: 79,105 B; fuzz bug 64 and its reviews' cases (held list updates whose read saw
// the list's numbering move replay with seq 0, or show the store's newer copy for a delete):
// 79,247 B, ceiling 77.4 KB (79,258 B).
// 2026-12-07, twenty-fifth session: +349 B of wasm for fixes of the core, each with the test
// that shows its bug: our answer's seq is the list's when we asked; a delete older than the
// stored text, a record brought back below its delete, each held update's own numbering; a
// list resync re-reads what the list feeds; fuzz bugs 65 and 67 (an item GET, a write's
// answer, from before a restart); the same token set again renews nothing. 79,596 B, ceiling
// 77.8 KB (79,667 B).
// 2026-12-07, twenty-sixth session: left epochs refused (gateways on different databases)
// with four reviews' fixes, +396 B of wasm over their first form; that form's array of four
// strings made LLVM keep std::string's destructor out of line (-431 B): 79,561 B, ceiling
// 77.75 KB (79,616 B).
// 2026-12-07, twenty-seventh session: +292 B of wasm for six fixes of the core, each with the
// test that shows its bug, with four reviews' cases and fuzz bug 68's: our answer takes the
// place of older updates reading views hold; a timed-out write's late 2xx applied; a create's
// answer over a record made since; a list page read before a restart told by a seq alone read
// again; a forgotten seq is -1. 79,853 B, ceiling 78 KB (79,872 B).
// 2026-12-07, twenty-eighth session: +273 B of wasm for the core's fixes, each with the test
// that shows its bug, with four reviews' cases and the model test's seed 7073: views reading
// (or read past when we asked, or showing a copy read since) read again past an answer with
// nothing to order it; "made since" counts the server's copies only (StoredRecord::text_no,
// in wasm32's padding: no memory). 80,126 B, ceiling 78.3 KB (80,179 B).
// 2026-12-08, twenty-ninth session: +378 B of wasm for the core's fixes, each with the test
// that shows its bug, with three reviews' cases: a read in flight when an answer nothing
// orders comes writes no copy of the record (View::answered: the others flickered, a record
// we deleted came back for good); an item GET's place is taken by the server's copy, not our
// pending write's text; fuzz bug 69 (an item copy behind the list's first confirmation)
// and its review's cases (+95 B). 80,504 B, ceiling 78.65 KB (80,538 B).
const GOAL = 40 * 1024;
const BUDGET = Math.round(78.65 * 1024);

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const gzip = (bytes) => execFileSync('gzip', ['-9', '-c'], { input: bytes }).length;

async function bundleEntries() {
  // The package found by name, as an app finds it (self-reference would need it installed).
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssot-size-'));
  try {
    fs.mkdirSync(path.join(dir, 'node_modules'));
    fs.symlinkSync(root, path.join(dir, 'node_modules', 'ssot-realtime'));
    const result = await esbuild.build({
      entryPoints: { 'ssot-realtime': 'ssot-realtime', 'ssot-realtime-react': 'ssot-realtime/react' },
      absWorkingDir: dir,
      nodePaths: [path.join(dir, 'node_modules')],
      bundle: true,
      minify: true,
      splitting: true,
      format: 'esm',
      platform: 'browser',
      outdir: path.join(dir, 'out'),
      write: false,
      logLevel: 'silent',
      external: ['react', 'react-dom', 'react/*'],
      plugins: [{
        name: 'not-bundled',
        setup(build) {
          build.onResolve({ filter: /ssot_runtime\.mjs$|^node:|^(ws|xhr2)$/ }, (args) => ({ path: args.path, external: true }));
        },
      }],
    });
    return result.outputFiles.map((f) => ({ name: `js: ${path.basename(f.path)}`, bytes: f.contents }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('what a browser loads for both entries fits the size budget', async (t) => {
  const built = ['js/wasm/ssot_runtime.wasm', 'js/wasm/ssot_runtime.mjs'].map((f) => {
    const file = path.join(root, f);
    assert.ok(fs.existsSync(file), `${f} is missing: run bash scripts/build.sh runtime`);
    return { name: f, bytes: fs.readFileSync(file) };
  });
  const parts = [...built, ...(await bundleEntries())].map((p) => ({ ...p, size: p.bytes.length, gz: gzip(p.bytes) }));
  const total = parts.reduce((sum, p) => sum + p.gz, 0);
  const lines = parts.map((p) => `${p.name}: ${p.size} bytes, ${p.gz} gzip`);
  lines.push(`total: ${total} bytes gzip (budget ${BUDGET}, goal ${GOAL})`);
  for (const line of lines) t.diagnostic(line);
  assert.ok(total <= BUDGET, `over the size budget:\n${lines.join('\n')}`);
});
