// The demo page (demo/web, bundled by esbuild, served by the gateway) in real
// Chromium: alice and bob (and admin for what only an admin can do) in separate
// browser contexts, each signed in through the page itself.
// Screenshots of each screen go to tests/e2e/screenshots/ (not committed).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startGateway } from '../support/gateway.js';
import { buildDemo, isStale } from '../../demo/web/build.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const SHOTS = path.join(here, 'screenshots');
const WAIT = 10000;

let gateway, browser;
let alice, bob, admin;
const dialogs = [];
const pages = [];

// CSP violations in a page: the DOM event (reported to the console) and
// Chromium's own 'Refused to ...' console messages.
function watchCsp(page, user) {
  const seen = [];
  page.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) seen.push(`${user}: ${m.text()}`); });
  page.addInitScript(() => document.addEventListener('securitypolicyviolation',
    (e) => console.error(`Refused by Content Security Policy: ${e.violatedDirective} ${e.blockedURI}`)));
  return seen;
}

// The page runs the engine in a shared worker unless `query` is '?mode=main': alice's
// and bob's are (their tests hold her requests with page.route and cut his socket
// from the page); admin's page runs in the shared worker.
async function signIn(user, query = '') {
  const context = await browser.newContext({ viewport: { width: 1200, height: 760 } });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT);
  const errors = [];
  const violations = watchCsp(page, user);
  page.on('pageerror', (e) => errors.push(`${user}: ${e.message}`));
  page.on('dialog', (d) => { dialogs.push(`${user}: ${d.type()} ${d.message()}`); d.dismiss().catch(() => {}); });
  const response = await page.goto(`${gateway.url}/${query}`);
  await page.getByRole('button', { name: `Sign in as ${user}` }).click();
  await page.locator('.badge', { hasText: 'connected' }).waitFor();
  const who = { user, page, context, errors, violations, csp: response.headers()['content-security-policy'] };
  pages.push(who);
  return who;
}

const shot = (who, name) => who.page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
const show = (who, screen) => who.page.locator('nav').getByRole('button', { name: new RegExp(`^${screen}`, 'i') }).click();

// The confirmed (not optimistic) message whose text is exactly `text`.
const message = (page, text) => page.locator('.message:not(.pending)')
  .filter({ has: page.locator('p.text').getByText(text, { exact: true }) });

async function send(who, text) {
  await who.page.locator('input[name=message]').fill(text);
  await who.page.getByRole('button', { name: 'Send', exact: true }).click();
}

before(async () => {
  if (isStale()) await buildDemo();
  fs.mkdirSync(SHOTS, { recursive: true });
  gateway = await startGateway();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  [alice, bob] = await Promise.all([signIn('alice', '?mode=main'), signIn('bob', '?mode=main')]);
});

after(async () => {
  await browser?.close();
  await gateway?.stop();
});

test('the sign-in page offers the demo users', async () => {
  const context = await browser.newContext({ viewport: { width: 1200, height: 760 } });
  const page = await context.newPage();
  await page.goto(`${gateway.url}/`);
  await page.getByRole('button', { name: 'Sign in as admin' }).waitFor();
  await page.screenshot({ path: path.join(SHOTS, 'login.png') });
  await page.locator('input[name=username]').fill('bob');
  await page.locator('input[name=password]').fill('wrong');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('alert').filter({ hasText: 'Invalid username or password' }).waitFor();
  await context.close();
});

test('a message from alice appears for bob (and once for alice, sent optimistically)', async () => {
  const text = 'Hi bob! The new build is up.';
  // Hold alice's POST for a moment: her page shows the message before the server has it.
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  let passed;
  const through = new Promise((resolve) => { passed = resolve; });
  await alice.page.route('**/api/messages', async (route) => {
    await held;
    await route.continue();
    passed();
  });
  await send(alice, text);
  const pending = alice.page.locator('.message.pending').filter({ hasText: text });
  await pending.waitFor();
  assert.match(await pending.getAttribute('data-id'), /^optimistic:/);
  assert.equal(await bob.page.getByText(text).count(), 0);
  release();
  await through;
  await alice.page.unroute('**/api/messages');
  await message(bob.page, text).waitFor();
  await message(alice.page, text).waitFor();
  assert.equal(await message(alice.page, text).count(), 1);
  assert.equal(await bob.page.locator('.message').filter({ hasText: text }).count(), 1);
  assert.equal(await message(bob.page, text).getAttribute('data-author'), 'alice');
});

test('presence lists alice and bob in the room', async () => {
  for (const who of [alice, bob]) {
    await who.page.locator('.presence li[data-user=alice]').waitFor();
    await who.page.locator('.presence li[data-user=bob]').waitFor();
  }
});

