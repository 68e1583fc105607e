// Spawns the reference gateway (demo/server/main.js) for test suites.
//
//   const gw = await startGateway({config, env, dbPath});
//   gw.port, gw.url, gw.baseUrl (http://127.0.0.1:P/api), gw.wsUrl (ws://127.0.0.1:P/ws), gw.secret
//   await gw.login('alice') -> token          gw.mintToken({sub, exp}) -> token (any payload)
//   await gw.tokens() -> {alice, bob, admin}
//   await gw.stop()   SIGTERM, resolves {code, signal} on exit
//   await gw.kill()   SIGKILL, resolves {code, signal} on exit
//   await gw.restart() start again on the same port and database file
//   gw.output()       what the server printed (stdout + stderr), for failure messages
//   gw.epoch()        the epoch stored in the database file (Meta table); not for :memory:
//   await gw.sql(text, params)  run SQL (`?` placeholders) on the gateway's database, behind its back
//
// SSOT_TEST_STORE=postgres: a gateway started without dbPath gets a fresh Postgres
// database (--db postgres://...) on the server of SSOT_TEST_PG_URL, or on a
// private one this process starts (tests/support/postgres.js). An explicit
// dbPath (a file, ':memory:') stays SQLite. SSOT_TEST_REDIS_URL: every gateway also
// gets --redis (keys are per database epoch, so gateways of different tests never meet).
//
// Also exported: connectSocket(url) -> a small ws client that queues frames and
// waits for a matching one (see below).
//
// Children get SSOT_EXIT_WITH_STDIN=1 and a stdin pipe: if this process dies,
// even by SIGKILL, the pipe closes and the server shuts itself down.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import WebSocket from 'ws';
import { signToken } from '../../demo/server/auth.js';
import { testDatabase, pgQuery } from './postgres.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MAIN = path.join(ROOT, 'demo/server/main.js');
export const TEST_SECRET = 'ssot-test-secret-do-not-use-in-production';
const READY = /^ssot gateway listening on http:\/\/127\.0\.0\.1:(\d+)$/m;

const children = new Set();
const tempDirs = new Set();
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
  for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
});

function launch(args, env, timeoutMs = 15000, main = MAIN) {
  const child = spawn(process.execPath, [main, ...args], {
    cwd: ROOT,
    env: { ...process.env, SSOT_EXIT_WITH_STDIN: '1', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => { children.delete(child); resolve({ code, signal }); }));
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`gateway did not start in ${timeoutMs} ms:\n${out}`)); }, timeoutMs);
    const check = () => {
      const m = READY.exec(out);
      if (m) { clearTimeout(timer); child.stdout.off('data', check); resolve(Number(m[1])); }
    };
    child.stdout.on('data', check);
    exited.then(({ code, signal }) => { clearTimeout(timer); reject(new Error(`gateway exited (${code ?? signal}) before listening:\n${out}`)); });
  });
  return { child, ready, exited, output: () => out };
}

