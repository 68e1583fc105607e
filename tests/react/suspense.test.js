// useSuspenseList / useSuspenseGet against the real runtime and gateway: they
// suspend (the <Suspense> fallback shows) until the rows are in, then render
// them and stay live; errors go to the nearest error boundary, whose reset reads
// again (or retries the provider's factory); new params suspend again.
import './node-io.js';
import 'global-jsdom/register';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import React from 'react';
import { render, waitFor, act } from '@testing-library/react';
import { startGateway } from '../support/gateway.js';
import { clientConfig, tokenFor } from '../js/helpers.js';
import { createClient } from '../../js/index.js';
import { ClientProvider, useSuspenseList, useSuspenseGet, useList } from '../../js/react/index.js';
import { h, openClient, rest } from './helpers.js';

let gw;
before(async () => { gw = await startGateway(); });
after(() => gw.stop());

// Shows the error it caught and a button-less reset (tests call boundary.reset()).
class Boundary extends React.Component {
  constructor(props) {
    super(props);
    this.state = { error: null };
    props.expose?.(this);
  }

  static getDerivedStateFromError(error) { return { error }; }

  componentDidCatch() {}

  reset() { this.setState({ error: null }); }

  render() {
    return this.state.error ? h('p', { id: 'caught' }, `caught:${this.state.error.code}:${this.state.error.message}`) : this.props.children;
  }
}

function app(client, child, { strict = false, expose } = {}) {
  const tree = h(ClientProvider, { client }, h(Boundary, { expose }, h(React.Suspense, { fallback: h('p', null, 'fallback') }, child)));
  return strict ? h(React.StrictMode, null, tree) : tree;
}

function Products({ where, renders }) {
  const r = useSuspenseList('Product', { where, orderBy: { id: 'asc' } });
  if (renders) renders.push(r.data.map((p) => p.id).join(','));
  return h('ul', null, r.data.map((p) => h('li', { key: p.id }, `${p.id}:${p.name}:${p.stock}`)));
}

function Product({ id, subscribe }) {
  const r = useSuspenseGet('Product', id, { subscribe });
  return h('p', null, r.data ? `${r.data.id}:${r.data.name}` : 'none');
}

const text = (ui) => ui.container.textContent;
const suppressErrorLogs = (t) => {
  // React logs errors caught by a boundary (and jsdom those it reports): expected here.
  const orig = console.error;
  console.error = () => {};
  t.after(() => { console.error = orig; });
};

test('useSuspenseList suspends, then renders the rows, then stays live', async (t) => {
  const alice = await openClient(t, gw, 'alice');
  const renders = [];
  const ui = render(app(alice, h(Products, { renders })));
  assert.equal(text(ui), 'fallback');
  assert.deepEqual(renders, [], 'nothing rendered with no rows');
  const db = await rest(gw, 'GET', '/products', 'alice');
  const ids = db.items.map((p) => p.id).sort((a, b) => a - b);
  await waitFor(() => assert.equal(ui.container.querySelectorAll('li').length, ids.length));
  assert.deepEqual(renders.at(-1), ids.join(','));
  assert.ok(renders.every((r) => r === ids.join(',')), 'never an empty or partial list');
  // Live: a change by someone else shows up without suspending again.
  const lamp = await rest(gw, 'POST', '/products', 'admin', { name: 'SuspenseLamp', price: 3, stock: 1 });
  await waitFor(() => assert.match(text(ui), /SuspenseLamp/));
  assert.doesNotMatch(text(ui), /fallback/);
  await rest(gw, 'DELETE', `/products/${lamp.id}`, 'admin');
  await waitFor(() => assert.doesNotMatch(text(ui), /SuspenseLamp/));
  ui.unmount();
  await waitFor(() => assert.equal(alice.stats().views, 0), { timeout: 2000 });
});

test('new params suspend again and render only the new rows; StrictMode leaks no view', async (t) => {
  const alice = await openClient(t, gw, 'alice');
  const renders = [];
  const ui = render(app(alice, h(Products, { where: { stock: { gt: 0 } }, renders }), { strict: true }));
  await waitFor(() => assert.ok(ui.container.querySelectorAll('li').length > 0));
  const all = (await rest(gw, 'GET', '/products', 'alice')).items;
  const cheap = all.filter((p) => p.price < 20).map((p) => p.id).sort((a, b) => a - b);
  assert.ok(cheap.length > 0 && cheap.length < all.length, 'the seed has cheap and dear products');
  renders.length = 0;
  ui.rerender(app(alice, h(Products, { where: { price: { lt: 20 } }, renders }), { strict: true }));
  await waitFor(() => assert.equal(ui.container.querySelectorAll('li').length, cheap.length));
  assert.ok(renders.every((r) => r === cheap.join(',')), `only the new params' rows were rendered: ${renders.join(' | ')}`);
  ui.unmount();
  await waitFor(() => assert.equal(alice.stats().views, 0), { timeout: 2000 });
});

