// The CommonJS build (js/cjs/), for require('ssot-realtime') and
// require('ssot-realtime/react'): each entry bundled into one .cjs file by esbuild,
// with its types copied beside it as .d.cts. `npm pack` runs it (prepack).
//
// What stays out of the bundles: packages (react, ws, xhr2), and the wasm loader
// with its glue, which stay ESM and are loaded with import() as the ESM build does
// (createClient is async), so both builds in one app share one wasm Module.
// The React bundle starts with the React entry's 'use client' (esbuild keeps an
// entry point's directives).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const JS = path.join(ROOT, 'js');
const OUT = path.join(JS, 'cjs');
const WASM = path.join(JS, 'wasm') + path.sep;

// Imports of js/wasm/* stay imports, re-pathed from js/cjs/.
const keepWasmLoader = {
  name: 'keep-wasm-loader',
  setup(b) {
    b.onResolve({ filter: /^#/ }, (args) => ({ path: args.path, external: true }));
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      const file = path.resolve(args.resolveDir, args.path);
      if (!file.startsWith(WASM)) return undefined;
      return { path: `./${path.relative(OUT, file).split(path.sep).join('/')}`.replace(/^\.\/\.\.\//, '../'), external: true };
    });
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
      plugins: [keepWasmLoader],
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
