// Loads the wasm runtime once per page or process. '#runtime' (package.json
// "imports") is ./browser.js in browser bundles and ./node.js in Node, so that
// no Node module ever enters a browser bundle.
import { createModule } from '#runtime';
import { SsotError } from '../errors.js';
import { failure } from './failure.js';

let modulePromise = null;

/**
 * The first call decides where the wasm comes from: `wasmModule` (a compiled
 * WebAssembly.Module), else `wasmUrl`, else the file beside the loader.
 */
export function loadRuntime({ wasmUrl, wasmModule } = {}) {
  if (!modulePromise) {
    modulePromise = start(wasmUrl, wasmModule).catch((error) => {
      modulePromise = null; // a later call may try again
      throw new SsotError(`could not load the wasm runtime: ${error?.message ?? error}`, { code: 'runtime', cause: error?.cause ?? error });
    });
  }
  return modulePromise;
}

function start(wasmUrl, wasmModule) {
  if (!wasmModule) return createModule({ wasmUrl });
  // Emscripten's instantiateWasm hook has no failure path: race our own.
  let fail;
  const failed = new Promise((_, reject) => { fail = reject; });
  const instantiateWasm = (imports, receive) => {
    WebAssembly.instantiate(wasmModule, imports).then((instance) => receive(instance, wasmModule))
      .catch((e) => fail(failure('the given wasmModule', e)));
    return {};
  };
  return Promise.race([createModule({ instantiateWasm }), failed]);
}
