// Every bench client's first step on a frame: parse it (unless a batch frame's caller
// did), keep only updates of its channel, count seq gaps (a client that misses frames
// is wrong, the run checks it).
export function takeUpdate(client, text) {
  const msg = typeof text === 'string' ? JSON.parse(text) : text;
  if (msg.type !== 'update' || msg.channel !== client.channel) return null;
  if (typeof msg.seq === 'number') {
    if (msg.seq !== client.seq + 1) client.gaps++;
    client.seq = msg.seq;
  }
  return msg.data;
}
