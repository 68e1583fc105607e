// Every frame the gateway sends a socket goes through its outbound, so this is the
// one place that bounds what a socket may have waiting. A client that stops reading
// would otherwise make the gateway hold everything sent to it (a small request can
// fan out to a lot of output). Past maxBufferedBytes the socket is closed with
// 1013 (try again later): the client reconnects and resumes with `since`.
//
// A client that asked with `?batch=1` gets the frames of one tick as one `batch`
// frame (PROTOCOL.md): a burst of updates costs the browser one message event,
// not one per update. A batch is at most MAX_BATCH_BYTES of UTF-8 (a longer frame
// goes alone): the ssot client asks only when its frame limit takes that much.
const CLOSE_GRACE_MS = 1000;
export const MAX_BATCH_BYTES = 64 * 1024;
const BATCH_OVERHEAD = Buffer.byteLength('{"type":"batch","frames":[]}');

export function createOutbound(ws, { maxBufferedBytes, batch = false }) {
  let queue = []; // frames (text) waiting for the end of the tick
  let sizes = []; // their UTF-8 bytes
  let queued = 0; // their sum
  let scheduled = false;

  // Returns whether the text was handed to the socket.
  function write(text, bytes = Buffer.byteLength(text)) {
    if (ws.readyState !== 1) return false;
    // bufferedAmount: ws's queue plus the socket's unflushed writes. A frame larger
    // than the bound still goes to a socket with nothing waiting.
    const waiting = ws.bufferedAmount;
    if (waiting > 0 && waiting + bytes > maxBufferedBytes) {
      closeSlow(ws);
      return false;
    }
    ws.send(text);
    return true;
  }

  function flush() {
    scheduled = false;
    const frames = queue;
    const bytes = sizes;
    queue = [];
    sizes = [];
    queued = 0;
    for (let i = 0; i < frames.length;) {
      let end = i + 1;
      let total = BATCH_OVERHEAD + bytes[i];
      while (end < frames.length && total + bytes[end] + 1 <= MAX_BATCH_BYTES) total += bytes[end++] + 1;
      const one = end - i === 1;
      const text = one ? frames[i] : `{"type":"batch","frames":[${frames.slice(i, end).join(',')}]}`;
      if (!write(text, one ? bytes[i] : total)) return; // closed: the rest would not arrive either
      i = end;
    }
  }

  return {
    // Returns false when the socket is no longer open (the frame is dropped).
    send(text) {
      if (!batch) return write(text);
      if (ws.readyState !== 1) return false;
      const bytes = Buffer.byteLength(text);
      // What waits here counts against the bound too: past it, out it goes now (and a
      // socket that cannot take it is closed), so a tick's output cannot pile up here.
      if (ws.bufferedAmount + queued + bytes > maxBufferedBytes) flush();
      if (ws.readyState !== 1) return false;
      queue.push(text);
      sizes.push(bytes);
      queued += bytes;
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
      return true;
    },
    flush,
    // Bytes waiting for the end of the tick (they count as buffered: gateway stats()).
    get queuedBytes() { return queued; },
    // Closes after what was sent before, so an error frame arrives ahead of its close.
    close(code, reason) {
      flush();
      ws.close(code, reason);
    },
  };
}

function closeSlow(ws) {
  ws.close(1013, 'Send buffer full');
  // The close frame waits behind the unread output: cut the socket after a
  // short grace instead of ws's own 30 s close timeout.
  const timer = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS);
  timer.unref?.();
  ws.once('close', () => clearTimeout(timer));
}
