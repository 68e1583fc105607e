// The realtime config: the demo default, deep-merged with an optional JSON file
// in the seeds' `websockets` shape, validated and compiled once at start-up so
// that a typo is a start-up error, not a silent hole at runtime.
import fs from 'node:fs';
import { MODELS, MODEL_NAMES } from './schema.js';
import { parseRule } from './permissions.js';
import { compileEvents } from './eventShapes.js';
import { lookup, parseJson } from './input.js';

const ALL_OPS = ['created', 'updated', 'deleted'];
const BOTH = ['list', 'item'];

export const DEFAULT_LIMITS = {
  subscriptionsPerConnection: 50,
  connectionsPerUser: 5,
  maxFrameBytes: 65536,
  malformedFramesPerConnection: 10,
  replayBufferPerChannel: 1000,
  maxBufferedBytes: 1048576, // unsent output per socket; past it the socket is closed 1013
  publishPerSecond: 10, // token bucket per connection: refill rate...
  publishBurst: 20, // ...and size
  publishRejectionsBeforeClose: 50, // rate-limited publishes tolerated per window; one more closes 1008
  publishRejectionWindowSeconds: 10,
  // Failed logins per user name and per address within the window; past them, 429.
  loginFailuresPerUser: 5,
  loginFailuresPerAddress: 20,
  loginWindowSeconds: 60,
};

// `owner` names the field compared by isOwner; `room` the field whose Room
// decides isParticipant / isRoomMember ('id' on Room itself = the row is the room).
export const DEMO_CONFIG = {
  websockets: {
    enabled: true,
    pubsub: {
      models: {
        Message: {
          subscribe: BOTH, broadcast: ALL_OPS, owner: 'authorId', room: 'roomId',
          permissions: { list: 'isParticipant || isAdmin', item: 'isParticipant || isAdmin', create: 'isParticipant', update: 'isOwner || isAdmin', delete: 'isOwner || isAdmin' },
        },
        Notification: {
          subscribe: BOTH, broadcast: ALL_OPS, owner: 'userId',
          permissions: { list: 'isOwner', item: 'isOwner', create: 'isAdmin', update: 'isOwner', delete: 'isOwner || isAdmin' },
        },
        Product: {
          subscribe: BOTH, broadcast: ALL_OPS,
          permissions: { list: 'true', item: 'true', create: 'isAdmin', update: 'isAdmin', delete: 'isAdmin' },
        },
        ActivityLog: {
          subscribe: BOTH, broadcast: ALL_OPS, owner: 'actorId',
          permissions: { list: 'isAdmin', item: 'isAdmin', create: 'false', update: 'false', delete: 'false' },
        },
        Room: {
          subscribe: BOTH, broadcast: ALL_OPS, room: 'id',
          permissions: { list: 'authenticated', item: 'authenticated', create: 'isAdmin', update: 'isAdmin', delete: 'isAdmin' },
          // Anyone sees the rooms; who is in one, only its members (and admins).
          fieldRules: { memberIds: 'isParticipant || isAdmin' },
        },
        User: {
          subscribe: BOTH, broadcast: ALL_OPS, owner: 'id', private: ['passwordHash'],
          permissions: { list: 'authenticated', item: 'authenticated', create: 'false', update: 'false', delete: 'false' },
        },
      },
      channels: {
        // join/leave are the server's presence events; clients publish only these.
        'chat:room:{roomId}': { events: { message: { text: 'string' }, typing: { on: 'boolean' } }, permission: 'isRoomMember', presence: true },
      },
    },
    limits: DEFAULT_LIMITS,
  },
};

const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

// Objects merge key by key; arrays and scalars from `over` replace.
export function deepMerge(base, over) {
  if (!isObj(base) || !isObj(over)) return over === undefined ? base : over;
  const out = Object.assign(Object.create(null), base);
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(lookup(base, k), v);
  return out;
}

export function readConfigFile(file) {
  let text;
  try { text = fs.readFileSync(file, 'utf8'); } catch (e) { throw new Error(`config ${file}: ${e.message}`); }
  try { return parseJson(text); } catch (e) { throw new Error(`config ${file}: invalid JSON (${e.message})`); }
}

const MODEL_KEYS = ['subscribe', 'broadcast', 'permissions', 'owner', 'room', 'private', 'path', 'fieldRules'];
const RULE_KEYS = ['list', 'item', 'create', 'update', 'delete'];

function fail(msg) { throw new Error(`config: ${msg}`); }

function compileRule(where, text) {
  try { return parseRule(text); } catch (e) { fail(`${where}: bad rule ${JSON.stringify(text)}: ${e.message}`); }
}

