#!/usr/bin/env node
// node demo/server/main.js [--port 3000] [--db ./data/demo.sqlite | postgres://USER@HOST:PORT/DB]
//                          [--redis redis://HOST:PORT] [--config FILE] [--host 127.0.0.1]
//                          [--trust-proxy 127.0.0.1]  (a proxy whose X-Forwarded-For is believed)
// Several gateways with the same --db (Postgres), --redis and SSOT_SECRET are
// interchangeable (README "Scale-out").
// Prints exactly one line on stdout when ready:
//   ssot gateway listening on http://127.0.0.1:PORT
// SIGTERM / SIGINT close every socket with 1001, close the database, exit 0.
// With SSOT_EXIT_WITH_STDIN=1 it also shuts down when stdin closes, so a test
// runner that dies (even by SIGKILL) never leaves a server behind.
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { startServer, DEFAULT_DB } from './server.js';
import { parseTrustedProxies } from './clientAddress.js';

const USAGE = 'usage: node demo/server/main.js [--port N] [--db FILE|:memory:|postgres://...] [--redis redis://HOST:PORT] [--config FILE] [--host HOST] [--trust-proxy ADDR[,ADDR]]';

function parseArgs(argv) {
  const opts = { port: 3000, host: '127.0.0.1', db: DEFAULT_DB };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') { console.log(USAGE); process.exit(0); }
    const [key, inline] = arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s) : [arg, undefined];
    if (!['--port', '--db', '--redis', '--config', '--host', '--trust-proxy'].includes(key)) throw new Error(`unknown argument '${arg}'\n${USAGE}`);
    const value = inline ?? argv[++i];
    if (value === undefined || value === '') throw new Error(`${key} needs a value\n${USAGE}`);
    if (key === '--port') {
      if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) throw new Error(`--port must be 0..65535, got '${value}'`);
      opts.port = Number(value);
    } else if (key === '--trust-proxy') opts.trustProxy = parseTrustedProxies(value);
    else opts[key.slice(2)] = value;
  }
  return opts;
}

// extra: startServer options a test entry adds (tests/support/faulty-main.js).
export async function main(extra = {}) {
  let server;
  try {
    server = await startServer({ ...parseArgs(process.argv.slice(2)), ...extra });
  } catch (err) {
    console.error(`ssot gateway: ${err.message}`);
    process.exit(1);
  }
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    try { await server.close(); } catch (err) { console.error(`ssot gateway: ${err.message}`); }
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  if (process.env.SSOT_EXIT_WITH_STDIN === '1') {
    process.stdin.on('end', stop);
    process.stdin.on('close', stop);
    process.stdin.resume();
  }
  process.stdout.write(`ssot gateway listening on ${server.url}\n`);
}

// Run as a program (not imported by a test entry); realpath: started through a symlink too.
if (process.argv[1] && import.meta.url === pathToFileURL(fs.realpathSync(process.argv[1])).href) main();
