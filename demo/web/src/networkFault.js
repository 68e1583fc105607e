// Demo only: lets the page cut its own WebSocket to show reconnect and catch-up.
// window.WebSocket is wrapped before the runtime opens its socket (Emscripten's
// WebSocket library calls `new WebSocket(url)` on each attempt). dropConnection(ms)
// closes the open socket and, for ms, sends new attempts to a path the gateway
// refuses: the engine sees an outage, backs off, retries, and on its return catches
// up (replay by sequence number, or re-hydration).
const Native = globalThis.WebSocket;
const open = new Set();
const listeners = new Set();
let blockedUntil = 0;
let unblockTimer = null;

const notify = () => listeners.forEach((fn) => fn());

function refusedUrl(url) {
  const u = new URL(url);
  u.pathname = '/ws-cut-by-demo';
  return u.href;
}

export function installNetworkFault() {
  if (typeof Native !== 'function' || globalThis.WebSocket !== Native) return;
  globalThis.WebSocket = class DemoWebSocket extends Native {
    constructor(url, protocols) {
      const blocked = Date.now() < blockedUntil;
      super(blocked ? refusedUrl(String(url)) : url, protocols);
      if (blocked) return;
      open.add(this);
      this.addEventListener('close', () => open.delete(this));
    }
  };
}

/** Refuses new sockets for `ms` (0: accept them again at once). */
export function refuseConnections(ms) {
  blockedUntil = ms > 0 ? Date.now() + ms : 0;
  clearTimeout(unblockTimer);
  if (ms > 0) unblockTimer = setTimeout(() => { blockedUntil = 0; notify(); }, ms);
  notify();
}

/** Closes the socket now and refuses new ones for `ms`. */
export function dropConnection(ms) {
  refuseConnections(ms);
  for (const ws of [...open]) ws.close(4000, 'cut by the demo');
}

/** epoch ms until which new sockets are refused (0 = none). */
export const cutUntil = () => blockedUntil;

export function subscribeCut(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
