// The worker modes' lifetimes on injected clocks, in Node: the engine host (the
// worker's side, with a real Client and wasm engine) and tab-side proxies talk
// over real MessageChannel ports; Web Locks are a stand-in shared by both sides.
// A tab that goes silent is dropped with its views after the timeout (not
// before); the engine closes a grace period after the last tab, unless a tab
// comes back; a tab whose worker goes silent re-attaches and is counted once.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { TIMEOUT_MS, GRACE_MS, HEARTBEAT_MS, FROZEN_MS } from '../../js/worker/protocol.js';
import { closeAll, CONFIG, HELLO, setup, fakeLocks, waitFor, stepUntil, settledWithin } from './worker_helpers.js';

const views = (engine) => engine.stats().views;
const steps = (clock, ms) => { for (let t = 0; t < ms; t += HEARTBEAT_MS) clock.step(); };
// The attachment (tab's port) got the entries of a view: its watch reached the host.
const gotView = (att) => att?.fromHost.some((m) => m.t === 'batch' && m.entries.some((e) => e.k === 'view'));

afterEach(closeAll);

test('a silent tab is dropped with its views after the timeout, not before', async () => {
  const locks = fakeLocks();
  const { host, hostClock, tab, engine, close } = setup({ locks });
  const a = await tab(); // holds its Web Lock: never dropped for silence
  const b = await tab(CONFIG, { tabLocks: null }); // no lock: the heartbeat alone watches it
  a.client.model('Message').watch({});
  b.client.model('Message').watch({ where: { roomId: 1 } });
  b.client.model('Message').watchItem(1);
  await waitFor('three views', () => views(engine()) === 3);
  assert.equal(host.tabs, 2);
  // Nobody pings: b was last heard at the host's time 0.
  steps(hostClock, TIMEOUT_MS);
  assert.equal(host.tabs, 2, 'not dropped at the timeout itself');
  hostClock.step();
  assert.equal(host.tabs, 1);
  assert.equal(views(engine()), 1, "b's two views were closed on the engine");
  await waitFor('a told of one tab', () => a.client.tabs === 1);
  await a.client.close();
  await close();
});

test('the engine closes a grace period after the last tab says bye; a tab back in time keeps it', async () => {
  const locks = fakeLocks();
  const { host, hostClock, tab, engines, close } = setup({ locks });
  const a = await tab();
  a.client.model('Message').watch({});
  await waitFor('the view', () => views(engines[0]) === 1);
  await a.client.close(); // bye
  await waitFor('a gone', () => host.tabs === 0);
  assert.equal(views(engines[0]), 0, 'the view went with its tab');
  steps(hostClock, GRACE_MS - HEARTBEAT_MS);
  assert.equal(engines[0].closed, false, 'still open within the grace period');
  const b = await tab(); // comes back in time
  steps(hostClock, 2 * GRACE_MS);
  assert.equal(engines.length, 1, 'the same engine');
  assert.equal(engines[0].closed, false);
  await b.client.close();
  await waitFor('b gone', () => host.tabs === 0);
  steps(hostClock, GRACE_MS - HEARTBEAT_MS);
  assert.equal(engines[0].closed, false);
  hostClock.step();
  assert.equal(engines[0].closed, true, 'closed once the grace period ran out');
  await close();
});

test('a tab that re-attaches to a worker still alive is counted once: its old session goes at its hello', async () => {
  const locks = fakeLocks();
  const { host, hostClock, tab, engine, close } = setup({ locks });
  const a = await tab();
  const other = await tab();
  const view = a.client.model('Message').watch({});
  await waitFor('the view', () => views(engine()) === 1);
  // The host's clock stands still (no pongs): after the timeout the tab gives up on it and attaches again.
  await stepUntil('a re-attaches', [a.clock], () => a.client.reattached === 1);
  await waitFor('the view opened on the new attachment', () => gotView(a.log[1]));
  assert.equal(host.tabs, 2, 'a once, and the other tab');
  assert.equal(views(engine()), 1, 'the old session\'s view was closed');
  await waitFor('a told of two tabs', () => a.client.tabs === 2);
  // Both hold their locks: nobody is dropped for silence, and a stays counted once.
  steps(hostClock, 3 * TIMEOUT_MS);
  assert.equal(host.tabs, 2);
  assert.equal(view.closed, false);
  await a.client.close();
  await waitFor('a gone', () => host.tabs === 1);
  assert.equal(views(engine()), 0);
  await other.client.close();
  await close();
});

