// The CommonJS build (js/cjs/), for require('ssot-realtime') and
// require('ssot-realtime/react'): each entry bundled into one .cjs file by esbuild,
// with its types copied beside it as .d.cts. `npm pack` runs it (prepack).
//
// What stays out of the bundles: packages (react, ws, xhr2), and the wasm loader
// (js/wasm/: the loader, the glue, the wasm), which stays ESM and is loaded with
// import() on createClient's first call, as it is async anyway: no require() of
// an ES module (Node 20 before 20.19 has none), and both builds in one app share
// one wasm Module. The React bundle starts with the React entry's 'use client'
// (esbuild keeps an entry point's directives).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const JS = path.join(ROOT, 'js');
const OUT = path.join(JS, 'cjs');
const WASM = path.join(JS, 'wasm') + path.sep;
const LOADER = path.join(WASM, 'loadRuntime.js');

// js/wasm/loadRuntime.js becomes a stand-in whose loadRuntime() import()s the real one.
const lazyWasmLoader = {
  name: 'lazy-wasm-loader',
  setup(b) {
    b.onResolve({ filter: /^#/ }, (args) => ({ errors: [{ text: `${args.path}: only js/wasm/ may use package imports (it stays ESM)` }] }));
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (args.namespace === 'lazy-loader') return { path: args.path, external: true };
      const file = path.resolve(args.resolveDir, args.path);
      if (!file.startsWith(WASM)) return undefined;
      if (file !== LOADER) return { errors: [{ text: `${args.path}: only js/wasm/loadRuntime.js may be imported from outside js/wasm/` }] };
      return { path: 'js/wasm/loadRuntime.js', namespace: 'lazy-loader' };
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy-loader' }, () => ({
      contents: `export const loadRuntime = (...args) => import('../wasm/loadRuntime.js').then((m) => m.loadRuntime(...args));`,
      loader: 'js',
    }));
  },
};

const entries = [
  { from: 'index.js', to: 'index.cjs', types: 'index.d.ts', typesTo: 'index.d.cts' },
  { from: 'react/index.js', to: 'react.cjs', types: 'react/index.d.ts', typesTo: 'react.d.cts' },
];

// Written to a temporary directory, then renamed into place: a test packing the
// package at the same time never sees half a file.
const tmp = fs.mkdtempSync(path.join(JS, '.cjs-'));
try {
  for (const e of entries) {
    await build({
      entryPoints: [path.join(JS, e.from)],
      outfile: path.join(tmp, e.to),
      bundle: true,
      format: 'cjs',
      platform: 'neutral',
      target: 'es2022',
      packages: 'external',
      plugins: [lazyWasmLoader],
      logLevel: 'warning',
      legalComments: 'none',
    });
    // The types are the ESM build's; the React ones import the CommonJS main entry's.
    const types = fs.readFileSync(path.join(JS, e.types), 'utf8').replace(/from '\.\.\/index\.js'/g, "from './index.cjs'");
    fs.writeFileSync(path.join(tmp, e.typesTo), types);
  }
  fs.mkdirSync(OUT, { recursive: true });
  for (const name of fs.readdirSync(tmp)) fs.renameSync(path.join(tmp, name), path.join(OUT, name));
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