test('typing shows for the other user and clears', async () => {
  const typing = bob.page.locator('.typing', { hasText: 'alice is typing' });
  await alice.page.locator('input[name=message]').fill('I am wri');
  await typing.waitFor();
  assert.equal(await alice.page.locator('.typing', { hasText: 'typing' }).count(), 0, 'no indicator for oneself');
  await alice.page.locator('input[name=message]').fill('');
  await typing.waitFor({ state: 'detached' });
  // Typing again then sending clears it too.
  await alice.page.locator('input[name=message]').fill('typed then sent');
  await typing.waitFor();
  await alice.page.getByRole('button', { name: 'Send', exact: true }).click();
  await typing.waitFor({ state: 'detached' });
  await message(bob.page, 'typed then sent').waitFor();
});

test('bob edits his own message and cannot edit alice\'s (the error is shown)', async () => {
  const mine = 'Lunch at noon?';
  const fixed = 'Lunch at 12:30?';
  const hers = 'Count me in.';
  await send(bob, mine);
  await send(alice, hers);
  await message(bob.page, mine).waitFor();
  await message(bob.page, hers).waitFor();

  // His own: edited everywhere.
  const myId = await message(bob.page, mine).getAttribute('data-id');
  const mineRow = bob.page.locator(`.message[data-id="${myId}"]`);
  await mineRow.getByRole('button', { name: 'Edit' }).click();
  await mineRow.locator('input[name=edit]').fill(fixed);
  await mineRow.getByRole('button', { name: 'Save' }).click();
  for (const who of [alice, bob]) {
    const row = message(who.page, fixed);
    await row.waitFor();
    await row.locator('.edited').waitFor();
  }

  // Alice's: the server refuses, the optimistic change rolls back, the error shows.
  const herId = await message(bob.page, hers).getAttribute('data-id');
  const herRow = bob.page.locator(`.message[data-id="${herId}"]`);
  await herRow.getByRole('button', { name: 'Edit' }).click();
  await herRow.locator('input[name=edit]').fill('bob was here');
  await herRow.getByRole('button', { name: 'Save' }).click();
  await herRow.getByRole('alert').filter({ hasText: /forbidden/i }).waitFor();
  await message(bob.page, hers).waitFor();
  assert.equal(await herRow.locator('p.text').textContent(), hers);
  assert.equal(await alice.page.getByText('bob was here').count(), 0);
  assert.equal(await message(alice.page, hers).count(), 1);
  await alice.page.locator('input[name=message]').fill('See you th');
  await bob.page.locator('.typing', { hasText: 'alice is typing' }).waitFor();
  await bob.page.waitForTimeout(1100); // one more stats sample
  await shot(bob, 'chat');
  await alice.page.locator('input[name=message]').fill('');
});

test('notifications are per user: bob never sees alice\'s', async () => {
  admin = await signIn('admin');
  await show(admin, 'Notifications');
  await Promise.all([show(alice, 'Notifications'), show(bob, 'Notifications')]);
  await alice.page.locator('.notification', { hasText: 'Welcome, alice!' }).waitFor();
  await bob.page.locator('.notification', { hasText: 'Welcome, bob!' }).waitFor();

  const text = 'Your order #1042 has shipped.';
  await admin.page.locator('select[name=userId]').selectOption({ label: 'alice' });
  await admin.page.locator('.send-notification input[name=text]').fill(text);
  await admin.page.locator('.send-notification').getByRole('button', { name: 'Send' }).click();
  await admin.page.locator('.send-notification .ok', { hasText: 'Sent to alice' }).waitFor();
  await alice.page.locator('.notification.unread', { hasText: text }).waitFor();
  await shot(alice, 'notifications');
  await shot(admin, 'notifications-admin');
  assert.equal(await admin.page.locator('.notification', { hasText: text }).count(), 0, 'not in the sender\'s own list');

  // Bob hears nothing of it, now or after a round trip of his own.
  const bobNote = 'Standup moved to 10:00.';
  await admin.page.locator('select[name=userId]').selectOption({ label: 'bob' });
  await admin.page.locator('.send-notification input[name=text]').fill(bobNote);
  await admin.page.locator('.send-notification').getByRole('button', { name: 'Send' }).click();
  await bob.page.locator('.notification', { hasText: bobNote }).waitFor();
  const bobTexts = await bob.page.locator('.notification p.text').allTextContents();
  assert.ok(bobTexts.length >= 2);
  assert.ok(bobTexts.every((t) => t !== text && !/alice/i.test(t)), `bob sees: ${JSON.stringify(bobTexts)}`);

  // Alice marks hers read: the unread count drops.
  await alice.page.locator('.notification', { hasText: text }).getByRole('button', { name: 'Mark read' }).click();
  await alice.page.locator('.notification.read', { hasText: text }).waitFor();
});

