// Issue 13, finding 6: login must not tell whether a user exists by its
// timing, and failed logins are throttled per user name and per address.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import { startGateway } from '../support/gateway.js';
import { startServer } from '../../demo/server/server.js';
import { checkPassword } from '../../demo/server/auth.js';
import { createThrottle } from '../../demo/server/throttle.js';
import { loadConfig } from '../../demo/server/config.js';
import { createClientAddress, parseTrustedProxies } from '../../demo/server/clientAddress.js';

// Counts crypto.scrypt calls made in this process while fn runs. auth.js
// calls it through the module object, so the spy sees the server's calls.
async function countScrypt(fn) {
  const original = crypto.scrypt;
  let calls = 0;
  crypto.scrypt = (...args) => { calls += 1; return original(...args); };
  try { await fn(); } finally { crypto.scrypt = original; }
  return calls;
}

// POST /api/login from a chosen local address (all of 127/8 is loopback).
function login(port, username, password, localAddress = '127.0.0.1', headers = {}) {
  const body = JSON.stringify({ username, password });
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port, path: '/api/login', method: 'POST', localAddress,
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), ...headers },
    }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(text), retryAfter: res.headers['retry-after'] }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('no user enumeration by timing', () => {
  test('checkPassword runs scrypt whatever the stored hash (missing, empty, malformed)', async () => {
    for (const stored of [null, undefined, '', 'plain', 'scrypt$$', 'scrypt$zz$zz']) {
      let ok;
      assert.equal(await countScrypt(async () => { ok = await checkPassword('x', stored); }), 1, String(stored));
      assert.equal(ok, false, String(stored));
    }
  });

  test('a login for an unknown user costs one scrypt, like a wrong password', async () => {
    const s = await startServer({ port: 0, db: ':memory:', secret: 'k', log: () => {} });
    try {
      for (const [username, password] of [['mallory', 'mallory'], ['alice', 'wrong'], ['alice', 'alice']]) {
        let r;
        const calls = await countScrypt(async () => { r = await login(s.port, username, password); });
        assert.equal(calls, 1, `${username}/${password}: scrypt calls`);
        assert.equal(r.status, username === 'alice' && password === 'alice' ? 200 : 401);
      }
    } finally {
      await s.close();
    }
  });
});

describe('throttle (fake clock)', () => {
  test('max failures per window per key, then refused until the oldest ages out', () => {
    let now = 1000;
    const t = createThrottle({ max: 3, windowMs: 60_000, now: () => now });
    assert.equal(t.retryAfterMs('a'), 0);
    t.fail('a');
    now += 10_000;
    t.fail('a');
    t.fail('a');
    assert.equal(t.retryAfterMs('a'), 50_000, 'the first failure leaves the window 50 s from now');
    assert.equal(t.retryAfterMs('b'), 0, 'keys are independent');
    now += 49_999;
    assert.equal(t.retryAfterMs('a'), 1);
    now += 1;
    assert.equal(t.retryAfterMs('a'), 0, 'one failure aged out: one more attempt');
    t.fail('a');
    assert.equal(t.retryAfterMs('a'), 10_000);
    t.reset('a');
    assert.equal(t.retryAfterMs('a'), 0);
  });

  test('keys whose failures aged out are forgotten; the table is bounded', () => {
    let now = 0;
    const t = createThrottle({ max: 2, windowMs: 1000, now: () => now, maxKeys: 100 });
    for (let i = 0; i < 50; i++) t.fail(`k${i}`);
    assert.equal(t.size(), 50);
    now += 1000;
    t.fail('fresh');
    assert.equal(t.size(), 1, 'aged-out keys dropped');
    for (let i = 0; i < 500; i++) t.fail(`x${i}`);
    assert.ok(t.size() <= 100, `size ${t.size()}`);
  });
});

