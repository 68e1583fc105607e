// Postgres for the gateway suites under SSOT_TEST_STORE=postgres: the server
// at SSOT_TEST_PG_URL (scripts/test-postgres.sh starts one for a whole run),
// or else a private one started on first use and stopped when this process exits.
// testDatabase() creates a fresh database per gateway.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startPostgres } from '../../scripts/lib/postgres.js';

let server;
function baseUrl() {
  if (process.env.SSOT_TEST_PG_URL) return Promise.resolve(process.env.SSOT_TEST_PG_URL);
  server ??= (async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssot-pg-'));
    process.env.SSOT_PG_FAST ??= '1';
    const p = await startPostgres({ dir });
    process.on('exit', () => {
      try { process.kill(p.pid(), 'SIGKILL'); } catch { /* gone */ }
      fs.rmSync(dir, { recursive: true, force: true });
    });
    return p.url();
  })();
  return server;
}

export async function pgQuery(url, text, params = []) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try { return await c.query(text, params); } finally { await c.end(); }
}

export async function testDatabase() {
  const base = await baseUrl();
  const name = `gw_${crypto.randomBytes(6).toString('hex')}`;
  await pgQuery(base, `CREATE DATABASE "${name}"`);
  const u = new URL(base);
  u.pathname = `/${name}`;
  return u.toString();
}
