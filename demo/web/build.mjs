#!/usr/bin/env node
// Bundles the demo page with esbuild into demo/web/dist/:
//   index.html, app.css, app.js (React + the JS API + the wasm loader),
//   engineWorker.js (the engine worker of mode 'shared-worker', found by app.js
//   with new URL('./engineWorker.js', import.meta.url)), and
//   ssot_runtime.wasm copied beside the bundle (the loader finds it with
//   new URL('./ssot_runtime.wasm', import.meta.url)).
// node demo/web/build.mjs [--if-stale]    (tests import buildDemo / isStale)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
export const DIST = path.join(HERE, 'dist');
const WASM = path.join(ROOT, 'js/wasm/ssot_runtime.wasm');
const STATIC_FILES = ['index.html', 'app.css'];

// The app imports the package by its name, as an app would.
const PACKAGE = {
  'ssot-realtime': path.join(ROOT, 'js/index.js'),
  'ssot-realtime/react': path.join(ROOT, 'js/react/index.js'),
};
const packageByName = {
  name: 'ssot-realtime',
  setup(build) {
    build.onResolve({ filter: /^ssot-realtime(\/react)?$/ }, (args) => ({ path: PACKAGE[args.path] }));
  },
};

function newest(dir) {
  let t = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }
  return t;
}

/** true when dist is missing or older than any of its sources (app, package, wasm). */
export function isStale() {
  const out = path.join(DIST, 'app.js');
  if (!fs.existsSync(out) || !fs.existsSync(path.join(DIST, 'ssot_runtime.wasm'))) return true;
  const built = Math.min(...['app.js', 'engineWorker.js', 'ssot_runtime.wasm', ...STATIC_FILES].map((f) => {
    try { return fs.statSync(path.join(DIST, f)).mtimeMs; } catch { return 0; }
  }));
  const sources = Math.max(
    newest(path.join(HERE, 'src')), newest(path.join(ROOT, 'js')),
    ...STATIC_FILES.map((f) => fs.statSync(path.join(HERE, f)).mtimeMs),
    fs.statSync(fileURLToPath(import.meta.url)).mtimeMs,
  );
  return sources > built;
}

export async function buildDemo({ minify = true } = {}) {
  if (!fs.existsSync(WASM)) throw new Error(`${path.relative(ROOT, WASM)} is missing: run bash scripts/build.sh wasm first`);
  const esbuild = await import('esbuild');
  fs.rmSync(DIST, { recursive: true, force: true });
  fs.mkdirSync(DIST, { recursive: true });
  await esbuild.build({
    entryPoints: { app: path.join(HERE, 'src/main.jsx'), engineWorker: path.join(ROOT, 'js/worker/engineWorker.js') },
    outdir: DIST,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    jsx: 'automatic',
    minify,
    sourcemap: true,
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': JSON.stringify(minify ? 'production' : 'development') },
    plugins: [packageByName],
  });
  for (const f of STATIC_FILES) fs.copyFileSync(path.join(HERE, f), path.join(DIST, f));
  fs.copyFileSync(WASM, path.join(DIST, 'ssot_runtime.wasm'));
  return DIST;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const onlyIfStale = process.argv.includes('--if-stale');
  if (onlyIfStale && !isStale()) {
    console.log('demo: bundle is up to date (demo/web/dist)');
  } else {
    const t0 = Date.now();
    try {
      await buildDemo();
    } catch (err) {
      console.error(`demo build: ${err.message}`);
      process.exit(1);
    }
    console.log(`demo: bundled demo/web/dist in ${Date.now() - t0} ms`);
  }
}
