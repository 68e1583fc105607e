// The database: a store (store/sqlite.js by default, store/postgres.js for a
// postgres:// URL), the tables for the models, the epoch, the persisted stream
// counters, and the demo seed written on first start (when there are no users yet).
// Every function takes the store or a transaction (same interface).
import crypto from 'node:crypto';
import { MODELS, MODEL_NAMES, createTableSql, rowToRecord, toSqlValue } from './schema.js';
import { hashPassword } from './auth.js';
import { openSqlite } from './store/sqlite.js';
import { openPostgres } from './store/postgres.js';

export const isPostgresUrl = (spec) => /^postgres(ql)?:\/\//.test(spec);
const SCHEMA_LOCK = 0x55071; // pg_advisory_lock key: schema + seed

export async function openDatabase(spec) {
  if (isPostgresUrl(spec)) {
    const db = await openPostgres(spec);
    try {
      // Several gateways may start at once: one creates, the others then find it all there.
      await db.withLock(SCHEMA_LOCK, () => prepare(db));
    } catch (err) {
      await db.close();
      throw err;
    }
    return db;
  }
  const db = openSqlite(spec);
  await prepare(db);
  return db;
}

async function prepare(db) {
  for (const m of MODEL_NAMES) {
    await db.exec(createTableSql(m, db.dialect));
    if (db.kind === 'sqlite') addMissingColumns(db.raw, m);
  }
  // The epoch names this database's numbering (PROTOCOL ext): a fresh database,
  // `:memory:` at every start, gets a new one, so clients know its seqs start over.
  await db.exec('CREATE TABLE IF NOT EXISTS "Meta" ("key" TEXT PRIMARY KEY, "value" TEXT NOT NULL)');
  await db.run('INSERT INTO "Meta" ("key", "value") VALUES (\'epoch\', ?) ON CONFLICT DO NOTHING', [crypto.randomBytes(8).toString('hex')]);
  // One row per stream (see streams.js); bumped inside each mutation's transaction.
  await db.exec(`CREATE TABLE IF NOT EXISTS "StreamSeq" ("stream" TEXT PRIMARY KEY, "seq" ${db.dialect.types.integer} NOT NULL)`);
  // Deliveries committed with their record, waiting to be published (outbox.js).
  await db.exec(`CREATE TABLE IF NOT EXISTS "Outbox" ("id" ${db.dialect.types.id}, "body" TEXT NOT NULL)`);
  if ((await db.get('SELECT COUNT(*) AS n FROM "User"')).n === 0) await seed(db);
  db.epoch = await readEpoch(db);
}

export const readEpoch = async (db) => (await db.get('SELECT "value" FROM "Meta" WHERE "key" = \'epoch\'')).value;

// A database from before record versions gets the version column (every row at 1).
function addMissingColumns(raw, model) {
  const have = new Set(raw.prepare(`PRAGMA table_info("${model}")`).all().map((c) => c.name));
  for (const [name, f] of Object.entries(MODELS[model].fields)) {
    if (f.fill === 'version' && !have.has(name)) raw.exec(`ALTER TABLE "${model}" ADD COLUMN "${name}" INTEGER NOT NULL DEFAULT 1`);
  }
}

export async function insertRow(db, model, values) {
  const fields = MODELS[model].fields;
  const names = Object.keys(values);
  const sql = `INSERT INTO "${model}" (${names.map((n) => `"${n}"`).join(', ')}) VALUES (${names.map(() => '?').join(', ')}) RETURNING "id"`;
  return Number((await db.get(sql, names.map((n) => toSqlValue(fields[n], values[n])))).id);
}

export async function getRecord(db, model, id) {
  return rowToRecord(model, await db.get(`SELECT * FROM "${model}" WHERE "id" = ?`, [id]));
}

async function seed(db) {
  // Demo only: each password is the user's name.
  const users = [['alice', 'user'], ['bob', 'user'], ['admin', 'admin']];
  const hashes = await Promise.all(users.map(([name]) => hashPassword(name)));
  const t0 = Date.now() - 3600_000;
  await db.transaction(async (tx) => {
    for (const [i, [name, role]] of users.entries()) await insertRow(tx, 'User', { name, role, passwordHash: hashes[i] });
    await insertRow(tx, 'Room', { name: 'general', memberIds: [1, 2, 3] });
    await insertRow(tx, 'Room', { name: 'staff', memberIds: [1, 3] });
    const messages = [
      [1, 1, 'Welcome to general!'], [1, 2, 'Hi everyone'], [1, 3, 'Remember: this is demo data.'],
      [2, 3, 'Staff only: inventory check on Friday.'], [2, 1, 'Noted, I will count the keyboards.'],
    ];
    for (const [i, [roomId, authorId, text]] of messages.entries()) {
      const at = t0 + i * 60_000;
      await insertRow(tx, 'Message', { roomId, authorId, text, createdAt: at, updatedAt: at });
    }
    for (const [name, price, stock] of [['Keyboard', 49.99, 12], ['Mouse', 19.5, 40], ['Monitor', 199, 5], ['USB-C cable', 9.99, 100]]) {
      await insertRow(tx, 'Product', { name, price, stock });
    }
    const notes = [[1, 'Welcome, alice!', true], [1, 'Your keyboard order shipped.', false], [2, 'Welcome, bob!', true], [2, 'New message in general.', false]];
    for (const [i, [userId, text, read]] of notes.entries()) await insertRow(tx, 'Notification', { userId, text, read, createdAt: t0 + i * 1000 });
  });
}
