// The events clients may publish on a custom channel, each with the shape its
// data must have, compiled from the channel config at load:
//
//   events: { typing: { on: 'boolean' }, message: { text: 'string', replyTo: 'number?' }, ping: 'null' }
//
// A shape is a type name (string, number, boolean, null, any) or an object of
// field -> type name; a field whose type ends in '?' may be left out, and no other
// field is allowed. The legacy form, an array of names, allows any data.
// join and leave are the server's presence events: never publishable.

export const RESERVED_EVENTS = new Set(['join', 'leave']);

const TYPES = new Map([
  ['string', (v) => typeof v === 'string'],
  ['number', (v) => typeof v === 'number'],
  ['boolean', (v) => typeof v === 'boolean'],
  ['null', (v) => v === null],
  ['any', () => true],
]);

const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const article = (type) => (type === 'null' ? '' : /^[aeiou]/.test(type) ? 'an ' : 'a ');

function typeOf(where, spec, fail) {
  if (typeof spec !== 'string') fail(`${where}: expected a type name (${[...TYPES.keys()].join(', ')})`);
  const optional = spec.endsWith('?');
  const name = optional ? spec.slice(0, -1) : spec;
  if (!TYPES.has(name)) fail(`${where}: unknown type '${spec}' (known: ${[...TYPES.keys()].join(', ')})`);
  return { name, optional, test: TYPES.get(name) };
}

// One event's shape -> check(data) returning null or what is wrong.
function compileShape(where, event, spec, fail) {
  if (typeof spec === 'string') {
    const t = typeOf(where, spec, fail);
    return (data) => (t.test(data) ? null : `'${event}' data must be ${article(t.name)}${t.name}`);
  }
  if (!isObj(spec)) fail(`${where}: expected a type name or an object of field types`);
  const fields = new Map(Object.entries(spec).map(([k, v]) => [k, typeOf(`${where}.${k}`, v, fail)]));
  return (data) => {
    if (!isObj(data)) return `'${event}' data must be an object`;
    for (const k of Object.keys(data)) if (!fields.has(k)) return `'${event}' data: unknown field '${k.slice(0, 50)}'`;
    for (const [k, t] of fields) {
      if (!Object.hasOwn(data, k)) {
        if (!t.optional) return `'${event}' data: '${k}' is required`;
      } else if (!t.test(data[k])) return `'${event}' data: '${k}' must be ${article(t.name)}${t.name}`;
    }
    return null;
  };
}

// where: e.g. "channels['chat:room:{roomId}'].events"; fail(msg) throws.
// Returns Map<event name, check(data) -> null | error text>.
export function compileEvents(where, events, fail) {
  const named = Array.isArray(events) && events.every((e) => typeof e === 'string' && e);
  if (!named && !isObj(events)) fail(`${where} must be an array of names or an object of event shapes`);
  const entries = named ? events.map((e) => [e, 'any']) : Object.entries(events);
  const out = new Map();
  for (const [event, spec] of entries) {
    if (!event) fail(`${where}: event names must be non-empty`);
    if (RESERVED_EVENTS.has(event)) fail(`${where}: '${event}' is reserved (the server sends it for presence)`);
    out.set(event, compileShape(`${where}.${event}`, event, spec, fail));
  }
  return out;
}
