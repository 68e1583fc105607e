// Serves the built demo page (demo/web/dist) at / when it exists.
// Paths are decoded, resolved and then required to stay inside the root.
import fs from 'node:fs';
import path from 'node:path';
import { sendError } from './respond.js';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json; charset=utf-8', '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm', '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8', '.woff2': 'font/woff2',
};

export function createStatic(root) {
  const base = path.resolve(root);
  return function serveStatic(req, res, pathname) {
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, 405, 'Method not allowed');
    let rel;
    try { rel = decodeURIComponent(pathname); } catch { return sendError(res, 400, 'Bad path'); }
    if (rel.includes('\0')) return sendError(res, 400, 'Bad path');
    if (rel.endsWith('/')) rel += 'index.html';
    const file = path.resolve(base, `.${rel}`);
    if (file !== base && !file.startsWith(base + path.sep)) return sendError(res, 404, 'Not found');
    let stat;
    try { stat = fs.statSync(file); } catch { return sendError(res, 404, 'Not found'); }
    if (!stat.isFile()) return sendError(res, 404, 'Not found');
    res.statusCode = 200;
    res.setHeader('Content-Type', TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream');
    res.setHeader('Content-Length', stat.size);
    if (req.method === 'HEAD') return res.end();
    fs.createReadStream(file).on('error', () => res.destroy()).pipe(res);
  };
}
