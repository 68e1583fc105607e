// The short leak soak (tests/soak/leak.js --short) inside the test command.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLeak, SHORT } from './leak.js';
import { requireRuntime } from '../js/helpers.js';

test(`leak soak (short): ${SHORT} updates through views opened and closed; heap at most 5% above its warm-up size, every Runtime deleted`, async (t) => {
  requireRuntime();
  const r = await runLeak({ updates: SHORT });
  t.diagnostic(r.summary);
  assert.ok(r.ok, r.summary);
});
