// Optimistic mutations through the JS API against the real runtime and gateway:
// shown at once (snapshot.pending names them), confirmed in place, rolled back on
// failure with the server's status and message.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway } from '../support/gateway.js';
import { SsotError } from '../../js/index.js';
import { clientFor, until } from './helpers.js';

let gw;
const open = async (t, user) => {
  const c = await clientFor(gw, user);
  t.after(() => c.close());
  return c;
};
before(async () => { gw = await startGateway(); });
after(() => gw.stop());

const tick = () => new Promise((r) => queueMicrotask(r)); // after the drain the call queued

test('create: the row shows before the server answers, then is confirmed in place', async (t) => {
  const alice = await open(t, 'alice');
  const view = alice.model('Message').watch({ where: { roomId: 1 }, orderBy: { text: 'asc' } });
  const first = await until(view, (s) => s.status === 'ready');
  const text = `~opt ${Date.now()}`;  // sorts after the seed texts
  const created = alice.model('Message').create({ roomId: 1, text }, { optimistic: { authorId: 1 } });
  await tick();
  const shown = view.getSnapshot();
  const row = shown.items.find((m) => m.text === text);
  assert.ok(row, 'shown at once');
  assert.match(String(row.id), /^optimistic:[0-9a-f-]+$/);
  assert.deepEqual(shown.pending, [row.id]);
  assert.equal(shown.items.length, first.items.length + 1);
  const record = await created;
  const confirmed = await until(view, (s) => s.pending.length === 0 && s.items.some((m) => m.id === record.id));
  assert.equal(confirmed.items.findIndex((m) => m.id === record.id), shown.items.indexOf(row), 'same position');
  assert.equal(confirmed.items.length, first.items.length + 1);
});

test('create that the server refuses: rolled back, the promise rejects with status and message', async (t) => {
  const bob = await open(t, 'bob');  // bob is not in room 2
  const view = bob.model('Message').watch({ orderBy: { id: 'asc' } });
  const first = await until(view, (s) => s.status === 'ready');
  const created = bob.model('Message').create({ roomId: 2, text: 'not allowed' }, { optimistic: true });
  await tick();
  assert.equal(view.getSnapshot().items.length, first.items.length + 1);
  await assert.rejects(created, (err) => err instanceof SsotError && err.status === 403 && /room|Forbidden/i.test(err.message));
  const after = await until(view, (s) => s.items.length === first.items.length && s.pending.length === 0);
  assert.deepEqual(after.items.map((m) => m.id), first.items.map((m) => m.id));
});

test('update and delete: shown at once; a failed update restores the row', async (t) => {
  const alice = await open(t, 'alice');
  const mine = await alice.model('Message').create({ roomId: 1, text: 'edit me' });
  const view = alice.model('Message').watch({ where: { roomId: 1 } });
  await until(view, (s) => s.items.some((m) => m.id === mine.id));
  const patched = alice.model('Message').patch(mine.id, { text: 'edited' }, { optimistic: true });
  await tick();
  assert.equal(view.getSnapshot().items.find((m) => m.id === mine.id).text, 'edited');
  assert.deepEqual(view.getSnapshot().pending, [mine.id]);
  await patched;
  await until(view, (s) => s.pending.length === 0 && s.items.find((m) => m.id === mine.id)?.text === 'edited');

  const bad = alice.model('Message').patch(mine.id, { text: 42 }, { optimistic: true });
  await tick();
  assert.equal(view.getSnapshot().items.find((m) => m.id === mine.id).text, 42);
  await assert.rejects(bad, (err) => err.status === 400);
  await until(view, (s) => s.items.find((m) => m.id === mine.id)?.text === 'edited' && s.pending.length === 0);

  const removed = alice.model('Message').delete(mine.id, { optimistic: true });
  await tick();
  assert.ok(!view.getSnapshot().items.some((m) => m.id === mine.id), 'hidden at once');
  assert.equal(await removed, true);
  await until(view, (s) => !s.items.some((m) => m.id === mine.id) && s.pending.length === 0);
});

test('optimistic must be true or an object of fields', async (t) => {
  const alice = await open(t, 'alice');
  assert.throws(() => alice.model('Message').create({ roomId: 1, text: 'x' }, { optimistic: 'yes' }), TypeError);
  assert.throws(() => alice.model('Message').delete(1, { optimistic: {} }), TypeError);
});
