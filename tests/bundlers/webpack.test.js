// webpack 5, no config (what `npx webpack` does: src/index.js -> dist/main.js,
// production mode): it emits the wasm for new URL(..., import.meta.url) by itself.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import webpack from 'webpack';
import { setup, assertBrowserOnly, wasmFiles } from './harness.js';

let h;
before(async () => { h = await setup('webpack'); });
after(() => h?.close());

test('webpack: one wasm emitted, no Node module; live rows under the strict CSP', async () => {
  const dist = path.join(h.app, 'dist');
  // context and output.path: what `npx webpack` takes from the directory it runs in.
  const stats = await new Promise((resolve, reject) => webpack({ mode: 'production', context: h.app, output: { path: dist } },
    (err, s) => (err ? reject(err) : resolve(s))));
  assert.equal(stats.hasErrors(), false, stats.toString('errors-only'));
  fs.writeFileSync(path.join(dist, 'index.html'),
    '<!doctype html><meta charset="utf-8"><ul id="messages"></ul><script src="main.js"></script>');
  assert.equal(wasmFiles(dist).length, 1);
  assertBrowserOnly(dist);
  const site = await h.serve(dist);
  await h.checkLive(site, '/');
  assert.ok(site.requests.includes(`/${wasmFiles(dist)[0]}`));
  // The engine worker: webpack bundles it from new SharedWorker(new URL(...), ...).
  await h.checkLive(site, '/?mode=shared-worker');
});
