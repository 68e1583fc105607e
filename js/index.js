// ssot-realtime: importing this module loads no wasm (server rendering imports
// it too); createClient() loads the runtime on first use.
export { createClient } from './createClient.js';
export { Client } from './client.js';
export { SsotError } from './errors.js';
