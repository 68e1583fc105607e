// createClient(config): checks the config, gets a first token, then starts the
// engine where `mode` says: here ('main'), or in a (Shared)Worker that the tab
// talks to through a proxy with the same API (js/worker/).
import { SsotError } from './errors.js';
import { defaultReport } from './listeners.js';
import { clientFromModule } from './client.js';
import { loadRuntime } from './wasm/loadRuntime.js';
import { chooseMode } from './worker/mode.js';
// Imported statically: a dynamic import() would keep it out of main-mode apps, but
// it makes a second chunk, which bundles with a single output file refuse (Rollup's output.file).
import { startWorkerClient } from './worker/tabClient.js';

// A baseUrl that no request can go to fails createClient, not every later
// request; a relative one is resolved against the page here, once.
function absoluteBaseUrl(baseUrl) {
  if (typeof baseUrl !== 'string' || !baseUrl) return baseUrl; // the runtime says what is missing
  let url = null;
  try { url = new URL(baseUrl, globalThis.location?.href); } catch { /* not a URL */ }
  if (url?.protocol !== 'http:' && url?.protocol !== 'https:') {
    throw new SsotError(`config.baseUrl must be an http:// or https:// URL (got ${JSON.stringify(baseUrl)})`, { code: 'config' });
  }
  return url.href;
}

/**
 * createClient(config) -> Promise<Client>. Loads the wasm runtime on first use
 * (importing the package never does: server rendering imports it too).
 */
export async function createClient(config) {
  if (config === null || typeof config !== 'object') throw new TypeError('createClient(config): config must be an object');
  const { wasmUrl, wasmModule } = config;
  if (wasmUrl !== undefined && typeof wasmUrl !== 'string' && !(wasmUrl instanceof URL)) {
    throw new TypeError('createClient(config): wasmUrl must be a string or a URL');
  }
  if (wasmModule !== undefined && !(wasmModule instanceof WebAssembly.Module)) {
    throw new TypeError('createClient(config): wasmModule must be a WebAssembly.Module');
  }
  let { mode, fallback } = chooseMode(config);
  const baseUrl = absoluteBaseUrl(config.baseUrl);
  let effective = baseUrl === config.baseUrl ? config : { ...config, baseUrl };
  if (!config.token && typeof config.getToken === 'function') {
    // No token yet: ask for one before the first request and the socket.
    try {
      const token = await config.getToken();
      if (typeof token === 'string' && token) effective = { ...effective, token };
    } catch (err) {
      (typeof config.onError === 'function' ? config.onError : defaultReport)(err);
    }
  }
  if (mode !== 'main') {
    const started = await startWorkerClient(effective, mode, fallback);
    if (started.client) return started.client;
    fallback = started.fallback; // the worker did not start: the engine runs here
  }
  const client = clientFromModule(await loadRuntime({ wasmUrl, wasmModule }), effective);
  client.modeFallback = fallback;
  return client;
}
