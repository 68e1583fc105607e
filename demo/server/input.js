// The one gate for client input (REST bodies, query parameters, WebSocket
// frames) and for the tables it is looked up in. Parsed objects have no
// prototype, and every lookup asks for an own key, so `__proto__`,
// `constructor` or `toString` from a client are just unknown names.

// JSON text -> the same value, with every object prototype-less. JSON.parse
// keeps a `"__proto__"` key as an own property; copying into a null-prototype
// object keeps it so (there is no inherited setter to trip).
export function parseJson(text) {
  return JSON.parse(text, (_key, value) => (value !== null && typeof value === 'object' && !Array.isArray(value) ? dict(value) : value));
}

// A prototype-less copy of an object's own enumerable keys (a lookup table).
export function dict(obj = {}) {
  const out = Object.create(null);
  for (const k of Object.keys(obj)) out[k] = obj[k];
  return out;
}

// URLSearchParams -> a prototype-less {name: value} (the last value of a repeated name).
export function queryParams(searchParams) {
  const out = Object.create(null);
  for (const [k, v] of searchParams) out[k] = v;
  return out;
}

// table[key] when key is a string naming an own property, else undefined.
export function lookup(table, key) {
  return typeof key === 'string' && Object.hasOwn(table, key) ? table[key] : undefined;
}
