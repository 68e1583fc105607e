#!/usr/bin/env node
// node scripts/lib/postgres-serve.js DIR [PORT]: start (initdb on first use) a
// private Postgres in DIR, print its URL on one line, stop it on SIGTERM/SIGINT
// or (with SSOT_WATCH_STDIN=1) when stdin closes.
import { startPostgres } from './postgres.js';
import { serveUntilStopped } from './serve.js';

const [dir, port] = process.argv.slice(2);
if (!dir) { console.error('usage: postgres-serve.js DIR [PORT]'); process.exit(2); }
const pg = await startPostgres({ dir, port: Number(port ?? 0), log: (m) => process.stderr.write(process.env.SSOT_PG_LOG ? m : '') });
serveUntilStopped(pg.url(), () => pg.stop());
