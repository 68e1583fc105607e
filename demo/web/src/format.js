// Small display helpers.
export const clock = (ms) => (typeof ms === 'number'
  ? new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : '');

export const clockSeconds = (ms) => (typeof ms === 'number'
  ? new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' }) : '');

export function bytes(n) {
  if (typeof n !== 'number') return '–';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(2)} MB`;
}

export const money = (n) => (typeof n === 'number' ? `$${n.toFixed(2)}` : '');

// Names from the network are rendered only if they are text: React throws on an
// object child, and a page must not crash on a peer's bad data.
export const isText = (v) => typeof v === 'string';
