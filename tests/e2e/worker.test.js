// mode 'shared-worker' in real Chromium against the real gateway (in-process, so
// the test reads the gateway's own count of sockets and channels): three tabs
// of one browser context share one engine and one WebSocket; a message created
// in one shows in all three; closed tabs release their channels; a killed worker
// is replaced and the tabs recover their lists; two users never share an engine.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../../demo/server/server.js';
import { TEST_SECRET } from '../support/gateway.js';
import { startBrowser } from '../support/browser.js';

const WAIT = 15000;
let srv, b;

before(async () => {
  b = await startBrowser();
  srv = await startServer({ port: 0, db: ':memory:', secret: TEST_SECRET, config: { websockets: {}, cors: { origins: [b.origin] } }, log: () => {} });
});

after(async () => {
  await b?.close();
  await srv?.close();
});

async function login(user) {
  const res = await fetch(`${srv.url}/api/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: user, password: user }) });
  return (await res.json()).token;
}

const waitFor = async (what, pred) => {
  const until = Date.now() + WAIT;
  for (;;) {
    const v = await pred();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

// A tab (page) in `context` with a shared-worker client and a view of room 1's
// messages; `extra`: 'room2' joins chat:room:2, 'item' watches message 1, else chat:room:1.
async function openTab(context, token, extra = 'room1') {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  await page.goto(b.origin + '/');
  await page.waitForFunction(() => window.ready === true);
  await page.evaluate(async ({ baseUrl, wsUrl, token, extra }) => {
    window.client = await window.ssot.createClient({
      baseUrl, token, mode: 'shared-worker',
      websockets: { enabled: true, url: wsUrl, pubsub: { models: { Message: {} }, channels: { 'chat:room:{roomId}': {} } } },
    });
    window.view = window.client.model('Message').watch({ where: { roomId: 1 }, orderBy: { id: 'asc' } });
    window.extra = extra === 'item' ? window.client.model('Message').watchItem(1)
      : window.client.channel('chat:room:{roomId}', { roomId: extra === 'room2' ? 2 : 1 });
  }, { baseUrl: srv.url + '/api', wsUrl: srv.url.replace('http', 'ws') + '/ws', token, extra });
  await page.waitForFunction(() => window.view.getSnapshot().status === 'ready' &&
    (window.extra.status ?? window.extra.getSnapshot().status) === 'ready', null, { timeout: WAIT });
  return { page, errors };
}

const texts = (page) => page.evaluate(() => window.view.getSnapshot().items.map((m) => m.text));

test('three tabs share one engine and one socket', { timeout: 60000 }, async () => {
  const context = await b.browser.newContext();
  const token = await login('alice');
  const tabs = [];
  for (const extra of ['room1', 'room2', 'item']) tabs.push(await openTab(context, token, extra));
  const [mode, n] = await tabs[0].page.evaluate(() => [window.client.mode, window.client.tabs]);
  assert.equal(mode, 'shared-worker');
  await waitFor('3 tabs', () => tabs[0].page.evaluate(() => window.client.tabs === 3));
  assert.equal(srv.gateway.stats().connections, 1);
  const text = `from tab 2 ${Date.now()}`;
  await tabs[1].page.evaluate((text) => window.client.model('Message').create({ roomId: 1, text }), text);
  for (const t of tabs) await t.page.waitForFunction((text) => window.view.getSnapshot().items.some((m) => m.text === text), text, { timeout: WAIT });
  console.log(n, srv.gateway.stats());
  await context.close();
});
