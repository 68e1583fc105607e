// Batch frames (PROTOCOL.md, "Batches"): a socket that asked with ?batch=1 gets the
// frames of one tick as one `batch` frame, in order; one that did not never does.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { WebSocketServer } from 'ws';
import { startGateway, connectSocket } from '../support/gateway.js';
import { createOutbound, MAX_BATCH_BYTES } from '../../demo/server/outbound.js';

let gw, tok;
before(async () => {
  gw = await startGateway({ config: { websockets: { limits: { malformedFramesPerConnection: 3 } } } });
  tok = await gw.tokens();
});
after(() => gw.stop());

const batchSocket = async (token) => {
  const c = connectSocket(`${gw.wsUrl}?batch=1&token=${encodeURIComponent(token)}`);
  await c.opened;
  return c;
};
// Every frame received, batches opened.
const flat = (c) => c.frames.flatMap((f) => (f.type === 'batch' ? f.frames : [f]));
// A ping may overtake a subscribe (pings skip the connection's lane): wait for n frames.
async function received(c, n, ms = 10000) {
  for (const start = Date.now(); flat(c).length < n; await new Promise((r) => setTimeout(r, 10))) {
    if (Date.now() - start > ms) throw new Error(`${flat(c).length} of ${n} frames: ${JSON.stringify(c.frames).slice(-1500)}`);
  }
  return flat(c);
}

test('a resubscribe with since: the replay arrives in batch frames, in the order a plain socket gets it', async () => {
  const first = await gw.socket(tok.alice);
  first.send({ type: 'subscribe', channel: 'Message:list' });
  const { seq } = await first.next({ type: 'subscribed' });
  await first.close();
  for (let i = 0; i < 5; i++) {
    const r = await gw.request('POST', '/messages', { token: tok.bob, body: { roomId: 1, text: `away ${i}` } });
    assert.equal(r.status, 201);
  }
  const plain = await gw.socket(tok.alice);
  const batched = await batchSocket(tok.alice);
  for (const c of [plain, batched]) c.send({ type: 'subscribe', channel: 'Message:list', since: seq });
  const expected = await received(plain, 6);
  assert.deepEqual(expected.map((f) => f.seq), [seq + 5, seq + 1, seq + 2, seq + 3, seq + 4, seq + 5]);
  assert.ok(!plain.frames.some((f) => f.type === 'batch'), 'a socket that did not ask gets single frames');
  assert.deepEqual(await received(batched, 6), expected);
  const batch = batched.frames.find((f) => f.type === 'batch');
  assert.ok(batch && batch.frames.length >= 2, JSON.stringify(batched.frames).slice(0, 500));
  assert.deepEqual(Object.keys(batch), ['type', 'frames']);
  await plain.close();
  await batched.close();
});

test('the error frames before a close arrive before it', async () => {
  const c = await batchSocket(tok.alice);
  for (let i = 0; i < 4; i++) c.send('{not json');
  const { code } = await c.closed;
  assert.equal(code, 1008);
  const errors = flat(c).filter((f) => f.type === 'error');
  assert.equal(errors.length, 4, JSON.stringify(c.frames));
});

test('batches stay within MAX_BATCH_BYTES of UTF-8; a longer frame goes alone; order is kept', async () => {
  const server = http.createServer();
  const wss = new WebSocketServer({ server });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const sent = [];
  wss.on('connection', (ws) => {
    const out = createOutbound(ws, { maxBufferedBytes: 1 << 30, batch: true });
    for (let i = 0; i < 100; i++) sent.push(JSON.stringify({ type: 'event', i, pad: (i % 2 ? 'x' : '\u00e9').repeat(i === 50 ? MAX_BATCH_BYTES : 1000) }));
    for (const text of sent) out.send(text); // one tick
  });
  const c = connectSocket(`ws://127.0.0.1:${server.address().port}`);
  await c.opened;
  await c.next((f) => f.type === 'event' && f.i === 99 || (f.type === 'batch' && f.frames.at(-1).i === 99));
  assert.deepEqual(flat(c).map((f) => f.i), sent.map((_, i) => i));
  assert.ok(c.frames.length >= 5 && c.frames.length < 10, `${c.frames.length} messages`);
  const alone = c.frames.find((f) => f.type === 'event');
  assert.equal(alone?.i, 50, 'the long frame went alone');
  for (const f of c.frames) if (f.type === 'batch') assert.ok(Buffer.byteLength(JSON.stringify(f)) <= MAX_BATCH_BYTES);
  await c.close();
  wss.close();
  server.close();
});

test("a tick's queued frames count against maxBufferedBytes: past it they go out at once", async () => {
  const server = http.createServer();
  const wss = new WebSocketServer({ server });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const limit = 256 * 1024;
  const most = [];
  const closed = new Promise((resolve) => wss.on('connection', (ws) => {
    ws.on('close', resolve);
    const out = createOutbound(ws, { maxBufferedBytes: limit, batch: true });
    const frame = JSON.stringify({ type: 'event', pad: 'x'.repeat(60_000) });
    for (let i = 0; i < 200; i++) { // 12 MB in one tick, to a socket that does not read
      out.send(frame);
      most.push(out.queuedBytes + ws.bufferedAmount);
    }
  }));
  const c = connectSocket(`ws://127.0.0.1:${server.address().port}`);
  await c.opened;
  c.ws._socket.pause();
  await closed; // 1013: it could not take it
  assert.ok(Math.max(...most) <= limit + 70_000, `at most ${Math.max(...most)} bytes waited (limit ${limit} + one frame)`);
  c.ws.terminate();
  wss.close();
  server.close();
});
