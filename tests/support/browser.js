// Chromium (Debian's, through playwright-core) and a tiny static server that hands
// the package's own modules to a page: the ESM build exactly as a browser loads it,
// no bundler (an import map stands in for package.json "imports"). Shared by the
// browser end-to-end suites.
//
//   const b = await startBrowser();   b.origin (http://127.0.0.1:P), b.browser
//   const { page, context, errors } = await b.openPage();  // window.ssot = the package
//   await b.close()
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };
// The import map does for '#runtime' what a bundler does with package.json "imports".
const PAGE = '<!doctype html><meta charset="utf-8"><title>ssot e2e</title>' +
  '<script type="importmap">{"imports": {"#runtime": "/js/wasm/browser.js"}}</script><script type="module">' +
  "import * as ssot from '/js/index.js'; window.ssot = ssot; window.ready = true;</script>";

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function startBrowser() {
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname === '/') return res.writeHead(200, { 'Content-Type': 'text/html' }).end(PAGE);
    const file = path.resolve(ROOT, '.' + url.pathname);
    if (!file.startsWith(path.join(ROOT, 'js') + path.sep)) return res.writeHead(404).end();
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  return {
    origin,
    browser,
    async openPage() {
      const context = await browser.newContext();
      const page = await context.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(e));
      await page.goto(origin + '/');
      await page.waitForFunction(() => window.ready === true);
      return { page, context, errors };
    },
    async close() {
      await browser.close();
      server.close();
    },
  };
}
