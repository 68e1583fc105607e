// Headers on every response: a CSP for the page (no framing, scripts only
// from this origin, wasm compilation but no eval), nosniff, no Referer; and
// CORS only for the configured origins (none by default: the page calls its
// own origin), never with credentials (tokens travel in headers, not cookies).

// connect-src: the page's REST calls go to 'self'; its socket to ws:/wss:.
export const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "connect-src 'self' ws: wss:",
  "img-src 'self' data:",
  "style-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const ALWAYS = {
  'Content-Security-Policy': CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY', // frame-ancestors for browsers without CSP 2
};

// cors: the compiled `cors` config, { any: boolean, origins: Set<string> }.
export function createHeaders(cors) {
  return function setHeaders(req, res) {
    for (const [k, v] of Object.entries(ALWAYS)) res.setHeader(k, v);
    const origin = req.headers.origin;
    if (cors.origins.size) res.setHeader('Vary', 'Origin'); // the answer depends on it
    if (typeof origin !== 'string' || !(cors.any || cors.origins.has(origin))) return;
    res.setHeader('Access-Control-Allow-Origin', cors.any ? '*' : origin);
    res.setHeader('Access-Control-Allow-Methods', 'GET,POST,PUT,PATCH,DELETE,OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', 'Content-Type, Authorization, X-Client-Mutation-Id');
    res.setHeader('Access-Control-Max-Age', '600');
  };
}
