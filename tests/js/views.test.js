// Live views against the real wasm runtime and the reference gateway: hydrate
// then live, two clients, a filtered + sorted query, windows, item views, and
// the DataClient calls.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway } from '../support/gateway.js';
import { SsotError } from '../../js/index.js';
import { clientFor, tokenFor, until, waitFor, byId } from './helpers.js';

let gw;
// A client closed when the test ends (the gateway allows 5 sockets per user).
const open = async (t, user, extra) => {
  const c = await clientFor(gw, user, extra);
  t.after(() => c.close());
  return c;
};

before(async () => { gw = await startGateway(); });
after(() => gw.stop());

const rest = async (method, path, user, body) => {
  const res = await gw.request(method, path, { token: await tokenFor(gw, user), body });
  assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
};

test('hydrate then live: the list arrives, then changes by others show up', async (t) => {
  const alice = await open(t, 'alice');
  const view = alice.model('Product').watch({ orderBy: { id: 'asc' } });
  assert.equal(view.getSnapshot().status, 'loading');
  const first = await until(view, (s) => s.status === 'ready');
  const db = await rest('GET', '/products', 'alice');
  assert.deepEqual(byId(first.items), byId(db.items));
  assert.equal(first.total, db.total);
  assert.ok(Object.isFrozen(first) && Object.isFrozen(first.items) && Object.isFrozen(first.items[0]));
  assert.equal(view.getSnapshot(), first, 'same object until something changes');

  const created = await rest('POST', '/products', 'admin', { name: 'Lamp', price: 30, stock: 2 });
  const second = await until(view, (s) => s.items.some((p) => p.id === created.id));
  assert.equal(second.total, first.total + 1);
  // Rows that did not change keep their objects.
  for (const row of first.items) assert.equal(second.items.find((p) => p.id === row.id), row);

  await rest('PATCH', `/products/${created.id}`, 'admin', { stock: 7 });
  const third = await until(view, (s) => s.items.find((p) => p.id === created.id)?.stock === 7);
  assert.equal(third.items[0], second.items[0]);
  await rest('DELETE', `/products/${created.id}`, 'admin');
  const fourth = await until(view, (s) => !s.items.some((p) => p.id === created.id));
  assert.equal(fourth.total, first.total);
  view.close();
});

test('two clients see each other\'s creates, updates and deletes', async (t) => {
  const alice = await open(t, 'alice');
  const bob = await open(t, 'bob');
  const va = alice.model('Message').watch({ where: { roomId: 1 } });
  const vb = bob.model('Message').watch({ where: { roomId: 1 } });
  await until(va, (s) => s.status === 'ready');
  await until(vb, (s) => s.status === 'ready');

  const mine = await alice.model('Message').create({ roomId: 1, text: 'from alice' });
  assert.equal(mine.text, 'from alice');
  await until(vb, (s) => s.items.some((m) => m.id === mine.id));
  const theirs = await bob.model('Message').create({ roomId: 1, text: 'from bob' });
  await until(va, (s) => s.items.some((m) => m.id === theirs.id));

  const edited = await bob.model('Message').update(theirs.id, { text: 'edited by bob' });
  assert.equal(edited.text, 'edited by bob');
  await until(va, (s) => s.items.find((m) => m.id === theirs.id)?.text === 'edited by bob');
  const patched = await alice.model('Message').patch(mine.id, { text: 'patched' });
  assert.equal(patched.text, 'patched');
  await until(vb, (s) => s.items.find((m) => m.id === mine.id)?.text === 'patched');

  assert.equal(await alice.model('Message').delete(mine.id), true);
  assert.equal(await bob.model('Message').delete(theirs.id), true);
  await until(va, (s) => !s.items.some((m) => m.id === mine.id || m.id === theirs.id));
  await until(vb, (s) => !s.items.some((m) => m.id === mine.id || m.id === theirs.id));
  // The maker's own view showed its change at once and holds no duplicate.
  const ids = va.getSnapshot().items.map((m) => m.id);
  assert.equal(new Set(ids).size, ids.length);
  assert.deepEqual(byId(va.getSnapshot().items), byId((await rest('GET', '/messages?where=' + encodeURIComponent('{"roomId":1}'), 'alice')).items));
  va.close();
  vb.close();
});

