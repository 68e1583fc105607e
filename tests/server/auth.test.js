// Login, tokens, and their checks on REST and on the WebSocket.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, connectSocket, TEST_SECRET } from '../support/gateway.js';
import { signToken, verifyToken, hashPassword, checkPassword } from '../../demo/server/auth.js';

const now = () => Math.floor(Date.now() / 1000);

describe('token functions', () => {
  test('sign / verify round trip; tampering, other secrets, expiry and junk fail', () => {
    const payload = { sub: 1, exp: now() + 60 };
    const t = signToken(payload, 's1');
    assert.match(t, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    assert.deepEqual(JSON.parse(Buffer.from(t.split('.')[0], 'base64url')), payload);
    assert.deepEqual(verifyToken(t, 's1'), payload);
    assert.equal(verifyToken(t, 's2'), null);
    const forged = `${Buffer.from(JSON.stringify({ sub: 3, exp: now() + 60 })).toString('base64url')}.${t.split('.')[1]}`;
    assert.equal(verifyToken(forged, 's1'), null);
    assert.equal(verifyToken(signToken({ sub: 1, exp: now() - 1 }, 's1'), 's1'), null);
    assert.equal(verifyToken(signToken({ sub: 'x', exp: now() + 60 }, 's1'), 's1'), null);
    for (const junk of ['', '.', 'a.b', 'abc', `${t}.x`, null, 42]) assert.equal(verifyToken(junk, 's1'), null);
  });

  test('passwords are salted scrypt hashes', async () => {
    const h1 = await hashPassword('alice');
    const h2 = await hashPassword('alice');
    assert.match(h1, /^scrypt\$[0-9a-f]{32}\$[0-9a-f]{64}$/);
    assert.notEqual(h1, h2);
    assert.equal(await checkPassword('alice', h1), true);
    assert.equal(await checkPassword('bob', h1), false);
    assert.equal(await checkPassword('alice', 'plain'), false);
  });
});

describe('REST and WebSocket auth', () => {
  let gw;
  before(async () => { gw = await startGateway(); });
  after(() => gw.stop());

  test('login answers {token, user} for each demo user', async () => {
    for (const [name, id, role] of [['alice', 1, 'user'], ['bob', 2, 'user'], ['admin', 3, 'admin']]) {
      const r = await gw.request('POST', '/login', { body: { username: name, password: name } });
      assert.equal(r.status, 200);
      assert.deepEqual(r.body.user, { id, name, role });
      const p = verifyToken(r.body.token, TEST_SECRET);
      assert.equal(p.sub, id);
      assert.ok(Math.abs(p.exp - (now() + 3600)) <= 2, 'default ttl is one hour');
    }
  });

  test('bad logins: 401 for wrong credentials, 400 for a bad body', async () => {
    for (const body of [{ username: 'alice', password: 'bob' }, { username: 'mallory', password: 'mallory' }, { username: "alice' OR '1'='1", password: 'x' }]) {
      const r = await gw.request('POST', '/login', { body });
      assert.deepEqual([r.status, r.body], [401, { error: 'Invalid username or password' }]);
    }
    for (const body of [{ username: 'alice' }, { username: 1, password: 'x' }, []]) {
      const r = await gw.request('POST', '/login', { body });
      assert.equal(r.status, 400);
      assert.equal(typeof r.body.error, 'string');
    }
    const bad = await gw.request('POST', '/login', { raw: '{nope' });
    assert.deepEqual([bad.status, bad.body], [400, { error: 'Invalid JSON body' }]);
  });

  test('every /api call but login needs a valid bearer token', async () => {
    const good = await gw.login('bob');
    const me = await gw.request('GET', '/me', { token: good });
    assert.deepEqual([me.status, me.body], [200, { id: 2, name: 'bob', role: 'user' }]);
    const tokens = {
      missing: undefined,
      garbage: 'garbage',
      expired: gw.mintToken({ sub: 2, exp: now() - 5 }),
      otherSecret: signToken({ sub: 2, exp: now() + 60 }, 'not-the-secret'),
      unknownUser: gw.mintToken({ sub: 99, exp: now() + 60 }),
    };
    for (const [what, token] of Object.entries(tokens)) {
      for (const p of ['/me', '/messages', '/products/1', '/nothing']) {
        const r = await gw.request('GET', p, { token });
        assert.equal(r.status, 401, `${what} ${p}`);
        assert.match(r.body.error, /^Unauthorized/, `${what} ${p}`);
      }
    }
    const basic = await gw.request('GET', '/me', { headers: { Authorization: 'Basic YWxpY2U6YWxpY2U=' } });
    assert.equal(basic.status, 401);
    const post = await gw.request('POST', '/messages', { body: { roomId: 1, text: 'anon' } });
    assert.equal(post.status, 401);
  });

  test('WebSocket: missing, bad, expired or unknown-user token -> accepted then closed 4401', async () => {
    const cases = [
      gw.wsUrl,
      `${gw.wsUrl}?token=garbage`,
      `${gw.wsUrl}?token=${gw.mintToken({ sub: 1, exp: now() - 1 })}`,
      `${gw.wsUrl}?token=${signToken({ sub: 1, exp: now() + 60 }, 'other')}`,
      `${gw.wsUrl}?token=${gw.mintToken({ sub: 42, exp: now() + 60 })}`,
    ];
    for (const url of cases) {
      const c = connectSocket(url);
      await c.opened; // the upgrade succeeds, so a browser can read the close code
      const { code } = await c.closed;
      assert.equal(code, 4401, url);
    }
    const ok = await gw.socket('alice');
    ok.send({ type: 'ping', t: 1 });
    assert.deepEqual(await ok.next({ type: 'pong' }), { type: 'pong', t: 1 });
    ok.close();
  });

  test('WebSocket only at /ws', async () => {
    const c = connectSocket(`ws://127.0.0.1:${gw.port}/other?token=${await gw.login('alice')}`);
    await assert.rejects(c.opened, /upgrade refused: 404|closed/);
  });
});

test('SSOT_TOKEN_TTL_SECONDS sets the token lifetime', async () => {
  const gw = await startGateway({ env: { SSOT_TOKEN_TTL_SECONDS: '120' } });
  try {
    const t = await gw.login('alice');
    assert.ok(Math.abs(verifyToken(t, TEST_SECRET).exp - (now() + 120)) <= 2);
  } finally {
    await gw.stop();
  }
});
