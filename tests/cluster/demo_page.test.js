// The demo page through the cluster (what `npm run demo:cluster` runs): HAProxy
// in front of three gateways on Postgres + Redis, in real Chromium. alice and
// bob sign in through HAProxy (their sockets land on different gateways); a
// message from alice reaches bob; a killed gateway does not stop the page.
// HAProxy passes each client's address on: one client's failed logins do not
// throttle the others (every TCP peer of the gateways is HAProxy).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { buildDemo, isStale } from '../../demo/web/build.mjs';
import { startLocalCluster } from '../../scripts/lib/cluster.js';
import { CHROMIUM_ARGS } from '../support/browser.js';

const WAIT = 15000;
let cluster, browser, dir;
const pages = {};

async function signIn(user) {
  const context = await browser.newContext({ viewport: { width: 1200, height: 760 } });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT);
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${cluster.url}/`);
  await page.getByRole('button', { name: `Sign in as ${user}` }).click();
  await page.locator('.badge', { hasText: 'connected' }).waitFor();
  return { page, errors };
}

const message = (page, text) => page.locator('.message:not(.pending)').filter({ has: page.locator('p.text').getByText(text, { exact: true }) });
async function send(who, text) {
  await who.page.locator('input[name=message]').fill(text);
  await who.page.getByRole('button', { name: 'Send', exact: true }).click();
}

before(async () => {
  if (isStale()) await buildDemo();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssot-democluster-'));
  process.env.SSOT_PG_FAST ??= '1';
  cluster = await startLocalCluster({ dir, gateways: 3, env: { SSOT_SECRET: 'cluster-demo-test' } });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  pages.alice = await signIn('alice');
  pages.bob = await signIn('bob');
});

after(async () => {
  await browser?.close();
  await cluster?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('a message from alice appears for bob, through HAProxy', async () => {
  await send(pages.alice, 'Hello through the cluster');
  await message(pages.bob.page, 'Hello through the cluster').waitFor();
  assert.equal(await message(pages.alice.page, 'Hello through the cluster').count(), 1);
});

test('a killed gateway: the pages reconnect to the others and keep going', async () => {
  for (const g of cluster.gateways.slice(0, 2)) await g.kill();
  await send(pages.bob, 'Still here after two gateways died');
  await message(pages.alice.page, 'Still here after two gateways died').waitFor();
  await pages.alice.page.locator('.badge', { hasText: 'connected' }).waitFor();
  assert.deepEqual([...pages.alice.errors, ...pages.bob.errors], []);
});

// POST /api/login through HAProxy from a chosen local address (all of 127/8 is loopback).
function loginFrom(localAddress, username, password) {
  const body = JSON.stringify({ username, password });
  const url = new URL('/api/login', cluster.url);
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: url.hostname, port: url.port, path: url.pathname, method: 'POST', localAddress,
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
    }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)); });
    req.on('error', reject);
    req.end(body);
  });
}

test('one client\'s failed logins throttle that client, not every client of HAProxy', async () => {
  // loginFailuresPerAddress is 20 (distinct names: the per-name limit is 5).
  for (let k = 0; k < 20; k++) assert.equal(await loginFrom('127.0.0.2', `nobody${k}`, 'x'), 401);
  assert.equal(await loginFrom('127.0.0.2', 'bob', 'bob'), 429);
  assert.equal(await loginFrom('127.0.0.3', 'bob', 'bob'), 200);
});
