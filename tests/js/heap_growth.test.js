// Frames keep arriving while the wasm memory grows: the socket handler (web_io.cpp,
// ssot_take_messages) keeps one view of the heap for encodeInto and must take a new
// one when the memory grew, or frames are written into the old buffer and lost.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeServer } from '../soak/fake_server.js';
import { createClient } from '../../js/index.js';
import { requireRuntime, until, waitFor } from './helpers.js';

let srv;
let client;

before(async () => {
  requireRuntime();
  const text = 'x'.repeat(200);
  srv = await startFakeServer({
    Message: [],
    Big: Array.from({ length: 40000 }, (_, i) => ({ id: i + 1, text })), // about 9 MB of JSON
  });
  client = await createClient({
    baseUrl: srv.baseUrl,
    websockets: {
      enabled: true,
      url: srv.wsUrl,
      pubsub: { models: { Message: {}, Big: {} } },
      batching: { flushInterval: 5, maxBatchSize: 50 },
    },
  });
  await waitFor(() => client.connection.state === 'open', { what: 'socket open' });
});
after(async () => {
  await client?.close();
  await srv?.close();
});

test('a frame after the wasm memory grew is applied', async () => {
  const messages = client.model('Message').watch({ orderBy: { id: 'asc' } });
  await until(messages, (s) => s.status === 'ready', 'messages ready');
  await waitFor(() => srv.subscribed >= 1, { what: 'Message subscribed' });
  srv.mutate('Message', 'created', { id: 1, text: 'before' });
  await until(messages, (s) => s.items.length === 1, 'the first message');
  const memory = client.stats().memoryBytes;
  const big = client.model('Big').watch({});
  await until(big, (s) => s.status === 'ready' && s.items.length === 40000, 'the big list', 60000);
  assert.ok(client.stats().memoryBytes > memory, `the wasm memory grew (${memory} -> ${client.stats().memoryBytes} bytes)`);
  // One frame only: a lost one would leave no gap behind it to recover from.
  srv.mutate('Message', 'created', { id: 2, text: 'after' });
  await until(messages, (s) => s.items.length === 2, 'the message sent after the memory grew');
  assert.deepEqual(messages.getSnapshot().items.map((r) => r.text), ['before', 'after']);
  assert.equal(client.stats().malformed, 0);
});
