#!/usr/bin/env node
// npm run demo:cluster (after scripts/demo-cluster.sh built the page): Redis,
// a Postgres cluster under data/cluster/, three gateways and HAProxy in front;
// prints the one URL. A gateway that dies is started again after a second.
//   PORT=3000 HOST=127.0.0.1; Ctrl-C stops everything.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLocalCluster } from './lib/cluster.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';

const c = await startLocalCluster({
  dir: path.join(ROOT, 'data', 'cluster'), port, host, gateways: 3,
  log: (m) => process.stderr.write(m.endsWith('\n') ? m : `${m}\n`),
});
console.log(`ssot cluster: Postgres ${c.dbUrl}, Redis ${c.redis.url}`);
console.log(`ssot cluster: gateways on ${c.gateways.map((g) => g.port).join(', ')}`);
console.log(`\n  Demo (3 gateways behind HAProxy): open http://${host}:${c.haproxy.port}/ and sign in as alice, bob or admin.`);
console.log('  Kill a gateway (its pid: ps) and watch the page carry on. Ctrl-C stops everything.\n');

const watch = setInterval(() => {
  for (const g of c.gateways) {
    if (!g.alive() && !g.restarting) {
      g.restarting = true;
      console.log(`ssot cluster: gateway ${g.port} died; starting it again`);
      setTimeout(() => g.start().catch((e) => console.error(e.message)).finally(() => { g.restarting = false; }), 1000);
    }
  }
}, 500);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  clearInterval(watch);
  await c.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
