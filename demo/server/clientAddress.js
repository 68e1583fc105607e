// The address a request came from, for the failed-login throttle. Behind a
// proxy (HAProxy in `npm run demo:cluster`) every TCP peer is the proxy, so one
// client's failures would throttle everyone. With --trust-proxy ADDR[,ADDR],
// a request whose peer is one of those addresses takes the address the proxy
// appended to X-Forwarded-For: the header's last entry, whatever it is (the
// entries before it come from the client and can be forged; a client whose own
// address is trusted is still named by what the proxy appended). One proxy
// hop: the proxy must append, not pass the header on. Any other peer's header
// is ignored; a gateway port that clients can reach directly must not be
// trusted as a proxy address (README "Scale-out").
import net from 'node:net';

const plain = (a) => {
  const s = typeof a === 'string' ? a.trim().toLowerCase() : '';
  return s.startsWith('::ffff:') && net.isIPv4(s.slice(7)) ? s.slice(7) : s;
};

export function createClientAddress(trusted = []) {
  const proxies = new Set(trusted.map(plain));
  return (req) => {
    const peer = plain(req.socket.remoteAddress);
    if (!proxies.has(peer)) return peer;
    const header = req.headers['x-forwarded-for'];
    const last = typeof header === 'string' ? plain(header.split(',').at(-1)) : '';
    return net.isIP(last) ? last : peer; // not an address: the proxy's own
  };
}

// --trust-proxy's value: addresses, comma-separated.
export function parseTrustedProxies(text) {
  const list = text.split(',').map((a) => a.trim()).filter(Boolean);
  const bad = list.find((a) => !net.isIP(a));
  if (bad !== undefined || list.length === 0) throw new Error(`--trust-proxy takes IP addresses, comma-separated, got '${text}'`);
  return list;
}
