// Small HTTP helpers: JSON replies, bounded JSON bodies.
import { HttpError } from './errors.js';
import { parseJson } from './input.js';

export const MAX_BODY_BYTES = 64 * 1024;

export function sendJson(res, status, body) {
  if (res.headersSent) return;
  const text = body === undefined ? '' : JSON.stringify(body);
  res.statusCode = status;
  if (text) {
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Content-Length', Buffer.byteLength(text));
  }
  res.end(text);
}

export const sendError = (res, status, message) => sendJson(res, status, { error: message });

// Resolves with the parsed JSON body; rejects with 400 on bad JSON and 413
// past the limit. An oversized body is still read (and dropped) up to a hard
// cap so that the client sees the 413 instead of a reset connection; beyond
// the cap the reply carries `Connection: close` and the socket is dropped.
const HARD_CAP = 16 * 1024 * 1024;

export function readJson(req, limit = MAX_BODY_BYTES) {
  return new Promise((resolve, reject) => {
    const tooBig = () => new HttpError(413, `Body larger than ${limit} bytes`);
    if (Number(req.headers['content-length']) > HARD_CAP) {
      req.tooLarge = true;
      return reject(tooBig());
    }
    const chunks = [];
    let size = 0;
    let done = false;
    req.on('data', (c) => {
      if (done) return;
      size += c.length;
      if (size > HARD_CAP) { done = true; req.tooLarge = true; reject(tooBig()); return; }
      if (size <= limit) chunks.push(c);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      if (size > limit) return reject(tooBig());
      const text = Buffer.concat(chunks).toString('utf8');
      if (!text.trim()) return reject(new HttpError(400, 'Body must be a JSON object'));
      try { resolve(parseJson(text)); } catch { reject(new HttpError(400, 'Invalid JSON body')); }
    });
    req.on('error', (e) => { if (!done) { done = true; reject(new HttpError(400, e.message)); } });
  });
}
