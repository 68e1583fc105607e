// The connection under stress: the server killed and restarted mid-stream, an
// expired token refreshed through getToken (4401), and a second 4401 in a row.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway } from '../support/gateway.js';
import { createClient } from '../../js/index.js';
import { clientConfig, clientFor, tokenFor, until, waitFor, byId, requireRuntime } from './helpers.js';

let gw;
before(async () => { gw = await startGateway(); });
after(() => gw.stop());

test('server killed and restarted mid-stream: reconnects and ends equal to the database, nothing lost or doubled', async (t) => {
  const alice = await clientFor(gw, 'alice');
  t.after(() => alice.close());
  const products = alice.model('Product').watch({ orderBy: { id: 'asc' } });
  const messages = alice.model('Message').watch({ where: { roomId: 1 }, orderBy: { id: 'desc' } });
  await until(products, (s) => s.status === 'ready');
  await until(messages, (s) => s.status === 'ready');
  const states = [];
  alice.connection.subscribe((s) => states.push(s.state));

  // A writer that keeps mutating over REST, through the outage (failures while down are fine).
  const admin = await tokenFor(gw, 'admin');
  const bob = await tokenFor(gw, 'bob');
  let writing = true;
  let n = 0;
  const writer = (async () => {
    while (writing) {
      n += 1;
      const ops = [
        () => gw.request('POST', '/messages', { token: bob, body: { roomId: 1, text: `m${n}` } }),
        () => gw.request('PATCH', `/products/${1 + (n % 4)}`, { token: admin, body: { stock: n } }),
        () => gw.request('POST', '/products', { token: admin, body: { name: `p${n}`, price: n, stock: n } }),
      ];
      try { await ops[n % ops.length](); } catch { /* server down */ await new Promise((r) => setTimeout(r, 10)); }
    }
  })();
  await waitFor(() => n >= 30, { what: 'writes before the kill' });
  await gw.kill();
  const down = await until(alice.connection, (s) => s.state === 'reconnecting', 'reconnecting');
  assert.ok(typeof down.retryAt === 'number' && Math.abs(down.retryAt - Date.now()) < 5000, `retryAt is epoch ms: ${down.retryAt}`);
  assert.ok(down.error);
  await new Promise((r) => setTimeout(r, 150)); // a few failed attempts while the server is down
  await gw.restart();
  await until(alice.connection, (s) => s.state === 'open', 'open again');
  const m0 = n;
  await waitFor(() => n >= m0 + 30, { what: 'writes after the restart' });
  writing = false;
  await writer;

  // Deletes after the restart too.
  const created = (await gw.request('GET', '/products?orderBy=' + encodeURIComponent('{"id":"desc"}') + '&take=2', { token: admin })).body.items;
  for (const p of created) await gw.request('DELETE', `/products/${p.id}`, { token: admin });

  const dbProducts = (await gw.request('GET', '/products?orderBy=' + encodeURIComponent('{"id":"asc"}'), { token: admin })).body;
  const dbMessages = (await gw.request('GET', '/messages?where=' + encodeURIComponent('{"roomId":1}') + '&orderBy=' + encodeURIComponent('{"id":"desc"}'), { token: admin })).body;
  const same = (view, db) => () => {
    const s = view.getSnapshot();
    return s.total === db.total && JSON.stringify(s.items) === JSON.stringify(db.items);
  };
  await waitFor(same(products, dbProducts), { what: 'products = database', show: () => products.getSnapshot().items.length + ' vs ' + dbProducts.items.length });
  await waitFor(same(messages, dbMessages), { what: 'messages = database', show: () => messages.getSnapshot().items.length + ' vs ' + dbMessages.items.length });
  for (const v of [products, messages]) {
    const ids = v.getSnapshot().items.map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length, 'no record twice');
  }
  assert.ok(states.includes('reconnecting'));
  const stats = alice.stats();
  assert.ok(stats.reconnects >= 1, JSON.stringify(stats));
});

