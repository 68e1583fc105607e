// The ESM build in real Chromium: two pages on one gateway, a create in one
// appears live in the other. The page imports the package's modules as served
// files (no bundler), so it exercises the browser branch of the wasm loader,
// Emscripten's WebSocket and Fetch, and CORS against the gateway (which allows
// this page's origin only because its config names it: cors.origins).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startGateway } from '../support/gateway.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const types = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };
const page = '<!doctype html><meta charset="utf-8"><title>ssot e2e</title><script type="module">' +
  "import * as ssot from '/js/index.js'; window.ssot = ssot; window.ready = true;</script>";

let gateway, server, browser, origin;

before(async () => {
  server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname === '/') return res.writeHead(200, { 'Content-Type': 'text/html' }).end(page);
    const file = path.resolve(root, '.' + url.pathname);
    if (!file.startsWith(path.join(root, 'js') + path.sep)) return res.writeHead(404).end();
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'Content-Type': types[path.extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${server.address().port}`;
  gateway = await startGateway({ config: { websockets: {}, cors: { origins: [origin] } } });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  server?.close();
  await gateway?.stop();
});

async function openClient(user) {
  const context = await browser.newContext();
  const p = await context.newPage();
  const errors = [];
  p.on('pageerror', (e) => errors.push(e));
  await p.goto(origin + '/');
  await p.waitForFunction(() => window.ready === true);
  const token = await gateway.login(user);
  await p.evaluate(async ({ baseUrl, wsUrl, token }) => {
    window.client = await window.ssot.createClient({
      baseUrl, token,
      websockets: { enabled: true, url: wsUrl, pubsub: { models: { Message: {} } }, batching: { enabled: false } },
    });
    window.view = window.client.model('Message').watch({ where: { roomId: 1 } });
  }, { baseUrl: gateway.baseUrl, wsUrl: gateway.wsUrl, token });
  await p.waitForFunction(() => window.view.getSnapshot().status === 'ready');
  return { page: p, context, errors };
}

test('a message created in one page appears live in the other', async () => {
  const alice = await openClient('alice');
  const bob = await openClient('bob');
  const text = `hello from chromium ${Date.now()}`;
  const created = await alice.page.evaluate((text) => window.client.model('Message').create({ roomId: 1, text }), text);
  assert.equal(created.text, text);
  await bob.page.waitForFunction((text) => window.view.getSnapshot().items.some((m) => m.text === text), text,
    { timeout: 10000 });
  const [inAlice, state] = await alice.page.evaluate((text) => [
    window.view.getSnapshot().items.filter((m) => m.text === text).length, window.client.connection.state,
  ], text);
  assert.equal(inAlice, 1, 'the creator sees its message exactly once');
  assert.equal(state, 'open');
  assert.deepEqual([...alice.errors, ...bob.errors], []);
  await alice.context.close();
  await bob.context.close();
});
