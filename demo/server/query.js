// List queries: where / orderBy / skip / take -> SQL with placeholders.
// Field names reach SQL only after being found in the schema (and not private);
// every value goes through a placeholder.
import { MODELS, rowToRecord, toSqlValue } from './schema.js';
import { badRequest } from './errors.js';
import { dict, lookup, parseJson } from './input.js';
import { SQLITE_DIALECT } from './store/sqlite.js';

const OPS = dict({
  eq: '=', ne: '!=', gt: '>', gte: '>=', lt: '<', lte: '<=', in: 'IN', contains: 'contains',
});
// Which operators make sense per field type.
const OPS_BY_TYPE = {
  integer: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in'],
  number: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in'],
  string: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'contains'],
  boolean: ['eq', 'ne', 'in'],
  intArray: ['contains'],
};

function typeOk(type, v) {
  if (type === 'integer') return Number.isSafeInteger(v);
  if (type === 'number') return typeof v === 'number' && Number.isFinite(v);
  if (type === 'string') return typeof v === 'string';
  if (type === 'boolean') return typeof v === 'boolean';
  return false;
}
const TYPE_NAMES = { integer: 'an integer', number: 'a number', string: 'a string', boolean: 'a boolean' };

// JSON text from a query string, or an object already (WebSocket params).
function decode(name, v) {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') return v;
  try { return parseJson(v); } catch { throw badRequest(`${name}: invalid JSON`); }
}

function queryField(mc, name, what) {
  const f = lookup(MODELS[mc.name].fields, name);
  if (!f || mc.private.has(name)) throw badRequest(`${what}: unknown field '${name}' on ${mc.name}`);
  return f;
}

function condition(mc, name, op, v, dialect) {
  const f = queryField(mc, name, 'where');
  const col = `"${mc.name}"."${name}"`;
  if (!lookup(OPS, op)) throw badRequest(`where.${name}: unknown operator '${op}'`);
  if (!OPS_BY_TYPE[f.type].includes(op)) throw badRequest(`where.${name}: operator '${op}' not supported on a ${f.type} field`);
  const check = (x) => {
    if (x === null && (op === 'eq' || op === 'ne')) return;
    if (!typeOk(f.type, x)) throw badRequest(`where.${name}.${op}: expected ${TYPE_NAMES[f.type]}`);
  };
  if (op === 'contains') {
    if (f.type === 'intArray') {
      if (!Number.isSafeInteger(v)) throw badRequest(`where.${name}.contains: expected an integer`);
      return { sql: `EXISTS (SELECT 1 FROM ${dialect.elements(col)} WHERE ${dialect.element} = ?)`, params: [v] };
    }
    if (typeof v !== 'string') throw badRequest(`where.${name}.contains: expected a string`);
    return { sql: dialect.strContains(col), params: [v] };
  }
  if (op === 'in') {
    if (!Array.isArray(v) || v.length > 1000) throw badRequest(`where.${name}.in: expected an array (at most 1000 values)`);
    v.forEach(check);
    if (v.length === 0) return { sql: dialect.false, params: [] };
    return { sql: `${col} IN (${v.map(() => '?').join(', ')})`, params: v.map((x) => toSqlValue(f, x)) };
  }
  check(v);
  if (v === null) return { sql: `${col} IS ${op === 'eq' ? '' : 'NOT '}NULL`, params: [] };
  return { sql: `${col} ${OPS[op]} ?`, params: [toSqlValue(f, v)] };
}

// guard(name): SQL true where the caller may see that field, or null (no rule).
const guarded = (c, g) => (g ? { sql: `(${g.sql}) AND (${c.sql})`, params: [...g.params, ...c.params] } : c);

export function buildWhere(mc, where, guard = () => null, dialect = SQLITE_DIALECT) {
  const parts = [];
  if (where === undefined) return parts;
  if (!where || typeof where !== 'object' || Array.isArray(where)) throw badRequest('where: expected a JSON object');
  for (const [name, v] of Object.entries(where)) {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const ops = Object.entries(v);
      if (ops.length === 0) throw badRequest(`where.${name}: empty operator object`);
      for (const [op, x] of ops) parts.push(guarded(condition(mc, name, op, x, dialect), guard(name)));
    } else if (Array.isArray(v)) {
      throw badRequest(`where.${name}: use {"in": [...]} to match several values`);
    } else {
      parts.push(guarded(condition(mc, name, 'eq', v, dialect), guard(name)));
    }
  }
  return parts;
}

// canSort(name): whether the caller may sort by that field.
export function buildOrder(mc, orderBy, canSort = () => true) {
  if (orderBy === undefined) return '"id" ASC';
  const entries = Array.isArray(orderBy) ? orderBy : [orderBy];
  const keys = [];
  for (const e of entries) {
    if (!e || typeof e !== 'object' || Array.isArray(e)) throw badRequest('orderBy: expected {field: "asc"|"desc"} or an array of them');
    for (const [name, dir] of Object.entries(e)) {
      const f = queryField(mc, name, 'orderBy');
      if (f.type === 'intArray' || !canSort(name)) throw badRequest(`orderBy: cannot sort by '${name}'`);
      const d = typeof dir === 'string' ? dir.toLowerCase() : '';
      if (d !== 'asc' && d !== 'desc') throw badRequest(`orderBy.${name}: expected "asc" or "desc"`);
      keys.push([name, d]);
    }
  }
  // Ties always break by id ascending, so pages are stable.
  if (!keys.some(([n]) => n === 'id')) keys.push(['id', 'asc']);
  return keys.map(([n, d]) => `"${mc.name}"."${n}" ${d.toUpperCase()}`).join(', ');
}

function count(name, v) {
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'string' && /^\d{1,15}$/.test(v) ? Number(v) : v;
  if (!Number.isSafeInteger(n) || n < 0) throw badRequest(`${name}: expected a non-negative integer`);
  return n;
}

// The records `user` may list (visibility.js, in SQL), filtered, sorted and paged,
// each in the form `user` may see.
export async function listRecords(db, visibility, mc, user, params = {}) {
  if (!params || typeof params !== 'object' || Array.isArray(params)) throw badRequest('params: expected an object');
  const parts = buildWhere(mc, decode('where', params.where), (name) => visibility.fieldFilter(mc, user, name), db.dialect);
  const order = buildOrder(mc, decode('orderBy', params.orderBy), (name) => visibility.seesField(mc, user, name));
  const skip = count('skip', params.skip) ?? 0;
  const take = count('take', params.take);
  const perm = visibility.listFilter(mc, user);
  const all = [perm, ...parts];
  const whereSql = all.map((p) => `(${p.sql})`).join(' AND ');
  const args = all.flatMap((p) => p.params);
  const total = (await db.get(`SELECT COUNT(*) AS n FROM "${mc.name}" WHERE ${whereSql}`, args)).n;
  const rows = await db.all(`SELECT * FROM "${mc.name}" WHERE ${whereSql} ORDER BY ${order} LIMIT ? OFFSET ?`,
    [...args, take ?? db.dialect.noLimit, skip]);
  return { items: await Promise.all(rows.map((r) => visibility.project(mc, user, rowToRecord(mc.name, r)))), total };
}

// A record without its private fields (visibility.project also applies field rules).
export function publicRecord(mc, record) {
  if (!record) return record;
  const out = {};
  for (const [k, v] of Object.entries(record)) if (!mc.private.has(k)) out[k] = v;
  return out;
}
