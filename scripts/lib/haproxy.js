// HAProxy (Debian's) in front of the gateways: HTTP and WebSocket on one port,
// round robin over the gateways, a gateway that stops answering taken out
// within a second (TCP checks every 300 ms) and put back when it answers again.
// WebSockets are long-lived tunnels: their timeout is an hour, not the HTTP one.
// Each request carries its client's address in X-Forwarded-For (the gateways
// run with --trust-proxy 127.0.0.1: the failed-login throttle counts per client).
//   startHaproxy({dir, port, servers: [port...]}) -> {port, url, stop()}
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { freePort, killOnExit } from './postgres.js';

const BIN = '/usr/sbin/haproxy';

export function haproxyConfig({ port, servers, host = '127.0.0.1' }) {
  return `global
  maxconn 4000

defaults
  mode http
  option http-server-close
  option forwardfor
  option redispatch
  retries 3
  timeout connect 1s
  timeout client 60s
  timeout server 60s
  timeout tunnel 1h
  timeout http-request 10s

frontend ssot
  bind ${host}:${port}
  default_backend gateways

backend gateways
  balance roundrobin
${servers.map((p, i) => `  server gw${i + 1} 127.0.0.1:${p} check inter 300 fall 1 rise 1`).join('\n')}
`;
}

export async function startHaproxy({ dir, port = 0, servers, host, log = () => {} }) {
  if (!fs.existsSync(BIN)) throw new Error("haproxy not found (install Debian's haproxy: bash scripts/setup.sh)");
  fs.mkdirSync(dir, { recursive: true });
  port ||= await freePort();
  const cfg = path.join(dir, 'haproxy.cfg');
  fs.writeFileSync(cfg, haproxyConfig({ port, servers, host }));
  execCheck(cfg);
  const child = spawn(BIN, ['-f', cfg, '-db'], { stdio: ['ignore', 'pipe', 'pipe'] });
  killOnExit(child);
  child.stdout.on('data', (d) => log(String(d)));
  child.stderr.on('data', (d) => log(String(d)));
  await new Promise((resolve, reject) => {
    const until = Date.now() + 10000;
    const attempt = () => {
      if (child.exitCode !== null) return reject(new Error(`haproxy exited (${child.exitCode})`));
      const s = net.connect(port, host ?? '127.0.0.1');
      s.once('connect', () => { s.destroy(); resolve(); });
      s.once('error', () => (Date.now() > until ? reject(new Error('haproxy did not start')) : setTimeout(attempt, 50)));
    };
    attempt();
  });
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    pid: () => child.pid,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

function execCheck(cfg) {
  const { status, stderr } = spawnSync(BIN, ['-c', '-q', '-f', cfg], { encoding: 'utf8' });
  if (status !== 0) throw new Error(`haproxy config ${cfg} is invalid: ${stderr}`);
}
