// Two gateways on different databases behind one HAProxy address (a migration half
// done): list answers come from two epochs by turns. Before the client refused an
// epoch it had left, each answer of the other one restarted the numbering and re-read
// every other view, whose answer came from the other database and did the same: with
// four views, about a thousand GETs a second for as long as the page stayed open.
// Now the views settle and say why (README "Record state", Epochs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startGateway } from '../support/gateway.js';
import { startHaproxy } from '../../scripts/lib/haproxy.js';
import { clientFor, waitFor } from '../js/helpers.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test('gateways on different databases behind one address: the views settle and say why', async (t) => {
  const gws = [await startGateway({ redis: null }), await startGateway({ redis: null })];
  t.after(() => Promise.all(gws.map((g) => g.stop())));
  assert.notEqual(gws[0].epoch(), gws[1].epoch());
  await gws[1].sql('UPDATE "Message" SET "text" = "text" || \' (second database)\'');
  const proxy = await startHaproxy({ dir: fs.mkdtempSync(path.join(os.tmpdir(), 'ssot-mixed-')), servers: gws.map((g) => g.port) });
  t.after(() => proxy.stop());
  const front = { ...gws[0], baseUrl: `${proxy.url}/api`, wsUrl: `ws://127.0.0.1:${proxy.port}/ws` };

  const client = await clientFor(front, 'alice');
  t.after(() => client.close());
  const views = [1, 2, 3, 4].map((roomId) => client.model('Message').watch({ where: { roomId }, orderBy: { id: 'asc' } }));
  const reasons = [];
  for (const v of views) v.subscribe(() => v.getSnapshot().error && reasons.push(String(v.getSnapshot().error.message ?? v.getSnapshot().error)));
  await waitFor(() => views.every((v) => v.getSnapshot().status !== 'loading'), { what: 'every view read' });
  await sleep(3000);  // the first retries of refused answers (100 ms, then growing) are over by then
  const before = client.stats().httpRequests;
  await sleep(2000);
  const after = client.stats().httpRequests;
  assert.ok(before <= 40 && after - before <= 8, `GETs: ${before} in the first 3 s, ${after - before} in the 2 s after: the views keep reading`);
  // An answer of the epoch left fails its read with this reason (whether one comes depends
  // on which gateway each read reached); no other error.
  assert.ok(reasons.every((r) => /list answer of epoch \w+, which the server left for \w+: are its instances on different databases\?/.test(r)), reasons.join('; '));
  for (const v of views) assert.ok(v.getSnapshot().status === 'ready' || reasons.includes(v.getSnapshot().error?.message), v.getSnapshot().status);
});
