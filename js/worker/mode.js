// Which mode runs (createClient's `mode`), the fallback when the browser lacks
// it, and the worker's name: tabs share an engine only when their config and
// user are the same (the name is a hash of both, never the token itself).
import { configJson } from '../client.js';
import { PROTOCOL_VERSION } from './protocol.js';
import { VERSION } from '../version.js';

const MODES = ['main', 'worker', 'shared-worker'];

/** -> {mode, fallback: null | {requested, reason}} */
export function chooseMode(config, scope = globalThis) {
  const requested = config.mode ?? 'main';
  if (!MODES.includes(requested)) {
    throw new TypeError(`createClient(config): mode must be one of 'main', 'worker', 'shared-worker' (got ${JSON.stringify(requested)})`);
  }
  if (requested === 'shared-worker' && typeof scope.SharedWorker !== 'function') {
    if (typeof scope.Worker === 'function') return { mode: 'worker', fallback: { requested, reason: 'SharedWorker is not available' } };
    return { mode: 'main', fallback: { requested, reason: 'neither SharedWorker nor Worker is available' } };
  }
  if (requested === 'worker' && typeof scope.Worker !== 'function') {
    return { mode: 'main', fallback: { requested, reason: 'Worker is not available' } };
  }
  return { mode: requested, fallback: null };
}

/** The `sub` of the token's JSON part (a JWT's payload, or this gateway's body.mac), as the token has it
 *  (a string stays a string); null when there is none. */
export function subjectOf(token) {
  if (typeof token !== 'string' || !token) return null;
  for (const part of token.split('.')) {
    try {
      const claims = JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/')));
      if (claims && (typeof claims.sub === 'string' || typeof claims.sub === 'number')) return claims.sub;
    } catch { /* not this part */ }
  }
  return null;
}

// Who the token says the user is: its `sub`, so that a refreshed token of the
// same user keeps its engine; else the whole token; '' without a token.
export function identityOf(token) {
  if (typeof token !== 'string' || !token) return '';
  const sub = subjectOf(token);
  return sub === null ? `token:${token}` : `sub:${sub}`;
}

/** True when the tab gets a worker of its own: no user yet, but getToken may sign it in later
 *  (a shared anonymous engine must never become one user's). */
export function soloWorker(config) {
  return identityOf(config.token) === '' && typeof config.getToken === 'function';
}

// FNV-1a over UTF-16 units, two 32-bit lanes: a name, not a secret.
export function hash(text) {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c ^ (a >>> 7), 0x01000193) >>> 0;
  }
  return a.toString(36) + b.toString(36);
}

/** The worker's name: protocol and package versions + hash(origin, config without the token, user);
 *  `nonce` (a solo worker) makes it this tab's own. */
export function workerName(config, origin = globalThis.location?.origin ?? '', nonce = '') {
  const { token, getToken, ...rest } = config;
  const key = `${origin}\n${configJson(rest)}\n${identityOf(token)}\n${nonce}`;
  return `ssot-realtime:v${PROTOCOL_VERSION}:${VERSION}:${hash(key)}`;
}
