// The fault test, small (tests/cluster/faults.js; the long one runs under
// `npm run soak`): 600 writes on three gateways behind HAProxy, 3 gateway
// kills, Redis and Postgres killed and restarted once each; every client view
// equals the database at the end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runFaults } from './faults.js';
import { requireRuntime } from '../js/helpers.js';

test('cluster faults (short): 0 lost, 0 duplicated, 0 stale after gateway, Redis and Postgres kills', async (t) => {
  requireRuntime();
  const r = await runFaults({ writes: 600, kills: 3 });
  t.diagnostic(r.summary);
  assert.ok(r.ok, r.summary);
  assert.deepEqual([r.kills, r.redisRestarts, r.pgRestarts], [3, 1, 1]);
  assert.equal(r.lost + r.duplicated + r.stale, 0);
});