describe('throttle over HTTP', () => {
  test('past the per-user limit: 429 with Retry-After, even with the right password; other users unaffected', async () => {
    const gw = await startGateway({ config: { websockets: { limits: { loginFailuresPerUser: 3, loginWindowSeconds: 120 } } } });
    try {
      for (let i = 0; i < 3; i++) assert.equal((await login(gw.port, 'alice', 'nope')).status, 401);
      for (const password of ['nope', 'alice']) {
        const r = await login(gw.port, 'alice', password);
        assert.equal(r.status, 429, password);
        assert.match(r.body.error, /Too many failed logins/);
        const after = Number(r.retryAfter);
        assert.ok(Number.isInteger(after) && after >= 1 && after <= 120, `Retry-After ${r.retryAfter}`);
      }
      assert.equal((await login(gw.port, 'bob', 'bob')).status, 200);
      // An unknown user name is throttled the same way (nothing tells it apart).
      for (let i = 0; i < 3; i++) assert.equal((await login(gw.port, 'mallory', 'x')).status, 401);
      assert.equal((await login(gw.port, 'mallory', 'x')).status, 429);
    } finally {
      await gw.stop();
    }
  });

  test('past the per-address limit: 429 for every name from that address, not from another', async () => {
    const gw = await startGateway({ config: { websockets: { limits: { loginFailuresPerAddress: 4 } } } });
    try {
      for (const name of ['u1', 'u2', 'u3', 'u4']) assert.equal((await login(gw.port, name, 'x')).status, 401);
      const r = await login(gw.port, 'bob', 'bob');
      assert.equal(r.status, 429);
      assert.ok(Number(r.retryAfter) >= 1);
      assert.equal((await login(gw.port, 'bob', 'bob', '127.0.0.2')).status, 200, 'another address still logs in');
    } finally {
      await gw.stop();
    }
  });

  test('the limits are validated and have defaults', () => {
    const { limits } = loadConfig();
    assert.deepEqual([limits.loginFailuresPerUser, limits.loginFailuresPerAddress, limits.loginWindowSeconds], [5, 20, 60]);
    assert.throws(() => loadConfig({ websockets: { limits: { loginWindowSeconds: 0 } } }), /loginWindowSeconds must be a positive integer/);
  });
});

describe('behind a proxy (--trust-proxy)', () => {
  const req = (peer, xff) => ({ socket: { remoteAddress: peer }, headers: xff === undefined ? {} : { 'x-forwarded-for': xff } });

  test('the address: what a trusted peer appended to X-Forwarded-For; anyone else\'s header is ignored', () => {
    const of = createClientAddress(['127.0.0.1', '10.0.0.2']);
    assert.equal(of(req('::ffff:127.0.0.1', '203.0.113.5')), '203.0.113.5', 'IPv4-mapped peer');
    assert.equal(of(req('127.0.0.1', '198.51.100.1, 203.0.113.5')), '203.0.113.5', 'the left entries come from the client');
    assert.equal(of(req('127.0.0.1', '203.0.113.5, 127.0.0.1')), '127.0.0.1', 'a client on the proxy\'s address cannot name another');
    assert.equal(of(req('127.0.0.1', '2001:DB8::1')), '2001:db8::1', 'IPv6, in lower case');
    assert.equal(of(req('127.0.0.1', 'nonsense')), '127.0.0.1', 'not an address: the proxy');
    assert.equal(of(req('127.0.0.1')), '127.0.0.1', 'no header: the proxy');
    assert.equal(of(req('192.0.2.9', '203.0.113.5')), '192.0.2.9', 'an untrusted peer');
    assert.equal(createClientAddress()(req('127.0.0.1', '203.0.113.5')), '127.0.0.1', 'no proxy trusted by default');
    assert.deepEqual(parseTrustedProxies('127.0.0.1, ::1'), ['127.0.0.1', '::1']);
    assert.throws(() => parseTrustedProxies('localhost'), /--trust-proxy takes IP addresses/);
  });

  test('failures count per client behind the proxy: one client is throttled, another is not; a forged entry does not help', async () => {
    const config = { websockets: { limits: { loginFailuresPerAddress: 3 } } };
    const s = await startServer({ port: 0, db: ':memory:', secret: 'k', log: () => {}, config, trustProxy: ['127.0.0.1'] });
    const via = (xff) => ['127.0.0.1', { 'X-Forwarded-For': xff }];
    try {
      for (const name of ['u1', 'u2', 'u3']) assert.equal((await login(s.port, name, 'x', ...via('203.0.113.5'))).status, 401);
      assert.equal((await login(s.port, 'bob', 'bob', ...via('203.0.113.5'))).status, 429);
      assert.equal((await login(s.port, 'bob', 'bob', ...via('198.51.100.1, 203.0.113.5'))).status, 429, 'a forged left entry');
      assert.equal((await login(s.port, 'bob', 'bob', ...via('203.0.113.6'))).status, 200, 'another client of the proxy');
    } finally {
      await s.close();
    }
  });

  test('without --trust-proxy a client cannot pick its address with the header', async () => {
    const config = { websockets: { limits: { loginFailuresPerAddress: 3 } } };
    const s = await startServer({ port: 0, db: ':memory:', secret: 'k', log: () => {}, config });
    try {
      for (const xff of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) {
        assert.equal((await login(s.port, `u${xff}`, 'x', '127.0.0.1', { 'X-Forwarded-For': xff })).status, 401);
      }
      assert.equal((await login(s.port, 'bob', 'bob', '127.0.0.1', { 'X-Forwarded-For': '203.0.113.4' })).status, 429);
    } finally {
      await s.close();
    }
  });
});