export async function startGateway({ config, env = {}, dbPath, redis = process.env.SSOT_TEST_REDIS_URL, main = MAIN } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssot-gw-'));
  tempDirs.add(dir);
  const db = dbPath ?? (process.env.SSOT_TEST_STORE === 'postgres' ? await testDatabase() : path.join(dir, 'db.sqlite'));
  const onPostgres = db.startsWith('postgres://');
  const args = ['--db', db];
  if (redis) args.push('--redis', redis);
  if (config !== undefined) {
    const file = path.join(dir, 'config.json');
    fs.writeFileSync(file, typeof config === 'string' ? config : JSON.stringify(config));
    args.push('--config', file);
  }
  const secret = env.SSOT_SECRET ?? TEST_SECRET;
  const fullEnv = { SSOT_SECRET: secret, ...env };
  let run = launch(['--port', '0', ...args], fullEnv, undefined, main);
  const port = await run.ready;
  // A Postgres database keeps its epoch for good: read once, answered synchronously.
  const pgEpoch = onPostgres ? (await pgQuery(db, 'SELECT "value" FROM "Meta" WHERE "key" = \'epoch\'')).rows[0].value : null;
  const baseUrl = `http://127.0.0.1:${port}/api`;

  const tokens = {}; // socket() logs in once per user name
  const gw = {
    port,
    url: `http://127.0.0.1:${port}`,
    baseUrl,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    secret,
    dbPath: db,
    output: () => run.output(),
    pid: () => run.child.pid,
    epoch() {
      if (onPostgres) return pgEpoch;
      if (db === ':memory:') throw new Error('gw.epoch(): a :memory: database cannot be read from outside');
      const file = new Database(db, { readonly: true, fileMustExist: true });
      try { return file.prepare('SELECT "value" FROM "Meta" WHERE "key" = \'epoch\'').get().value; } finally { file.close(); }
    },
    async sql(text, params = []) {
      if (onPostgres) {
        let n = 0;
        return (await pgQuery(db, text.replace(/\?/g, () => `$${++n}`), params)).rows;
      }
      const file = new Database(db);
      try {
        const st = file.prepare(text);
        return st.reader ? st.all(...params) : (st.run(...params), []);
      } finally { file.close(); }
    },
    async login(username, password = username) {
      const res = await fetch(`${baseUrl}/login`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password }),
      });
      const body = await res.json();
      if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${body.error}`);
      return body.token;
    },
    // Tokens of the demo users, {alice, bob, admin} (each password is the user name).
    async tokens(users = ['alice', 'bob', 'admin']) {
      const out = {};
      for (const u of users) out[u] = await gw.login(u);
      return out;
    },
    mintToken: (payload) => signToken(payload, secret),
    // REST call: resolves {status, body (parsed JSON or null), headers}.
    async request(method, urlPath, { token, body, headers = {}, raw } = {}) {
      const h = { ...headers };
      if (token) h.Authorization = `Bearer ${token}`;
      if (body !== undefined || raw !== undefined) h['Content-Type'] ??= 'application/json';
      const res = await fetch(`${baseUrl}${urlPath}`, { method, headers: h, body: raw ?? (body === undefined ? undefined : JSON.stringify(body)) });
      const text = await res.text();
      let parsed = null;
      try { parsed = text ? JSON.parse(text) : null; } catch { parsed = { unparsable: text }; }
      return { status: res.status, body: parsed, headers: res.headers };
    },
    // A socket as `username` (or with an explicit token), resolved once open.
    async socket(usernameOrToken, opts) {
      const token = usernameOrToken.includes('.') ? usernameOrToken : (tokens[usernameOrToken] ??= await gw.login(usernameOrToken));
      const c = connectSocket(`${gw.wsUrl}?token=${encodeURIComponent(token)}`, opts);
      await c.opened;
      return c;
    },
    async stop() {
      if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGTERM');
      return run.exited;
    },
    async kill() {
      if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
      return run.exited;
    },
    // Start again after kill()/stop(), on the same port and database.
    async start() {
      run = launch(['--port', String(port), ...args], fullEnv, undefined, main);
      await run.ready;
      return gw;
    },
    async restart() {
      await gw.stop();
      run = launch(['--port', String(port), ...args], fullEnv, undefined, main);
      await run.ready;
      return gw;
    },
  };
  return gw;
}

// A ws client for tests: every frame is parsed and queued; next(pred) takes the
// first queued-or-future frame matching pred, or rejects after timeoutMs with
// the frames seen so far (so a failure says what did arrive). 10 s: a frame that
// comes is waited for only as long as it takes; a loaded CI machine needs the room.
export function connectSocket(url, { timeoutMs = 10000 } = {}) {
  const ws = new WebSocket(url);
  const queue = [];
  const waiters = [];
  const all = [];
  const closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  ws.on('error', () => {});
  ws.on('message', (data) => {
    let frame;
    try { frame = JSON.parse(data.toString()); } catch { frame = { unparsable: data.toString() }; }
    all.push(frame);
    const i = waiters.findIndex((w) => w.pred(frame));
    if (i >= 0) waiters.splice(i, 1)[0].resolve(frame);
    else queue.push(frame);
  });
  const match = (pred) => (typeof pred === 'function' ? pred
    : (f) => Object.entries(pred).every(([k, v]) => f[k] === v));
  const client = {
    ws,
    frames: all,
    closed,
    opened: new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('close', (code) => reject(new Error(`socket closed (${code}) before open`)));
      ws.once('unexpected-response', (_, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    }),
    send: (obj) => ws.send(typeof obj === 'string' ? obj : JSON.stringify(obj)),
    next(pred = () => true, ms = timeoutMs) {
      const p = match(pred);
      const i = queue.findIndex(p);
      if (i >= 0) return Promise.resolve(queue.splice(i, 1)[0]);
      return new Promise((resolve, reject) => {
        const w = { pred: p, resolve: (f) => { clearTimeout(timer); resolve(f); } };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new Error(`no matching frame within ${ms} ms; received: ${JSON.stringify(all).slice(-1500)}`));
        }, ms);
        waiters.push(w);
      });
    },
    // Frames received but not yet taken by next(), optionally filtered.
    pending: (pred = () => true) => queue.filter(match(pred)),
    // Round-trip a ping: every frame the server sent before it has arrived.
    async barrier() {
      const t = `b${Math.random()}`;
      client.send({ type: 'ping', t });
      await client.next((f) => f.type === 'pong' && f.t === t);
    },
    close: (code = 1000) => { ws.close(code); return closed; },
  };
  client.opened.catch(() => {}); // awaited by those who care; never an unhandled rejection
  return client;
}
