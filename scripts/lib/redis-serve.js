#!/usr/bin/env node
// node scripts/lib/redis-serve.js DIR [PORT]: start a private redis-server,
// print its URL on one line, stop it on SIGTERM/SIGINT or (with SSOT_WATCH_STDIN=1) when stdin closes.
import { startRedis } from './redis.js';

const [dir, port] = process.argv.slice(2);
if (!dir) { console.error('usage: redis-serve.js DIR [PORT]'); process.exit(2); }
const r = await startRedis({ dir, port: Number(port ?? 0) });
process.stdout.write(`${r.url}\n`);
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await r.stop();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
if (process.env.SSOT_WATCH_STDIN === '1') {
  process.stdin.on('end', stop);
  process.stdin.resume();
}
