// scripts/lib/postgres.js: a half-finished initdb is started over; as root, a
// directory the postgres user cannot reach is not opened up (its ancestors keep
// their permissions, outside the temp dir): the cluster goes to /var/tmp/ssot-<uid>/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startPostgres } from '../../scripts/lib/postgres.js';

process.env.SSOT_PG_FAST ??= '1';

test('a data directory left by an interrupted initdb is removed and initdb runs again', { timeout: 120000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssot-pglib-'));
  try {
    fs.mkdirSync(path.join(dir, 'pgdata'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'pgdata', 'PG_VERSION'), '15\n'); // written early by initdb
    const pg = await startPostgres({ dir });
    assert.equal((await pg.query('SELECT 1 AS one')).rows[0].one, 1);
    await pg.stop();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('as root, a closed ancestor stays closed', { skip: process.getuid?.() !== 0 && 'needs root', timeout: 120000 }, async () => {
  // Outside the temp dir (whose private subdirectories may be opened up).
  const closed = fs.mkdtempSync('/var/tmp/ssot-closed-');
  fs.chmodSync(closed, 0o700);
  const logs = [];
  try {
    const pg = await startPostgres({ dir: path.join(closed, 'pg'), log: (l) => logs.push(l) });
    assert.equal((await pg.query('SELECT 1 AS one')).rows[0].one, 1);
    await pg.stop();
    assert.equal(fs.statSync(closed).mode & 0o777, 0o700);
    assert.ok(logs.some((l) => l.includes('/var/tmp/ssot-0/')), logs.join(''));
  } finally {
    fs.rmSync(closed, { recursive: true, force: true });
    const moved = /lives in (\S+)/.exec(logs.join(''))?.[1];
    if (moved) fs.rmSync(moved, { recursive: true, force: true });
  }
});