test('messages right behind a hello wait for it; a port that never said hello is refused; other versions are refused', async () => {
  const { host, raw, engine, close } = setup();
  const ch = new MessageChannel();
  host.attach(ch.port1);
  ch.port2.postMessage({ ...HELLO, tab: 'x', config: CONFIG });
  ch.port2.postMessage({ t: 'watch', id: 7, model: 'Message', query: '{}' });
  const got = [];
  ch.port2.onmessage = (e) => got.push(e.data);
  await waitFor('the view entry', () => got.some((m) => m.t === 'batch' && m.entries.some((e) => e.k === 'view' && e.view === 7)));
  assert.equal(got[0].t, 'welcome');
  ch.port2.close();
  const stranger = new MessageChannel();
  host.attach(stranger.port1);
  const answer = new Promise((r) => { stranger.port2.onmessage = (e) => r(e.data); });
  stranger.port2.postMessage({ t: 'watch', id: 1, model: 'Message', query: '{}' });
  assert.deepEqual(await answer, { t: 'refused', reason: 'not attached' });
  stranger.port2.close();
  assert.match((await raw({ v: 0 })).answer.reason, /protocol 0/);
  assert.match((await raw({ pkg: '0.0.1' })).answer.reason, /package 0\.0\.1/, 'a tab of another release');
  assert.match((await raw({ tab: undefined })).answer.reason, /tab id/);
  assert.ok(engine());
  await close();
});

test('bad arguments from a tab come back as an error to that tab; a malformed request is answered; the host carries on', async () => {
  const { raw, engine, close } = setup();
  const t = await raw({ tab: 'raw' });
  t.send({ t: 'watch', id: 1, model: 'Message', query: '{}' });
  t.send({ t: 'publish', name: {}, event: 1, json: 2 });
  t.send({ t: 'req', req: 2, kind: 'get', method: 'get', args: [{}, null] });
  t.send({ t: 'req', req: 3, kind: 'get', method: 'constructor', args: [] });
  t.send({ t: 'req', req: 4, kind: 'get', method: 'get' });
  t.send({ t: 'publish', name: 'chat:room:1', event: 'typing', json: '{}', guess: true });
  t.send('nonsense');
  t.send({ t: 'watch', id: 5, model: 'Message', query: '{"where":{"roomId":1}}' });
  await waitFor('every answer', () => t.entries().filter((e) => e.k === 'result').length === 3 && views(engine()) === 2);
  const entries = t.entries();
  assert.ok(entries.some((e) => e.k === 'error' && /^publish: /.test(e.message)), JSON.stringify(entries));
  assert.ok(entries.some((e) => e.k === 'result' && e.req === 2 && e.ok === false));
  for (const req of [3, 4]) assert.ok(entries.some((e) => e.k === 'result' && e.req === req && e.ok === false && e.code === 'invalid'), `req ${req} answered`);
  assert.ok(entries.some((e) => e.k === 'error' && e.code === 'publish'), 'a publish the tab thought sent, not sent: said');
  await close();
});

test('a lost worker: reads in flight are asked again of the new one, writes reject (they may have been applied)', async () => {
  const silent = http.createServer(() => {}); // accepts, never answers
  await new Promise((r) => silent.listen(0, '127.0.0.1', r));
  const baseUrl = `http://127.0.0.1:${silent.address().port}/api`;
  const { tab, engine, close } = setup();
  const a = await tab({ baseUrl, requestTimeout: 60000 }, { tabLocks: null });
  const read = a.client.model('Message').get(1);
  const write = a.client.model('Message').create({ text: 'x' });
  const writeOutcome = write.then(() => null, (e) => e);
  await waitFor('both requests out', () => engine().stats().httpRequests === 2);
  await stepUntil('a re-attaches', [a.clock], () => a.client.reattached === 1);
  const e = await writeOutcome;
  assert.equal(e?.code, 'network');
  assert.match(e.message, /engine worker was lost/);
  await waitFor('the read asked again', () => engine().stats().httpRequests === 3);
  assert.equal(await settledWithin(read, 200), 'pending', 'the read waits for its answer');
  await a.client.close();
  await assert.rejects(read, (e) => e.code === 'closed');
  await close();
  silent.closeAllConnections?.();
  silent.close();
});

