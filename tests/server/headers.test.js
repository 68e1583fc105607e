// Issue 13, finding 9: the page is sent with a CSP that forbids framing and
// script from elsewhere (wasm allowed, no eval), nosniff and a Referrer-Policy;
// CORS answers only configured origins (none by default), never with credentials.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startGateway } from '../support/gateway.js';
import { startServer } from '../../demo/server/server.js';
import { loadConfig } from '../../demo/server/config.js';

const directives = (csp) => new Map((csp ?? '').split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([k, ...v]) => [k, v]));

describe('page headers', () => {
  let s;
  before(async () => {
    const web = fs.mkdtempSync(path.join(os.tmpdir(), 'ssot-page-'));
    fs.writeFileSync(path.join(web, 'index.html'), '<!doctype html><script type="module" src="app.js"></script>');
    fs.writeFileSync(path.join(web, 'app.js'), 'export {};');
    s = await startServer({ port: 0, db: ':memory:', staticDir: web, log: () => {} });
  });
  after(() => s.close());

  test('the page: CSP (no framing, scripts from self, wasm but no eval), nosniff, Referrer-Policy', async () => {
    const res = await fetch(`${s.url}/`);
    assert.equal(res.status, 200);
    const csp = directives(res.headers.get('content-security-policy'));
    assert.deepEqual(csp.get('frame-ancestors'), ["'none'"]);
    assert.deepEqual(csp.get('script-src'), ["'self'", "'wasm-unsafe-eval'"]);
    assert.deepEqual(csp.get('default-src'), ["'self'"]);
    assert.deepEqual(csp.get('object-src'), ["'none'"]);
    assert.deepEqual(csp.get('base-uri'), ["'none'"]);
    for (const [name, values] of csp) assert.ok(!values.includes("'unsafe-inline'") && !values.includes("'unsafe-eval'") && !values.includes('*'), name);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
  });

  test('every response carries them: scripts, API answers, errors', async () => {
    for (const p of ['/app.js', '/api/products', '/api/login', '/nothing']) {
      const res = await fetch(`${s.url}${p}`);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', p);
      assert.equal(res.headers.get('referrer-policy'), 'no-referrer', p);
      assert.match(res.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/, p);
    }
  });
});

describe('CORS', () => {
  let plain, configured;
  before(async () => {
    [plain, configured] = await Promise.all([
      startGateway(),
      startGateway({ config: { websockets: {}, cors: { origins: ['http://app.test', 'https://other.test:8443'] } } }),
    ]);
  });
  after(() => Promise.all([plain.stop(), configured.stop()]));

  const preflight = (gw, origin) => fetch(`${gw.baseUrl}/messages/1`, {
    method: 'OPTIONS',
    headers: { Origin: origin, 'Access-Control-Request-Method': 'PATCH', 'Access-Control-Request-Headers': 'authorization,x-client-mutation-id' },
  });

  test('by default no origin is allowed: no Access-Control-Allow-Origin, not even on a preflight', async () => {
    const token = await plain.login('bob');
    for (const origin of ['http://evil.test', 'null', `http://127.0.0.1:${plain.port}`]) {
      const pre = await preflight(plain, origin);
      assert.equal(pre.status, 204);
      assert.equal(pre.headers.get('access-control-allow-origin'), null, origin);
      const get = await plain.request('GET', '/products', { token, headers: { Origin: origin } });
      assert.equal(get.status, 200);
      assert.equal(get.headers.get('access-control-allow-origin'), null, origin);
      assert.equal(get.headers.get('access-control-allow-credentials'), null);
    }
  });

  test('configured origins get CORS (preflight and responses, errors too), others none; never credentials', async () => {
    const token = await configured.login('bob');
    for (const origin of ['http://app.test', 'https://other.test:8443']) {
      const pre = await preflight(configured, origin);
      assert.equal(pre.status, 204);
      assert.equal(pre.headers.get('access-control-allow-origin'), origin);
      assert.equal(pre.headers.get('access-control-allow-methods'), 'GET,POST,PUT,PATCH,DELETE,OPTIONS');
      assert.equal(pre.headers.get('access-control-allow-headers'), 'Content-Type, Authorization, X-Client-Mutation-Id');
      assert.match(pre.headers.get('vary') ?? '', /Origin/);
      const ok = await configured.request('GET', '/products', { token, headers: { Origin: origin } });
      assert.equal(ok.headers.get('access-control-allow-origin'), origin);
      const err = await configured.request('GET', '/products', { headers: { Origin: origin } });
      assert.equal(err.status, 401);
      assert.equal(err.headers.get('access-control-allow-origin'), origin);
      for (const r of [pre, ok, err]) assert.equal(r.headers.get('access-control-allow-credentials'), null);
    }
    for (const origin of ['http://evil.test', 'http://app.test.evil.test', 'https://app.test', 'null']) {
      const pre = await preflight(configured, origin);
      assert.equal(pre.headers.get('access-control-allow-origin'), null, origin);
      const get = await configured.request('GET', '/products', { token, headers: { Origin: origin } });
      assert.equal(get.headers.get('access-control-allow-origin'), null, origin);
      assert.match(get.headers.get('vary') ?? '', /Origin/, 'caches must not reuse an answer across origins');
    }
  });

  test('"*" allows any origin, still without credentials', async () => {
    const s = await startServer({ port: 0, db: ':memory:', config: { websockets: {}, cors: { origins: ['*'] } }, log: () => {} });
    try {
      const res = await fetch(`${s.url}/api/products`, { headers: { Origin: 'http://any.test' } });
      assert.equal(res.status, 401);
      assert.equal(res.headers.get('access-control-allow-origin'), '*');
      assert.equal(res.headers.get('access-control-allow-credentials'), null);
    } finally {
      await s.close();
    }
  });

  test('cors.origins is validated at start-up', () => {
    assert.equal(loadConfig().cors.origins.size, 0, 'default: same origin only');
    for (const bad of [{ origins: 'http://a.test' }, { origins: ['http://a.test/'] }, { origins: ['a.test'] }, { origins: [1] }, { allow: [] }, []]) {
      assert.throws(() => loadConfig({ websockets: {}, cors: bad }), /config: cors/, JSON.stringify(bad));
    }
  });
});
