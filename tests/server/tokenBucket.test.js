// The token bucket and the publish limiter with an injected clock: no sleeps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTokenBucket } from '../../demo/server/tokenBucket.js';
import { createPublishLimiter } from '../../demo/server/publishLimiter.js';

function fakeClock(start = 1000) {
  const clock = { t: start, now: () => clock.t, advance: (ms) => { clock.t += ms; } };
  return clock;
}

test('a full bucket allows the burst, then one take per 1/rate seconds', () => {
  const clock = fakeClock();
  const b = createTokenBucket({ perSecond: 2, burst: 3, now: clock.now });
  assert.deepEqual([b.take(), b.take(), b.take(), b.take()], [true, true, true, false]);
  clock.advance(499);
  assert.equal(b.take(), false, 'not yet a whole token');
  clock.advance(1);
  assert.equal(b.take(), true, '500 ms at 2/s is one token');
  assert.equal(b.take(), false);
});

test('refill stops at the burst size', () => {
  const clock = fakeClock();
  const b = createTokenBucket({ perSecond: 10, burst: 2, now: clock.now });
  b.take(); b.take();
  clock.advance(60_000);
  assert.deepEqual([b.take(), b.take(), b.take()], [true, true, false]);
});

test('a clock that steps back adds nothing and blocks nothing: refilling goes on from there', () => {
  const clock = fakeClock(5000);
  const b = createTokenBucket({ perSecond: 1, burst: 1, now: clock.now });
  assert.equal(b.take(), true);
  clock.advance(-3600_000);
  assert.equal(b.take(), false);
  clock.advance(999);
  assert.equal(b.take(), false);
  clock.advance(1);
  assert.equal(b.take(), true, 'one second after the step, not an hour');
});

const LIMITS = { publishPerSecond: 1, publishBurst: 2, publishRejectionsBeforeClose: 3, publishRejectionWindowSeconds: 30 };

test('publish limiter: ok within the bucket, limited past it, abuse past the tolerated rejections', () => {
  const clock = fakeClock();
  const p = createPublishLimiter(LIMITS, clock.now);
  assert.deepEqual([p(), p()], ['ok', 'ok']);
  assert.deepEqual([p(), p(), p()], ['limited', 'limited', 'limited'], 'three rejections are tolerated');
  assert.equal(p(), 'abuse', 'the fourth in the window is abuse');
});

test('publish limiter: rejections spread out over the window are forgiven', () => {
  const clock = fakeClock();
  const p = createPublishLimiter(LIMITS, clock.now);
  p(); p();
  // A client that keeps trying just over the rate: one rejection every 10 s
  // (3 per 30 s window) is within what is tolerated, forever.
  for (let i = 0; i < 20; i++) {
    assert.equal(p(), 'limited', `round ${i}`);
    clock.advance(10_000);
    assert.equal(p(), 'ok');
    assert.equal(p(), 'ok');
  }
});
