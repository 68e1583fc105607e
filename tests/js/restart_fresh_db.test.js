// Issue 14, item 5: a gateway restarted on a fresh database (`--db :memory:`)
// numbers its streams from 0 again and has only the seed data. A live view that
// had applied updates up to a much higher seq must not stay on the old data
// (trusting seqs of the old numbering, or keeping records the new server never
// had): the new epoch (and a subscribed.seq below the last applied one) makes the
// client drop the channel's seq state, its record versions and tombstones, and
// re-hydrate (PROTOCOL.md, "Epochs (ext, round two)").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startGateway } from '../support/gateway.js';
import { clientFor, tokenFor, until, waitFor } from './helpers.js';

const q = (o) => encodeURIComponent(JSON.stringify(o));
const rows = (items) => items.map((m) => [m.id, m.text]);

// REST on `gw` as `user`; asserts success, resolves the body.
const restOn = (gw) => async (method, p, body, user = 'alice') => {
  const r = await gw.request(method, p, { token: await tokenFor(gw, user), body });
  assert.ok(r.status < 300, `${method} ${p}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
};
const ROOM1 = `/messages?where=${q({ roomId: 1 })}&orderBy=${q({ id: 'asc' })}`;

// Waits until `view` shows exactly `expected` (a list answer): ids, texts, total.
function converged(view, expected, what) {
  return waitFor(() => {
    const s = view.getSnapshot();
    return s.status === 'ready' && s.total === expected.total && JSON.stringify(rows(s.items)) === JSON.stringify(rows(expected.items));
  }, { timeout: 5000, what, show: () => ({ view: rows(view.getSnapshot().items), total: view.getSnapshot().total, server: rows(expected.items) }) });
}

// alice's live view of room 1 on a fresh :memory: gateway, after 15 creates
// (her Message:list stream at seq 15; the seed wrote none). gated: her socket
// goes through a gate (below) the test can close.
async function oldServerWithHistory(t, { gated = false } = {}) {
  const gw = await startGateway({ dbPath: ':memory:' });
  t.after(() => gw.stop());
  const g = gated ? await gate(gw) : null;
  if (g) t.after(() => g.stop());
  const alice = await clientFor(gw, 'alice', g ? { websockets: { url: g.wsUrl } } : {});
  t.after(() => alice.close());
  const view = alice.model('Message').watch({ where: { roomId: 1 }, orderBy: { id: 'asc' } });
  t.after(() => view.close());
  await until(view, (s) => s.status === 'ready');
  const rest = restOn(gw);
  for (let i = 1; i <= 15; i++) await rest('POST', '/messages', { roomId: 1, text: `old ${i}` });
  const oldList = await rest('GET', ROOM1);
  assert.equal(oldList.seq, 15);
  assert.deepEqual(oldList.items.map((m) => m.id), [1, 2, 3, ...Array.from({ length: 15 }, (_, i) => 6 + i)]);
  await converged(view, oldList, 'the view equals the old server');
  return { gw, g, alice, view, rest, oldList };
}

test("restart on a fresh :memory: database: the live view converges to the new server's list", async (t) => {
  const { gw, alice, view, rest, oldList } = await oldServerWithHistory(t);

  // A new gateway on the same port, with a fresh database: seq 0, seed data only.
  await gw.stop();
  await until(alice.connection, (s) => s.state !== 'open', 'the client noticed the outage');
  await gw.restart();
  const fresh = await rest('GET', ROOM1);
  assert.notEqual(fresh.epoch, oldList.epoch);
  assert.equal(fresh.seq, 0);
  assert.deepEqual(fresh.items.map((m) => m.id), [1, 2, 3], 'seed only');

  // Two writes on the new server: one while the client may still be reconnecting,
  // one once it is open. The create reuses id 6, which the client held with other
  // text and the same version (1); the update gives message 2 version 2.
  const made = await rest('POST', '/messages', { roomId: 1, text: 'new server, first write' });
  assert.deepEqual([made.id, made.version], [6, 1]);
  await until(alice.connection, (s) => s.state === 'open', 'open again');
  const edited = await rest('PATCH', '/messages/2', { text: 'new server, second write' }, 'admin');
  assert.equal(edited.version, 2);

  const expected = await rest('GET', ROOM1);
  assert.equal(expected.seq, 2);
  await converged(view, expected, "the view equals the new server's list");
  assert.deepEqual(rows(view.getSnapshot().items),
    [[1, expected.items[0].text], [2, 'new server, second write'], [3, expected.items[2].text], [6, 'new server, first write']]);

  // And it stays live on the new numbering: the next update (seq 3, far below
  // the old 15) is applied.
  await rest('PATCH', '/messages/6', { text: 'new server, third write' });
  await until(view, (s) => s.items.find((m) => m.id === 6)?.text === 'new server, third write', 'a live update after the restart');
  assert.deepEqual(rows(view.getSnapshot().items), rows((await rest('GET', ROOM1)).items));
});

// A TCP gate in front of the gateway's port: while closed it refuses every new
// connection, so the test decides when the client's socket can come back.
async function gate(gw) {
  let open = true;
  const live = new Set();
  const server = net.createServer((down) => {
    if (!open) return down.destroy();
    const up = net.connect(gw.port, '127.0.0.1');
    live.add(down);
    const end = () => { down.destroy(); up.destroy(); live.delete(down); };
    down.on('error', end).on('close', end);
    up.on('error', end).on('close', end);
    down.pipe(up);
    up.pipe(down);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    wsUrl: `ws://127.0.0.1:${server.address().port}/ws`,
    open: () => { open = true; },
    close: () => { open = false; },
    stop: () => new Promise((resolve) => { for (const s of live) s.destroy(); server.close(resolve); }),
  };
}

