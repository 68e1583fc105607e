// The demo's models: field types, who sets each field, and how a row maps to a
// wire record. Everything else (SQL, validation, permissions) is driven from
// here so that a field name can only ever reach SQL after being looked up in it.
import { dict } from './input.js';

// Field kinds:
//   type     'integer' | 'number' | 'string' | 'boolean' | 'intArray'
//   set      'server'  (never taken from a body; the server fills it in)
//            'create'  (required on create, not writable later)
//            'write'   (required on create and on PUT, writable with PATCH)
//   optional true: may be omitted on create/PUT (default below)
//   ref      model whose id this field must name (checked on writes)
//   fill     for 'server' fields: 'now' (epoch ms at creation), 'touch' (epoch ms
//            at every write), 'caller' (the acting user's id), 'empty' (''),
//            'version' (1 at creation, one more at every write)
const F = (type, set, extra = {}) => ({ type, set, ...extra });

const SCHEMA = {
  Message: {
    fields: {
      id: F('integer', 'server'),
      roomId: F('integer', 'create', { ref: 'Room' }),
      authorId: F('integer', 'server', { fill: 'caller' }),
      text: F('string', 'write', { maxLength: 4000 }),
      createdAt: F('integer', 'server', { fill: 'now' }),
      updatedAt: F('integer', 'server', { fill: 'touch' }),
    },
  },
  Room: {
    fields: {
      id: F('integer', 'server'),
      name: F('string', 'write', { maxLength: 200 }),
      memberIds: F('intArray', 'write'),
    },
  },
  Notification: {
    fields: {
      id: F('integer', 'server'),
      userId: F('integer', 'create', { ref: 'User' }),
      text: F('string', 'write', { maxLength: 4000 }),
      read: F('boolean', 'write', { optional: true, default: false }),
      createdAt: F('integer', 'server', { fill: 'now' }),
    },
  },
  Product: {
    fields: {
      id: F('integer', 'server'),
      name: F('string', 'write', { maxLength: 200 }),
      price: F('number', 'write', { min: 0 }),
      stock: F('integer', 'write', { min: 0 }),
    },
  },
  ActivityLog: {
    fields: {
      id: F('integer', 'server'),
      actorId: F('integer', 'server', { fill: 'caller' }),
      action: F('string', 'create', { maxLength: 1000 }),
      createdAt: F('integer', 'server', { fill: 'now' }),
    },
  },
  User: {
    // passwordHash is private whatever the config says.
    alwaysPrivate: ['passwordHash'],
    fields: {
      id: F('integer', 'server'),
      name: F('string', 'write', { maxLength: 100 }),
      role: F('string', 'write', { enum: ['user', 'admin'] }),
      passwordHash: F('string', 'server', { fill: 'empty' }),
    },
  },
};

// Every record carries a version that grows on every write (PROTOCOL ext, record
// versions): clients keep the newest copy whatever order copies arrive in.
for (const m of Object.values(SCHEMA)) m.fields.version = F('integer', 'server', { fill: 'version' });

// Client-supplied names are looked up here: prototype-less tables, so
// 'constructor' is neither a model nor a field.
export const MODELS = dict(Object.fromEntries(Object.entries(SCHEMA).map(([name, m]) => [name, { ...m, fields: dict(m.fields) }])));
export const MODEL_NAMES = Object.keys(MODELS);

// Column types per field type come from the store's dialect (store/*.js).
// Booleans are 0/1, intArray is JSON text, on every store.
export function createTableSql(model, dialect) {
  const types = dialect.types;
  const cols = Object.entries(MODELS[model].fields).map(([name, f]) =>
    name === 'id' ? `"id" ${types.id}`
      : f.fill === 'version' ? `"${name}" ${types.integer} NOT NULL DEFAULT 1` : `"${name}" ${types[f.type]}`);
  return `CREATE TABLE IF NOT EXISTS "${model}" (${cols.join(', ')})`;
}

// A database row -> the full record (private fields still included).
export function rowToRecord(model, row) {
  if (!row) return null;
  const out = {};
  for (const [name, f] of Object.entries(MODELS[model].fields)) {
    const v = row[name];
    if (f.type === 'boolean') out[name] = v === null || v === undefined ? null : v !== 0;
    else if (f.type === 'intArray') out[name] = v ? JSON.parse(v) : [];
    else out[name] = v ?? null;
  }
  return out;
}

// A JS value -> what goes into a placeholder for that field.
export function toSqlValue(field, v) {
  if (v === null || v === undefined) return null;
  if (field.type === 'boolean') return v ? 1 : 0;
  if (field.type === 'intArray') return JSON.stringify(v);
  return v;
}

// Checks one value against a field's type; returns an error text or null.
export function checkValue(field, v) {
  switch (field.type) {
    case 'integer':
      if (!Number.isSafeInteger(v)) return 'must be an integer';
      break;
    case 'number':
      if (typeof v !== 'number' || !Number.isFinite(v)) return 'must be a number';
      break;
    case 'string':
      if (typeof v !== 'string') return 'must be a string';
      if (field.maxLength && v.length > field.maxLength) return `must be at most ${field.maxLength} characters`;
      if (field.enum && !field.enum.includes(v)) return `must be one of ${field.enum.join(', ')}`;
      return null;
    case 'boolean':
      return typeof v === 'boolean' ? null : 'must be a boolean';
    case 'intArray':
      if (!Array.isArray(v) || !v.every((x) => Number.isSafeInteger(x))) return 'must be an array of integers';
      return null;
  }
  if (field.min !== undefined && v < field.min) return `must be >= ${field.min}`;
  return null;
}
