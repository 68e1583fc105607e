// The demo page through the cluster (what `npm run demo:cluster` runs): HAProxy
// in front of three gateways on Postgres + Redis, in real Chromium. alice and
// bob sign in through HAProxy (their sockets land on different gateways); a
// message from alice reaches bob; a killed gateway does not stop the page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
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
