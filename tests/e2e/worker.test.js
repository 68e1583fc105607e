// mode 'shared-worker' in real Chromium against the real gateway (in-process, so
// the test reads the gateway's own count of sockets and channels): three tabs
// of one browser context share one engine and one WebSocket; a message created
// in one shows in all three; closed tabs release their channels; a killed worker
// is replaced and the tabs recover their lists; two users never share an engine.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../../demo/server/server.js';
import http from 'node:http';
import { TEST_SECRET } from '../support/gateway.js';
import { signToken } from '../../demo/server/auth.js';
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
async function openTab(context, token, extra = 'room1', { baseUrl = srv.url + '/api', getToken = false } = {}) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  await page.goto(b.origin + '/');
  await page.waitForFunction(() => window.ready === true);
  await page.evaluate(async ({ baseUrl, wsUrl, token, extra, getToken }) => {
    window.states = [];
    window.asked = 0;
    window.client = await window.ssot.createClient({
      baseUrl, token, mode: 'shared-worker',
      getToken: getToken ? () => { window.asked++; return window.nextToken ?? null; } : undefined,
      websockets: { enabled: true, url: wsUrl, pubsub: { models: { Message: {} }, channels: { 'chat:room:{roomId}': {} } } },
    });
    window.client.connection.subscribe((c) => window.states.push(c.state));
    window.view = window.client.model('Message').watch({ where: { roomId: 1 }, orderBy: { id: 'asc' } });
    window.extra = extra === 'item' ? window.client.model('Message').watchItem(1)
      : window.client.channel('chat:room:{roomId}', { roomId: extra === 'room2' ? 2 : 1 });
  }, { baseUrl, wsUrl: srv.url.replace('http', 'ws') + '/ws', token, extra, getToken });
  await page.waitForFunction(() => window.view.getSnapshot().status === 'ready' &&
    (window.extra.status ?? window.extra.getSnapshot().status) === 'ready', null, { timeout: WAIT });
  return { page, errors };
}

const texts = (page) => page.evaluate(() => window.view.getSnapshot().items.map((m) => m.text));
const shows = (page, text) => page.waitForFunction((text) => window.view.getSnapshot().items.some((m) => m.text === text), text, { timeout: WAIT });
const create = (page, text) => page.evaluate((text) => window.client.model('Message').create({ roomId: 1, text }), text);

// The shared workers' DevTools targets (the browser-wide CDP session sees them).
async function sharedWorkers() {
  const cdp = await b.browser.newBrowserCDPSession();
  const { targetInfos } = await cdp.send('Target.getTargets');
  return { cdp, workers: targetInfos.filter((t) => t.type === 'shared_worker') };
}

test('three tabs share one engine and one socket; closed tabs release their channels', { timeout: 60000 }, async () => {
  const context = await b.browser.newContext();
  const token = await login('alice');
  const tabs = [];
  for (const extra of ['room1', 'room2', 'item']) tabs.push(await openTab(context, token, extra));
  assert.equal(await tabs[0].page.evaluate(() => window.client.mode), 'shared-worker');
  await waitFor('three tabs attached', () => tabs[0].page.evaluate(() => window.client.tabs === 3));
  assert.equal(srv.gateway.stats().connections, 1, 'one WebSocket for three tabs');
  assert.equal((await sharedWorkers()).workers.length, 1);

  const text = `from tab 2 ${Date.now()}`;
  await create(tabs[1].page, text);
  for (const t of tabs) await shows(t.page, text);

  // Two tabs go (one closed, one crashed): their channels (chat:room:2, Message:item:1) are released.
  const before = srv.gateway.stats().channels;
  await tabs[1].page.close();
  const cdp = await tabs[2].page.context().newCDPSession(tabs[2].page);
  cdp.send('Page.crash').catch(() => {}); // never answers: the renderer is gone
  await waitFor('two channels released', () => srv.gateway.stats().channels === before - 2);
  await waitFor('one tab left', () => tabs[0].page.evaluate(() => window.client.tabs === 1));
  const later = `after the others left ${Date.now()}`;
  await create(tabs[0].page, later);
  await shows(tabs[0].page, later);
  assert.equal(await tabs[0].page.evaluate(() => window.extra.status), 'ready', 'the third tab keeps its channel');
  assert.equal(srv.gateway.stats().connections, 1);
  assert.deepEqual(tabs[0].errors, []);
  await context.close();
});

