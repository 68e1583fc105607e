// What every bundler test does, as a new user would: `npm pack` the package,
// unpack it into a fresh app's node_modules (in a temp dir: nothing else there to
// resolve, so a Node module in the browser graph fails the build or shows in the
// output), build the app (tests/bundlers/app) with the bundler's defaults, serve
// the output under a strict CSP on the same origin as the gateway (proxied), and
// check in Chromium that rows arrive live and that nothing was refused.
//
//   const h = await setup('vite');  h.app (the app's dir), h.wasm (the package's .wasm), h.gateway
//   const site = await h.serve(distDir, { '/hosted/x.wasm': file })
//   await h.checkLive(site, '/index.html')   site.requests: paths asked for
//   await h.close()
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startGateway } from '../support/gateway.js';
import { CHROMIUM_ARGS } from '../support/browser.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
export const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self' ws: wss:";
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm' };
const WAIT = 10000;
const SEED = ['Welcome to general!', 'Hi everyone', 'Remember: this is demo data.'];

function packInto(dir) {
  const tgz = execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').pop();
  const pkg = path.join(dir, 'app/node_modules/ssot-realtime');
  fs.mkdirSync(pkg, { recursive: true });
  execFileSync('tar', ['xzf', path.join(dir, tgz), '-C', pkg, '--strip-components=1']);
  return pkg;
}

export async function setup(name) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ssot-${name}-`));
  const pkg = packInto(dir);
  const app = path.join(dir, 'app');
  fs.cpSync(path.join(HERE, 'app'), app, { recursive: true });
  const [gateway, browser] = await Promise.all([
    startGateway({ config: { websockets: {} } }),
    chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS }),
  ]);
  const sites = [];
  return {
    app,
    gateway,
    wasm: path.join(pkg, 'js/wasm/ssot_runtime.wasm'),
    async serve(root, extra = {}) {
      const site = await serve(root, extra, gateway);
      sites.push(site);
      return site;
    },
    checkLive: (site, page) => checkLive(browser, gateway, site, page),
    async close() {
      for (const s of sites) s.close();
      await browser.close();
      await gateway.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

// Files under root (and `extra` paths mapped to files) with the CSP; /api and /ws
// go to the gateway, so the page's REST calls are 'self'.
async function serve(root, extra, gateway) {
  const requests = [];
  const sockets = new Set();
  const server = http.createServer((req, res) => {
    const { pathname } = new URL(req.url, 'http://x');
    if (pathname.startsWith('/api/')) {
      const up = http.request(`${gateway.url}${req.url}`, { method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode, r.headers);
        r.pipe(res);
      });
      up.on('error', () => res.destroy());
      return req.pipe(up);
    }
    requests.push(pathname);
    const file = extra[pathname] ?? path.join(root, pathname.endsWith('/') ? `${pathname}index.html` : pathname);
    fs.readFile(file, (err, body) => {
      if (err) return res.writeHead(404).end();
      res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'Content-Security-Policy': CSP }).end(body);
    });
  });
  server.on('upgrade', (req, socket, head) => {
    const up = net.connect(gateway.port, '127.0.0.1', () => {
      up.write(`${req.method} ${req.url} HTTP/1.1\r\n${Object.entries(req.headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`);
      up.write(head);
      socket.pipe(up).pipe(socket);
    });
    for (const s of [socket, up]) {
      sockets.add(s);
      s.on('error', () => { socket.destroy(); up.destroy(); });
      s.on('close', () => sockets.delete(s));
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    requests,
    close() {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

// Opens the page: the seed messages of room 1 show, a message created over REST
// appears, and no CSP violation, page error or failed load happened.
async function checkLive(browser, gateway, site, pagePath) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT);
  const problems = [];
  page.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.addInitScript(() => document.addEventListener('securitypolicyviolation',
    (e) => console.error(`Refused by Content Security Policy: ${e.violatedDirective} ${e.blockedURI}`)));
  try {
    const response = await page.goto(site.origin + pagePath);
    assert.equal(response.headers()['content-security-policy'], CSP);
    const status = await page.waitForFunction(() => ['ready', 'error', 'failed'].includes(document.body.dataset.status)
      && document.body.dataset.status).then((h) => h.jsonValue());
    assert.equal(status, 'ready', `the page says: ${await page.locator('#messages').textContent()}`);
    const texts = () => page.locator('#messages li').allTextContents();
    assert.deepEqual((await texts()).filter((t) => SEED.includes(t)).sort(), [...SEED].sort());

    await page.waitForFunction(() => document.body.dataset.connection === 'open'); // what follows comes over the socket
    const text = `live from REST ${Date.now()}`;
    const created = await gateway.request('POST', '/messages', { token: await gateway.login('bob'), body: { roomId: 1, text } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    await page.locator('#messages li', { hasText: text }).waitFor();
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
}

// The built files hold no Node module: no `ws`, `xhr2` or `node:` import.
export function assertBrowserOnly(dist) {
  for (const f of fs.readdirSync(dist, { recursive: true })) {
    if (!/\.m?js$/.test(f)) continue;
    const m = /.{0,40}(["']node:|["'](ws|xhr2)["']).{0,40}/.exec(fs.readFileSync(path.join(dist, f), 'utf8'));
    assert.equal(m, null, `${f} refers to a Node module: ${m?.[0]}`);
  }
}

/** The .wasm files in dist (relative paths). */
export const wasmFiles = (dist) => fs.readdirSync(dist, { recursive: true }).filter((f) => f.endsWith('.wasm'));
