// Record state in real Chromium: optimistic rows are ordered by the core's own
// query code (UTF-8 byte order, as the server's), so confirmation never moves them;
// and a gateway restarted on a fresh database (its seqs start over, a new epoch)
// is followed: the page's live view ends equal to the new server's list.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway } from '../support/gateway.js';
import { startBrowser } from '../support/browser.js';

let b;
before(async () => { b = await startBrowser(); });
after(async () => { await b?.close(); });

const RECONNECT = { baseDelay: 50, maxDelay: 200, maxAttempts: 0, jitter: 0 };

async function openView(gw, user, query) {
  const opened = await b.openPage();
  const token = await gw.login(user);
  await opened.page.evaluate(async ({ baseUrl, wsUrl, token, query, reconnect }) => {
    window.client = await window.ssot.createClient({
      baseUrl, token,
      websockets: { enabled: true, url: wsUrl, pubsub: { models: { Message: {} } }, reconnect, batching: { enabled: false } },
    });
    window.view = window.client.model('Message').watch(query);
  }, { baseUrl: gw.baseUrl, wsUrl: gw.wsUrl, token, query, reconnect: RECONNECT });
  await opened.page.waitForFunction(() => window.view.getSnapshot().status === 'ready');
  return opened;
}

test('optimistic rows of "a～" and "a😀" keep their positions when the server confirms them', async () => {
  const gw = await startGateway({ config: { websockets: {}, cors: { origins: [b.origin] } } });
  try {
    const { page, context, errors } = await openView(gw, 'alice', { where: { roomId: 1 }, orderBy: { text: 'asc' } });
    const texts = ['a\uFF5E', 'a\u{1F600}'];  // UTF-16 order: 😀 first; UTF-8 (core, SQLite): ～ first
    const seen = await page.evaluate(async (texts) => {
      const m = window.client.model('Message');
      const calls = texts.map((text) => m.create({ roomId: 1, text }, { optimistic: true }));
      await new Promise((r) => queueMicrotask(r));
      const shown = window.view.getSnapshot();
      const before = { texts: shown.items.map((x) => x.text), pending: shown.pending.length };
      const records = await Promise.all(calls);
      const ids = new Set(records.map((r) => r.id));
      await new Promise((resolve) => {
        const done = (s) => s.pending.length === 0 && s.items.filter((x) => ids.has(x.id)).length === 2;
        if (done(window.view.getSnapshot())) return resolve();
        const off = window.view.subscribe((s) => { if (done(s)) { off(); resolve(); } });
      });
      return { before, after: window.view.getSnapshot().items.map((x) => x.text) };
    }, texts);
    assert.equal(seen.before.pending, 2, 'both rows shown at once, pending');
    assert.deepEqual(seen.after, seen.before.texts, 'no row moved on confirmation');
    assert.ok(seen.after.indexOf(texts[0]) < seen.after.indexOf(texts[1]), 'UTF-8 byte order');
    const server = await gw.request('GET', `/messages?where=${encodeURIComponent('{"roomId":1}')}&orderBy=${encodeURIComponent('{"text":"asc"}')}`,
      { token: await gw.login('alice') });
    assert.deepEqual(server.body.items.map((x) => x.text), seen.after, 'the server orders them the same');
    assert.deepEqual(errors, []);
    await context.close();
  } finally {
    await gw.stop();
  }
});

test('a gateway restarted on a fresh database: the live view converges to the new server', async () => {
  const gw = await startGateway({ dbPath: ':memory:', config: { websockets: {}, cors: { origins: [b.origin] } } });
  try {
    const { page, context, errors } = await openView(gw, 'alice', { where: { roomId: 1 }, orderBy: { id: 'asc' } });
    const token = await gw.login('alice');
    for (let i = 0; i < 12; i++) await gw.request('POST', '/messages', { token, body: { roomId: 1, text: `before ${i}` } });
    await page.waitForFunction(() => window.view.getSnapshot().items.some((m) => m.text === 'before 11'), null, { timeout: 10000 });
    await gw.restart();  // a new :memory: database: seed data only, seqs from 0, a new epoch
    for (const text of ['after 0', 'after 1']) await gw.request('POST', '/messages', { token, body: { roomId: 1, text } });
    const server = await gw.request('GET', `/messages?where=${encodeURIComponent('{"roomId":1}')}`, { token });
    const want = server.body.items.map((m) => `${m.id}:${m.text}`);
    await page.waitForFunction((want) => {
      const got = window.view.getSnapshot().items.map((m) => `${m.id}:${m.text}`);
      return got.length === want.length && got.every((x, i) => x === want[i]);
    }, want, { timeout: 15000 });
    assert.deepEqual(errors, []);
    await context.close();
  } finally {
    await gw.stop();
  }
});
