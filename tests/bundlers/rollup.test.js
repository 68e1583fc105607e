// Rollup 4 with @rollup/plugin-node-resolve (how Rollup finds packages at all) and
// nothing else: output file dist/bundle.js, format es. Rollup leaves
// new URL('./ssot_runtime.wasm', import.meta.url) as it is and emits no wasm: the app
// copies ssot_runtime.wasm beside its bundle (the README says so).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { rollup } from 'rollup';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { setup, assertBrowserOnly } from './harness.js';

let h;
before(async () => { h = await setup('rollup'); });
after(() => h?.close());

test('rollup + node-resolve + the wasm copied beside the bundle: live rows under the strict CSP', async () => {
  const dist = path.join(h.app, 'dist');
  const warnings = [];
  const bundle = await rollup({ input: path.join(h.app, 'src/index.js'), plugins: [nodeResolve()], onwarn: (w) => warnings.push(w.message) });
  await bundle.write({ file: path.join(dist, 'bundle.js'), format: 'es' });
  await bundle.close();
  assert.deepEqual(warnings, []);
  fs.copyFileSync(path.join(h.app, 'node_modules/ssot-realtime/js/wasm/ssot_runtime.wasm'), path.join(dist, 'ssot_runtime.wasm'));
  fs.writeFileSync(path.join(dist, 'index.html'),
    '<!doctype html><meta charset="utf-8"><ul id="messages"></ul><script type="module" src="bundle.js"></script>');
  assertBrowserOnly(dist);
  const site = await h.serve(dist);
  await h.checkLive(site, '/');
  assert.ok(site.requests.includes('/ssot_runtime.wasm'));
});
