// The messages between a tab and the engine worker, over a MessagePort. Every
// message is {t, ...}; the first one a tab sends is `hello` with the version.
// A worker of another version refuses it (its name carries the version too, so a
// new deploy gets its own worker while old tabs keep theirs).
//
// tab -> worker
//   hello {v, pkg, tab, config, getToken: bool, solo: bool, lock?}
//                                             attach; the first tab's config starts the engine. pkg: the
//                                             package version; tab: the tab's id (a tab that attaches again
//                                             replaces its old session); solo: the worker's name is this
//                                             tab's own (no user yet, getToken may sign it in)
//   ping {} / bye {}                          heartbeat / the tab is going (pagehide, close())
//   watch {id, model, query} | watchItem {id, model, itemId}
//   window {id, start, count} | refetch {id} | unwatch {id}
//   req {req, kind, method, args}             a DataClient request (the runtime's method and args)
//   join {id, name} | leave {id} | publish {name, event, json, guess}  (guess: what publish() returned)
//   listen {id, channel} | unlisten {id}      raw model channel updates
//   connect {} | disconnect {} | stats {}
//   token {token}                             the answer to `getToken`
// worker -> tab
//   welcome {v, mode, tabs, conn} | refused {reason}
//   pong {tabs}
//   batch {entries}                           what one drain produced for this tab, in order:
//     {k:'view'|'item', view, ...the runtime's entry}  (diffs: splices, window rows, total, pending)
//     {k:'result', req, ok, data | error, status, code}
//     {k:'update', sub, data} | {k:'event', ch, event, data, from}
//     {k:'channel', ch, status, error, members} | {k:'conn', state, error, retryAt}
//     {k:'error', message, code} | {k:'tabs', n} | {k:'stats', stats}   (code 'identity': a token of another user)
//   getToken {}                               run config.getToken in the tab, answer with `token`
export const PROTOCOL_VERSION = 1;

export const TAB_MESSAGES = new Set(['hello', 'ping', 'bye', 'watch', 'watchItem', 'window', 'refetch', 'unwatch',
  'req', 'join', 'leave', 'publish', 'listen', 'unlisten', 'connect', 'disconnect', 'stats', 'token']);

// The runtime methods a tab may ask for through `req` (DataClient's requests).
export const REQUEST_METHODS = new Set(['list', 'get', 'create', 'update', 'remove']);

/** null when the message is well formed, else why not. */
export function badMessage(m) {
  if (m === null || typeof m !== 'object' || typeof m.t !== 'string') return 'not a message';
  if (!TAB_MESSAGES.has(m.t)) return `unknown message '${m.t}'`;
  if (m.t === 'req' && (!REQUEST_METHODS.has(m.method) || !Array.isArray(m.args))) return 'bad request';
  return null;
}

/** Timings (ms): tabs ping every HEARTBEAT; a side silent for TIMEOUT is gone. */
export const HEARTBEAT_MS = 1000;
export const TIMEOUT_MS = 4000;
/** After the last tab is gone, the engine (and its socket) lives this long. */
export const GRACE_MS = 5000;
/** A tab the heartbeat does not watch (its Web Lock does) but that is silent this long is frozen: dropped
 *  (it re-attaches when it wakes); also once it has this many messages unread, after TIMEOUT. */
export const FROZEN_MS = 300_000; // 5 minutes
export const MAX_UNREAD = 10000;
/** How long the engine waits for a tab's getToken; a later answer is still taken. */
export const TOKEN_WAIT_MS = 15000;