test('a filtered, sorted view stays right (total too) while records enter and leave it', async (t) => {
  const alice = await open(t, 'alice');
  const query = { where: { price: { gte: 20 } }, orderBy: { price: 'desc' } };
  const view = alice.model('Product').watch(query);
  await until(view, (s) => s.status === 'ready');
  const check = async () => {
    const expected = await rest('GET', `/products?where=${encodeURIComponent(JSON.stringify(query.where))}&orderBy=${encodeURIComponent(JSON.stringify(query.orderBy))}`, 'alice');
    const key = (items) => items.map((p) => `${p.id}:${p.price}:${p.stock}`).join(',');
    await until(view, (s) => key(s.items) === key(expected.items) && s.total === expected.total, `view = ${key(expected.items)}`);
  };
  await check();
  const a = await rest('POST', '/products', 'admin', { name: 'Cheap', price: 5, stock: 1 }); // outside
  const b = await rest('POST', '/products', 'admin', { name: 'Pricey', price: 500, stock: 1 }); // enters at the top
  await check();
  await rest('PATCH', `/products/${a.id}`, 'admin', { price: 100 }); // enters in the middle
  await check();
  await rest('PATCH', `/products/${b.id}`, 'admin', { price: 1 }); // leaves
  await check();
  await rest('PATCH', `/products/${a.id}`, 'admin', { price: 25 }); // moves down
  await check();
  const before = view.getSnapshot();
  await rest('PATCH', `/products/${b.id}`, 'admin', { stock: 9 }); // outside, stays outside
  await rest('PATCH', `/products/${a.id}`, 'admin', { stock: 3 }); // inside, same position
  await check();
  const after = view.getSnapshot();
  for (const row of before.items) if (row.id !== a.id) assert.equal(after.items.find((p) => p.id === row.id), row, 'untouched rows keep identity');
  await rest('DELETE', `/products/${a.id}`, 'admin');
  await rest('DELETE', `/products/${b.id}`, 'admin');
  await check();
  view.close();
});

test('a burst of updates coalesces and ends equal to the database', async (t) => {
  const alice = await open(t, 'alice');
  const view = alice.model('Product').watch({ orderBy: { stock: 'asc' } });
  await until(view, (s) => s.status === 'ready');
  let notified = 0;
  view.subscribe(() => { notified += 1; });
  for (let i = 0; i < 40; i++) await rest('PATCH', `/products/${1 + (i % 4)}`, 'admin', { stock: 100 + i });
  const expected = await rest('GET', `/products?orderBy=${encodeURIComponent('{"stock":"asc"}')}`, 'alice');
  await until(view, (s) => JSON.stringify(s.items) === JSON.stringify(expected.items));
  assert.ok(notified <= 40, `notified ${notified} times for 40 updates`);
  view.close();
});

test('setWindow: only the window\'s rows, identity kept while scrolling, cleared again', async (t) => {
  const alice = await open(t, 'alice');
  const view = alice.model('Product').watch({ orderBy: { id: 'asc' } });
  const all = (await until(view, (s) => s.status === 'ready')).items;
  assert.ok(all.length >= 4);
  view.setWindow(1, 2);
  const w1 = await until(view, (s) => s.start === 1 && s.items.length === 2);
  assert.deepEqual(w1.items.map((p) => p.id), all.slice(1, 3).map((p) => p.id));
  assert.equal(w1.total, all.length);
  view.setWindow(2, 2);
  const w2 = await until(view, (s) => s.start === 2);
  assert.deepEqual(w2.items.map((p) => p.id), all.slice(2, 4).map((p) => p.id));
  assert.equal(w2.items[0], w1.items[1], 'a row still in the window keeps its object');
  await rest('PATCH', `/products/${all[2].id}`, 'admin', { stock: 77 });
  const w3 = await until(view, (s) => s.items[0].stock === 77);
  assert.equal(w3.items[1], w2.items[1]);
  view.setWindow(null);
  const w4 = await until(view, (s) => s.start === 0 && s.items.length === all.length);
  assert.equal(w4.items[2].stock, 77);
  view.close();
});

test('take: a page of a sorted query keeps its size as records come and go', async (t) => {
  const alice = await open(t, 'alice');
  const view = alice.model('Product').watch({ orderBy: { price: 'desc' }, take: 2 });
  const s0 = await until(view, (s) => s.status === 'ready');
  assert.equal(s0.items.length, 2);
  const top = await rest('POST', '/products', 'admin', { name: 'Top', price: 10000, stock: 1 });
  const s1 = await until(view, (s) => s.items[0]?.id === top.id);
  assert.equal(s1.items.length, 2);
  assert.equal(s1.items[1], s0.items[0]);
  await rest('DELETE', `/products/${top.id}`, 'admin');
  await until(view, (s) => s.items[0]?.id === s0.items[0].id && s.items.length === 2);
  view.close();
});

