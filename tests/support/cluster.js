// A cluster for tests: a private Postgres and Redis (temp dirs, free ports)
// and N gateways on one database with --redis, each a startGateway() handle.
//   const c = await startCluster({ gateways: 3, config, env });
//   c.gateways[i], c.pg, c.redis, c.dbUrl, await c.stop()
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startPostgres } from '../../scripts/lib/postgres.js';
import { startRedis } from '../../scripts/lib/redis.js';
import { startGateway } from './gateway.js';

export async function startCluster({ gateways = 3, config, env = {} } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssot-cluster-'));
  process.env.SSOT_PG_FAST ??= '1';
  const [pg, redis] = await Promise.all([startPostgres({ dir: path.join(dir, 'pg') }), startRedis({ dir: path.join(dir, 'redis') })]);
  const killAll = () => {
    for (const p of [pg, redis]) try { process.kill(p.pid(), 'SIGKILL'); } catch { /* gone */ }
  };
  process.on('exit', killAll);
  const dbUrl = await pg.createDatabase('ssot');
  // All at once: the schema and the seed must be created exactly once.
  const gws = await Promise.all(Array.from({ length: gateways }, () => startGateway({ config, env, dbPath: dbUrl, redis: redis.url })));
  return {
    pg, redis, dbUrl, gateways: gws, dir,
    query: (sql, params) => pg.query(sql, params, 'ssot'),
    async stop() {
      await Promise.all(gws.map((g) => g.stop()));
      await redis.stop();
      await pg.stop();
      process.off('exit', killAll);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
