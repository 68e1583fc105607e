// createClient's `mode`: the fallbacks when the browser lacks a worker kind, and
// the worker's name: the same for the same config and user (even with a
// refreshed token), different for another user or another config.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { chooseMode, identityOf, subjectOf, soloWorker, workerName } from '../../js/worker/mode.js';
import { VERSION } from '../../js/version.js';
import { createClient } from '../../js/index.js';
import { signToken } from '../../demo/server/auth.js';

const F = function () {};

test('mode: asked, fallen back, refused', async () => {
  assert.deepEqual(chooseMode({}, {}), { mode: 'main', fallback: null });
  assert.deepEqual(chooseMode({ mode: 'shared-worker' }, { SharedWorker: F, Worker: F }), { mode: 'shared-worker', fallback: null });
  assert.deepEqual(chooseMode({ mode: 'shared-worker' }, { Worker: F }),
    { mode: 'worker', fallback: { requested: 'shared-worker', reason: 'SharedWorker is not available' } });
  assert.deepEqual(chooseMode({ mode: 'shared-worker' }, {}),
    { mode: 'main', fallback: { requested: 'shared-worker', reason: 'neither SharedWorker nor Worker is available' } });
  assert.deepEqual(chooseMode({ mode: 'worker' }, {}), { mode: 'main', fallback: { requested: 'worker', reason: 'Worker is not available' } });
  assert.throws(() => chooseMode({ mode: 'shared' }, {}), /mode must be one of 'main', 'worker', 'shared-worker'/);
  // Node has neither: the engine runs here and the client says so.
  const client = await createClient({ baseUrl: 'http://127.0.0.1:9/api', mode: 'shared-worker' });
  assert.equal(client.mode, 'main');
  assert.deepEqual(client.modeFallback, { requested: 'shared-worker', reason: 'neither SharedWorker nor Worker is available' });
  await client.close();
  await assert.rejects(createClient({ baseUrl: 'http://127.0.0.1:9/api', mode: 1 }), TypeError);
});

test('the worker name: one per origin, config and user', () => {
  const alice1 = signToken({ sub: 1, exp: 100 }, 's');
  const alice2 = signToken({ sub: 1, exp: 200 }, 's');
  const bob = signToken({ sub: 2, exp: 100 }, 's');
  const cfg = { baseUrl: 'https://x/api', websockets: { enabled: true, url: 'wss://x/ws' } };
  const name = (c, origin = 'https://app') => workerName(c, origin);
  assert.equal(identityOf(alice1), 'sub:1');
  assert.equal(name({ ...cfg, token: alice1 }), name({ ...cfg, token: alice2 }), 'a refreshed token keeps the engine');
  assert.equal(name({ ...cfg, token: alice1, getToken: F, onError: F }), name({ ...cfg, token: alice1 }));
  assert.notEqual(name({ ...cfg, token: alice1 }), name({ ...cfg, token: bob }), 'two users, two engines');
  assert.notEqual(name({ ...cfg, token: 'opaque-a' }), name({ ...cfg, token: 'opaque-b' }));
  assert.notEqual(name({ ...cfg, token: alice1 }), name({ ...cfg, token: alice1, baseUrl: 'https://y/api' }));
  assert.notEqual(name({ ...cfg, token: alice1 }), name({ ...cfg, token: alice1 }, 'https://other'));
  assert.match(name(cfg), new RegExp(`^ssot-realtime:v1:${VERSION.replace(/\./g, '\\.')}:[0-9a-z]+$`), 'a new release gets a new worker');
  assert.ok(!name({ ...cfg, token: alice1 }).includes(alice1), 'the token never shows');
});

test("the package version the browser sees is package.json's", () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  assert.equal(VERSION, pkg.version);
});

test('a tab with getToken but no user yet gets a worker of its own; the sub keeps its type', () => {
  const cfg = { baseUrl: 'https://x/api' };
  assert.equal(soloWorker({ ...cfg, getToken: F }), true, 'getToken may sign it in later: never shared');
  assert.equal(soloWorker(cfg), false, 'anonymous tabs without getToken share one');
  assert.equal(soloWorker({ ...cfg, token: signToken({ sub: 1 }, 's'), getToken: F }), false);
  assert.notEqual(workerName(cfg, 'https://app', 'n1'), workerName(cfg, 'https://app', 'n2'));
  assert.equal(subjectOf(signToken({ sub: 1 }, 's')), 1);
  assert.equal(subjectOf(signToken({ sub: '0042' }, 's')), '0042', 'a string sub stays a string');
  assert.equal(subjectOf('opaque'), null);
  assert.equal(subjectOf(undefined), null);
});
