// startServer(): wires config, database, REST, the gateway and the bus onto
// one HTTP server. main.js is only argument parsing around this, so tests
// can also run the server in-process.
import http from 'node:http';
import crypto from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, readConfigFile } from './config.js';
import { openDatabase } from './db.js';
import { createAccess } from './access.js';
import { createVisibility } from './visibility.js';
import { createStreams } from './streams.js';
import { createMutations } from './mutations.js';
import { createRest } from './rest.js';
import { createGateway } from './gateway.js';
import { createInProcessBus } from './bus.js';
import { createStatic } from './static.js';
import { sendError } from './respond.js';
import { createHeaders } from './headers.js';
import { startCluster } from './cluster/index.js';
import { createClientAddress } from './clientAddress.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const PROJECT_ROOT = path.resolve(here, '../..');
export const DEFAULT_DB = path.join(PROJECT_ROOT, 'data', 'demo.sqlite');
export const DEFAULT_STATIC = path.join(PROJECT_ROOT, 'demo', 'web', 'dist');

function ttlFromEnv() {
  const v = process.env.SSOT_TOKEN_TTL_SECONDS;
  if (v === undefined || v === '') return 3600;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`SSOT_TOKEN_TTL_SECONDS must be a positive integer, got '${v}'`);
  return n;
}

// config: parsed JSON in the seeds' `websockets` shape, or a path to such a file.
export async function startServer({
  port = 3000, host = '127.0.0.1', db: dbFile = DEFAULT_DB, redis: redisUrl, config, secret, tokenTtlSeconds,
  trustProxy = [], // addresses of proxies whose X-Forwarded-For is believed (clientAddress.js)
  log = (msg) => console.error(`[ssot] ${msg}`), bus = createInProcessBus(), staticDir = DEFAULT_STATIC,
  onCommitted, // tests only: called after a mutation's commit, before its publish
} = {}) {
  const cfg = loadConfig(typeof config === 'string' ? readConfigFile(config) : config);
  secret ??= process.env.SSOT_SECRET || crypto.randomBytes(32).toString('hex');
  tokenTtlSeconds ??= ttlFromEnv();
  const db = await openDatabase(dbFile);
  let cluster = null; // with --redis: cluster/ (Redis numbering, buffers, bus; the outbox)
  if (redisUrl) {
    try {
      cluster = await startCluster({ url: redisUrl, db, capacity: cfg.limits.replayBufferPerChannel, log });
    } catch (err) {
      await db.close();
      throw err;
    }
    bus = cluster.bus;
  }
  const access = createAccess(db);
  const visibility = createVisibility(cfg, access, db.dialect);
  const streams = createStreams(db, access, visibility, { published: cluster?.redis.published });
  const mutations = createMutations({ db, config: cfg, access, visibility, streams, bus, outbox: cluster?.outbox, onCommitted });
  const handleApi = createRest({
    db, config: cfg, access, visibility, streams, mutations, secret, tokenTtlSeconds,
    throttle: cluster?.throttle, clientAddress: createClientAddress(trustProxy),
  });
  const shared = cluster ? { buffers: cluster.redis.buffers, presence: cluster.presence } : {};
  const gateway = createGateway({ config: cfg, db, access, visibility, streams, bus, secret, log, shared });
  cluster?.presence.on('expired', gateway.presenceExpired);
  cluster?.presence.on('joined', gateway.presenceJoined);
  await cluster?.start();
  const serveStatic = createStatic(staticDir);
  const setHeaders = createHeaders(cfg.cors);

  const server = http.createServer((req, res) => {
    setHeaders(req, res);
    let pathname;
    try { pathname = new URL(req.url, 'http://x').pathname; } catch { return sendError(res, 400, 'Bad URL'); }
    if (req.method === 'OPTIONS') { res.statusCode = 204; return res.end(); }
    if (pathname === '/api' || pathname.startsWith('/api/')) return handleApi(req, res, pathname);
    return serveStatic(req, res, pathname);
  });
  server.on('upgrade', (req, socket, head) => {
    const pathname = new URL(req.url, 'http://x').pathname;
    if (pathname !== '/ws' || !cfg.enabled) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    gateway.handleUpgrade(req, socket, head);
  });
  server.on('clientError', (err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  });

  try {
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => { server.off('error', reject); resolve(); });
    });
  } catch (err) {
    await cluster?.close();
    await db.close();
    throw err;
  }
  const actualPort = server.address().port;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;

  let closing = null;
  return {
    port: actualPort,
    url: `http://${shownHost}:${actualPort}`,
    db,
    gateway,
    close() {
      closing ??= (async () => {
        server.close();
        await gateway.close();
        server.closeAllConnections();
        await cluster?.close();
        await db.close();
      })();
      return closing;
    },
  };
}
