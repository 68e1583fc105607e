// POST /api/login. Unknown users cost the same scrypt as known ones (see
// checkPassword), and failed logins are throttled per user name and per
// address: past the limit, 429 with Retry-After, whatever the password.
// `throttle(name, opts)` makes each counter (with --redis, one shared by every
// gateway: cluster/throttle.js); `clientAddress(req)` says who asked
// (clientAddress.js: behind a trusted proxy, X-Forwarded-For).
import { checkPassword, issueToken } from './auth.js';
import { HttpError, badRequest } from './errors.js';
import { readJson, sendJson } from './respond.js';
import { createThrottle } from './throttle.js';
import { createClientAddress } from './clientAddress.js';
import { MODELS } from './schema.js';

const MAX_NAME = MODELS.User.fields.name.maxLength;

export const toUser = (u) => ({ id: u.id, name: u.name, role: u.role });

const ownThrottle = (name, opts) => createThrottle(opts);

export function createLogin({ db, limits, secret, tokenTtlSeconds, now = Date.now, throttle = ownThrottle, clientAddress = createClientAddress() }) {
  const windowMs = limits.loginWindowSeconds * 1000;
  const byName = throttle('name', { max: limits.loginFailuresPerUser, windowMs, now });
  const byAddress = throttle('address', { max: limits.loginFailuresPerAddress, windowMs, now });

  return async function login(req, res) {
    const body = await readJson(req);
    if (!body || typeof body !== 'object' || typeof body.username !== 'string' || typeof body.password !== 'string') {
      throw badRequest('Expected {username, password} strings');
    }
    const { username, password } = body;
    if (username.length > MAX_NAME) throw badRequest(`username: at most ${MAX_NAME} characters`);
    const address = clientAddress(req);
    const wait = Math.max(...await Promise.all([byName.retryAfterMs(username), byAddress.retryAfterMs(address)]));
    if (wait > 0) {
      res.setHeader('Retry-After', String(Math.ceil(wait / 1000)));
      throw new HttpError(429, 'Too many failed logins: try again later');
    }
    const row = await db.get('SELECT * FROM "User" WHERE "name" = ?', [username]);
    const ok = await checkPassword(password, row?.passwordHash ?? null);
    if (!row || !ok) {
      // The address is not reset by a success: one good account must not reopen it.
      await Promise.all([byName.fail(username), byAddress.fail(address)]);
      throw new HttpError(401, 'Invalid username or password');
    }
    await byName.reset(username);
    sendJson(res, 200, { token: issueToken(row.id, secret, tokenTtlSeconds), user: toUser(row) });
  };
}
