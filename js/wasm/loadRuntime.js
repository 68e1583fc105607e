// Loads the wasm runtime once per page or process. Browsers find the .wasm beside
// this module (bundlers follow the `new URL(..., import.meta.url)`); Node reads it
// from disk (its global fetch cannot load a file path: TOOLCHAIN.md 4) and gets
// `ws` and `xhr2` as WebSocket and XMLHttpRequest when it has none.
let modulePromise = null;

export function loadRuntime() {
  if (!modulePromise) {
    modulePromise = load().catch((error) => {
      modulePromise = null; // a later call may try again
      throw error;
    });
  }
  return modulePromise;
}

// Node even under jsdom (tests define `window`): the wasm is a file there, not a URL to fetch.
const isNode = typeof process === 'object' && !!process.versions?.node;

async function load() {
  const { default: createSsotModule } = await import('./ssot_runtime.mjs');
  const wasmUrl = new URL('./ssot_runtime.wasm', import.meta.url);
  if (!isNode) return createSsotModule({ locateFile: () => wasmUrl.href });
  if (typeof globalThis.WebSocket !== 'function') globalThis.WebSocket = quietWebSocket((await import('ws')).default);
  if (typeof globalThis.XMLHttpRequest !== 'function') globalThis.XMLHttpRequest = (await import('xhr2')).default;
  const { readFile } = await import('node:fs/promises');
  return createSsotModule({ wasmBinary: await readFile(wasmUrl) });
}

// `ws` raises an error event with no listener when a socket is closed while still
// connecting (Emscripten has dropped its handlers by then): keep one listener.
function quietWebSocket(WebSocket) {
  return class extends WebSocket {
    constructor(...args) {
      super(...args);
      this.on('error', () => {});
    }
  };
}
