// The SQLite store (the default): one better-sqlite3 connection, wrapped in
// the async store interface that the Postgres store also implements:
//   get(sql, params) -> row | undefined     all(sql, params) -> rows
//   run(sql, params) -> {changes}           transaction(async (tx) => ...) -> result
//   dialect (SQL fragments that differ)     kind, close()
// SQL uses `?` placeholders on both stores.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { createMutex } from './mutex.js';

export const SQLITE_DIALECT = {
  true: '1',
  false: '0',
  // FROM item over a JSON array column, and the element to compare.
  elements: (expr) => `json_each(${expr}) j`,
  element: 'j.value',
  strContains: (col) => `instr(${col}, ?) > 0`,
  noLimit: -1,
  types: { id: 'INTEGER PRIMARY KEY AUTOINCREMENT', integer: 'INTEGER', number: 'REAL', string: 'TEXT', boolean: 'INTEGER', intArray: 'TEXT' },
};

export function openSqlite(file) {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file);
  if (file !== ':memory:') {
    // WAL + NORMAL: commits survive a killed process (not a power cut), and
    // each mutation costs no fsync.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
  }
  const cache = new Map();
  const prep = (sql) => {
    let st = cache.get(sql);
    if (!st) cache.set(sql, (st = db.prepare(sql)));
    return st;
  };
  // One connection: transactions take turns (a second BEGIN would fail).
  const exclusive = createMutex();
  const ops = {
    kind: 'sqlite',
    dialect: SQLITE_DIALECT,
    get: async (sql, params = []) => prep(sql).get(...params),
    all: async (sql, params = []) => prep(sql).all(...params),
    run: async (sql, params = []) => ({ changes: prep(sql).run(...params).changes }),
    exec: async (sql) => { db.exec(sql); },
    // Synchronous escape hatch for the schema upgrade (PRAGMA).
    raw: db,
  };
  return {
    ...ops,
    transaction: (fn) => exclusive(async () => {
      db.exec('BEGIN IMMEDIATE');
      try {
        const out = await fn(ops);
        db.exec('COMMIT');
        return out;
      } catch (err) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw err;
      }
    }),
    close: async () => db.close(),
  };
}