test('admin changes stock and every page sees it at once', async () => {
  try {
    await Promise.all([show(admin, 'Inventory'), show(alice, 'Inventory'), show(bob, 'Inventory')]);
    const stockOf = (who) => who.page.locator('tr[data-product="Keyboard"] td.stock');
    await stockOf(bob).waitFor();
    const before = Number(await stockOf(admin).textContent());
    // "+1" sets the stock to the shown one plus one, as a person clicks: after seeing the first.
    // The second PATCH may go while the first is out; the core sends them in order.
    const shows = (who, n) => who.page.locator('tr[data-product="Keyboard"] td.stock', { hasText: new RegExp(`^${n}$`) });
    await admin.page.getByRole('button', { name: 'one more Keyboard' }).click();
    await shows(admin, before + 1).waitFor();
    await admin.page.getByRole('button', { name: 'one more Keyboard' }).click();
    for (const who of [alice, bob, admin]) {
      await shows(who, before + 2).waitFor().catch(async (e) => {
        const seen = await Promise.all([alice, bob, admin].map(async (w) => `${w.user} ${await stockOf(w).textContent()}`));
        const server = await gateway.request('GET', '/products', { token: await gateway.login('admin') });
        const keyboard = server.body.items?.find((p) => p.name === 'Keyboard');
        throw new Error(`${who.user} does not show ${before + 2}: pages ${seen.join(', ')}; server ${keyboard?.stock}\n${e.message}`);
      });
    }
    assert.equal(await bob.page.getByRole('button', { name: 'one more Keyboard' }).count(), 0, 'only admins get the controls');
    await admin.page.locator('tr[data-product="Monitor"] input[name=stock]').fill('3');
    await admin.page.locator('tr[data-product="Monitor"] input[name=stock]').press('Enter');
    await bob.page.locator('tr[data-product="Monitor"] td.stock', { hasText: /^3$/ }).waitFor();
    await shot(admin, 'inventory');

    await show(admin, 'Activity');
    await admin.page.locator('.activity-log td', { hasText: 'admin updated Product' }).first().waitFor();
    await shot(admin, 'activity');
    assert.equal(await bob.page.locator('nav').getByRole('button', { name: 'Activity' }).count(), 0, 'activity is admin only');
  } finally {  // the tests after this one are on the chat screen, whatever happened here
    await Promise.all([show(alice, 'Chat'), show(bob, 'Chat'), show(admin, 'Chat')]);
  }
});

test('HTML in a message is shown as text and runs nothing', async () => {
  const text = 'Try this: <img src=x onerror=alert(1)> and <script>alert(2)</script>';
  await send(alice, text);
  await message(bob.page, text).waitFor();
  await message(alice.page, text).waitFor();
  for (const who of [alice, bob]) {
    assert.equal(await who.page.locator('.messages img, .messages script').count(), 0);
    assert.equal(await message(who.page, text).locator('p.text').textContent(), text);
  }
  await bob.page.waitForTimeout(300);
  assert.deepEqual(dialogs, []);
});

