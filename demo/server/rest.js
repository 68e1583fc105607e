// REST under /api: login, me, and one resource per model.
import { bearer, verifyToken } from './auth.js';
import { HttpError, badRequest, forbidden, notFound } from './errors.js';
import { listRecords } from './query.js';
import { getRecord } from './db.js';
import { readJson, sendJson, sendError } from './respond.js';
import { createLogin, toUser } from './login.js';
import { queryParams } from './input.js';

// Ids in paths: positive integers only ("1; DROP TABLE" is a 400, never SQL).
export function parseId(text) {
  if (typeof text !== 'string' || !/^[1-9]\d{0,14}$/.test(text)) return null;
  return Number(text);
}

export function createRest({ db, config, access, visibility, streams, mutations, secret, tokenTtlSeconds, throttle, clientAddress }) {
  const byPath = new Map(Object.values(config.models).map((mc) => [mc.path, mc]));
  const login = createLogin({ db, limits: config.limits, secret, tokenTtlSeconds, throttle, clientAddress });

  async function authenticate(req) {
    const token = bearer(req);
    if (!token) throw new HttpError(401, 'Unauthorized: missing bearer token');
    const payload = verifyToken(token, secret);
    if (!payload) throw new HttpError(401, 'Unauthorized: invalid or expired token');
    const user = await access.user(payload.sub);
    if (!user) throw new HttpError(401, 'Unauthorized: unknown user');
    return user;
  }

  // X-Client-Mutation-Id is echoed as mutationId in the broadcast; keep it sane.
  function mutationId(req) {
    const h = req.headers['x-client-mutation-id'];
    if (h === undefined) return undefined;
    if (typeof h !== 'string' || h.length > 200) throw badRequest('X-Client-Mutation-Id must be at most 200 characters');
    return h;
  }

  async function resource(req, res, user, mc, idText) {
    const method = req.method;
    if (idText === undefined) {
      if (method === 'GET') {
        const stream = streams.listStream(mc, user);
        if (!stream) throw forbidden(`Forbidden: you may not list ${mc.name}`);
        const params = queryParams(new URL(req.url, 'http://x').searchParams);
        const seq = await streams.current(stream); // before the read: an update in between comes again, never goes missing
        const { items, total } = await listRecords(db, visibility, mc, user, params);
        return sendJson(res, 200, { items, total, seq, epoch: streams.epoch });
      }
      if (method === 'POST') {
        const mid = mutationId(req);
        return sendJson(res, 201, await mutations.create(user, mc, await readJson(req), mid));
      }
      throw new HttpError(405, `Method ${method} not allowed on /api/${mc.path}`);
    }
    const id = parseId(idText);
    if (id === null) throw badRequest(`Invalid id '${idText}': expected a positive integer`);
    if (method === 'GET') {
      const rec = await getRecord(db, mc.name, id);
      if (!rec) throw notFound(`${mc.name} ${id} not found`);
      if (!(await visibility.canRead(mc, user, rec))) throw forbidden(`Forbidden: you may not read ${mc.name} ${id}`);
      return sendJson(res, 200, await visibility.project(mc, user, rec));
    }
    if (method === 'PUT' || method === 'PATCH') {
      const mid = mutationId(req);
      const body = await readJson(req);
      return sendJson(res, 200, await mutations.update(user, mc, id, body, method === 'PATCH', mid));
    }
    if (method === 'DELETE') {
      await mutations.remove(user, mc, id, mutationId(req));
      res.statusCode = 204;
      return res.end();
    }
    throw new HttpError(405, `Method ${method} not allowed on /api/${mc.path}/${id}`);
  }

  // Handles a request whose path starts with /api.
  return async function handleApi(req, res, pathname) {
    try {
      const parts = pathname.split('/').filter(Boolean).slice(1); // drop "api"
      if (parts.length === 1 && parts[0] === 'login') {
        if (req.method !== 'POST') throw new HttpError(405, 'Use POST /api/login');
        return await login(req, res);
      }
      const user = await authenticate(req);
      if (parts.length === 1 && parts[0] === 'me') {
        if (req.method !== 'GET') throw new HttpError(405, 'Use GET /api/me');
        return sendJson(res, 200, toUser(user));
      }
      const mc = byPath.get(parts[0]);
      if (!mc || parts.length > 2) throw notFound(`No such resource: ${pathname}`);
      return await resource(req, res, user, mc, parts[1]);
    } catch (err) {
      if (!(err instanceof HttpError)) {
        console.error('[rest]', err);
        err = new HttpError(500, 'Internal server error');
      }
      if (req.tooLarge) res.setHeader('Connection', 'close');
      sendError(res, err.status, err.message);
    }
  };
}
