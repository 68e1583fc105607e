// The short chaos soak (tests/soak/chaos.js --short) inside the test command:
// 1,000 mutations, 3 gateway kills and restarts, 3 server-side socket cuts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runChaos } from './chaos.js';
import { requireRuntime } from '../js/helpers.js';

test('chaos soak (short): every client view equals the database after kills, restarts and cuts', async (t) => {
  requireRuntime();
  const r = await runChaos({ mutations: 1000, restarts: 3, cuts: 3 });
  t.diagnostic(r.summary);
  assert.ok(r.ok, r.summary);
  assert.equal(r.restarts, 3);
  assert.equal(r.lost + r.doubled + r.stale, 0);
});
