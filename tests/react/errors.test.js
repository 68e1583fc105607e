// Errors reach the UI: a client promise that rejects, a factory that fails and a
// client that is closed put every hook under the provider in an error state (the
// cause attached), never loading forever; retry() (also every data hook's refetch)
// calls the provider's factory again. Against the real runtime and gateway.
import './node-io.js';
import 'global-jsdom/register';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import React from 'react';
import { render, renderHook, waitFor, act } from '@testing-library/react';
import { startGateway } from '../support/gateway.js';
import { clientConfig, tokenFor } from '../js/helpers.js';
import { createClient, SsotError } from '../../js/index.js';
import {
  ClientProvider, useClient, useClientStatus, useList, useGet, useCreate, useChannel, usePresence, useConnection,
} from '../../js/react/index.js';
import { h, wrapperFor, rest } from './helpers.js';

let gw;
before(async () => { gw = await startGateway(); });
after(() => gw.stop());

// Every hook at once, so that one render shows what each of them reports.
function useEverything() {
  return {
    status: useClientStatus(),
    client: useClient(),
    list: useList('Product', { orderBy: { id: 'asc' } }),
    item: useGet('Product', 1),
    create: useCreate('Product'),
    channel: useChannel('chat:room:{roomId}', { roomId: 1 }),
    members: usePresence('chat:room:{roomId}', { roomId: 1 }),
    connection: useConnection(),
  };
}

function assertAllFailed(r, code, message) {
  assert.equal(r.status.status, code === 'closed' ? 'closed' : 'error');
  assert.equal(r.client, null);
  for (const [name, e] of [['status', r.status.error], ['list', r.list.error], ['item', r.item.error], ['channel', r.channel.error]]) {
    assert.ok(e instanceof SsotError, `${name}.error is an SsotError`);
    assert.equal(e.code, code, name);
    assert.match(e.message, message, name);
  }
  assert.equal(r.list.isLoading, false);
  assert.equal(r.list.isFetching, false);
  assert.deepEqual(r.list.data, []);
  assert.equal(r.item.isLoading, false);
  assert.equal(r.item.data, null);
  assert.equal(r.channel.status, 'error');
  assert.deepEqual(r.members, []);
  assert.equal(r.connection.state, code === 'closed' ? 'closed' : 'failed');
  assert.match(r.connection.error, message);
}

const goodConfig = async (user = 'alice') => clientConfig(gw, { token: await tokenFor(gw, user) });

test('a client promise that rejects: every hook reports the error and its cause', async () => {
  const cause = new Error('server down');
  const failing = Promise.reject(cause);
  const { result, unmount } = renderHook(useEverything, { wrapper: wrapperFor(failing) });
  assert.equal(result.current.status.status, 'loading');
  assert.equal(result.current.list.isLoading, true);
  await waitFor(() => assert.equal(result.current.status.status, 'error'));
  const r = result.current;
  assertAllFailed(r, 'client', /could not create the client: server down/);
  assert.equal(r.list.error.cause, cause);
  assert.equal(r.list.error, r.item.error, 'one error object for one failure');
  // A mutation rejects with the same error; retry without a factory changes nothing.
  await assert.rejects(r.create.mutateAsync({ name: 'x' }), (e) => e === r.list.error);
  await act(() => r.list.refetch());
  assert.equal(result.current.status.status, 'error');
  unmount();
});

test('createClient that fails for real (a bad URL, a bad config): the runtime\'s error is the cause', async () => {
  for (const [config, message] of [[{ baseUrl: 'htp://localhost:3000/api' }, /baseUrl must be an http/], [{ baseUrl: '' }, /baseUrl is required/]]) {
    const { result, unmount } = renderHook(useEverything, { wrapper: wrapperFor(() => createClient(config)) });
    await waitFor(() => assert.equal(result.current.status.status, 'error'));
    assertAllFailed(result.current, 'client', message);
    assert.equal(result.current.list.error.cause.code, 'config');
    unmount();
  }
});

