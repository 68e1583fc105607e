// The list query {where, orderBy, skip, take} evaluated in JS, as the core does
// (wasm/include/ssot/query.h): used only to place optimistic rows in the views
// they belong to. Comparisons across kinds are false; a missing field is null;
// ties and the default order are by id ascending (numeric ids first).
const OPS = new Set(['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'contains']);

const rank = (v) => (v === null || v === undefined ? 0 : typeof v === 'boolean' ? 1 : typeof v === 'number' ? 2 : typeof v === 'string' ? 3 : 4);
const kindOf = (v) => rank(v);

function compareValues(a, b) {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  if (ra === 0) return 0;
  if (ra === 1 || ra === 2) return a < b ? -1 : a > b ? 1 : 0;
  const ta = ra === 3 ? a : JSON.stringify(a);
  const tb = ra === 3 ? b : JSON.stringify(b);
  return ta < tb ? -1 : ta > tb ? 1 : 0;
}

const equal = (a, b) => compareValues(a, b) === 0;

const NUMERIC_ID = /^-?(0|[1-9]\d*)$/;
const numericId = (s) => NUMERIC_ID.test(s) && s !== '-0' && Number.isSafeInteger(Number(s));

export function compareIds(x, y) {
  const a = String(x);
  const b = String(y);
  const na = numericId(a);
  const nb = numericId(b);
  if (na !== nb) return na ? -1 : 1;
  if (na) return Math.sign(Number(a) - Number(b));
  return a < b ? -1 : a > b ? 1 : 0;
}

function predicate(field, op, value) {
  const get = (rec) => rec[field] ?? null;
  switch (op) {
    case 'eq': return (r) => equal(get(r), value);
    case 'ne': return (r) => !equal(get(r), value);
    case 'gt': return (r) => kindOf(get(r)) === kindOf(value) && compareValues(get(r), value) > 0;
    case 'gte': return (r) => kindOf(get(r)) === kindOf(value) && compareValues(get(r), value) >= 0;
    case 'lt': return (r) => kindOf(get(r)) === kindOf(value) && compareValues(get(r), value) < 0;
    case 'lte': return (r) => kindOf(get(r)) === kindOf(value) && compareValues(get(r), value) <= 0;
    case 'in': return (r) => Array.isArray(value) && value.some((x) => equal(get(r), x));
    case 'contains': return (r) => {
      const v = get(r);
      if (typeof v === 'string' && typeof value === 'string') return v.includes(value);
      return Array.isArray(v) && v.some((x) => equal(x, value));
    };
    default: return () => false;
  }
}

/** compileQuery(params) -> {matches(rec), compare(a, b), orderFields: Set, skip, take} */
export function compileQuery(params) {
  const p = params ?? {};
  const preds = [];
  if (p.where && typeof p.where === 'object') {
    for (const [field, cond] of Object.entries(p.where)) {
      const isOps = cond !== null && typeof cond === 'object' && !Array.isArray(cond) &&
        Object.keys(cond).length > 0 && Object.keys(cond).every((k) => OPS.has(k));
      if (!isOps) preds.push(predicate(field, 'eq', cond));
      else for (const [op, value] of Object.entries(cond)) preds.push(predicate(field, op, value));
    }
  }
  const order = [];
  const parts = Array.isArray(p.orderBy) ? p.orderBy : p.orderBy ? [p.orderBy] : [];
  for (const part of parts) for (const [field, dir] of Object.entries(part ?? {})) order.push([field, dir === 'desc']);
  return {
    matches: (rec) => preds.every((f) => f(rec)),
    compare(a, b) {
      for (const [field, desc] of order) {
        const c = compareValues(a[field] ?? null, b[field] ?? null);
        if (c !== 0) return desc ? -c : c;
      }
      return compareIds(a.id, b.id);
    },
    orderFields: new Set(order.map(([f]) => f)),
    skip: Number.isInteger(p.skip) ? p.skip : 0,
    take: Number.isInteger(p.take) ? p.take : null,
  };
}

/** A key for params compared by value: object keys sorted, except in orderBy (their order ranks). */
export function stableKey(value, inOrder = false) {
  if (value === undefined) return '';
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? '';
  if (Array.isArray(value)) return `[${value.map((v) => stableKey(v, inOrder) || 'null').join(',')}]`;
  const keys = Object.keys(value).filter((k) => value[k] !== undefined);
  if (!inOrder) keys.sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableKey(value[k], inOrder || k === 'orderBy')}`).join(',')}}`;
}
