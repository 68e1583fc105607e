// A whole local cluster: Postgres and Redis (private instances under `dir`),
// N gateways on them (demo/server/main.js --db postgres://... --redis ...),
// and HAProxy in front on `port`. Used by `npm run demo:cluster`, the fault
// test and the bench.
//   const c = await startLocalCluster({ dir, port, gateways: 3, env });
//   c.url (HAProxy), c.gateways[i].{port, url, kill(), start(), alive()}, c.pg, c.redis, c.stop()
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPostgres, freePort } from './postgres.js';
import { startRedis } from './redis.js';
import { startHaproxy } from './haproxy.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const READY = /ssot gateway listening on (http:\/\/\S+)/;

// One gateway process on a fixed port; kill() is SIGKILL, start() starts it again.
function gatewayProcess({ port, args, env, log }) {
  let child = null;
  const handle = {
    port,
    url: `http://127.0.0.1:${port}`,
    alive: () => !!child && child.exitCode === null && child.signalCode === null,
    pid: () => child?.pid,
    start() {
      child = spawn(process.execPath, [path.join(ROOT, 'demo/server/main.js'), '--port', String(port), ...args], {
        cwd: ROOT, env: { ...process.env, SSOT_EXIT_WITH_STDIN: '1', ...env }, stdio: ['pipe', 'pipe', 'pipe'],
      });
      const me = child;
      let out = '';
      return new Promise((resolve, reject) => {
        const onData = (d) => {
          out += d;
          if (READY.test(out)) { me.stdout.off('data', onData); resolve(handle); }
        };
        me.stdout.on('data', onData);
        me.stderr.on('data', (d) => log(`[gw ${port}] ${d}`));
        me.once('exit', (code, signal) => reject(new Error(`gateway ${port} exited (${code ?? signal}) before listening:\n${out}`)));
      });
    },
    kill() {
      if (!handle.alive()) return Promise.resolve();
      const me = child;
      return new Promise((r) => { me.once('exit', r); me.kill('SIGKILL'); });
    },
    stop() {
      if (!handle.alive()) return Promise.resolve();
      const me = child;
      return new Promise((r) => { me.once('exit', r); me.kill('SIGTERM'); });
    },
  };
  return handle;
}

// config: the gateways' --config (an object, written to dir/config.json).
export { gatewayProcess };

export async function startLocalCluster({ dir, port = 0, host, gateways = 3, env = {}, config, pgPort = 0, redisPort = 0, log = () => {} }) {
  const [pg, redis] = await Promise.all([
    startPostgres({ dir: path.join(dir, 'pg'), port: pgPort }),
    startRedis({ dir: path.join(dir, 'redis'), port: redisPort }),
  ]);
  const exists = (await pg.query("SELECT 1 FROM pg_database WHERE datname = 'ssot'")).rowCount > 0;
  const dbUrl = exists ? pg.url('ssot') : await pg.createDatabase('ssot');
  const ports = [];
  for (let i = 0; i < gateways; i++) ports.push(await freePort());
  const args = ['--db', dbUrl, '--redis', redis.url, '--trust-proxy', '127.0.0.1'];
  if (config) {
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
    args.push('--config', path.join(dir, 'config.json'));
  }
  const gws = ports.map((p) => gatewayProcess({ port: p, args, env, log }));
  await Promise.all(gws.map((g) => g.start()));
  const haproxy = await startHaproxy({ dir: path.join(dir, 'haproxy'), port, servers: ports, host, log });
  return {
    url: haproxy.url, dbUrl, pg, redis, haproxy, gateways: gws,
    query: (sql, params) => pg.query(sql, params, 'ssot'),
    async stop() {
      await haproxy.stop();
      await Promise.all(gws.map((g) => g.stop()));
      await redis.stop();
      await pg.stop();
    },
  };
}
