// The CommonJS build at run time, in a "type": "commonjs" app with the packed
// package installed: require() of both entries with require(esm) off (as in Node
// 20 before 20.19), a client against the gateway; the ESM build loaded beside it
// shares the wasm Module, SsotError and (the hooks under jsdom) the React context.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway } from '../support/gateway.js';
import { copyFixtures, project, runNode, NO_REQUIRE_ESM } from './helpers.js';

let gw;
let token;
let total;
before(async () => {
  gw = await startGateway();
  token = await gw.login('alice');
  total = (await gw.request('GET', '/products', { token })).body.total;
});
after(() => gw.stop());

function run(args, links) {
  const dir = project('commonjs', links);
  copyFixtures(dir, ['consumer.cjs', 'consumer-react.cjs']);
  const r = runNode(args(dir), { cwd: dir });
  assert.equal(r.status, 0, r.out);
  return JSON.parse(r.out.trim().split('\n').at(-1));
}

test('require() of both entries without require(esm); both builds side by side', () => {
  const out = run(() => [NO_REQUIRE_ESM, 'consumer.cjs', gw.baseUrl, token], ['react', 'ws', 'xhr2']);
  assert.ok(out.reactExports.includes('useSuspenseList') && out.reactExports.includes('ClientProvider'));
  assert.equal(out.total, total);
  assert.deepEqual(out.bothHydrated, [total, total], 'clients of both builds hear the shared wasm Module');
  assert.deepEqual(out.errors, { cjs: true, esm: true, status: 404 });
  assert.deepEqual(out.esmErrors, { cjs: true, plainError: false });
});

test('the CommonJS hooks render rows, also under a provider or with a client of the ESM build', () => {
  const out = run(() => ['consumer-react.cjs', gw.baseUrl, token],
    ['react', 'react-dom', 'ws', 'xhr2', 'jsdom', 'global-jsdom', '@testing-library/react', '@testing-library/dom']);
  assert.equal(out.hooks, `rows:${total}one:1`);
  assert.equal(out.esmProviderCjsHooks, `rows:${total}`, 'a provider of the ESM build serves hooks of the CommonJS build');
  assert.equal(out.esmClientCjsHooks, `rows:${total}`);
});
