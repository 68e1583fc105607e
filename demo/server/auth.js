// Tokens and passwords, with node:crypto only.
// Token = base64url(JSON {sub, exp}) + "." + base64url(HMAC-SHA256(secret, first part)):
// a tiny JWT-like format the test suites can mint themselves (expired ones too).
import crypto from 'node:crypto';

const b64u = (buf) => Buffer.from(buf).toString('base64url');

export function signToken(payload, secret) {
  const body = b64u(JSON.stringify(payload));
  const mac = crypto.createHmac('sha256', secret).update(body).digest();
  return `${body}.${b64u(mac)}`;
}

// Returns the payload, or null when the token is malformed, forged or expired.
export function verifyToken(token, secret, nowSeconds = Math.floor(Date.now() / 1000)) {
  if (typeof token !== 'string' || token.length > 4096) return null;
  const parts = token.split('.');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return null;
  const expected = crypto.createHmac('sha256', secret).update(parts[0]).digest();
  const given = Buffer.from(parts[1], 'base64url');
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return null;
  let payload;
  try { payload = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')); } catch { return null; }
  if (!payload || !Number.isSafeInteger(payload.sub) || typeof payload.exp !== 'number') return null;
  if (payload.exp <= nowSeconds) return null;
  return payload;
}

export function issueToken(userId, secret, ttlSeconds) {
  return signToken({ sub: userId, exp: Math.floor(Date.now() / 1000) + ttlSeconds }, secret);
}

// Salted scrypt, stored as "scrypt$<salt hex>$<hash hex>".
export function hashPassword(password) {
  return new Promise((resolve, reject) => {
    const salt = crypto.randomBytes(16);
    crypto.scrypt(password, salt, 32, (err, key) => (err ? reject(err) : resolve(`scrypt$${salt.toString('hex')}$${key.toString('hex')}`)));
  });
}

// Stands in for a missing or unusable hash, so that scrypt runs all the same:
// the time a login takes must not tell whether the user exists.
const DUMMY = { salt: Buffer.alloc(16), want: Buffer.alloc(32) };

// `stored` may be null (no such user): the answer is then false, after the same work.
export function checkPassword(password, stored) {
  return new Promise((resolve) => {
    const [kind, saltHex, hashHex] = String(stored).split('$');
    const usable = kind === 'scrypt' && /^([0-9a-f]{2})+$/.test(saltHex ?? '') && /^([0-9a-f]{2}){16,64}$/.test(hashHex ?? '');
    const { salt, want } = usable ? { salt: Buffer.from(saltHex, 'hex'), want: Buffer.from(hashHex, 'hex') } : DUMMY;
    crypto.scrypt(String(password), salt, want.length, (err, key) =>
      resolve(usable && !err && crypto.timingSafeEqual(key, want)));
  });
}

// Reads "Authorization: Bearer <token>".
export function bearer(req) {
  const h = req.headers.authorization;
  if (typeof h !== 'string') return null;
  const m = /^Bearer\s+(\S+)$/i.exec(h.trim());
  return m ? m[1] : null;
}
