// Counts what a client would see on the wire, per channel: update frames whose
// seq is not last + 1. A seq <= last is a duplicate; a seq > last + 1 a gap
// (an update the client never got in order). A `resync` frame (the server's own
// "re-read this") is counted apart and the channel re-subscribed; updates that
// arrive before its new `subscribed` are not judged. Reconnects (through
// HAProxy, to any gateway) resubscribe with `since` = last, as the client does.
import WebSocket from 'ws';

export function countFrames(wsUrl, token, channels) {
  const stats = { updates: 0, duplicates: 0, gaps: 0, resyncs: 0, reconnects: 0 };
  const last = new Map();
  const waiting = new Set(); // channels between a resync and their new `subscribed`
  let ws;
  let stopped = false;
  const subscribe = (ch, since) => ws.send(JSON.stringify(since === undefined ? { type: 'subscribe', channel: ch } : { type: 'subscribe', channel: ch, since }));
  function open() {
    ws = new WebSocket(`${wsUrl}?token=${encodeURIComponent(token)}`);
    ws.on('error', () => {});
    ws.on('open', () => { for (const ch of channels) { waiting.add(ch); subscribe(ch, last.get(ch)); } });
    ws.on('message', (data) => {
      let f;
      try { f = JSON.parse(String(data)); } catch { return; }
      if (f.type === 'subscribed' && waiting.has(f.channel)) {
        waiting.delete(f.channel);
        if (!last.has(f.channel) || f.seq < last.get(f.channel)) last.set(f.channel, f.seq); // else: the replay follows
      } else if (f.type === 'resync') {
        stats.resyncs += 1;
        waiting.add(f.channel);
        last.delete(f.channel);
        subscribe(f.channel);
      } else if (f.type === 'update' && Number.isSafeInteger(f.seq) && !waiting.has(f.channel)) {
        stats.updates += 1;
        const l = last.get(f.channel);
        if (l !== undefined && f.seq <= l) stats.duplicates += 1;
        else if (l !== undefined && f.seq > l + 1) stats.gaps += 1;
        if (l === undefined || f.seq > l) last.set(f.channel, f.seq);
      }
    });
    ws.on('close', () => {
      if (stopped) return;
      stats.reconnects += 1;
      setTimeout(open, 100);
    });
  }
  open();
  return { stats, stop() { stopped = true; ws.close(); } };
}
