// The write permission is decided inside the mutation's transaction: a
// membership change that lands between the early check and the transaction
// is seen (here: bob is removed from room 1 just as his message's transaction
// begins). Unit level, on an in-memory SQLite store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '../../demo/server/db.js';
import { loadConfig, DEMO_CONFIG } from '../../demo/server/config.js';
import { createAccess } from '../../demo/server/access.js';
import { createVisibility } from '../../demo/server/visibility.js';
import { createStreams } from '../../demo/server/streams.js';
import { createMutations } from '../../demo/server/mutations.js';

async function setup() {
  const db = await openDatabase(':memory:');
  const config = loadConfig(DEMO_CONFIG);
  const access = createAccess(db);
  const visibility = createVisibility(config, access, db.dialect);
  const streams = createStreams(db, access, visibility);
  const published = [];
  const bus = { publish: async (topic, m) => { published.push(m); } };
  let beforeTx = async () => {};
  const txDb = { ...db, transaction: async (fn) => { await beforeTx(); return db.transaction(fn); } };
  const mutations = createMutations({ db: txDb, config, access, visibility, streams, bus });
  const user = async (name) => db.get('SELECT "id", "name", "role" FROM "User" WHERE "name" = ?', [name]);
  return { db, config, mutations, published, user, setBeforeTx: (f) => { beforeTx = f; } };
}

test('a message whose author left the room between check and transaction is refused, and nothing is published', async () => {
  const s = await setup();
  const bob = await s.user('bob');
  s.setBeforeTx(async () => { await s.db.run('UPDATE "Room" SET "memberIds" = ? WHERE "id" = 1', ['[1,3]']); });
  await assert.rejects(s.mutations.create(bob, s.config.models.Message, { roomId: 1, text: 'late' }), (err) => err.status === 403);
  assert.equal((await s.db.get('SELECT COUNT(*) AS n FROM "Message" WHERE "text" = ?', ['late'])).n, 0);
  assert.equal(s.published.length, 0);
  await s.db.close();
});

test('an update whose author lost the right between check and transaction is refused', async () => {
  const s = await setup();
  const bob = await s.user('bob');
  const msg = await s.db.get('SELECT "id" FROM "Message" WHERE "authorId" = ?', [bob.id]);
  s.setBeforeTx(async () => { await s.db.run('UPDATE "Message" SET "authorId" = 1 WHERE "id" = ?', [msg.id]); });
  await assert.rejects(s.mutations.update(bob, s.config.models.Message, msg.id, { text: 'mine?' }, true), (err) => err.status === 403);
  await assert.rejects(s.mutations.remove(bob, s.config.models.Message, msg.id), (err) => err.status === 403);
  await s.db.close();
});
