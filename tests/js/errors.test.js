// Failures surface where the app looks: permission denials and limits on the
// view or channel (status 'error'), request timeouts and HTTP errors as
// rejections with an SsotError, bad config as a thrown error; never uncaught.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startGateway } from '../support/gateway.js';
import { createClient, SsotError } from '../../js/index.js';
import { clientConfig, clientFor, tokenFor, until, requireRuntime } from './helpers.js';

let gw;
before(async () => {
  gw = await startGateway({ config: { websockets: { limits: { subscriptionsPerConnection: 3 } } } });
});
after(() => gw.stop());

test('permission denied on a channel: bob on chat:room:2 shows status error', async (t) => {
  const bob = await clientFor(gw, 'bob');
  t.after(() => bob.close());
  const room = bob.channel('chat:room:{roomId}', { roomId: 2 });
  assert.equal(room.status, 'joining');
  const s = await until(room, (x) => x.status === 'error', 'channel error');
  assert.equal(s.error, 'Unauthorized');
  assert.equal(room.error, 'Unauthorized');
  // The room he is in works on the same client.
  const general = bob.channel('chat:room:{roomId}', { roomId: 1 });
  await until(general, (x) => x.status === 'ready', 'room 1 ready');
  room.close();
  assert.equal(room.status, 'closed');
});

test('permission denied on a model: ActivityLog for a user shows on the view and rejects list()', async (t) => {
  const alice = await clientFor(gw, 'alice');
  t.after(() => alice.close());
  const view = alice.model('ActivityLog').watch({});
  const s = await until(view, (x) => x.status === 'error', 'view error');
  assert.match(s.error, /Forbidden|Unauthorized/);
  assert.deepEqual(s.items, []);
  // Every mutation writes an ActivityLog row: make sure one exists.
  const msg = await alice.model('Message').create({ roomId: 1, text: 'logged' });
  const logs = (await gw.request('GET', '/activitylogs?orderBy=' + encodeURIComponent('{"id":"desc"}') + '&take=1', { token: await tokenFor(gw, 'admin') })).body;
  const item = alice.model('ActivityLog').watchItem(logs.items[0].id);
  await until(item, (x) => x.status === 'error', 'item view error');
  await assert.rejects(alice.model('ActivityLog').list(), (e) => e instanceof SsotError && /Forbidden/.test(e.message));
  // An admin sees it.
  const admin = await clientFor(gw, 'admin');
  t.after(() => admin.close());
  const ok = admin.model('ActivityLog').watch({});
  await until(ok, (x) => x.status === 'ready' && x.items.length > 0, 'admin view ready');
  await alice.model('Message').delete(msg.id);
});

test('a subscription limit shows on the channel that was refused', async (t) => {
  const alice = await clientFor(gw, 'alice');
  t.after(() => alice.close());
  const rooms = [1, 2, 3, 4].map((roomId) => alice.channel('chat:room:{roomId}', { roomId }));
  // Limit 3 per connection: the fourth is refused (rooms 3 and 4 have no Room row,
  // so they may be refused as unauthorized first: any error is on the channel).
  await until(rooms[3], (x) => x.status === 'error', 'fourth channel refused');
  assert.match(rooms[3].error, /Too many subscriptions|Unauthorized/);
  await until(rooms[0], (x) => x.status === 'ready', 'first ready');
  rooms.forEach((r) => r.close());
});

test('request timeout: a server that never answers rejects with code timeout, views show it', {
}, async (t) => {
  requireRuntime();
  const sockets = new Set();
  const silent = http.createServer(() => { /* never answers */ });
  silent.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise((r) => silent.listen(0, '127.0.0.1', r));
  t.after(() => { for (const s of sockets) s.destroy(); return new Promise((r) => silent.close(r)); });
  const client = await createClient({ baseUrl: `http://127.0.0.1:${silent.address().port}/api`, requestTimeout: 150 });
  t.after(() => client.close());
  const t0 = Date.now();
  await assert.rejects(client.model('Product').list(), (e) => e instanceof SsotError && e.code === 'timeout' && e.status === 0);
  const took = Date.now() - t0;
  assert.ok(took >= 140 && took < 2000, `took ${took} ms`);
  const view = client.model('Product').watch({});
  const s = await until(view, (x) => x.status === 'error', 'view timed out');
  assert.match(s.error, /timed out/);
  assert.equal(client.stats().timeouts, 2);
});

test('a server that is not there: requests reject with status 0', async (t) => {
  requireRuntime();
  const server = http.createServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const port = server.address().port;
  await new Promise((r) => server.close(r)); // the port is now closed
  const client = await createClient({ baseUrl: `http://127.0.0.1:${port}/api`, requestTimeout: 2000 });
  t.after(() => client.close());
  await assert.rejects(client.model('Product').get(1), (e) => e instanceof SsotError && e.status === 0);
});

