// The ESM build in real Chromium: two pages on one gateway, a create in one
// appears live in the other. The page imports the package's modules as served
// files (no bundler), so it exercises the browser branch of the wasm loader,
// Emscripten's WebSocket and Fetch, and CORS against the gateway (which allows
// this page's origin only because its config names it: cors.origins).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway } from '../support/gateway.js';
import { startBrowser } from '../support/browser.js';

let gateway, b;

before(async () => {
  b = await startBrowser();
  gateway = await startGateway({ config: { websockets: {}, cors: { origins: [b.origin] } } });
});

after(async () => {
  await b?.close();
  await gateway?.stop();
});

async function openClient(user) {
  const { page: p, context, errors } = await b.openPage();
  const token = await gateway.login(user);
  await p.evaluate(async ({ baseUrl, wsUrl, token }) => {
    window.client = await window.ssot.createClient({
      baseUrl, token,
      websockets: { enabled: true, url: wsUrl, pubsub: { models: { Message: {} } }, batching: { enabled: false } },
    });
    window.view = window.client.model('Message').watch({ where: { roomId: 1 } });
  }, { baseUrl: gateway.baseUrl, wsUrl: gateway.wsUrl, token });
  await p.waitForFunction(() => window.view.getSnapshot().status === 'ready');
  return { page: p, context, errors };
}

test('a message created in one page appears live in the other', async () => {
  const alice = await openClient('alice');
  const bob = await openClient('bob');
  const text = `hello from chromium ${Date.now()}`;
  const created = await alice.page.evaluate((text) => window.client.model('Message').create({ roomId: 1, text }), text);
  assert.equal(created.text, text);
  await bob.page.waitForFunction((text) => window.view.getSnapshot().items.some((m) => m.text === text), text,
    { timeout: 10000 });
  const [inAlice, state] = await alice.page.evaluate((text) => [
    window.view.getSnapshot().items.filter((m) => m.text === text).length, window.client.connection.state,
  ], text);
  assert.equal(inAlice, 1, 'the creator sees its message exactly once');
  assert.equal(state, 'open');
  assert.deepEqual([...alice.errors, ...bob.errors], []);
  await alice.context.close();
  await bob.context.close();
});
