// Imported before 'global-jsdom/register': the wasm loader decides at import
// whether it runs in Node (reads the .wasm from disk, uses ws + xhr2) by the
// absence of `window`, which jsdom then defines; and jsdom would put its own
// WebSocket and XMLHttpRequest on globalThis. Pin both to what the runtime uses
// in Node (the Node path of js/wasm/loadRuntime.js).
import '../../js/wasm/loadRuntime.js';
import WebSocket from 'ws';
import XMLHttpRequest from 'xhr2';

if (typeof globalThis.WebSocket !== 'function') {
  globalThis.WebSocket = class extends WebSocket {
    constructor(...args) {
      super(...args);
      this.on('error', () => {}); // a socket closed while connecting has no other listener
    }
  };
}
if (typeof globalThis.XMLHttpRequest !== 'function') globalThis.XMLHttpRequest = XMLHttpRequest;