function compileModel(name, m) {
  if (!lookup(MODELS, name)) fail(`unknown model '${name}' (known: ${MODEL_NAMES.join(', ')})`);
  if (!isObj(m)) fail(`models.${name} must be an object`);
  for (const k of Object.keys(m)) if (!MODEL_KEYS.includes(k)) fail(`models.${name}: unknown key '${k}'`);
  const fields = MODELS[name].fields;
  const list = (key, allowed) => {
    const v = m[key] ?? allowed;
    if (!Array.isArray(v) || !v.every((x) => allowed.includes(x))) fail(`models.${name}.${key} must be an array of ${allowed.join(', ')}`);
    return new Set(v);
  };
  const field = (key) => {
    if (m[key] === undefined) return undefined;
    if (typeof m[key] !== 'string' || !fields[m[key]]) fail(`models.${name}.${key}: '${m[key]}' is not a field of ${name}`);
    return m[key];
  };
  const perms = m.permissions ?? {};
  if (!isObj(perms)) fail(`models.${name}.permissions must be an object`);
  const rules = {};
  for (const k of Object.keys(perms)) if (!RULE_KEYS.includes(k)) fail(`models.${name}.permissions: unknown key '${k}'`);
  // A missing rule denies: nothing is public unless the config says so.
  for (const k of RULE_KEYS) rules[k] = compileRule(`models.${name}.permissions.${k}`, perms[k] ?? 'false');
  const priv = m.private ?? [];
  if (!Array.isArray(priv) || !priv.every((f) => typeof f === 'string' && fields[f])) fail(`models.${name}.private must list fields of ${name}`);
  const path = m.path ?? `${name.toLowerCase()}s`;
  if (typeof path !== 'string' || !/^[a-z0-9_-]+$/i.test(path)) fail(`models.${name}.path must be a plain path segment`);
  let room = field('room');
  if (room === 'id' && name === 'Room') room = 'self';
  return {
    name, path, rules, owner: field('owner'), room, fieldRules: compileFieldRules(name, m.fieldRules ?? {}),
    subscribe: list('subscribe', BOTH), broadcast: list('broadcast', ALL_OPS),
    private: new Set([...priv, ...(MODELS[name].alwaysPrivate ?? [])]),
  };
}

// fieldRules: {field: rule}; the field is sent only to users the rule allows on that record.
function compileFieldRules(name, fr) {
  if (!isObj(fr)) fail(`models.${name}.fieldRules must be an object`);
  const out = new Map();
  for (const [f, text] of Object.entries(fr)) {
    if (!Object.hasOwn(MODELS[name].fields, f) || f === 'id') fail(`models.${name}.fieldRules: '${f}' is not a field of ${name} that can be hidden`);
    out.set(f, compileRule(`models.${name}.fieldRules.${f}`, text));
  }
  return out;
}

function compileChannel(pattern, c) {
  if (!isObj(c)) fail(`channels['${pattern}'] must be an object`);
  if (!/^[A-Za-z0-9_:.{}-]+$/.test(pattern) || /^[A-Z][A-Za-z]*:(list|item)/.test(pattern)) fail(`channels: bad pattern '${pattern}'`);
  const events = compileEvents(`channels['${pattern}'].events`, c.events, fail);
  if (c.presence !== undefined && typeof c.presence !== 'boolean') fail(`channels['${pattern}'].presence must be a boolean`);
  const params = [];
  const source = pattern.split(/(\{[A-Za-z_][A-Za-z0-9_]*\})/).map((part) => {
    if (part.startsWith('{')) { params.push(part.slice(1, -1)); return '([^:]+)'; }
    if (part.includes('{') || part.includes('}')) fail(`channels: bad pattern '${pattern}'`);
    return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
  }).join('');
  return {
    pattern, params, regex: new RegExp(`^${source}$`), events, presence: !!c.presence,
    permission: compileRule(`channels['${pattern}'].permission`, c.permission ?? 'false'),
  };
}

function compileLimits(l) {
  if (!isObj(l)) fail('limits must be an object');
  for (const [k, v] of Object.entries(l)) {
    if (!Object.hasOwn(DEFAULT_LIMITS, k)) fail(`limits: unknown key '${k}'`);
    if (!Number.isSafeInteger(v) || v < 1) fail(`limits.${k} must be a positive integer`);
  }
  return { ...DEFAULT_LIMITS, ...l };
}

// cors.origins: exact origins ("https://app.example:8443") allowed to call the
// API from another origin, or ["*"] for any. Default: none (same origin only).
function compileCors(c) {
  if (c === undefined) return { any: false, origins: new Set() };
  if (!isObj(c) || Object.keys(c).some((k) => k !== 'origins')) fail("cors must be an object with only 'origins'");
  const list = c.origins ?? [];
  const isOrigin = (o) => {
    try { return new URL(o).origin === o; } catch { return false; }
  };
  if (!Array.isArray(list) || !list.every((o) => o === '*' || (typeof o === 'string' && isOrigin(o)))) {
    fail('cors.origins must be an array of origins like "https://app.example" (scheme, host, optional port) or "*"');
  }
  return { any: list.includes('*'), origins: new Set(list) };
}

// user: the parsed JSON of --config (or undefined). Returns the compiled config.
export function loadConfig(user) {
  if (user !== undefined && (!isObj(user) || !isObj(user.websockets))) fail("expected an object with a 'websockets' object");
  const ws = deepMerge(DEMO_CONFIG, user ?? {}).websockets;
  if (ws.enabled !== undefined && typeof ws.enabled !== 'boolean') fail('enabled must be a boolean');
  if (!isObj(ws.pubsub) || !isObj(ws.pubsub.models)) fail('pubsub.models must be an object');
  const models = Object.create(null); // looked up by client-supplied names
  for (const [name, m] of Object.entries(ws.pubsub.models)) models[name] = compileModel(name, m);
  // Every model has a REST resource; one left out of the config gets deny-all rules.
  for (const name of MODEL_NAMES) models[name] ??= compileModel(name, {});
  const paths = new Set();
  for (const m of Object.values(models)) {
    if (paths.has(m.path) || m.path === 'login' || m.path === 'me') fail(`models.${m.name}.path '${m.path}' is already used`);
    paths.add(m.path);
  }
  const channels = Object.entries(ws.pubsub.channels ?? {}).map(([p, c]) => compileChannel(p, c));
  return { enabled: ws.enabled !== false, models, channels, limits: compileLimits(ws.limits ?? {}), cors: compileCors(user?.cors) };
}
