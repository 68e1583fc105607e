// The worker modes' lifetimes on injected clocks, in Node: the engine host (the
// worker's side, with a real Client and wasm engine) and tab-side proxies talk
// over real MessageChannel ports. A tab that goes silent is dropped with its
// views after the timeout (not before); the engine closes a grace period after
// the last tab, unless a tab comes back; a tab whose worker goes silent
// re-attaches and opens its views again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from '../../js/index.js';
import { EngineHost } from '../../js/worker/host.js';
import { WorkerClient } from '../../js/worker/tabClient.js';
import { HEARTBEAT_MS, TIMEOUT_MS, GRACE_MS } from '../../js/worker/protocol.js';

// A clock that moves only when told; every(ms, fn) callbacks run on each step.
function fakeClock() {
  let t = 0;
  const timers = new Set();
  return {
    now: () => t,
    every(ms, fn) {
      const timer = { fn };
      timers.add(timer);
      return () => timers.delete(timer);
    },
    step(ms = HEARTBEAT_MS) {
      t += ms;
      for (const timer of [...timers]) timer.fn();
    },
  };
}

const settle = async () => { for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r)); };
const CONFIG = { baseUrl: 'http://127.0.0.1:9/api', requestTimeout: 60000 };

function setup() {
  const hostClock = fakeClock();
  const host = new EngineHost((config) => createClient(config), { clock: hostClock });
  const ports = [];
  // A tab on `host`; crash() closes its port without a word, as a killed tab.
  const tab = async (clock = fakeClock()) => {
    const open = () => {
      const ch = new MessageChannel();
      host.attach(ch.port1);
      ports.push(ch.port1, ch.port2);
      return { port: ch.port2, target: new EventTarget(), close: () => ch.port2.close() };
    };
    const client = new WorkerClient(CONFIG, 'shared-worker', null, open, clock);
    await client._started;
    return { client, clock };
  };
  const close = async () => {
    for (const p of ports) p.close();
    await host.engine?.close();
  };
  return { host, hostClock, tab, close };
}

const views = (host) => host.engine.stats().views;

test('a silent tab is dropped with its views after the timeout, not before', async () => {
  const { host, hostClock, tab, close } = setup();
  const a = await tab();
  const b = await tab();
  a.client.model('Message').watch({});
  b.client.model('Message').watch({ where: { roomId: 1 } });
  b.client.model('Message').watchItem(1);
  await settle();
  assert.equal(host.tabs, 2);
  assert.equal(views(host), 3);
  // b stops (its clock never moves again: no pings); a keeps pinging.
  for (let t = HEARTBEAT_MS; t <= TIMEOUT_MS; t += HEARTBEAT_MS) {
    a.clock.step();
    await settle();
    hostClock.step();
    await settle();
  }
  assert.equal(host.tabs, 2, 'not dropped at the timeout itself');
  a.clock.step();
  await settle();
  hostClock.step();
  await settle();
  assert.equal(host.tabs, 1);
  assert.equal(views(host), 1, "b's two views were closed on the engine");
  assert.equal(a.client.tabs, 1);
  await close();
});

test('the engine closes a grace period after the last tab says bye; a tab back in time keeps it', async () => {
  const { host, hostClock, tab, close } = setup();
  const a = await tab();
  a.client.model('Message').watch({});
  await settle();
  const engine = host.engine;
  await a.client.close(); // bye
  await settle();
  assert.equal(host.tabs, 0);
  assert.equal(views(host), 0, 'the view went with its tab');
  for (let t = HEARTBEAT_MS; t < GRACE_MS; t += HEARTBEAT_MS) hostClock.step();
  assert.equal(engine.closed, false, 'still open within the grace period');
  const b = await tab(); // comes back in time
  for (let t = 0; t < 2 * GRACE_MS; t += HEARTBEAT_MS) {
    b.clock.step();
    await settle();
    hostClock.step();
  }
  assert.equal(host.engine, engine, 'the same engine');
  assert.equal(engine.closed, false);
  await b.client.close();
  await settle();
  for (let t = 0; t < GRACE_MS; t += HEARTBEAT_MS) hostClock.step();
  assert.equal(engine.closed, true, 'closed once the grace period ran out');
  assert.equal(host.engine, null);
  await close();
});

test('a tab whose worker goes silent re-attaches and opens its views again', async () => {
  const { host, hostClock, tab, close } = setup();
  const a = await tab();
  const view = a.client.model('Message').watch({});
  await settle();
  assert.equal(views(host), 1);
  // The host's clock stands still (no pongs): after the timeout the tab gives up on it.
  for (let t = 0; t <= TIMEOUT_MS; t += HEARTBEAT_MS) {
    a.clock.step();
    await settle();
  }
  assert.equal(a.client.reattached, 1);
  await settle();
  assert.equal(host.tabs, 2, 'the old port is still counted until the host drops it');
  for (let t = 0; t <= TIMEOUT_MS + HEARTBEAT_MS; t += HEARTBEAT_MS) {
    a.clock.step();
    await settle();
    hostClock.step();
    await settle();
  }
  assert.equal(host.tabs, 1, 'the old port was dropped');
  assert.equal(views(host), 1, 'the view lives on the new attachment');
  assert.equal(view.closed, false);
  assert.equal(hostClock.now() > 0, true);
  await a.client.close();
  await close();
});

