// 1000 clients created and closed: the wasm heap comes back to its baseline, and
// clients that are dropped without close() are freed by the FinalizationRegistry.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import vm from 'node:vm';
import { startGateway } from '../support/gateway.js';
import { startFakeServer } from '../soak/fake_server.js';
import { createClient } from '../../js/index.js';
import { clientConfig, tokenFor, until, waitFor, requireRuntime } from './helpers.js';

let gw;
before(async () => { gw = await startGateway(); });
after(() => gw.stop());

// A gc() without --expose-gc on the command line (node --test runs us plainly).
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

const within = (baseline, end) => end - baseline <= Math.max(1024, baseline * 0.05);

async function heapAfter(count, one) {
  const token = await tokenFor(gw, 'alice');
  const probe = await createClient({ baseUrl: gw.baseUrl, token });
  try {
    for (let i = 0; i < 20; i++) await one(i, token); // warm the allocator up
    const baseline = probe.stats().heapBytes;
    for (let i = 0; i < count; i++) await one(i, token);
    // Fetches of closed clients run to their end (3.1.6 cannot abort one) and are freed
    // then: wait for the heap to settle, up to a few seconds.
    let end = probe.stats().heapBytes;
    for (let waited = 0; !within(baseline, end) && waited < 5000; waited += 50) {
      await new Promise((r) => setTimeout(r, 50));
      end = probe.stats().heapBytes;
    }
    return { baseline, end };
  } finally {
    await probe.close();
  }
}

test('1000 clients created and closed: wasm heap back near the baseline', async () => {
  requireRuntime();
  const { baseline, end } = await heapAfter(1000, async (i, token) => {
    // Every tenth opens a socket; each hydrates a view and makes a request, then closes.
    const ws = i % 10 === 0;
    const c = await createClient(clientConfig(gw, { token, websockets: { enabled: ws } }));
    const view = c.model('Product').watch({ where: { price: { gt: i % 100 } }, orderBy: { price: 'asc' } });
    const list = c.model('Message').list({ take: 1 });
    await until(view, (s) => s.status === 'ready', 'view ready');
    await list;
    if (ws) await until(c.connection, (s) => s.state === 'open', 'socket open');
    await c.close();
  });
  assert.ok(within(baseline, end), `heap ${baseline} -> ${end} bytes`);
});

test('clients closed with fetches in flight and sockets still connecting free everything', {
}, async () => {
  requireRuntime();
  const { baseline, end } = await heapAfter(200, async (i, token) => {
    const c = await createClient(clientConfig(gw, { token, websockets: { enabled: i % 4 === 0 } }));
    c.model('Product').watch({});
    await c.close();
  });
  assert.ok(within(baseline, end), `heap ${baseline} -> ${end} bytes`);
});

test('a client dropped without close() is freed by the FinalizationRegistry', async () => {
  requireRuntime();
  const token = await tokenFor(gw, 'alice');
  const probe = await createClient({ baseUrl: gw.baseUrl, token });
  try {
    const baseline = probe.stats().heapBytes;
    for (let i = 0; i < 50; i++) {
      const c = await createClient({ baseUrl: gw.baseUrl, token });
      const v = c.model('Product').watch({});
      await until(v, (s) => s.status === 'ready', 'view ready');
    }
    const perClient = (probe.stats().heapBytes - baseline) / 50;
    assert.ok(perClient > 200, `${perClient} bytes per client`);
    for (let i = 0; i < 20 && !within(baseline, probe.stats().heapBytes); i++) {
      gc();
      await new Promise((r) => setTimeout(r, 20));
    }
    // The last one may still be referenced from this frame: at most one client's heap is left.
    const left = probe.stats().heapBytes - baseline;
    assert.ok(left < 1.5 * perClient, `heap ${baseline} -> ${probe.stats().heapBytes} (${perClient} per client)`);
  } finally {
    await probe.close();
  }
});

test('a client the app does not hold stays alive while its socket is wanted; close() ends it', async () => {
  requireRuntime();
  const token = await tokenFor(gw, 'alice');
  const seen = [];
  let ref;
  await (async () => {
    const c = await createClient(clientConfig(gw, { token }));
    ref = new WeakRef(c);
    const v = c.model('Product').watch({ orderBy: { id: 'asc' } });
    v.subscribe(() => seen.push(v.getSnapshot().items.length));
    await until(v, (s) => s.status === 'ready', 'view ready');
    await until(c.connection, (s) => s.state === 'open', 'socket open');
  })();
  for (let i = 0; i < 10; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.ok(ref.deref(), 'the client was collected with its socket open');
  const before = seen.length;
  const admin = await createClient({ baseUrl: gw.baseUrl, token: await tokenFor(gw, 'admin') });
  try {
    await admin.model('Product').create({ name: `kept alive ${Date.now()}`, price: 1, stock: 1 });
    await waitFor(() => seen.length > before, { what: 'the dropped client still receiving' });
  } finally {
    await admin.close();
  }
  await ref.deref().close();
});

test('a large batch of rows leaves the wasm heap once the JS side has read it', async () => {
  requireRuntime();
  const records = Array.from({ length: 20000 }, (_, i) => ({ id: i + 1, name: `product ${i + 1}`, price: i % 100, stock: 1 }));
  const srv = await startFakeServer({ Product: records });
  const c = await createClient({ baseUrl: srv.baseUrl, websockets: { enabled: false } });
  try {
    const v = c.model('Product').watch({});
    let atDelivery = 0; // the heap while the rows are delivered: the batch is still in it
    v.subscribe(() => {
      if (!atDelivery && v.getSnapshot().status === 'ready') atDelivery = c.stats().heapBytes;
    });
    await until(v, (s) => s.status === 'ready', 'view ready');
    assert.equal(v.getSnapshot().items.length, records.length);
    await new Promise((r) => setTimeout(r, 20));
    const batch = JSON.stringify(records).length;
    const freed = atDelivery - c.stats().heapBytes;
    assert.ok(freed >= batch, `${freed} bytes freed after a batch of ${batch}`);
  } finally {
    await c.close();
    await srv.close();
  }
});
