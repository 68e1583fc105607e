// Server rendering with react-dom/server (no DOM here): every hook returns its
// loading state without throwing, with no provider, no client yet, a client
// promise, or a real client; nothing opens a view and no wasm is loaded unless a
// client was created.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import React from 'react';
import { renderToString } from 'react-dom/server';
import {
  ClientProvider, useList, useGet, useCreate, useUpdate, useDelete, useChannel, usePresence, useConnection,
  useSuspenseList, useSuspenseGet, useClientStatus,
} from '../../js/react/index.js';

const h = React.createElement;

function Page({ model = 'Message' }) {
  const list = useList(model, { where: { roomId: 1 } });
  const lazy = useList(model, undefined, { autoLoad: false });
  const one = useGet(model, 1);
  const create = useCreate(model, { optimistic: true });
  const update = useUpdate(model);
  const remove = useDelete(model);
  const room = useChannel('chat:room:{roomId}', { roomId: 1 }, 'typing', () => {});
  const members = usePresence('chat:room:{roomId}', { roomId: 1 });
  const conn = useConnection();
  return h('p', null, [
    `list:${list.isLoading}/${list.isFetching}/${list.data.length}/${list.total}/${list.error}`,
    `lazy:${lazy.isLoading}/${lazy.data.length}`,
    `one:${one.isLoading}/${one.data}`,
    `mutations:${create.isPending}/${update.status}/${remove.error}`,
    `room:${room.status}/${members.length}`,
    `conn:${conn.state}`,
  ].join(' '));
}

const LOADING = 'list:true/true/0/0/null lazy:false/0 one:true/null mutations:false/idle/null room:idle/0 conn:idle';
const text = (html) => html.replace(/<[^>]+>/g, '').replace(/&#x27;/g, "'");

test('no provider, no client yet, a client promise: the loading state, and no wasm loaded', () => {
  assert.equal(text(renderToString(h(Page))), LOADING);
  assert.equal(text(renderToString(h(ClientProvider, { client: null }, h(Page)))), LOADING);
  assert.equal(text(renderToString(h(ClientProvider, { client: undefined }, h(Page)))), LOADING);
  const never = new Promise(() => {});
  assert.equal(text(renderToString(h(ClientProvider, { client: never }, h(Page)))), LOADING);
  // The wasm loader installs these in Node when it runs; Node 20 has neither.
  assert.equal(typeof globalThis.XMLHttpRequest, 'undefined', 'the runtime was not loaded');
});

test('Suspense hooks render the <Suspense> fallback on the server (the browser renders them); no wasm loaded', () => {
  function Rows() { return h('b', null, useSuspenseList('Message').data.length); }
  function One() { return h('b', null, String(useSuspenseGet('Message', 1).data)); }
  for (const client of [null, new Promise(() => {}), () => new Promise(() => {})]) {
    const html = renderToString(h(ClientProvider, { client }, h(React.Suspense, { fallback: h('i', null, 'wait') }, h(Rows), h(One))));
    assert.match(html, /<i>wait<\/i>/);
    assert.doesNotMatch(html, /<b>/);
  }
  function Status() { return h('b', null, useClientStatus().status); }
  assert.equal(text(renderToString(h(ClientProvider, { client: () => { throw new Error('not on the server'); } }, h(Status)))), 'loading',
    'a factory is not called on the server');
  assert.equal(typeof globalThis.XMLHttpRequest, 'undefined', 'the runtime was not loaded');
});

test('a real client: still the loading state, and no view or channel opened', async (t) => {
  const { startGateway } = await import('../support/gateway.js');
  const { clientFor } = await import('../js/helpers.js');
  const gw = await startGateway();
  after(() => gw.stop());
  const client = await clientFor(gw, 'alice');
  t.after(() => client.close());
  const html = text(renderToString(h(ClientProvider, { client }, h(Page))));
  assert.equal(html, LOADING, 'the connection too shows as on the server (hydration renders the same)');
  // A DataClient instead of a name.
  const withDc = text(renderToString(h(ClientProvider, { client }, h(Page, { model: client.model('Message') }))));
  assert.equal(withDc, LOADING);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(client.stats().views, 0);
  assert.equal(client.stats().channels, 0);
});