test('the gateway restarts while alice sends over REST: bob reconnects and shows every message once', async () => {
  const token = await gateway.login('alice');
  const before = await bob.page.evaluate(() => window.ssotDemo.client.stats().reconnects);
  await gateway.kill();
  await bob.page.locator('.badge', { hasText: /reconnecting/ }).waitFor();
  await shot(bob, 'reconnecting');
  // Hold bob's page off the restarted gateway until alice's messages are all in,
  // so that they can only reach him by catching up (not live).
  await bob.page.evaluate(() => window.ssotDemo.network.refuseConnections(60000));
  await gateway.restart();
  const texts = [];
  for (let i = 0; i < 5; i++) {
    const text = `Sent during the outage (${i + 1}/5)`;
    const res = await gateway.request('POST', '/messages', { token, body: { roomId: 1, text } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    texts.push(text);
  }
  assert.equal(await bob.page.evaluate(() => window.ssotDemo.client.connection.state), 'reconnecting');
  assert.equal(await bob.page.getByText(texts[0], { exact: true }).count(), 0);
  await bob.page.evaluate(() => window.ssotDemo.network.refuseConnections(0));
  await bob.page.locator('.badge', { hasText: 'connected' }).waitFor({ timeout: 20000 });
  for (const t of texts) await message(bob.page, t).waitFor();
  await bob.page.waitForTimeout(500); // late duplicates would show by now
  for (const t of texts) assert.equal(await bob.page.getByText(t, { exact: true }).count(), 1, t);
  const after = await bob.page.evaluate(() => window.ssotDemo.client.stats().reconnects);
  assert.ok(after > before, `reconnects ${before} -> ${after}`);
  // Live again, not just caught up.
  const live = 'Back online?';
  await alice.page.locator('.badge', { hasText: 'connected' }).waitFor({ timeout: 15000 });
  await send(alice, live);
  await message(bob.page, live).waitFor();
});

test('the drop control cuts bob\'s socket; what alice sends meanwhile arrives once on reconnect', async () => {
  await bob.page.getByRole('button', { name: 'Drop connection' }).click();
  await bob.page.locator('.badge', { hasText: /reconnecting/ }).waitFor();
  const text = 'Did you get this, bob?';
  await send(alice, text);
  await message(alice.page, text).waitFor();
  await bob.page.locator('.badge', { hasText: 'connected' }).waitFor({ timeout: 15000 });
  await message(bob.page, text).waitFor();
  assert.equal(await bob.page.getByText(text, { exact: true }).count(), 1);

  await bob.page.getByRole('button', { name: 'Go offline' }).click();
  await bob.page.locator('.badge', { hasText: 'offline' }).waitFor();
  await bob.page.getByRole('button', { name: 'Go online' }).click();
  await bob.page.locator('.badge', { hasText: 'connected' }).waitFor();
});

test('the mode badge: a shared worker counts the tabs on it; ?mode=main runs in the page', async () => {
  await admin.page.locator('.mode-badge[data-mode=shared-worker]', { hasText: 'shared worker · 1 tab' }).waitFor();
  // A second tab of admin's browser (the session is per tab: handed over as the page does).
  const session = await admin.page.evaluate(() => sessionStorage.getItem('ssot-demo-session'));
  const second = await admin.context.newPage();
  await second.addInitScript((s) => sessionStorage.setItem('ssot-demo-session', s), session);
  await second.goto(`${gateway.url}/`);
  for (const p of [admin.page, second]) await p.locator('.mode-badge', { hasText: 'shared worker · 2 tabs' }).waitFor();
  await second.locator('.badge', { hasText: 'connected' }).waitFor();
  await second.close();
  await admin.page.locator('.mode-badge', { hasText: 'shared worker · 1 tab' }).waitFor();
  assert.equal(await alice.page.locator('.mode-badge').getAttribute('data-mode'), 'main');
  assert.equal(await alice.page.locator('.mode-badge').textContent(), 'main thread');
});

test('presence drops a user when their page closes', async () => {
  await bob.page.locator('.presence li[data-user=admin]').waitFor();
  await admin.context.close();
  await bob.page.locator('.presence li[data-user=admin]').waitFor({ state: 'detached' });
  await alice.context.close();
  await bob.page.locator('.presence li[data-user=alice]').waitFor({ state: 'detached' });
  assert.deepEqual(await bob.page.locator('.presence li').allTextContents(), ['bob']);
});

test('a session the gateway no longer accepts shows as unauthorized', async () => {
  const context = await browser.newContext({ viewport: { width: 1200, height: 760 } });
  const page = await context.newPage();
  // A well-formed token signed with another secret (as after a gateway restart with a new one).
  const body = Buffer.from(JSON.stringify({ sub: 2, exp: Math.floor(Date.now() / 1000) + 3600 })).toString('base64url');
  const session = { token: `${body}.${Buffer.alloc(32).toString('base64url')}`, user: { id: 2, name: 'bob', role: 'user' } };
  await page.addInitScript((s) => sessionStorage.setItem('ssot-demo-session', s), JSON.stringify(session));
  await page.goto(`${gateway.url}/`);
  await page.locator('.badge', { hasText: 'unauthorized' }).waitFor();
  await page.getByRole('button', { name: 'Sign in again' }).click();
  await page.getByRole('button', { name: 'Sign in as bob' }).click();
  await page.locator('.badge', { hasText: 'connected' }).waitFor();
  await context.close();
});

test('the page runs under its CSP (no eval, no framing) without a single violation', async () => {
  for (const who of pages) {
    assert.match(who.csp ?? '', /script-src 'self' 'wasm-unsafe-eval'(;|$)/, who.user);
    assert.match(who.csp, /frame-ancestors 'none'/, who.user);
    assert.deepEqual(who.violations, [], who.user);
  }
  // Another origin cannot frame it: Chromium shows its error page instead.
  const context = await browser.newContext();
  const page = await context.newPage();
  const blocked = page.waitForEvent('console', { predicate: (m) => /frame-ancestors/.test(m.text()), timeout: WAIT });
  await page.setContent(`<iframe src="${gateway.url}/"></iframe>`);
  await blocked;
  assert.equal(await page.frames()[1].locator('button', { hasText: 'Sign in as' }).count(), 0);
  await context.close();
});

test('no page error and no dialog in any page', () => {
  assert.deepEqual(pages.flatMap((p) => p.errors), []);
  assert.deepEqual(dialogs, []);
});
