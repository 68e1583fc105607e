// One engine, one user: the engine host refuses a tab or a token of another user
// than the one its engine started with (an anonymous shared engine takes no
// user at all; a solo one takes its first). getToken is asked of every tab that
// has one, the first token wins, a tab that goes or stays silent does not hold
// the engine, and a late token is still taken. Engine errors about one tab's
// listener go to that tab only. Against the real gateway where a socket is needed.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { signToken } from '../../demo/server/auth.js';
import { startServer } from '../../demo/server/server.js';
import { TEST_SECRET } from '../support/gateway.js';
import { TOKEN_WAIT_MS, HEARTBEAT_MS } from '../../js/worker/protocol.js';
import { closeAll, CONFIG, setup, fakeLocks, waitFor, settledWithin } from './worker_helpers.js';

const alice = signToken({ sub: 1, exp: 2e9 }, 's');
const alice2 = signToken({ sub: 1, exp: 2e9 + 1 }, 's');
const bob = signToken({ sub: 2, exp: 2e9 }, 's');
const asked = (t, n = 1) => waitFor('the getToken question', () => t.got.filter((m) => m.t === 'getToken').length >= n);

let srv;
before(async () => {
  srv = await startServer({ port: 0, db: ':memory:', secret: TEST_SECRET, config: { websockets: {} }, log: () => {} });
});
after(() => srv?.close());

afterEach(closeAll);

test("an engine refuses another user's tab and another user's token; its own user's fresh token is taken", async () => {
  const { raw, tab, configs, close } = setup();
  const a = await raw({ config: { ...CONFIG, token: alice }, getToken: true });
  assert.equal(a.answer.t, 'welcome');
  assert.match((await raw({ config: { ...CONFIG, token: bob } })).answer.reason, /another user/);
  assert.match((await raw({ config: CONFIG })).answer.reason, /another user/, 'nor an anonymous tab');
  // The engine's getToken asks the tab; a token of bob is refused (the tab is told), alice's is taken.
  let answer = configs[0].getToken();
  await asked(a);
  a.send({ t: 'token', token: bob });
  assert.equal(await answer, null);
  await waitFor('the refusal', () => a.entries().some((e) => e.k === 'error' && e.code === 'identity'));
  answer = configs[0].getToken();
  await asked(a, 2);
  a.send({ t: 'token', token: alice2 });
  assert.equal(await answer, alice2);
  // The tab's own side refuses it too, before sending: its app gets code 'identity'.
  const errors = [];
  const t = await tab({ ...CONFIG, token: alice, getToken: () => bob, onError: (e) => errors.push(e) }, { tabLocks: null });
  const third = configs[0].getToken(); // asks a and t
  await waitFor('the tab reported it', () => errors.some((e) => e.code === 'identity'));
  await asked(a, 3);
  a.send({ t: 'token', token: null });
  assert.equal(await third, null, 'never bob');
  assert.ok(!t.log[0].toHost.some((m) => m.t === 'token' && m.token === bob), "the tab never sent bob's token");
  await t.client.close();
  await close();
});

test('an anonymous shared engine never takes a user; a solo one takes its first and then only that one', async () => {
  const shared = setup();
  const anon = await shared.raw({ getToken: true });
  const answer = shared.configs[0].getToken();
  await asked(anon);
  anon.send({ t: 'token', token: alice });
  assert.equal(await answer, null, 'a tab signing in must not sign in every anonymous tab');
  await shared.close();

  const solo = setup();
  const own = await solo.raw({ getToken: true, solo: true });
  const first = solo.configs[0].getToken();
  await asked(own);
  own.send({ t: 'token', token: alice });
  assert.equal(await first, alice);
  assert.match((await solo.raw({ config: { ...CONFIG, token: bob }, solo: true })).answer.reason, /another user/);
  await solo.close();
});

test('getToken asks every tab that has one: the first token wins; a tab that goes is not waited for', async () => {
  const { raw, configs, close } = setup();
  const frozen = await raw({ config: { ...CONFIG, token: alice }, getToken: true });
  const awake = await raw({ config: { ...CONFIG, token: alice }, getToken: true });
  await raw({ config: { ...CONFIG, token: alice } }); // no getToken: not asked
  const answer = configs[0].getToken();
  await asked(frozen);
  await asked(awake);
  awake.send({ t: 'token', token: alice2 });
  assert.equal(await answer, alice2, 'the frozen tab did not hold it');
  // Only the frozen one left to ask: it says bye, the engine does not wait for the timeout.
  awake.send({ t: 'bye' });
  const again = configs[0].getToken();
  await asked(frozen, 2);
  frozen.send({ t: 'bye' });
  assert.equal(await settledWithin(again), 'settled');
  assert.equal(await again, null);
  await close();
});

async function login(user) {
  const res = await fetch(`${srv.url}/api/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: user, password: user }) });
  return (await res.json()).token;
}

const gatewayConfig = (token) => ({ baseUrl: `${srv.url}/api`, token, websockets: { enabled: true, url: `${srv.url.replace('http', 'ws')}/ws` } });
const conn = (t) => t.entries().filter((e) => e.k === 'conn').at(-1)?.state;

test('a token that comes after the engine gave up waiting is still taken: the engine reconnects', async () => {
  const locks = fakeLocks();
  const { raw, hostClock, close } = setup({ locks });
  let release;
  locks.request('tab-lock', () => new Promise((r) => { release = r; })); // the tab lives: no heartbeat needed
  const expired = signToken({ sub: 1, exp: Math.floor(Date.now() / 1000) - 10 }, TEST_SECRET);
  const t = await raw({ config: gatewayConfig(expired), getToken: true, lock: 'tab-lock' });
  await asked(t); // the gateway closed the socket with 4401
  for (let ms = 0; ms <= TOKEN_WAIT_MS; ms += HEARTBEAT_MS) hostClock.step();
  await waitFor('unauthorized', () => conn(t) === 'unauthorized');
  t.send({ t: 'token', token: await login('alice') });
  await waitFor('open again', () => conn(t) === 'open');
  release();
  await close();
});

test("an engine error about one tab's listener goes to that tab only", async () => {
  const { raw, close } = setup();
  const token = await login('alice');
  const a = await raw({ config: gatewayConfig(token) });
  const b = await raw({ config: gatewayConfig(token) });
  await waitFor('open', () => conn(a) === 'open' || a.answer.conn.state === 'open');
  a.send({ t: 'listen', id: 1, channel: 'Message:item:999999' });
  await waitFor("a's error", () => a.entries().some((e) => e.k === 'error' && e.code === 'channel'));
  b.send({ t: 'stats' }); // a round trip: anything sent to b before it has arrived
  await waitFor("b's stats", () => b.entries().some((e) => e.k === 'stats'));
  assert.deepEqual(b.entries().filter((e) => e.k === 'error'), []);
  await close();
});
