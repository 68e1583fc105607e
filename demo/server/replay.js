// Bounded in-memory replay buffer per stream: the last N deliveries (rendered
// per subscriber at replay exactly as live, so a replay is byte-identical to
// the live frame). Empty after a restart, which is why a `since` older than the
// current seq then gets `resync`. Async like the Redis buffers (cluster/).
export function createReplayBuffers(capacity) {
  const streams = new Map(); // stream -> [{seq, item}] in seq order

  async function push(stream, seq, item) {
    let buf = streams.get(stream);
    if (!buf) streams.set(stream, (buf = []));
    buf.push({ seq, item });
    if (buf.length > capacity) buf.shift();
  }

  // The items after `since` up to `current`, or null when they are not all
  // buffered (then the client must re-hydrate: resync).
  async function after(stream, since, current) {
    if (since === current) return [];
    if (since > current) return null;
    const buf = streams.get(stream);
    if (!buf || buf.length === 0) return null;
    const start = buf.findIndex((f) => f.seq === since + 1);
    if (start < 0) return null;
    const out = buf.slice(start);
    // Contiguous up to the counter the database holds, or nothing.
    for (let i = 0; i < out.length; i++) if (out[i].seq !== since + 1 + i) return null;
    if (out[out.length - 1].seq !== current) return null;
    return out.map((f) => f.item);
  }

  return { push, after };
}
