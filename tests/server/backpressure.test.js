// A socket that stops reading must not make the gateway buffer without bound:
// past limits.maxBufferedBytes of unsent output it is closed (it resumes with
// `since` on reconnect), while every other socket keeps receiving everything.
// In-process, so the test can watch the gateway's own count of buffered bytes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../../demo/server/server.js';
import { connectSocket, TEST_SECRET } from '../support/gateway.js';

const FRAMES = 300;
const TEXT = 'x'.repeat(60_000); // ~60 KB per event: 18 MB in all, far past the kernel's socket buffers
const LIMIT = 1024 * 1024; // the default maxBufferedBytes

let srv;
before(async () => {
  const limits = { publishPerSecond: 100_000, publishBurst: 100_000 }; // the flood is the point here
  srv = await startServer({ port: 0, db: ':memory:', secret: TEST_SECRET, config: { websockets: { limits } }, log: () => {} });
});
after(() => srv.close());

async function socketAs(user, batch) {
  const res = await fetch(`${srv.url}/api/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: user, password: user }) });
  const { token } = await res.json();
  const c = connectSocket(`${srv.url.replace('http', 'ws')}/ws?${batch ? 'batch=1&' : ''}token=${token}`, { timeoutMs: 20_000 });
  await c.opened;
  c.send({ type: 'subscribe', channel: 'chat:room:1' });
  await c.next({ type: 'subscribed' });
  return c;
}

// With batch frames (?batch=1) the frames a tick queues count against the bound too.
for (const batch of [false, true]) {
  test(`a non-reading socket is closed past maxBufferedBytes; gateway buffering stays bounded; others get every event${batch ? ' (batch frames)' : ''}`, { timeout: 30_000 }, async () => {
    const slow = await socketAs('alice', batch);
    const normal = await socketAs('admin', batch);
    const writer = await socketAs('bob', batch);
    slow.ws._socket.pause(); // stops reading: the kernel buffers fill, then the gateway's

    let most = 0;
    let total = 0;
    const sample = () => {
      const s = srv.gateway.stats();
      most = Math.max(most, s.largestBufferedBytes);
      total = Math.max(total, s.bufferedBytes);
    };
    const sampler = setInterval(sample, 2);
    let got = 0;
    let waiter = null;
    normal.ws.on('message', (d) => {
      got += String(d).split('"event":"message"').length - 1; // a batch holds several
      if (waiter && got >= waiter.n) waiter.resolve();
    });
    // Bursts of 10 (600 KB) at the pace of the reading client: it keeps up, the paused one cannot.
    for (let sent = 0; sent < FRAMES;) {
      for (let i = 0; i < 10; i++, sent++) writer.send({ type: 'publish', channel: 'chat:room:1', event: 'message', data: { text: TEXT } });
      await new Promise((resolve) => { waiter = { n: sent, resolve }; if (got >= sent) resolve(); });
      sample();
    }
    clearInterval(sampler);

    assert.equal(got, FRAMES, 'the reading socket got every event');
    assert.ok(most <= LIMIT + 70_000, `one socket buffered at most ${most} bytes (limit ${LIMIT} + one frame)`);
    assert.ok(total <= 3 * (LIMIT + 70_000), `the gateway buffered at most ${total} bytes in all`);
    // The slow socket was closed: once it reads again it gets what the kernel
    // held, then the close (1013, or 1006 when the close frame could not be sent).
    slow.ws._socket.resume();
    const { code } = await slow.closed;
    assert.ok(code === 1013 || code === 1006, `closed with ${code}`);
    const events = slow.frames.flatMap((f) => (f.type === 'batch' ? f.frames : [f])).filter((f) => f.event === 'message');
    assert.ok(events.length < FRAMES, 'it did not get the whole flood');
    for (let i = 0; srv.gateway.stats().connections !== 2; i++) {
      assert.ok(i < 200, 'the gateway dropped the slow socket');
      await new Promise((r) => setTimeout(r, 10)); // its close event may follow the client's
    }
    await Promise.all([normal.close(), writer.close()]);
  });
}
