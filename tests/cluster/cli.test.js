// --db postgres://... and --redis at start-up: a clear error and exit 1 when
// they are wrong or unreachable, never a hang or a crash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../demo/server/main.js');
const run = (...args) => spawnSync(process.execPath, [MAIN, '--port', '0', ...args], { encoding: 'utf8', timeout: 30000 });

test('a --redis that is not a redis:// URL', () => {
  const r = run('--db', ':memory:', '--redis', 'localhost:6379');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /--redis must be a redis:\/\/HOST:PORT URL, got 'localhost:6379'/);
});

test('an unreachable Redis', () => {
  const r = run('--db', ':memory:', '--redis', 'redis://127.0.0.1:1');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /ssot gateway: redis redis:\/\/127\.0\.0\.1:1: /);
});

test('an unreachable Postgres, its password not shown', () => {
  const r = run('--db', 'postgres://me:secret@127.0.0.1:1/db');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /ssot gateway: database postgres:\/\/me:\*\*\*@127\.0\.0\.1:1\/db: .*ECONNREFUSED/);
  assert.doesNotMatch(r.stderr, /secret/);
});
