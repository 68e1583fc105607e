// The benchmark's clients and figures (bench/js): no timing here, only that each
// JS client ends with the list the generator expects, on every view shape, and that
// the goal figures pick the right client and ratio. A wrong client would make every
// ratio in bench/report.md meaningless.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generate, FILTERED_QUERY } from '../../bench/js/frames.js';
import { BestClient, WindowedBestClient } from '../../bench/js/bestClient.js';
import { TanStackQueryClient } from '../../bench/js/tanstackQueryClient.js';
import { TanStackDbClient } from '../../bench/js/tanstackDbClient.js';
import { workloadFigures } from '../../bench/js/figures.js';
import { chartSvg } from '../../bench/js/chart.js';

const FRAMES = 1500;
const noVirtual = (k, v) => (k[0] === '$' ? undefined : v);
const shapes = [
  { name: 'plain', w: { n: 300, filtered: false }, query: null, window: 0 },
  { name: 'sorted+filtered', w: { n: 300, filtered: true }, query: FILTERED_QUERY, window: 0 },
  { name: 'window', w: { n: 300, filtered: false }, query: null, window: 50 },
];
const clients = {
  best: (list, s) => new BestClient(list, s.query),
  'best-windowed': (list, s) => new WindowedBestClient(list, s.query, { start: 0, count: 50 }),
  'tanstack-query': (list, s) => new TanStackQueryClient(list, s.query),
  'tanstack-db': (list, s) => new TanStackDbClient(list, s.query, { window: s.window }),
};

for (const s of shapes) {
  const d = generate(s.w, FRAMES);
  for (const [name, make] of Object.entries(clients)) {
    test(`${name} ends with the expected ${s.name} list after ${FRAMES} frames, flushed every 50`, async () => {
      const c = make(JSON.parse(d.body), s);
      if (c.ready) await c.ready();
      let items = c.flush();
      for (let i = 0; i < FRAMES; i++) {
        c.onFrame(d.frames[i]);
        if (i % 50 === 49) items = c.flush();
      }
      const full = !(name === 'best-windowed' || (name === 'tanstack-db' && s.window));
      const want = s.window || !full ? d.expected.slice(0, 50) : d.expected;
      const got = (s.window ? items.slice(0, 50) : items).map((r) => JSON.stringify(r, noVirtual));
      assert.equal(got.length, want.length);
      assert.deepEqual(got, want);
      assert.equal(c.gaps, 0);
      await c.close?.();
    });
  }
}

test('a batch that creates and deletes the same id leaves TanStack DB without it', async () => {
  const c = new TanStackDbClient({ items: [{ id: 1, roomId: 0, createdAt: 1 }], total: 1 });
  await c.ready();
  c.onFrame(JSON.stringify({ type: 'update', channel: 'Message:list', data: { type: 'created', data: { id: 2, roomId: 0, createdAt: 2 }, id: 2 }, seq: 1 }));
  c.onFrame(JSON.stringify({ type: 'update', channel: 'Message:list', data: { type: 'updated', data: { id: 2, roomId: 0, createdAt: 2, x: 1 }, id: 2 }, seq: 2 }));
  c.onFrame(JSON.stringify({ type: 'update', channel: 'Message:list', data: { type: 'deleted', id: 2 }, seq: 3 }));
  assert.deepEqual(c.flush().map((r) => r.id), [1]);
  await c.close();
});

test('the goal ratio is the runtime against the fastest client of the kind, per round', () => {
  const run = (fps) => ({ fps, frames: 100 });
  const res = new Map([
    ['runtime', [run(100), run(90)]],
    ['best', [run(50), run(100)]],
    ['tanstack-query', [run(80), run(30)]],
    ['best-windowed', [run(1000), run(1000)]], // not a full-array client: ignored for lists
  ]);
  const f = workloadFigures({ name: 'list-1k', n: 1000, filtered: false, window: false }, res, { viewStart: 1, expected: [] });
  // round 1: 100 / 80 = 1.25; round 2: 90 / 100 = 0.9; median 1.075
  assert.equal(f.goals.length, 1);
  assert.ok(Math.abs(f.goals[0].measured - 1.075) < 1e-9);
  assert.equal(f.goals[0].met, true);
  const w = workloadFigures({ name: 'window-100k', n: 100000, filtered: false, window: true }, res, { viewStart: 1, expected: [] });
  assert.deepEqual(w.goals.map((g) => g.goal), [1.5, 10]);
  assert.ok(Math.abs(w.goals[0].measured - 0.095) < 1e-9); // vs best-windowed 1000
  assert.equal(w.goals[0].met, false);
});

test('the chart has one bar and one goal line per measured ratio', () => {
  const svg = chartSvg([
    { group: 'list-1k', label: 'best JS', value: 0.5, goal: 1 },
    { group: 'window-1M', label: 'window-aware', value: NaN, goal: 1.5 },
    { group: 'window-1M', label: 'full array', value: 40, goal: 10 },
  ]);
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.equal((svg.match(/<rect x=/g) ?? []).length, 3);
  assert.equal((svg.match(/stroke-dasharray/g) ?? []).length, 3);
  assert.match(svg, /fill="#3a9d5d"/); // 40 >= 10: met
});
