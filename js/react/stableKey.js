// Params compared by value (hooks take fresh object literals every render).
/** A key for params: object keys sorted, except in orderBy (their order ranks). */
export function stableKey(value, inOrder = false) {
  if (value === undefined) return '';
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? '';
  if (Array.isArray(value)) return `[${value.map((v) => stableKey(v, inOrder) || 'null').join(',')}]`;
  const keys = Object.keys(value).filter((k) => value[k] !== undefined);
  if (!inOrder) keys.sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableKey(value[k], inOrder || k === 'orderBy')}`).join(',')}}`;
}
