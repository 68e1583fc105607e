// Every frame the gateway sends goes through here, so this is the one place
// that bounds what a socket may have waiting. A client that stops reading would
// otherwise make the gateway hold everything sent to it (a small request can
// fan out to a lot of output). Past maxBufferedBytes the socket is closed with
// 1013 (try again later): the client reconnects and resumes with `since`.
const CLOSE_GRACE_MS = 1000;

export function createOutbound(maxBufferedBytes) {
  // Returns whether the frame was handed to the socket.
  return function send(ws, text) {
    if (ws.readyState !== 1) return false;
    // bufferedAmount: ws's queue plus the socket's unflushed writes. A frame larger
    // than the bound still goes to a socket with nothing waiting.
    const waiting = ws.bufferedAmount;
    if (waiting > 0 && waiting + Buffer.byteLength(text) > maxBufferedBytes) {
      closeSlow(ws);
      return false;
    }
    ws.send(text);
    return true;
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
