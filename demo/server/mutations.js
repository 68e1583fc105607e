// Create / update / delete: validation, write permission, the SQL write, the
// seq bumps, the ActivityLog row, all in one transaction; then the resulting
// update frames go to the bus (never straight to sockets).
import { MODELS, checkValue, toSqlValue } from './schema.js';
import { insertRow, getRecord } from './db.js';
import { badRequest, forbidden, notFound } from './errors.js';
import { lookup } from './input.js';

export function createMutations({ db, config, access, visibility, streams, bus }) {
  // mode: 'create' | 'put' | 'patch'. Returns the writable values taken from body.
  function validate(mc, body, mode, existing) {
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('Body must be a JSON object');
    const fields = MODELS[mc.name].fields;
    const out = Object.create(null);
    for (const [name, v] of Object.entries(body)) {
      const f = lookup(fields, name);
      if (!f || (mc.private.has(name) && f.set !== 'server')) throw badRequest(`Unknown field '${name}' on ${mc.name}`);
      if (f.set === 'server') continue; // id, timestamps, authorId...: the server decides
      if (f.set === 'create' && mode !== 'create') {
        if (v !== existing[name]) throw badRequest(`Field '${name}' cannot be changed`);
        continue;
      }
      const err = checkValue(f, v);
      if (err) throw badRequest(`Field '${name}' ${err}`);
      out[name] = v;
    }
    for (const [name, f] of Object.entries(fields)) {
      const needed = mode === 'create' ? f.set !== 'server' : mode === 'put' && f.set === 'write';
      if (!needed || Object.hasOwn(out, name)) continue;
      if (f.optional) out[name] = f.default;
      else throw badRequest(`Field '${name}' is required`);
    }
    if (mode === 'patch' && Object.keys(out).length === 0) throw badRequest('No writable fields in body');
    for (const [name, v] of Object.entries(out)) {
      const ref = fields[name].ref;
      if (ref && !getRecord(db, ref, v)) throw badRequest(`Field '${name}': ${ref} ${v} does not exist`);
    }
    return out;
  }

  // before: the record being updated (undefined when creating).
  function fill(mc, values, user, now, before) {
    const creating = !before;
    for (const [name, f] of Object.entries(MODELS[mc.name].fields)) {
      if (f.fill === 'version') values[name] = creating ? 1 : (before[name] ?? 0) + 1;
      else if (f.fill === 'touch' || (creating && f.fill === 'now')) values[name] = now;
      else if (creating && f.fill === 'caller') values[name] = user.id;
      else if (creating && f.fill === 'empty') values[name] = '';
    }
    return values;
  }

  // One ActivityLog row per successful mutation of another model.
  function logActivity(user, mc, type, id, now) {
    if (mc.name === 'ActivityLog') return [];
    const alc = config.models.ActivityLog;
    const logId = insertRow(db, 'ActivityLog', { actorId: user.id, action: `${user.name} ${type} ${mc.name} ${id}`, createdAt: now });
    return streams.deliveries(alc, 'created', null, getRecord(db, 'ActivityLog', logId), { timestamp: now });
  }

  function commit(work) {
    const out = db.transaction(work)();
    if (out.deliveries.length) bus.publish('update', { deliveries: out.deliveries });
    return out.result;
  }

  function find(mc, id) {
    const rec = getRecord(db, mc.name, id);
    if (!rec) throw notFound(`${mc.name} ${id} not found`);
    return rec;
  }

  function create(user, mc, body, mutationId) {
    const now = Date.now();
    const values = fill(mc, validate(mc, body, 'create'), user, now);
    if (!access.can(mc, 'create', user, values)) throw forbidden(`Forbidden: you may not create ${mc.name}`);
    return commit(() => {
      const after = getRecord(db, mc.name, insertRow(db, mc.name, values));
      const meta = { timestamp: now, mutationId, actorId: user.id };
      const deliveries = [...streams.deliveries(mc, 'created', null, after, meta), ...logActivity(user, mc, 'created', after.id, now)];
      return { result: visibility.project(mc, user, after), deliveries };
    });
  }

  function update(user, mc, id, body, partial, mutationId) {
    const before = find(mc, id);
    if (!access.can(mc, 'update', user, before)) throw forbidden(`Forbidden: you may not update ${mc.name} ${id}`);
    const now = Date.now();
    const values = fill(mc, validate(mc, body, partial ? 'patch' : 'put', before), user, now, before);
    const fields = MODELS[mc.name].fields;
    const names = Object.keys(values);
    return commit(() => {
      db.prepare(`UPDATE "${mc.name}" SET ${names.map((n) => `"${n}" = ?`).join(', ')} WHERE "id" = ?`)
        .run(...names.map((n) => toSqlValue(fields[n], values[n])), id);
      const after = getRecord(db, mc.name, id);
      const meta = { timestamp: now, mutationId, actorId: user.id };
      const deliveries = [...streams.deliveries(mc, 'updated', before, after, meta), ...logActivity(user, mc, 'updated', id, now)];
      return { result: visibility.project(mc, user, after), deliveries };
    });
  }

  function remove(user, mc, id, mutationId) {
    const before = find(mc, id);
    if (!access.can(mc, 'delete', user, before)) throw forbidden(`Forbidden: you may not delete ${mc.name} ${id}`);
    const now = Date.now();
    commit(() => {
      db.prepare(`DELETE FROM "${mc.name}" WHERE "id" = ?`).run(id);
      const meta = { timestamp: now, mutationId, actorId: user.id };
      return { result: null, deliveries: [...streams.deliveries(mc, 'deleted', before, null, meta), ...logActivity(user, mc, 'deleted', id, now)] };
    });
  }

  return { create, update, remove };
}
