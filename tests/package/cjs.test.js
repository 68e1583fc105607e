// The CommonJS build at run time: a "type": "commonjs" app require()s both entries
// of the packed package, creates a client against the gateway and renders the
// hooks (jsdom); with the ESM build loaded too, the two share the React context,
// the wasm Module and SsotError (fixtures/consumer.cjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway } from '../support/gateway.js';
import { copyFixtures, project, runNode } from './helpers.js';

let gw;
before(async () => { gw = await startGateway(); });
after(() => gw.stop());

test('require() of both entries works, alone and beside the ESM build', async () => {
  const dir = project('commonjs', ['react', 'react-dom', 'ws', 'xhr2', 'jsdom', 'global-jsdom', '@testing-library/react', '@testing-library/dom']);
  copyFixtures(dir, ['consumer.cjs']);
  const token = await gw.login('alice');
  const run = runNode('consumer.cjs', [gw.baseUrl, token], { cwd: dir });
  assert.equal(run.status, 0, run.out);
  const out = JSON.parse(run.out.trim().split('\n').at(-1));
  const total = (await gw.request('GET', '/products', { token })).body.total;
  assert.equal(out.total, total);
  assert.equal(out.hooks, `rows:${total}one:1`);
  assert.equal(out.esmProviderCjsHooks, `rows:${total}`, 'a provider of the ESM build serves hooks of the CommonJS build');
  assert.equal(out.esmClientCjsHooks, `rows:${total}`);
  assert.deepEqual(out.bothHydrated, [total, total], 'clients of both builds hear the shared wasm Module');
  assert.deepEqual(out.errors, { cjs: true, esm: true, status: 404 });
  assert.deepEqual(out.esmErrors, { cjs: true, plainError: false });
});
