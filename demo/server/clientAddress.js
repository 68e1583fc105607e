// The address a request came from, for the failed-login throttle. Behind a
// proxy (HAProxy in `npm run demo:cluster`) every TCP peer is the proxy, so one
// client's failures would throttle everyone. With --trust-proxy ADDR[,ADDR],
// a request whose peer is one of those addresses takes its address from
// X-Forwarded-For: the rightmost entry that is not a trusted proxy (the entries
// left of the one our proxy appended come from the client and can be forged).
// Any other peer's header is ignored.
import net from 'node:net';

const plain = (a) => (typeof a === 'string' && a.startsWith('::ffff:') ? a.slice(7) : a ?? '');

export function createClientAddress(trusted = []) {
  const proxies = new Set(trusted.map(plain));
  return (req) => {
    let address = plain(req.socket.remoteAddress);
    if (!proxies.has(address)) return address;
    const header = req.headers['x-forwarded-for'];
    const hops = typeof header === 'string' ? header.split(',').map((h) => plain(h.trim())) : [];
    while (proxies.has(address) && hops.length) {
      const hop = hops.pop();
      if (!net.isIP(hop)) break; // not an address: the last trusted hop stands
      address = hop;
    }
    return address;
  };
}

// --trust-proxy's value: addresses, comma-separated.
export function parseTrustedProxies(text) {
  const list = text.split(',').map((a) => a.trim()).filter(Boolean);
  const bad = list.find((a) => !net.isIP(a));
  if (bad !== undefined || list.length === 0) throw new Error(`--trust-proxy takes IP addresses, comma-separated, got '${text}'`);
  return list;
}
