// A private redis-server (Debian's) for tests and the cluster demo: own port,
// own dir, no persistence (a restart starts empty, the hardest case for the
// gateways). startRedis({dir, port}) -> {port, url, stop(), kill(), restart()}
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { freePort, killOnExit } from './postgres.js';

const BIN = '/usr/bin/redis-server';

function waitPort(port, child, timeoutMs = 10000) {
  const until = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child.exitCode !== null) return reject(new Error(`redis-server exited (${child.exitCode})`));
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => { s.destroy(); resolve(); });
      s.once('error', () => (Date.now() > until ? reject(new Error('redis-server did not start')) : setTimeout(attempt, 50)));
    };
    attempt();
  });
}

export async function startRedis({ dir, port = 0, log = () => {} }) {
  if (!fs.existsSync(BIN)) throw new Error("redis-server not found (install Debian's redis-server: bash scripts/setup.sh)");
  fs.mkdirSync(dir, { recursive: true });
  port ||= await freePort();
  let child;
  const launch = async () => {
    child = spawn(BIN, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--protected-mode', 'no'],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    killOnExit(child);
    child.stdout.on('data', (d) => log(String(d)));
    child.stderr.on('data', (d) => log(String(d)));
    await waitPort(port, child);
  };
  await launch();
  const exited = () => (child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', r)));
  const r = {
    port,
    url: `redis://127.0.0.1:${port}`,
    pid: () => child.pid,
    async stop() { child.kill('SIGTERM'); await exited(); },
    async kill() { child.kill('SIGKILL'); await exited(); },
    async restart({ hard = false } = {}) {
      await (hard ? r.kill() : r.stop());
      await launch();
    },
  };
  return r;
}
