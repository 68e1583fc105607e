// SQLite: tables for the models, the persisted stream counters, and the demo
// seed written on first start (when there are no users yet).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { MODELS, MODEL_NAMES, createTableSql, rowToRecord, toSqlValue } from './schema.js';
import { hashPassword } from './auth.js';

export async function openDatabase(file) {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file);
  if (file !== ':memory:') {
    // WAL + NORMAL: commits survive a killed process (not a power cut), and
    // each mutation costs no fsync.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
  }
  for (const m of MODEL_NAMES) {
    db.exec(createTableSql(m));
    addMissingColumns(db, m);
  }
  // The epoch names this database's numbering (PROTOCOL ext): a fresh database,
  // `:memory:` at every start, gets a new one, so clients know its seqs start over.
  db.exec('CREATE TABLE IF NOT EXISTS "Meta" ("key" TEXT PRIMARY KEY, "value" TEXT NOT NULL)');
  db.prepare('INSERT OR IGNORE INTO "Meta" ("key", "value") VALUES (\'epoch\', ?)').run(crypto.randomBytes(8).toString('hex'));
  // One row per stream (see streams.js); bumped inside each mutation's transaction.
  db.exec('CREATE TABLE IF NOT EXISTS "StreamSeq" ("stream" TEXT PRIMARY KEY, "seq" INTEGER NOT NULL)');
  if (db.prepare('SELECT COUNT(*) AS n FROM "User"').get().n === 0) await seed(db);
  return db;
}

export const readEpoch = (db) => db.prepare('SELECT "value" FROM "Meta" WHERE "key" = \'epoch\'').get().value;

// A database from before record versions gets the version column (every row at 1).
function addMissingColumns(db, model) {
  const have = new Set(db.prepare(`PRAGMA table_info("${model}")`).all().map((c) => c.name));
  for (const [name, f] of Object.entries(MODELS[model].fields)) {
    if (f.fill === 'version' && !have.has(name)) db.exec(`ALTER TABLE "${model}" ADD COLUMN "${name}" INTEGER NOT NULL DEFAULT 1`);
  }
}

export function insertRow(db, model, values) {
  const fields = MODELS[model].fields;
  const names = Object.keys(values);
  const sql = `INSERT INTO "${model}" (${names.map((n) => `"${n}"`).join(', ')}) VALUES (${names.map(() => '?').join(', ')})`;
  return Number(db.prepare(sql).run(...names.map((n) => toSqlValue(fields[n], values[n]))).lastInsertRowid);
}

export function getRecord(db, model, id) {
  return rowToRecord(model, db.prepare(`SELECT * FROM "${model}" WHERE "id" = ?`).get(id));
}

async function seed(db) {
  // Demo only: each password is the user's name.
  const users = [['alice', 'user'], ['bob', 'user'], ['admin', 'admin']];
  const hashes = await Promise.all(users.map(([name]) => hashPassword(name)));
  const t0 = Date.now() - 3600_000;
  db.transaction(() => {
    users.forEach(([name, role], i) => insertRow(db, 'User', { name, role, passwordHash: hashes[i] }));
    insertRow(db, 'Room', { name: 'general', memberIds: [1, 2, 3] });
    insertRow(db, 'Room', { name: 'staff', memberIds: [1, 3] });
    const messages = [
      [1, 1, 'Welcome to general!'], [1, 2, 'Hi everyone'], [1, 3, 'Remember: this is demo data.'],
      [2, 3, 'Staff only: inventory check on Friday.'], [2, 1, 'Noted, I will count the keyboards.'],
    ];
    messages.forEach(([roomId, authorId, text], i) => {
      const at = t0 + i * 60_000;
      insertRow(db, 'Message', { roomId, authorId, text, createdAt: at, updatedAt: at });
    });
    for (const [name, price, stock] of [['Keyboard', 49.99, 12], ['Mouse', 19.5, 40], ['Monitor', 199, 5], ['USB-C cable', 9.99, 100]]) {
      insertRow(db, 'Product', { name, price, stock });
    }
    const notes = [[1, 'Welcome, alice!', true], [1, 'Your keyboard order shipped.', false], [2, 'Welcome, bob!', true], [2, 'New message in general.', false]];
    notes.forEach(([userId, text, read], i) => insertRow(db, 'Notification', { userId, text, read, createdAt: t0 + i * 1000 }));
  })();
}