test('a server that is down: the client exists, its reads fail with a network error, not loading forever', async () => {
  const dead = await startGateway();
  const config = clientConfig(dead, { websockets: { enabled: false } });
  await dead.stop();
  const { result, unmount } = renderHook(useEverything, { wrapper: wrapperFor(() => createClient(config)) });
  await waitFor(() => assert.ok(result.current.list.error && result.current.item.error));
  assert.equal(result.current.status.status, 'ready');
  assert.equal(result.current.list.isLoading, false);
  assert.equal(result.current.list.error.code, 'view');
  assert.match(result.current.list.error.message, /network/);
  unmount();
});

test('a client that is closed: every hook turns to the error; a factory\'s client comes back with retry()', async () => {
  let made = 0;
  const clients = [];
  const factory = async () => {
    made++;
    const c = await createClient(await goodConfig());
    clients.push(c);
    return c;
  };
  const { result, unmount } = renderHook(useEverything, { wrapper: wrapperFor(factory, { strict: true }) });
  await waitFor(() => assert.ok(result.current.list.data.length > 0 && result.current.channel.status === 'ready'));
  assert.equal(made, 1, 'StrictMode mounts twice; the factory ran once');
  const db = await rest(gw, 'GET', '/products', 'alice');
  assert.equal(result.current.list.total, db.total);

  await act(() => clients[0].close());
  await waitFor(() => assert.equal(result.current.status.status, 'closed'));
  assertAllFailed(result.current, 'closed', /client closed/);

  // The list's refetch is the provider's retry: the factory runs again.
  await act(() => result.current.list.refetch());
  await waitFor(() => assert.ok(result.current.list.data.length > 0 && result.current.item.data?.id === 1));
  assert.equal(made, 2);
  assert.equal(result.current.status.status, 'ready');
  assert.equal(result.current.client, clients[1]);
  assert.equal(result.current.list.error, null);
  await waitFor(() => assert.equal(result.current.connection.state, 'open'));
  unmount();
  // The provider closes what its factory made.
  await waitFor(() => assert.equal(clients[1].closed, true));
});

test('a factory that fails, then succeeds: error, then retry() from useClientStatus shows the rows', async () => {
  let attempts = 0;
  const factory = async () => {
    attempts++;
    if (attempts === 1) return createClient({ ...(await goodConfig()), baseUrl: 'htp://localhost/api' });
    return createClient(await goodConfig());
  };
  const { result, unmount } = renderHook(useEverything, { wrapper: wrapperFor(factory) });
  await waitFor(() => assert.equal(result.current.status.status, 'error'));
  assertAllFailed(result.current, 'client', /baseUrl must be an http/);
  let settled = false;
  const retried = act(() => result.current.status.retry().then(() => { settled = true; }));
  await retried;
  assert.equal(settled, true, 'retry() resolves once the new attempt settled');
  await waitFor(() => assert.ok(result.current.list.data.length > 0));
  assert.equal(attempts, 2);
  assert.equal(result.current.list.error, null);
  assert.equal(result.current.channel.error, null);
  // Retrying a client that works does nothing.
  await act(() => result.current.status.retry());
  assert.equal(attempts, 2);
  unmount();
});

test('a factory that throws, or returns nothing, is a failure too; a new client prop recovers', async () => {
  const boom = new Error('boom');
  const thrower = () => { throw boom; };
  function Show() {
    const list = useList('Product');
    return h('p', null, list.error ? `error:${list.error.message}` : list.isLoading ? 'loading' : `rows:${list.data.length}`);
  }
  const ui = render(h(ClientProvider, { client: thrower }, h(Show)));
  await waitFor(() => assert.equal(ui.container.textContent, 'error:could not create the client: boom'));
  ui.rerender(h(ClientProvider, { client: () => undefined }, h(Show)));
  // A new function on a later render is not called: still the first one's outcome.
  assert.equal(ui.container.textContent, 'error:could not create the client: boom');
  const client = await createClient(await goodConfig());
  ui.rerender(h(ClientProvider, { client }, h(Show)));
  await waitFor(() => assert.match(ui.container.textContent, /^rows:\d+$/));
  ui.unmount();
  assert.equal(client.closed, false, 'a client the app passed is the app\'s to close');
  await client.close();
  const nothing = render(h(ClientProvider, { client: () => null }, h(Show)));
  await waitFor(() => assert.match(nothing.container.textContent, /error:could not create the client: .*no client/));
  nothing.unmount();
});