test('a killed worker is replaced; the tabs re-attach with the right lists', { timeout: 60000 }, async () => {
  const context = await b.browser.newContext();
  const token = await login('alice');
  const tabs = [await openTab(context, token), await openTab(context, token)];
  const first = `before the kill ${Date.now()}`;
  await create(tabs[0].page, first);
  for (const t of tabs) await shows(t.page, first);
  const { cdp, workers } = await sharedWorkers();
  assert.equal(workers.length, 1);
  await cdp.send('Target.closeTarget', { targetId: workers[0].targetId });
  // Written while no worker runs, by another user through the REST API.
  const bob = await login('bob');
  const during = `while the worker was down ${Date.now()}`;
  const res = await fetch(`${srv.url}/api/messages`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${bob}` }, body: JSON.stringify({ roomId: 1, text: during }) });
  assert.equal(res.status, 201);
  for (const t of tabs) await shows(t.page, during);
  const expected = (await (await fetch(`${srv.url}/api/messages?where=${encodeURIComponent(JSON.stringify({ roomId: 1 }))}&orderBy=${encodeURIComponent(JSON.stringify({ id: 'asc' }))}`, { headers: { Authorization: `Bearer ${token}` } })).json());
  const want = (expected.items ?? expected).map((m) => m.text);
  for (const t of tabs) {
    assert.deepEqual(await texts(t.page), want);
    assert.equal(await t.page.evaluate(() => window.client.reattached), 1);
    await t.page.waitForFunction(() => window.client.connection.state === 'open' && window.extra.status === 'ready', null, { timeout: WAIT });
  }
  await waitFor('a new worker with both tabs', () => tabs[0].page.evaluate(() => window.client.tabs === 2));
  await waitFor('one socket again', () => srv.gateway.stats().connections === 1);
  const after = `after the kill ${Date.now()}`;
  await create(tabs[1].page, after);
  for (const t of tabs) await shows(t.page, after);
  await context.close();
});

test('two users in two browser contexts never share an engine', { timeout: 60000 }, async () => {
  const ca = await b.browser.newContext();
  const cb = await b.browser.newContext();
  const alice = await openTab(ca, await login('alice'));
  const bob = await openTab(cb, await login('bob'));
  const names = (await sharedWorkers()).workers.map((w) => w.title);
  assert.equal(new Set(names).size, 2, `one worker per user: ${names}`);
  await waitFor('two sockets', () => srv.gateway.stats().connections === 2);
  // Room 2 (staff) is alice's and admin's: bob's engine never gets its messages.
  const staff = async (p) => {
    await p.evaluate(() => { window.staff = window.client.model('Message').watch({ where: { roomId: 2 } }); });
    await p.waitForFunction(() => window.staff.getSnapshot().status !== 'loading', null, { timeout: WAIT });
    return p.evaluate(() => window.staff.getSnapshot().items.length);
  };
  assert.ok(await staff(alice.page) > 0, 'alice sees the staff room');
  assert.equal(await staff(bob.page), 0, 'bob does not');
  assert.equal(await alice.page.evaluate(() => window.client.tabs), 1);
  assert.equal(await bob.page.evaluate(() => window.client.tabs), 1);
  await ca.close();
  await cb.close();
});

test('without SharedWorker the client falls back to a dedicated worker, without Worker to the main thread', { timeout: 60000 }, async () => {
  const context = await b.browser.newContext();
  const token = await login('alice');
  const page = await context.newPage();
  await page.goto(b.origin + '/');
  await page.waitForFunction(() => window.ready === true);
  const modes = await page.evaluate(async ({ baseUrl, token }) => {
    const out = [];
    const SW = window.SharedWorker;
    const W = window.Worker;
    delete window.SharedWorker;
    let c = await window.ssot.createClient({ baseUrl, token, mode: 'shared-worker' });
    const v = c.model('Message').watch({ where: { roomId: 1 } });
    await new Promise((r) => { const off = v.subscribe((s) => { if (s.status === 'ready') { off(); r(); } }); });
    out.push([c.mode, c.modeFallback, v.getSnapshot().items.length > 0]);
    await c.close();
    delete window.Worker;
    c = await window.ssot.createClient({ baseUrl, token, mode: 'shared-worker' });
    out.push([c.mode, c.modeFallback]);
    await c.close();
    window.SharedWorker = SW;
    window.Worker = W;
    // A worker script that is not there: the engine runs in the page.
    c = await window.ssot.createClient({ baseUrl, token, mode: 'shared-worker', workerUrl: '/js/worker/missing.js' });
    out.push([c.mode, c.modeFallback.requested, c.modeFallback.reason]);
    await c.close();
    return out;
  }, { baseUrl: srv.url + '/api', token });
  assert.deepEqual(modes[0], ['worker', { requested: 'shared-worker', reason: 'SharedWorker is not available' }, true]);
  assert.deepEqual(modes[1], ['main', { requested: 'shared-worker', reason: 'neither SharedWorker nor Worker is available' }]);
  assert.deepEqual(modes[2].slice(0, 2), ['main', 'shared-worker']);
  assert.match(modes[2][2], /the engine worker failed/);
  await context.close();
});

// The gateway behind a proxy that can hold its answers to POSTs (the optimistic
// rows stay pending until they are let go).
async function holdingProxy() {
  const held = [];
  const proxy = { holding: false, held, release() { while (held.length) held.shift()(); } };
  const server = http.createServer((req, res) => {
    const up = http.request(srv.url + req.url, { method: req.method, headers: req.headers }, (answer) => {
      const go = () => { res.writeHead(answer.statusCode, answer.headers); answer.pipe(res); };
      if (proxy.holding && req.method === 'POST') held.push(go);
      else go();
    });
    req.pipe(up);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  proxy.baseUrl = `http://127.0.0.1:${server.address().port}/api`;
  proxy.close = () => server.close();
  return proxy;
}

const pendingTexts = (page) => page.evaluate(() => {
  const s = window.view.getSnapshot();
  return s.items.filter((m) => s.pending.includes(m.id)).map((m) => m.text ?? null);
});

test('an optimistic row made in one tab is pending in the other, then confirmed or rolled back in both', { timeout: 60000 }, async () => {
  const proxy = await holdingProxy();
  const context = await b.browser.newContext();
  const token = await login('alice');
  const [a, bTab] = [await openTab(context, token, 'room1', proxy), await openTab(context, token, 'room1', proxy)];
  proxy.holding = true;
  const ok = `optimistic ${Date.now()}`;
  await a.page.evaluate((text) => { window.good = window.client.model('Message').create({ roomId: 1, text }, { optimistic: { authorId: 1 } }); }, ok);
  // Refused by the gateway (no text): rolled back everywhere.
  await a.page.evaluate(() => { window.bad = window.client.model('Message').create({ roomId: 1 }, { optimistic: { authorId: 1 } }).catch((e) => e.status); });
  // The refused one stays pending in both tabs until its answer is let go (the
  // other is confirmed by the gateway's broadcast, which does not wait for it).
  for (const t of [a, bTab]) {
    await waitFor('the refused row pending', async () => (await pendingTexts(t.page)).includes(null));
    await shows(t.page, ok);
  }
  await waitFor('both creates at the gateway', () => proxy.held.length === 2);
  assert.deepEqual(await pendingTexts(bTab.page), [null], 'pending in the other tab');
  proxy.holding = false;
  proxy.release();
  assert.equal(await a.page.evaluate(() => window.bad), 400);
  assert.equal((await a.page.evaluate(() => window.good)).text, ok);
  for (const t of [a, bTab]) {
    await waitFor('nothing pending', async () => (await pendingTexts(t.page)).length === 0);
    const rows = await texts(t.page);
    assert.equal(rows.filter((x) => x === ok).length, 1, 'the confirmed row once');
    assert.ok(!rows.includes(undefined), 'the refused row is gone');
  }
  await context.close();
  proxy.close();
});

test('channels from any tab: an event reaches the other tabs and the other users; presence is shared', { timeout: 60000 }, async () => {
  const ca = await b.browser.newContext();
  const cb = await b.browser.newContext();
  const a1 = await openTab(ca, await login('alice'));
  const a2 = await openTab(ca, await login('alice'));
  const bob = await openTab(cb, await login('bob'));
  for (const t of [a1, a2, bob]) await t.page.evaluate(() => { window.got = []; window.extra.on('message', (d, info) => window.got.push([d.text, info.from])); });
  const sent = await a1.page.evaluate(() => window.extra.publish('message', { text: 'hi from tab 1' }));
  assert.equal(sent, true);
  for (const t of [a2, bob]) await t.page.waitForFunction(() => window.got.length === 1, null, { timeout: WAIT });
  assert.deepEqual(await a2.page.evaluate(() => window.got), [['hi from tab 1', 1]]);
  assert.deepEqual(await bob.page.evaluate(() => window.got), [['hi from tab 1', 1]]);
  assert.deepEqual(await a1.page.evaluate(() => window.got), [], 'not back to its sender');
  const members = (p) => p.evaluate(() => window.extra.presence.members.map((m) => m.userId).sort());
  await waitFor('presence in every tab', async () => (await members(a2.page)).join() === '1,2' && (await members(a1.page)).join() === '1,2');
  await ca.close();
  await cb.close();
});

test('a 4401 reaches every tab; getToken runs in a tab and its token goes to the worker', { timeout: 60000 }, async () => {
  const context = await b.browser.newContext();
  // Long enough for both tabs to open on a loaded machine (CI runs two suites at once: at 4 s
  // the second tab's subscriptions met the 4401), short enough to expire within the wait.
  const exp = Math.floor(Date.now() / 1000) + 10;
  const short = signToken({ sub: 1, exp }, TEST_SECRET);
  const withToken = await openTab(context, short, 'room1', { getToken: true });
  const without = await openTab(context, short);
  // First the refresh fails (getToken answers null): every tab shows 'unauthorized'.
  for (const t of [withToken, without]) await t.page.waitForFunction(() => window.client.connection.state === 'unauthorized', null, { timeout: WAIT });
  assert.ok(await withToken.page.evaluate(() => window.asked) >= 1, 'getToken ran in the tab');
  // Then a fresh token: reconnect, and every tab is open again.
  await withToken.page.evaluate((t) => { window.nextToken = t; }, await login('alice'));
  await without.page.evaluate(() => window.client.connect());
  for (const t of [withToken, without]) await t.page.waitForFunction(() => window.client.connection.state === 'open', null, { timeout: WAIT });
  const text = `after the refresh ${Date.now()}`;
  await create(without.page, text);
  for (const t of [withToken, without]) await shows(t.page, text);
  await context.close();
});

test('setWindow through the worker: the rows of the window and the total; unchanged rows keep their objects', { timeout: 60000 }, async () => {
  const context = await b.browser.newContext();
  const token = await login('alice');
  const { page, errors } = await openTab(context, token);
  const all = await page.evaluate(() => window.view.getSnapshot().items.map((m) => m.id));
  await page.evaluate(() => {
    window.view.setWindow(0, 2);
  });
  await page.waitForFunction(() => window.view.getSnapshot().items.length === 2, null, { timeout: WAIT });
  const total = await page.evaluate(() => { window.first = window.view.getSnapshot().items[0]; return window.view.getSnapshot().total; });
  assert.equal(total, all.length);
  await create(page, `outside the window ${Date.now()}`);
  await page.waitForFunction((n) => window.view.getSnapshot().total === n + 1, all.length, { timeout: WAIT });
  assert.deepEqual(await page.evaluate(() => [window.view.getSnapshot().items.length, window.view.getSnapshot().items[0] === window.first]), [2, true]);
  await page.evaluate(() => window.view.setWindow(1, 2));
  await page.waitForFunction(() => window.view.getSnapshot().start === 1, null, { timeout: WAIT });
  assert.deepEqual(await page.evaluate(() => window.view.getSnapshot().items.map((m) => m.id)), all.slice(1, 3));
  assert.deepEqual(errors, []);
  await context.close();
});

test('one browser context: a client whose getToken may sign it in later never shares the anonymous engine', { timeout: 60000 }, async () => {
  const context = await b.browser.newContext();
  const page = await context.newPage();
  await page.goto(b.origin + '/');
  await page.waitForFunction(() => window.ready === true);
  const got = await page.evaluate(async ({ baseUrl }) => {
    const anon = await window.ssot.createClient({ baseUrl, mode: 'shared-worker' });
    const anon2 = await window.ssot.createClient({ baseUrl, mode: 'shared-worker' });
    const later = await window.ssot.createClient({ baseUrl, mode: 'shared-worker', getToken: () => null });
    const out = [anon.mode, later.mode, anon2.tabs, later.tabs];
    await Promise.all([anon.close(), anon2.close(), later.close()]);
    return out;
  }, { baseUrl: srv.url + '/api' });
  assert.deepEqual(got, ['shared-worker', 'shared-worker', 2, 1], 'anonymous clients share one engine; the one with getToken has its own');
  await context.close();
});