test('a failed re-attach: requests reject with code network at once, and attaching is tried again with backoff', async () => {
  const { host, tab, engine, close } = setup();
  let broken = false;
  let tries = 0;
  const opener = (open) => () => {
    tries++;
    if (broken) throw new Error('no worker today');
    return open();
  };
  const errors = [];
  const a = await tab({ ...CONFIG, onError: (e) => errors.push(e) }, { tabLocks: null, opener });
  a.client.model('Message').watch({});
  await waitFor('the view', () => views(engine()) === 1);
  broken = true;
  await stepUntil('a lost its worker', [a.clock], () => a.client.connection.state === 'reconnecting' && a.client.connection.error?.includes('could not be reached'));
  const get = a.client.model('Message').get(1);
  assert.equal(await settledWithin(get), 'settled', 'a request while detached does not hang');
  await assert.rejects(get, (e) => e.code === 'network');
  assert.equal(errors.length, 1, 'reported once');
  const failed = tries;
  a.clock.step(); // 1 s later: tried again, still broken; the next try 2 s later
  assert.equal(tries, failed + 1);
  a.clock.step();
  assert.equal(tries, failed + 1, 'backoff: not tried again after 1 s');
  broken = false;
  await stepUntil('attached again', [a.clock], () => a.client.connection.state !== 'reconnecting');
  assert.equal(host.tabs, 1);
  await waitFor('the view opened again', () => views(engine()) === 1);
  const again = a.client.model('Message').get(1).catch((e) => e);
  assert.equal(await settledWithin(again, 5000), 'settled');
  assert.notEqual((await again).message, undefined);
  assert.doesNotMatch((await again).message, /not attached/, 'the request went to the worker');
  await a.client.close();
  await close();
});

test('a lock-exempt tab that stays frozen is dropped; a tab whose lock could not be had is watched by the heartbeat', async () => {
  const locks = fakeLocks();
  const { host, hostClock, tab, engine, close } = setup({ locks });
  const a = await tab();
  a.client.model('Message').watch({});
  await waitFor('the view', () => views(engine()) === 1);
  steps(hostClock, FROZEN_MS);
  assert.equal(host.tabs, 1, 'not yet');
  hostClock.step();
  assert.equal(host.tabs, 0, 'frozen for too long: dropped, its view released');
  assert.equal(views(engine()), 0);
  await a.client.close();
  await close();

  const refusing = { request: () => Promise.reject(new Error('SecurityError')) };
  const s = setup({ locks: refusing });
  const b = await s.tab(CONFIG, { tabLocks: fakeLocks() }); // the tab holds one; the worker cannot wait on it
  await new Promise((r) => setTimeout(r, 10)); // the refusal comes back as a rejected promise
  steps(s.hostClock, TIMEOUT_MS + HEARTBEAT_MS);
  assert.equal(s.host.tabs, 0, 'dropped for silence');
  await b.client.close();
  await s.close();
});

test('a re-attach says the latest token the tab got from getToken', async () => {
  const { signToken } = await import('../../demo/server/auth.js');
  const first = signToken({ sub: 1, exp: 100 }, 's');
  const fresh = signToken({ sub: 1, exp: 200 }, 's');
  const { tab, configs, close } = setup();
  const a = await tab({ ...CONFIG, token: first, getToken: () => fresh }, { tabLocks: null });
  assert.equal(await configs[0].getToken(), fresh, 'the engine asked the tab');
  await stepUntil('a re-attaches', [a.clock], () => a.client.reattached === 1);
  await waitFor('the second hello', () => a.log[1]?.toHost.length > 0);
  assert.equal(a.log[0].toHost[0].config.token, first);
  assert.equal(a.log[1].toHost[0].config.token, fresh);
  await a.client.close();
  await close();
});