test('a bad config is a thrown error with the runtime\'s message; no client is left behind', async () => {
  requireRuntime();
  await assert.rejects(createClient({ baseUrl: '' }), /baseUrl is required/);
  await assert.rejects(createClient(clientConfig(gw, { websockets: { url: 'http://nope' } })), /ws:\/\//);
  await assert.rejects(createClient(clientConfig(gw, { websockets: { reconnect: { backoff: 'sideways' } } })), /backoff/);
  await assert.rejects(createClient(null), TypeError);
  // A baseUrl no request can reach fails here (it used to overflow the stack on the first read).
  for (const baseUrl of ['not a url', 'ftp://example.com/api', 'localhost:3000/api']) {
    await assert.rejects(createClient({ baseUrl }), (e) => e instanceof SsotError && e.code === 'config' && /baseUrl must be an http/.test(e.message), baseUrl);
  }
});

test('bad arguments reject or show on the view; they never throw out of a callback', async (t) => {
  const alice = await clientFor(gw, 'alice');
  t.after(() => alice.close());
  const bad = alice.model('Product').watch({ orderBy: 5 });
  assert.equal(bad.getSnapshot().status, 'error');
  assert.ok(bad.getSnapshot().error);
  const cyclic = {};
  cyclic.self = cyclic;
  await assert.rejects(alice.model('Product').create(cyclic), SsotError);
  assert.throws(() => alice.channel('chat:room:{roomId}', {}), /roomId/);
  const unknown = alice.channel('nowhere:1');
  assert.equal(unknown.status, 'error');
  assert.match(unknown.error, /unknown channel/);
  assert.equal(unknown.publish('x', 1), false);
});

test('each runtime keeps the reason of its own last refused call', async () => {
  const { loadRuntime } = await import('../../js/wasm/loadRuntime.js');
  const Module = await loadRuntime();
  const config = JSON.stringify({ baseUrl: 'http://127.0.0.1:9/api' });
  const a = new Module.Runtime(config);
  const b = new Module.Runtime(config);
  try {
    assert.equal(a.watch('Message', '{"where":[1]}'), 0);
    assert.equal(b.watchItem('Message', '{}'), 0);
    assert.match(a.lastError(), /where/);
    assert.match(b.lastError(), /id must be/);
  } finally {
    a.delete();
    b.delete();
  }
});

test('a fetch that fails before it starts is retried with backoff, never recursively', async () => {
  // 'not a url' makes the XHR fail inside emscripten_fetch; closing such a fetch used to
  // call its onerror again, and again, until the stack overflowed (createClient refuses
  // such a baseUrl itself, so the runtime is made directly).
  const { loadRuntime } = await import('../../js/wasm/loadRuntime.js');
  const Module = await loadRuntime();
  const rt = new Module.Runtime(JSON.stringify({
    baseUrl: 'not a url',
    websockets: { enabled: true, url: 'ws://127.0.0.1:1/ws', reconnect: { baseDelay: 50 } },
  }));
  try {
    rt.connect();
    assert.ok(rt.watch('Product', '{}') > 0);
    await new Promise((r) => setTimeout(r, 1000));
    const stats = JSON.parse(rt.stats());
    assert.ok(stats.httpRequests >= 2 && stats.httpRequests <= 15, `${stats.httpRequests} requests in 1 s`);
  } finally {
    rt.delete();
  }
});

test('a write that timed out holds its record\'s next write until its fetch ends, not longer', async (t) => {
  requireRuntime();
  // A fetch cannot be aborted: the timed-out create may still reach the server, so the
  // update of its record waits until the create's fetch has ended (the runtime says when).
  let releaseCreate;
  const arrived = [];
  const server = http.createServer((req, res) => {
    arrived.push({ method: req.method, at: Date.now() });
    req.resume();
    const answer = () => {
      res.writeHead(req.method === 'POST' ? 201 : 200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ id: 9, text: req.method === 'POST' ? 'new' : 'edited' }));
    };
    if (req.method === 'POST') releaseCreate = answer;
    else answer();
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise((r) => server.close(r)));
  const client = await createClient({ baseUrl: `http://127.0.0.1:${server.address().port}/api`, requestTimeout: 200 });
  t.after(() => client.close());
  const model = client.model('Message');
  const created = model.create({ id: 9, text: 'new' });
  const edited = model.update(9, { text: 'edited' });
  await assert.rejects(created, (e) => e instanceof SsotError && e.code === 'timeout');
  const timedOutAt = Date.now();
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(arrived.map((a) => a.method), ['POST']);  // held while the create may still land
  releaseCreate();
  assert.equal((await edited).text, 'edited');
  assert.deepEqual(arrived.map((a) => a.method), ['POST', 'PUT']);
  // Sent when the create's fetch ended, well before the 5 s a fetch may take to end.
  const waited = arrived[1].at - timedOutAt;
  assert.ok(waited < 3000, `the update went ${waited} ms after the create timed out`);
});

test('a write that timed out and then lands: its late answer shows in the views, with no socket to echo it', async (t) => {
  requireRuntime();
  // The fetch of a timed-out write cannot be aborted; the server may answer it after all.
  let release;
  const server = http.createServer((req, res) => {
    req.resume();
    const send = (status, body) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET') send(200, { items: [{ id: 1, text: 'a' }], total: 1 });
    else release = () => send(200, { id: 1, text: 'mine' });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise((r) => server.close(r)));
  const client = await createClient({ baseUrl: `http://127.0.0.1:${server.address().port}/api`, requestTimeout: 200 });
  t.after(() => client.close());
  const view = client.model('Message').watch({});
  await until(view, (x) => x.status === 'ready', 'view ready');
  await assert.rejects(client.model('Message').patch(1, { text: 'mine' }), (e) => e instanceof SsotError && e.code === 'timeout');
  assert.equal(view.getSnapshot().items[0].text, 'a');
  release();
  const s = await until(view, (x) => x.items[0]?.text === 'mine', 'the late answer shown');
  assert.equal(s.items.length, 1);
});