// The case only the epoch can tell: by the time the client is back, the new
// server's numbering has reached the old one (seq 15 again), so `subscribed`
// says seq 15 = the client's last, nothing to replay, no resync, and the new
// records reuse the old ids with the same version (1). Without the epoch the
// client would keep the old server's texts for good.
test('restart on a fresh database whose seq has caught up before the client is back: only the epoch tells', async (t) => {
  const { gw, g, alice, view, rest, oldList } = await oldServerWithHistory(t, { gated: true });

  g.close();
  await gw.stop();
  await until(alice.connection, (s) => s.state === 'reconnecting', 'reconnecting');
  await gw.restart();
  for (let i = 1; i <= 15; i++) await rest('POST', '/messages', { roomId: 1, text: `new ${i}` });
  const caughtUp = await rest('GET', ROOM1);
  assert.notEqual(caughtUp.epoch, oldList.epoch);
  assert.equal(caughtUp.seq, oldList.seq, 'the same seq as the client last applied');
  assert.deepEqual(caughtUp.items.map((m) => [m.id, m.version]), oldList.items.map((m) => [m.id, m.version]), 'the same ids and versions');
  // Still out (it may be between two attempts, or in one: 'connecting' under load).
  assert.notEqual(alice.connection.getSnapshot().state, 'open', 'the client did not get through the closed gate');

  g.open();
  await until(alice.connection, (s) => s.state === 'open', 'open again', 10000);
  await converged(view, caughtUp, "the view equals the new server's list");
  assert.deepEqual(view.getSnapshot().items.filter((m) => m.id >= 6).map((m) => m.text), Array.from({ length: 15 }, (_, i) => `new ${i + 1}`));

  // Two more writes arrive live (seq 16, 17 of the new numbering).
  await rest('PATCH', '/messages/7', { text: 'new 2, edited' });
  await rest('POST', '/messages', { roomId: 1, text: 'new 16' });
  const expected = await rest('GET', ROOM1);
  assert.equal(expected.seq, 17);
  await converged(view, expected, 'live after the restart');
});
