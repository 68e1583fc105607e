// The runtime in a browser: the glue fetches the wasm from `wasmUrl`, or from the
// file that bundlers emit for the `new URL(..., import.meta.url)` below.
import createSsotModule from './ssot_runtime.mjs';
import { failure } from './failure.js';

// A classic-script bundle (esbuild's default iife) has no import.meta.url: there the
// wasm is looked for beside the script, which is only known while it first runs.
const scriptUrl = typeof document === 'object' ? document.currentScript?.src : undefined;

export function createModule({ wasmUrl, instantiateWasm }) {
  if (instantiateWasm) return createSsotModule({ instantiateWasm });
  let url;
  try {
    url = String(wasmUrl ?? bundledWasm());
  } catch (error) {
    return Promise.reject(error);
  }
  return createSsotModule({ locateFile: () => url }).catch((error) => {
    // An HTML page where the wasm should be: a SPA fallback, or Vite's dev server
    // looking beside its pre-bundled copy of the package.
    const hint = /magic word/.test(error?.message) ? " (not wasm; under Vite's dev server add optimizeDeps: { exclude: ['ssot-realtime'] })" : '';
    throw failure(url, error, hint);
  });
}

function bundledWasm() {
  try {
    return new URL('./ssot_runtime.wasm', import.meta.url);
  } catch {
    if (scriptUrl) return new URL('./ssot_runtime.wasm', scriptUrl);
    throw new Error('no base URL for ssot_runtime.wasm: pass wasmUrl or wasmModule to createClient');
  }
}