test('useSuspenseGet suspends, then renders the record; no id renders at once', async (t) => {
  const alice = await openClient(t, gw, 'alice');
  const ui = render(app(alice, h('div', null, h(Product, { id: 1 }), h(Product, { id: null }))));
  assert.equal(text(ui), 'fallback');
  const one = await rest(gw, 'GET', '/products/1', 'alice');
  await waitFor(() => assert.equal(text(ui), `1:${one.name}none`));
  // Read once over HTTP: a live view of a missing record may first show the item
  // channel's refusal ('Not found') as an error, and only then the GET's null.
  const missing = render(app(alice, h(Product, { id: 987654, subscribe: false })));
  assert.equal(text(missing), 'fallback');
  await waitFor(() => assert.equal(text(missing), 'none'));
  missing.unmount();
  ui.unmount();
});

test('a suspense hook that shares a view already open (useList) renders at once', async (t) => {
  const alice = await openClient(t, gw, 'alice');
  function Both() {
    const plain = useList('Product', { orderBy: { id: 'asc' } });
    return plain.isLoading ? h('p', null, 'plain loading') : h(React.Suspense, { fallback: h('p', null, 'fallback') }, h(Products));
  }
  const ui = render(h(ClientProvider, { client: alice }, h(Both)));
  await waitFor(() => assert.ok(ui.container.querySelectorAll('li').length > 0));
  ui.unmount();
});

test('a read that fails reaches the error boundary; its reset reads again', async (t) => {
  suppressErrorLogs(t);
  const alice = await openClient(t, gw, 'alice', { models: { Missing: { path: 'no-such-things' } } });
  function Missing() {
    const r = useSuspenseList('Missing');
    return h('p', null, `rows:${r.data.length}`);
  }
  let boundary;
  const ui = render(app(alice, h(Missing), { expose: (b) => { boundary = b; } }));
  assert.equal(text(ui), 'fallback');
  await waitFor(() => assert.match(text(ui), /^caught:view:/));
  const views = alice.stats().views;
  // The reset mounts the component again: a new read (it fails again here).
  act(() => boundary.reset());
  assert.equal(text(ui), 'fallback', 'the reset reads again');
  await waitFor(() => assert.match(text(ui), /^caught:view:/));
  assert.ok(alice.stats().views <= views + 1);
  ui.unmount();
  await waitFor(() => assert.equal(alice.stats().views, 0), { timeout: 2000 });
});

test('a client that fails reaches the error boundary; the reset retries the provider\'s factory', async (t) => {
  suppressErrorLogs(t);
  let attempts = 0;
  const config = clientConfig(gw, { token: await tokenFor(gw, 'alice') });
  const made = [];
  const factory = async () => {
    attempts++;
    if (attempts === 1) throw new Error('gateway unreachable');
    const c = await createClient(config);
    made.push(c);
    return c;
  };
  let boundary;
  const ui = render(app(factory, h(Product, { id: 1 }), { expose: (b) => { boundary = b; } }));
  assert.equal(text(ui), 'fallback');
  await waitFor(() => assert.equal(text(ui), 'caught:client:could not create the client: gateway unreachable'));
  act(() => boundary.reset());
  await waitFor(() => assert.match(text(ui), /^1:/));
  assert.equal(attempts, 2);
  ui.unmount();
  await waitFor(() => assert.equal(made[0].closed, true));
});

test('waiting for a client promise: the fallback until it resolves; a closed client goes to the boundary', async (t) => {
  suppressErrorLogs(t);
  let resolve;
  const pending = new Promise((r) => { resolve = r; });
  const ui = render(app(pending, h(Product, { id: 1 })));
  assert.equal(text(ui), 'fallback');
  const client = await createClient(clientConfig(gw, { token: await tokenFor(gw, 'alice') }));
  t.after(() => client.close());
  await act(async () => { resolve(client); await pending; });
  await waitFor(() => assert.match(text(ui), /^1:/));
  await act(() => client.close());
  await waitFor(() => assert.equal(text(ui), 'caught:closed:client closed'));
  ui.unmount();
});

// The closed view says nothing more; the provider's change re-renders the suspended component.
test('a client closed while a Suspense hook waits for its rows: the boundary, not the fallback forever', async (t) => {
  suppressErrorLogs(t);
  const client = await createClient(clientConfig(gw, { token: await tokenFor(gw, 'alice') }));
  t.after(() => client.close());
  const ui = render(app(client, h(Products)));
  assert.equal(text(ui), 'fallback');
  await act(() => client.close()); // before the read's answer can arrive (it needs I/O)
  await waitFor(() => assert.equal(text(ui), 'caught:closed:client closed'));
  ui.unmount();
});
