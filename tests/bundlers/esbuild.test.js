// esbuild with its defaults (`esbuild src/index.js --bundle --outdir=dist`: an
// iife for a classic <script>). esbuild does not emit files named by
// new URL(..., import.meta.url): the app copies ssot_runtime.wasm beside its
// bundle (the README says so), where the loader looks for it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { setup, assertBrowserOnly } from './harness.js';

let h;
before(async () => { h = await setup('esbuild'); });
after(() => h?.close());

test('esbuild defaults + the wasm copied beside the bundle: live rows under the strict CSP', async () => {
  const dist = path.join(h.app, 'dist');
  const result = await esbuild.build({ absWorkingDir: h.app, entryPoints: ['src/index.js'], bundle: true, outdir: 'dist', logLevel: 'silent' });
  assert.deepEqual(result.errors, []);
  fs.copyFileSync(path.join(h.app, 'node_modules/ssot-realtime/js/wasm/ssot_runtime.wasm'), path.join(dist, 'ssot_runtime.wasm'));
  fs.writeFileSync(path.join(dist, 'index.html'),
    '<!doctype html><meta charset="utf-8"><ul id="messages"></ul><script src="index.js"></script>');
  assertBrowserOnly(dist);
  const site = await h.serve(dist);
  await h.checkLive(site, '/');
  assert.ok(site.requests.includes('/ssot_runtime.wasm'));
});
