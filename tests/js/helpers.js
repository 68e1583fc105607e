// Shared by the JS API suites: a gateway, clients in the test config, and waits
// that resolve on a condition (no fixed sleeps).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from '../../js/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const RUNTIME = path.join(ROOT, 'js/wasm/ssot_runtime.mjs');

export function requireRuntime() {
  if (!fs.existsSync(RUNTIME)) throw new Error(`${RUNTIME} is missing: run 'bash scripts/build.sh wasm' first`);
}

export const CHANNELS = { 'chat:room:{roomId}': { events: ['message', 'typing', 'join', 'leave'] } };
export const MODELS = { Product: {}, Message: {}, ActivityLog: {}, Notification: {}, Room: {} };

// The client config for `gw` with fast reconnects and short batching windows.
export function clientConfig(gw, extra = {}) {
  const { websockets = {}, ...rest } = extra;
  return {
    baseUrl: gw.baseUrl,
    requestTimeout: 5000,
    ...rest,
    websockets: {
      enabled: true,
      url: gw.wsUrl,
      pubsub: { models: MODELS, channels: CHANNELS },
      reconnect: { baseDelay: 50, maxDelay: 200, maxAttempts: 0, jitter: 0 },
      batching: { flushInterval: 10, maxBatchSize: 50 },
      ...websockets,
    },
  };
}

const tokens = new Map();
export async function tokenFor(gw, user) {
  const key = `${gw.port}:${user}`;
  if (!tokens.has(key)) tokens.set(key, await gw.login(user));
  return tokens.get(key);
}

// A client logged in as `user` (or anonymous with user = null), connected when
// websockets are enabled (resolves once the socket is open).
export async function clientFor(gw, user, extra = {}) {
  requireRuntime();
  const token = user ? await tokenFor(gw, user) : undefined;
  const client = await createClient(clientConfig(gw, { token, ...extra }));
  if (clientConfig(gw, extra).websockets.enabled) await waitFor(() => client.connection.state === 'open', { what: `${user}'s socket open` });
  return client;
}

// Resolves when check() returns a truthy value (which it resolves to); rejects
// after `timeout` ms with `what` and the last value seen.
export function waitFor(check, { timeout = 5000, what = 'condition', show } = {}) {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const tick = () => {
      let v;
      try {
        v = check();
      } catch (err) {
        return reject(err);
      }
      if (v) return resolve(v);
      if (Date.now() - t0 > timeout) {
        return reject(new Error(`timed out after ${timeout} ms waiting for ${what}${show ? `; last: ${JSON.stringify(show())}` : ''}`));
      }
      setTimeout(tick, 5);
    };
    tick();
  });
}

// Waits until a view's (or channel's / connection's) snapshot satisfies pred.
export function until(store, pred, what = 'snapshot', timeout = 5000) {
  return waitFor(() => (pred(store.getSnapshot()) ? store.getSnapshot() : null), { timeout, what, show: () => store.getSnapshot() });
}

// Records as plain objects sorted by id, for comparing a view with the database.
export const byId = (items) => [...items].map((r) => ({ ...r })).sort((a, b) => a.id - b.id);
