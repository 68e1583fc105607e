// The runtime in Node: the wasm is read from disk (Node's fetch cannot load a file
// path: TOOLCHAIN.md 4) or fetched when wasmUrl is http(s); `ws` and `xhr2` stand in
// for WebSocket and XMLHttpRequest when Node has none. They and the glue load on
// first use: importing the package (server rendering) installs nothing.
import { failure } from './failure.js';

export async function createModule({ wasmUrl, instantiateWasm }) {
  if (typeof globalThis.WebSocket !== 'function') globalThis.WebSocket = quietWebSocket((await import('ws')).default);
  if (typeof globalThis.XMLHttpRequest !== 'function') globalThis.XMLHttpRequest = (await import('xhr2')).default;
  const { default: createSsotModule } = await import('./ssot_runtime.mjs');
  if (instantiateWasm) return createSsotModule({ instantiateWasm });
  const where = wasmUrl ?? new URL('./ssot_runtime.wasm', import.meta.url);
  try {
    return await createSsotModule({ wasmBinary: await readWasm(where) });
  } catch (error) {
    throw failure(String(where), error);
  }
}

// wasmUrl: an http(s) or file URL (string or URL), else a file path.
async function readWasm(where) {
  const url = URL.canParse(String(where)) ? new URL(String(where)) : null;
  if (url && (url.protocol === 'http:' || url.protocol === 'https:')) {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  }
  const { readFile } = await import('node:fs/promises');
  return readFile(url?.protocol === 'file:' ? url : String(where));
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