test('watchItem: hydrates, follows updates, shows the delete as null', async (t) => {
  const alice = await open(t, 'alice');
  const p = await rest('POST', '/products', 'admin', { name: 'Solo', price: 3, stock: 3 });
  const item = alice.model('Product').watchItem(p.id);
  const s0 = await until(item, (s) => s.status === 'ready');
  assert.deepEqual({ ...s0.data }, p);
  assert.ok(Object.isFrozen(s0.data));
  await rest('PATCH', `/products/${p.id}`, 'admin', { stock: 4 });
  await until(item, (s) => s.data?.stock === 4);
  await rest('DELETE', `/products/${p.id}`, 'admin');
  await until(item, (s) => s.data === null && s.status === 'ready');
  const missing = alice.model('Product').watchItem(987654);
  await until(missing, (s) => s.status === 'ready' && s.data === null);
  item.close();
  missing.close();
});

test('DataClient calls: list, get, create/update/delete results and SsotError rejections', async (t) => {
  const alice = await open(t, 'alice');
  const products = alice.model('Product');
  assert.equal(alice.model('Product'), products, 'cached per name');
  const list = await products.list({ orderBy: { id: 'asc' }, take: 2 });
  assert.equal(list.items.length, 2);
  assert.ok(list.total >= 4);
  assert.equal((await products.get(1)).id, 1);
  assert.equal(await products.get(999999), null);
  await assert.rejects(products.create({ name: 'x', price: 1, stock: 1 }), (e) => e instanceof SsotError && e.status === 403 && /Forbidden/.test(e.message));
  await assert.rejects(alice.model('Message').create({ roomId: 1 }), (e) => e instanceof SsotError && e.status === 400 && /text/.test(e.message));
  assert.equal(await alice.model('Message').delete(999999), false);
  await assert.rejects(alice.model('Message').update(999999, { text: 'x' }), (e) => e.status === 404);
  await assert.rejects(products.get({ bad: 1 }), (e) => e instanceof SsotError && e.code === 'invalid');
  await assert.rejects(products.list({ where: 5 }), (e) => e instanceof SsotError);
  // An HTTP-only model (not in pubsub.models) works the same.
  const users = await alice.model('User').list();
  assert.ok(users.items.some((u) => u.name === 'bob'));
  assert.ok(!('passwordHash' in users.items[0]));
});

test('raw subscriptions: subscribe(\'list\'), onUpdate, onDelete', async (t) => {
  const alice = await open(t, 'alice');
  const products = alice.model('Product');
  const updates = [];
  const offList = products.subscribe('list', (u) => updates.push(u));
  const p = await rest('POST', '/products', 'admin', { name: 'Raw', price: 1, stock: 1 });
  const seenUpdate = [];
  let deleted = 0;
  const offUpdate = products.onUpdate(p.id, (rec) => seenUpdate.push(rec.stock));
  const offDelete = products.onDelete(p.id, () => { deleted += 1; });
  await waitFor(() => updates.some((u) => u.type === 'created' && u.data?.id === p.id), { what: 'created update' });
  // Item channel subscription is confirmed before the next mutation is seen.
  await waitFor(() => alice.stats().channels >= 2, { what: 'item channel' });
  await new Promise((r) => setTimeout(r, 50));
  await rest('PATCH', `/products/${p.id}`, 'admin', { stock: 2 });
  await waitFor(() => seenUpdate.includes(2), { what: 'onUpdate' });
  await rest('DELETE', `/products/${p.id}`, 'admin');
  await waitFor(() => deleted === 1 && updates.some((u) => u.type === 'deleted' && u.id === p.id), { what: 'onDelete' });
  const u = updates.find((x) => x.type === 'created');
  assert.equal(typeof u.timestamp, 'number');
  offList();
  offUpdate();
  offDelete();
  assert.throws(() => products.subscribe('nope', () => {}), TypeError);
});

test('a listener that throws does not break the others; the error goes to onError', async (t) => {
  const errors = [];
  const alice = await open(t, 'alice', { onError: (e) => errors.push(e) });
  const view = alice.model('Product').watch({});
  let calls = 0;
  view.subscribe(() => { throw new Error('listener bug'); });
  view.subscribe(() => { calls += 1; });
  await until(view, (s) => s.status === 'ready');
  await waitFor(() => calls > 0 && errors.length > 0, { what: 'both listeners ran' });
  assert.equal(errors[0].message, 'listener bug');
  view.close();
});

test('close(): pending requests reject with client closed; views keep their last snapshot', async (t) => {
  const alice = await clientFor(gw, 'alice');
  const view = alice.model('Product').watch({});
  const ready = await until(view, (s) => s.status === 'ready');
  const pending = alice.model('Product').list({ where: { name: 'nothing-cached' } });
  await alice.close();
  await assert.rejects(pending, (e) => e instanceof SsotError && e.message === 'client closed');
  assert.equal(view.getSnapshot(), ready);
  assert.equal(alice.connection.state, 'closed');
  await assert.rejects(alice.model('Product').get(1), /client closed/);
  await alice.close(); // twice is fine
});
