// Create / update / delete: validation, write permission, the SQL write, the
// seq bumps, the ActivityLog row, all in one transaction; then the resulting
// update frames go to the bus (never straight to sockets).
//
// Mutations of one process take turns (transaction, then publish), so the bus
// sees each stream's seqs in order. With an outbox (cluster/outbox.js) the
// deliveries are written to it in the same transaction instead, and the relay
// publishes them; then transactions of several gateways run at once and the
// StreamSeq row locks order them.
import { MODELS, checkValue, rowToRecord, toSqlValue } from './schema.js';
import { insertRow, getRecord } from './db.js';
import { badRequest, forbidden, notFound } from './errors.js';
import { lookup } from './input.js';
import { createMutex } from './store/mutex.js';

export function createMutations({ db, config, access, visibility, streams, bus, outbox, onCommitted = () => {} }) {
  const turn = createMutex();

  // mode: 'create' | 'put' | 'patch'. Returns the writable values taken from body.
  async function validate(mc, body, mode, existing) {
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
      if (ref && !(await getRecord(db, ref, v))) throw badRequest(`Field '${name}': ${ref} ${v} does not exist`);
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
  async function logActivity(tx, user, mc, type, id, now) {
    if (mc.name === 'ActivityLog') return [];
    const alc = config.models.ActivityLog;
    const logId = await insertRow(tx, 'ActivityLog', { actorId: user.id, action: `${user.name} ${type} ${mc.name} ${id}`, createdAt: now });
    return streams.deliveries(tx, alc, 'created', null, await getRecord(tx, 'ActivityLog', logId), { timestamp: now });
  }

  // work(tx) -> {result, deliveries}. Resolves with result once the deliveries
  // were handed to the bus (or committed to the outbox).
  async function commit(work) {
    const numbered = async (tx) => {
      const o = await work(tx);
      await streams.number(tx, o.deliveries); // last: the counters' row locks are held only till the commit
      return o;
    };
    if (outbox) {
      const out = await db.transaction(async (tx) => {
        const o = await numbered(tx);
        if (o.deliveries.length) await outbox.add(tx, o.deliveries);
        return o;
      });
      onCommitted(); // tests: a gateway that dies between its commit and its relay
      // Answer once this gateway's own sockets have the update (as without Redis).
      if (out.deliveries.length) {
        outbox.kick();
        await bus.reached(out.deliveries);
      }
      return out.result;
    }
    return turn(async () => {
      const out = await db.transaction(numbered);
      if (out.deliveries.length) await bus.publish('update', { deliveries: out.deliveries });
      return out.result;
    });
  }

  async function find(q, mc, id) {
    const rec = await getRecord(q, mc.name, id);
    if (!rec) throw notFound(`${mc.name} ${id} not found`);
    return rec;
  }

  async function create(user, mc, body, mutationId) {
    const now = Date.now();
    const values = fill(mc, await validate(mc, body, 'create'), user, now);
    if (!(await access.can(mc, 'create', user, values))) throw forbidden(`Forbidden: you may not create ${mc.name}`);
    return commit(async (tx) => {
      const inTx = await allowedInTx(tx, mc, 'create', user, values, () => `create ${mc.name}`);
      const after = await getRecord(tx, mc.name, await insertRow(tx, mc.name, values));
      const meta = { timestamp: now, mutationId, actorId: user.id };
      const deliveries = [...await streams.deliveries(tx, mc, 'created', null, after, meta), ...await logActivity(tx, user, mc, 'created', after.id, now)];
      return { result: await inTx.project(mc, user, after), deliveries };
    });
  }

  // The record is read again inside the transaction, locked (Postgres), so two
  // gateways updating it at once both count its version on.
  async function update(user, mc, id, body, partial, mutationId) {
    const first = await find(db, mc, id);
    if (!(await access.can(mc, 'update', user, first))) throw forbidden(`Forbidden: you may not update ${mc.name} ${id}`);
    const now = Date.now();
    const fields = MODELS[mc.name].fields;
    const checked = await validate(mc, body, partial ? 'patch' : 'put', first);
    return commit(async (tx) => {
      const before = await lockedRecord(tx, mc, id);
      const inTx = await allowedInTx(tx, mc, 'update', user, before, () => `update ${mc.name} ${id}`);
      const values = fill(mc, { ...checked }, user, now, before);
      const names = Object.keys(values);
      await tx.run(`UPDATE "${mc.name}" SET ${names.map((n) => `"${n}" = ?`).join(', ')} WHERE "id" = ?`,
        [...names.map((n) => toSqlValue(fields[n], values[n])), id]);
      const after = await getRecord(tx, mc.name, id);
      const meta = { timestamp: now, mutationId, actorId: user.id };
      const deliveries = [...await streams.deliveries(tx, mc, 'updated', before, after, meta), ...await logActivity(tx, user, mc, 'updated', id, now)];
      return { result: await inTx.project(mc, user, after), deliveries };
    });
  }

  async function remove(user, mc, id, mutationId) {
    const first = await find(db, mc, id);
    if (!(await access.can(mc, 'delete', user, first))) throw forbidden(`Forbidden: you may not delete ${mc.name} ${id}`);
    const now = Date.now();
    await commit(async (tx) => {
      const before = await lockedRecord(tx, mc, id);
      await allowedInTx(tx, mc, 'delete', user, before, () => `delete ${mc.name} ${id}`);
      await tx.run(`DELETE FROM "${mc.name}" WHERE "id" = ?`, [id]);
      const meta = { timestamp: now, mutationId, actorId: user.id };
      return { result: null, deliveries: [...await streams.deliveries(tx, mc, 'deleted', before, null, meta), ...await logActivity(tx, user, mc, 'deleted', id, now)] };
    });
  }

  // The check before the transaction answers early; this one decides, on the
  // row and room as they are inside it (a membership may have changed since).
  // Returns the visibility that reads through tx.
  async function allowedInTx(tx, mc, action, user, record, what) {
    const inTx = visibility.with(tx);
    if (!(await inTx.access.can(mc, action, user, record))) throw forbidden(`Forbidden: you may not ${what()}`);
    return inTx;
  }

  // The row as it is inside the transaction; gone since the check: 404.
  async function lockedRecord(tx, mc, id) {
    const lock = db.kind === 'postgres' ? ' FOR UPDATE' : '';
    const row = await tx.get(`SELECT * FROM "${mc.name}" WHERE "id" = ?${lock}`, [id]);
    if (!row) throw notFound(`${mc.name} ${id} not found`);
    return rowToRecord(mc.name, row);
  }

  return { create, update, remove };
}
