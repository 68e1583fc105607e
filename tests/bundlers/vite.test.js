// Vite 7, no config: `vite build` emits the wasm (new URL(..., import.meta.url)).
// Also the createClient options for a wasm hosted elsewhere (wasmUrl, wasmModule),
// and the dev server, whose dependency pre-bundling moves the package away from its
// wasm unless the package is excluded from it (Vite's own limitation, vitejs/vite#8427).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { build, createServer } from 'vite';
import { setup, assertBrowserOnly, wasmFiles, CSP } from './harness.js';

let h, site;

before(async () => {
  h = await setup('vite');
  await build({ root: h.app, configFile: false, logLevel: 'silent' });
  const dist = path.join(h.app, 'dist');
  site = await h.serve(dist, { '/hosted/runtime.wasm': h.wasm });
});

after(() => h?.close());

test('vite build: one wasm emitted, no Node module; live rows under the strict CSP', async () => {
  const dist = path.join(h.app, 'dist');
  assert.equal(wasmFiles(dist).length, 1);
  assertBrowserOnly(dist);
  await h.checkLive(site, '/');
  assert.ok(site.requests.includes(`/${wasmFiles(dist)[0]}`), 'the page loaded the emitted wasm');
});

test("vite build: mode 'shared-worker' starts the bundled engine worker; live rows under the strict CSP", async () => {
  await h.checkLive(site, '/?mode=shared-worker');
});

for (const option of ['wasmUrl', 'wasmModule']) {
  test(`createClient({${option}}) loads the wasm from there, not the emitted file`, async () => {
    site.requests.length = 0;
    await h.checkLive(site, `/?${option}=/hosted/runtime.wasm`);
    assert.deepEqual(site.requests.filter((p) => p.endsWith('.wasm')), ['/hosted/runtime.wasm']);
  });
}

test('vite dev server with optimizeDeps.exclude: live rows under the strict CSP', async () => {
  const { url } = h.gateway;
  const server = await createServer({
    root: h.app, configFile: false, logLevel: 'silent',
    optimizeDeps: { exclude: ['ssot-realtime'] }, // the one setting the README gives for `vite` (dev)
    // Test plumbing: the page, the API and the socket on one origin, under the CSP.
    server: { host: '127.0.0.1', headers: { 'Content-Security-Policy': CSP },
      proxy: { '/api': url, '/ws': { target: url.replace(/^http/, 'ws'), ws: true } } },
  });
  await server.listen();
  try {
    await h.checkLive({ origin: server.resolvedUrls.local[0].replace(/\/$/, '') }, '/');
  } finally {
    await server.close();
  }
});
