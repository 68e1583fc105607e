// A private Postgres cluster for tests, the cluster demo and the fault test:
// initdb into `dir` (once), start it on `port` (0: a free one), stop it.
// Postgres refuses to run as root, so as root the cluster belongs to the
// `postgres` system user (created by Debian's postgresql package) and its
// processes are started with that uid. Connections: trust auth, 127.0.0.1 only.
//
//   const pg = await startPostgres({ dir, port });  pg.url(db), pg.createDatabase(name),
//   pg.stop(), pg.kill() (SIGKILL), pg.restart()
import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pgLib from 'pg';

function binDir() {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb'))) : [];
  if (versions.length === 0) throw new Error("Postgres not found under /usr/lib/postgresql (install Debian's postgresql: bash scripts/setup.sh)");
  return path.join(root, versions.sort((a, b) => Number(b) - Number(a))[0], 'bin');
}

const isRoot = () => process.getuid?.() === 0;
let owner;
// spawn options that run a command as the cluster's owner.
function asOwner() {
  if (!isRoot()) return {};
  owner ??= { uid: Number(execFileSync('id', ['-u', 'postgres']).toString()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString()) };
  return owner;
}

// A server started here must not outlive this process (a crash, Ctrl-C, a
// failed assertion): killed on exit, unless it exited already.
const live = new Set();
process.on('exit', () => { for (const c of live) c.kill('SIGKILL'); });
export function killOnExit(child) {
  live.add(child);
  child.once('exit', () => live.delete(child));
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

// As root the cluster belongs to the postgres user, who must be able to reach
// it. Only directories inside the temp dir (the private, 0700 temp dirs of
// tests and benches) get the x bit for others (traverse, not list); no other
// ancestor is touched (e.g. /root stays closed): a `dir` the postgres user
// still cannot reach is replaced by /var/tmp/ssot-<uid>/<hash of dir> (logged).
function closedAncestors(dir) {
  const out = [];
  for (let d = path.dirname(path.resolve(dir)); d !== path.dirname(d); d = path.dirname(d)) {
    if (fs.existsSync(d) && !(fs.statSync(d).mode & 0o001)) out.push(d);
  }
  return out;
}

function clusterDir(dir, log) {
  if (!isRoot()) return dir;
  const tmp = path.resolve(os.tmpdir()) + path.sep;
  const closed = closedAncestors(dir);
  if (closed.every((d) => d.startsWith(tmp))) {
    for (const d of closed) fs.chmodSync(d, (fs.statSync(d).mode & 0o7777) | 0o001);
    return dir;
  }
  const base = `/var/tmp/ssot-${process.getuid()}`;
  fs.mkdirSync(base, { recursive: true, mode: 0o711 });
  fs.chmodSync(base, 0o711);
  const moved = path.join(base, crypto.createHash('sha256').update(path.resolve(dir)).digest('hex').slice(0, 16));
  log(`postgres: ${dir} is not reachable by the postgres user; the cluster lives in ${moved}\n`);
  return moved;
}

function ownDir(dir) {
  fs.mkdirSync(dir, { recursive: true });
  if (isRoot()) fs.chownSync(dir, asOwner().uid, asOwner().gid);
  fs.chmodSync(dir, 0o700);
}

// initdb ran to its end (our marker; or, from before the marker, a data
// directory with its control file). Anything else is a half-finished initdb
// (killed, disk full): it is removed and initdb runs again.
function initialized(data, marker) {
  if (fs.existsSync(marker)) return true;
  if (fs.existsSync(path.join(data, 'PG_VERSION')) && fs.existsSync(path.join(data, 'global', 'pg_control'))) {
    fs.writeFileSync(marker, '');
    return true;
  }
  return false;
}

async function waitReady(url, child, timeoutMs = 20000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`postgres exited (${child.exitCode})`);
    const c = new pgLib.Client({ connectionString: url });
    try {
      await c.connect();
      await c.end();
      return;
    } catch (err) {
      c.end().catch(() => {});
      if (Date.now() > until) throw new Error(`postgres did not start: ${err.message}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export async function startPostgres({ dir: given, port = 0, log = () => {} }) {
  const bin = binDir();
  const dir = clusterDir(given, log);
  const data = path.join(dir, 'pgdata');
  const sockets = path.join(dir, 'sock');
  const marker = path.join(dir, 'initdb.done');
  if (!initialized(data, marker)) {
    fs.rmSync(data, { recursive: true, force: true });
    ownDir(dir);
    ownDir(sockets);
    execFileSync(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C'],
      { stdio: ['ignore', 'ignore', 'pipe'], cwd: dir, ...asOwner() });
    fs.writeFileSync(marker, '');
  }
  port ||= await freePort();
  const url = (db = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${db}`;
  let child;
  const launch = async () => {
    // Durability as Postgres' default (fsync on) unless SSOT_PG_FAST=1 (tests): no
    // fsync, so a killed Postgres *process* still loses no commit (the kernel has
    // the WAL), only a power cut would. synchronous_commit stays on for that reason.
    const fast = process.env.SSOT_PG_FAST === '1' ? ['-c', 'fsync=off', '-c', 'full_page_writes=off'] : [];
    child = spawn(path.join(bin, 'postgres'), ['-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', sockets, '-c', 'max_connections=300', ...fast],
      { stdio: ['ignore', 'ignore', 'pipe'], cwd: dir, ...asOwner() });
    killOnExit(child);
    let errText = '';
    child.stderr.on('data', (d) => { errText = (errText + d).slice(-2000); log(String(d)); });
    try {
      await waitReady(url(), child);
    } catch (err) {
      throw new Error(`${err.message}\n${errText}`);
    }
  };
  await launch();
  const exited = () => (child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', r)));
  const pg = {
    port,
    url,
    pid: () => child.pid,
    async query(sql, params, db = 'postgres') {
      const c = new pgLib.Client({ connectionString: url(db) });
      await c.connect();
      try { return await c.query(sql, params); } finally { await c.end(); }
    },
    async createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad database name '${name}'`);
      await pg.query(`CREATE DATABASE "${name}"`);
      return url(name);
    },
    // SIGINT is Postgres' "fast shutdown".
    async stop() { child.kill('SIGINT'); await exited(); },
    async kill() {
      const pidFile = path.join(data, 'postmaster.pid');
      child.kill('SIGKILL');
      await exited();
      // The postmaster's children notice its death and exit; wait for the port to free.
      for (let i = 0; i < 100; i++) {
        if (!fs.existsSync(pidFile) || !(await portBusy(port))) break;
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async restart({ hard = false } = {}) {
      await (hard ? pg.kill() : pg.stop());
      // After a SIGKILL, backends still attached to the old shared memory make
      // the new postmaster refuse until they have noticed and exited.
      for (let i = 0; ; i++) {
        try { return await launch(); } catch (err) {
          if (i >= 50 || !/shared memory block/.test(err.message)) throw err;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    },
  };
  return pg;
}

function portBusy(port) {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}