test('messages right behind a hello wait for it; a port that never said hello is refused', async () => {
  const { host, close } = setup();
  const ch = new MessageChannel();
  host.attach(ch.port1);
  const got = [];
  ch.port2.onmessage = (e) => got.push(e.data);
  ch.port2.postMessage({ t: 'hello', v: 1, tab: 'raw', config: CONFIG });
  ch.port2.postMessage({ t: 'watch', id: 7, model: 'Message', query: '{}' });
  await settle();
  assert.equal(got[0].t, 'welcome');
  assert.equal(views(host), 1, 'the watch sent before the welcome was opened');
  const stranger = new MessageChannel();
  host.attach(stranger.port1);
  const answer = new Promise((r) => { stranger.port2.onmessage = (e) => r(e.data); });
  stranger.port2.postMessage({ t: 'watch', id: 1, model: 'Message', query: '{}' });
  assert.deepEqual(await answer, { t: 'refused', reason: 'not attached' });
  const old = new MessageChannel();
  host.attach(old.port1);
  const refused = new Promise((r) => { old.port2.onmessage = (e) => r(e.data); });
  old.port2.postMessage({ t: 'hello', v: 0, tab: 'old', config: CONFIG });
  assert.match((await refused).reason, /protocol 0/);
  for (const p of [ch.port2, stranger.port2, old.port2]) p.close();
  await close();
});

test('bad arguments from a tab come back as an error to that tab; the host carries on', async () => {
  const { host, close } = setup();
  const ch = new MessageChannel();
  host.attach(ch.port1);
  const got = [];
  ch.port2.onmessage = (e) => got.push(e.data);
  ch.port2.postMessage({ t: 'hello', v: 1, tab: 'raw', config: CONFIG });
  ch.port2.postMessage({ t: 'watch', id: 1, model: 'Message', query: '{}' });
  ch.port2.postMessage({ t: 'publish', name: {}, event: 1, json: 2 });
  ch.port2.postMessage({ t: 'req', req: 2, kind: 'get', method: 'get', args: [{}, null] });
  ch.port2.postMessage({ t: 'req', req: 3, kind: 'get', method: 'constructor', args: [] });
  ch.port2.postMessage('nonsense');
  ch.port2.postMessage({ t: 'watch', id: 4, model: 'Message', query: '{"where":{"roomId":1}}' });
  await settle();
  const entries = got.filter((m) => m.t === 'batch').flatMap((m) => m.entries);
  assert.ok(entries.some((e) => e.k === 'error' && /^publish: /.test(e.message)), JSON.stringify(entries));
  assert.ok(entries.some((e) => e.k === 'result' && e.req === 2 && e.ok === false));
  assert.equal(views(host), 2, 'both good watches opened');
  ch.port2.close();
  await close();
});

test('a lost worker: reads in flight are asked again of the new one, writes reject (they may have been applied)', async () => {
  const http = await import('node:http');
  const silent = http.createServer(() => {}); // accepts, never answers
  await new Promise((r) => silent.listen(0, '127.0.0.1', r));
  const baseUrl = `http://127.0.0.1:${silent.address().port}/api`;
  const hostClock = fakeClock();
  const host = new EngineHost((config) => createClient(config), { clock: hostClock });
  const open = () => {
    const ch = new MessageChannel();
    host.attach(ch.port1);
    return { port: ch.port2, target: new EventTarget(), close: () => ch.port2.close() };
  };
  const clock = fakeClock();
  const client = new WorkerClient({ baseUrl, requestTimeout: 60000 }, 'shared-worker', null, open, clock);
  await client._started;
  const read = client.model('Message').get(1);
  const write = client.model('Message').create({ text: 'x' });
  const writeOutcome = write.then(() => null, (e) => e);
  let readSettled = false;
  read.then(() => { readSettled = true; }, () => { readSettled = true; });
  await settle();
  const before = host.engine.stats().httpRequests;
  for (let t = 0; t <= TIMEOUT_MS; t += HEARTBEAT_MS) {
    clock.step();
    await settle();
  }
  assert.equal(client.reattached, 1);
  const e = await writeOutcome;
  assert.equal(e?.code, 'network');
  assert.match(e.message, /engine worker was lost/);
  await settle();
  assert.equal(host.engine.stats().httpRequests, before + 1, 'the read went out again, the write did not');
  assert.equal(readSettled, false, 'the read waits for its answer');
  await client.close();
  await assert.rejects(read, (e) => e.code === 'closed');
  await host.engine?.close();
  silent.closeAllConnections?.();
  silent.close();
});