test('4401 with an expired token: getToken is asked once, the socket reopens, views hydrate', async (t) => {
  requireRuntime();
  const expired = gw.mintToken({ sub: 1, exp: Math.floor(Date.now() / 1000) - 60 });
  let asked = 0;
  const client = await createClient(clientConfig(gw, {
    token: expired,
    getToken: async () => { asked += 1; return gw.login('alice'); },
  }));
  t.after(() => client.close());
  const seen = [];
  client.connection.subscribe((s) => seen.push(s.state));
  const view = client.model('Product').watch({});
  await until(client.connection, (s) => s.state === 'open', 'open with the fresh token');
  await until(view, (s) => s.status === 'ready' && s.items.length > 0, 'view hydrated with the fresh token');
  assert.equal(asked, 1);
  // Requests use the fresh token too.
  assert.ok((await client.model('Product').get(1)).id === 1);
});

test('a second 4401 in a row ends in state unauthorized, with no retry loop', async (t) => {
  requireRuntime();
  const expired = () => gw.mintToken({ sub: 1, exp: Math.floor(Date.now() / 1000) - 60 });
  let asked = 0;
  const client = await createClient(clientConfig(gw, { token: expired(), getToken: () => { asked += 1; return expired(); } }));
  t.after(() => client.close());
  await until(client.connection, (s) => s.state === 'unauthorized', 'unauthorized');
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(client.connection.state, 'unauthorized');
  assert.equal(asked, 1);
});

test('getToken that throws: state unauthorized, the error goes to onError', async (t) => {
  requireRuntime();
  const errors = [];
  const client = await createClient(clientConfig(gw, {
    token: gw.mintToken({ sub: 1, exp: 1 }),
    getToken: () => { throw new Error('no session'); },
    onError: (e) => errors.push(e.message),
  }));
  t.after(() => client.close());
  await until(client.connection, (s) => s.state === 'unauthorized', 'unauthorized');
  assert.deepEqual(errors, ['no session']);
});

test('without a token, getToken supplies the first one', async (t) => {
  requireRuntime();
  const client = await createClient(clientConfig(gw, { getToken: () => gw.login('bob') }));
  t.after(() => client.close());
  await until(client.connection, (s) => s.state === 'open', 'open');
  const list = await client.model('Message').list({ where: { roomId: 1 } });
  assert.ok(list.items.length > 0);
});

test('disconnect() and connect(): views resume and catch up on what they missed', async (t) => {
  const alice = await clientFor(gw, 'alice');
  t.after(() => alice.close());
  const view = alice.model('Product').watch({ orderBy: { id: 'asc' } });
  await until(view, (s) => s.status === 'ready');
  alice.disconnect();
  await until(alice.connection, (s) => s.state === 'closed', 'closed');
  const admin = await tokenFor(gw, 'admin');
  const p = (await gw.request('POST', '/products', { token: admin, body: { name: 'Offline', price: 1, stock: 1 } })).body;
  alice.connect();
  await until(alice.connection, (s) => s.state === 'open', 'open');
  await until(view, (s) => s.items.some((x) => x.id === p.id), 'missed create replayed');
  const db = (await gw.request('GET', '/products?orderBy=' + encodeURIComponent('{"id":"asc"}'), { token: admin })).body;
  assert.deepEqual(byId(view.getSnapshot().items), byId(db.items));
});

test('views opened while the server is down show the error, then hydrate by themselves once it is back', async (t) => {
  const live = await clientFor(gw, 'alice');
  const httpOnly = await createClient(clientConfig(gw, { token: await tokenFor(gw, 'alice'), websockets: { enabled: false } }));
  t.after(() => { live.close(); httpOnly.close(); });
  await gw.kill();
  await until(live.connection, (s) => s.state === 'reconnecting', 'reconnecting');
  const views = [live, httpOnly].flatMap((c) => [c.model('Message').watch({ where: { roomId: 1 }, orderBy: { id: 'asc' } }), c.model('Message').watchItem(1)]);
  for (const v of views) {
    const s = await until(v, (x) => x.status === 'error', 'the failed hydration shows');
    assert.ok(s.error);
  }
  await gw.restart();
  const admin = await tokenFor(gw, 'admin');
  const db = (await gw.request('GET', '/messages?where=' + encodeURIComponent('{"roomId":1}') + '&orderBy=' + encodeURIComponent('{"id":"asc"}'), { token: admin })).body;
  const one = (await gw.request('GET', '/messages/1', { token: admin })).body;
  for (const v of views) await until(v, (x) => x.status === 'ready', 'retried after the restart');
  for (const v of [views[0], views[2]]) assert.deepEqual(v.getSnapshot().items, db.items);
  for (const v of [views[1], views[3]]) assert.deepEqual(v.getSnapshot().data, one);
});
