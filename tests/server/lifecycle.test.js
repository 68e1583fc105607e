// Start-up, shutdown, persistence, and the programmatic API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startGateway, connectSocket } from '../support/gateway.js';
import { startServer } from '../../demo/server/server.js';
import { createInProcessBus } from '../../demo/server/bus.js';

const MAIN = fileURLToPath(new URL('../../demo/server/main.js', import.meta.url));

test('SIGTERM: every socket is closed with 1001 and the process exits 0', async () => {
  const gw = await startGateway();
  const token = await gw.login('alice');
  const socks = await Promise.all([1, 2, 3].map(() => gw.socket(token)));
  socks[0].send({ type: 'subscribe', channel: 'Message:list' });
  await socks[0].next({ type: 'subscribed' });
  const [exit, ...closes] = await Promise.all([gw.stop(), ...socks.map((s) => s.closed)]);
  assert.deepEqual(exit, { code: 0, signal: null });
  assert.deepEqual(closes.map((c) => c.code), [1001, 1001, 1001]);
  assert.equal(closes[0].reason, 'Server shutting down');
});

test('SIGINT shuts down the same way', async () => {
  const child = spawn(process.execPath, [MAIN, '--port', '0', '--db', ':memory:'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const line = await new Promise((resolve) => child.stdout.once('data', (d) => resolve(String(d))));
  const port = /listening on http:\/\/127\.0\.0\.1:(\d+)\n$/.exec(line)[1];
  const c = connectSocket(`ws://127.0.0.1:${port}/ws?token=x`);
  await c.opened;
  await c.closed; // bad token; just proves the server was up
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  child.kill('SIGINT');
  assert.deepEqual(await exited, { code: 0, signal: null });
});

test('prints exactly one line on stdout, and --db :memory: works', async () => {
  const child = spawn(process.execPath, [MAIN, '--port', '0', '--db', ':memory:'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  while (!out.includes('\n')) await new Promise((r) => child.stdout.once('data', r));
  const port = /^ssot gateway listening on http:\/\/127\.0\.0\.1:(\d+)\n$/.exec(out)?.[1];
  assert.ok(port, JSON.stringify(out));
  const r = await fetch(`http://127.0.0.1:${port}/api/login`, { method: 'POST', body: JSON.stringify({ username: 'bob', password: 'bob' }) });
  assert.equal(r.status, 200, 'seeded in memory');
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
  assert.equal(out, `ssot gateway listening on http://127.0.0.1:${port}\n`);
});

test('bad arguments exit 1 with a message', async () => {
  for (const args of [['--port', 'abc'], ['--frobnicate'], ['--config', '/nonexistent/cfg.json'], ['--db']]) {
    const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    const code = await new Promise((resolve) => child.once('exit', resolve));
    assert.equal(code, 1, args.join(' '));
    assert.match(err, /^ssot gateway: /, args.join(' '));
  }
});

test('data and counters persist across a restart, even after SIGKILL', async () => {
  const gw = await startGateway();
  const tok = await gw.login('alice');
  const made = await gw.request('POST', '/messages', { token: tok, body: { roomId: 2, text: 'persist me' } });
  const seq = (await gw.request('GET', '/messages', { token: tok })).body.seq;
  assert.equal(seq, 1);
  await gw.kill();
  await gw.restart();
  assert.deepEqual((await gw.request('GET', `/messages/${made.body.id}`, { token: tok })).body, made.body);
  assert.equal((await gw.request('GET', '/messages', { token: tok })).body.seq, 1);
  const users = (await gw.request('GET', '/users', { token: tok })).body;
  assert.equal(users.total, 3, 'not seeded twice');
  await gw.restart();
  assert.equal((await gw.request('GET', '/messages', { token: tok })).body.total, 6);
  await gw.stop();
});

test('a server whose parent dies exits by itself (stdin watch)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssot-orphan-'));
  const script = path.join(dir, 'parent.mjs');
  const helper = new URL('../support/gateway.js', import.meta.url).href;
  fs.writeFileSync(script, `import { startGateway } from ${JSON.stringify(helper)};
const gw = await startGateway(); console.log(gw.port); setInterval(() => {}, 1000);`);
  const parent = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = Number(await new Promise((resolve) => parent.stdout.once('data', (d) => resolve(String(d).trim()))));
  assert.equal((await fetch(`http://127.0.0.1:${port}/api/me`)).status, 401, 'child is up');
  parent.kill('SIGKILL');
  const deadline = Date.now() + 5000;
  let up = true;
  while (up && Date.now() < deadline) {
    try { await fetch(`http://127.0.0.1:${port}/api/me`); await new Promise((r) => setTimeout(r, 50)); } catch { up = false; }
  }
  assert.equal(up, false, 'the orphaned gateway shut down');
});

test('startServer(): in-process API, custom bus, close()', async () => {
  const bus = createInProcessBus();
  const seen = [];
  bus.subscribe((topic, m) => seen.push([topic, m.deliveries?.map((d) => [d.channel, d.seq])]));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssot-inproc-'));
  const dbFile = path.join(dir, 'nested', 'folder', 'demo.sqlite');
  const s = await startServer({ port: 0, db: dbFile, secret: 'k', tokenTtlSeconds: 60, bus, log: () => {} });
  try {
    assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(fs.existsSync(dbFile), 'creates the database folder');
    const login = await (await fetch(`${s.url}/api/login`, { method: 'POST', body: '{"username":"admin","password":"admin"}' })).json();
    const r = await fetch(`${s.url}/api/products/1`, { method: 'PATCH', headers: { Authorization: `Bearer ${login.token}` }, body: '{"stock":3}' });
    assert.equal(r.status, 200);
    assert.deepEqual(seen, [
      ['update', [['Product:list', 1], ['Product:item:1', 1], ['ActivityLog:list', 1], ['ActivityLog:item:1', 1]]],
    ], 'one bus message per mutation, its log row included');
  } finally {
    await s.close();
  }
  await s.close(); // idempotent
});

test('the bus delivers in order to every subscriber; unsubscribe stops it', () => {
  const bus = createInProcessBus();
  const a = [];
  const b = [];
  const offA = bus.subscribe((t, m) => a.push(`${t}:${m}`));
  bus.subscribe((t, m) => b.push(`${t}:${m}`));
  bus.publish('x', 1);
  bus.publish('y', 2);
  offA();
  bus.publish('z', 3);
  assert.deepEqual(a, ['x:1', 'y:2']);
  assert.deepEqual(b, ['x:1', 'y:2', 'z:3']);
});
