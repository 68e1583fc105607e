#!/usr/bin/env node
// node scripts/lib/redis-serve.js DIR [PORT]: start a private redis-server,
// print its URL on one line, stop it on SIGTERM/SIGINT or (with SSOT_WATCH_STDIN=1) when stdin closes.
import { startRedis } from './redis.js';
import { serveUntilStopped } from './serve.js';

const [dir, port] = process.argv.slice(2);
if (!dir) { console.error('usage: redis-serve.js DIR [PORT]'); process.exit(2); }
const r = await startRedis({ dir, port: Number(port ?? 0) });
serveUntilStopped(r.url, () => r.stop());
