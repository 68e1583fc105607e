// The pure parts: building the next frozen items array from an outbox entry,
// channel names, the config as the runtime reads it, listener isolation, and
// importing the package without loading wasm.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nextItems, freezeDeep } from '../../js/snapshot.js';
import { expandChannel } from '../../js/channel.js';
import { configJson } from '../../js/client.js';
import { Listeners } from '../../js/listeners.js';
import { SsotError } from '../../js/errors.js';

const r = (id, extra = {}) => ({ id, name: `r${id}`, ...extra });
const start = (rows) => nextItems({ items: [], start: 0 }, { rows });

test('full rows: frozen array of frozen (deeply) records', () => {
  const { items } = start([r(1, { tags: [1, 2] }), r(2)]);
  assert.deepEqual(items.map((x) => x.id), [1, 2]);
  assert.ok(Object.isFrozen(items) && Object.isFrozen(items[0]) && Object.isFrozen(items[0].tags));
});

test('splice: removed old indices, inserted new indices, updated in place; others keep identity', () => {
  const prev = start([r(1), r(2), r(3), r(4), r(5)]);
  const old = prev.items;
  // remove 2 (old 1) and 4 (old 3); insert 6 at 0 and 7 at 3; update 5 (new index 4)
  const next = nextItems(prev, { removed: [1, 3], inserted: [[0, r(6)], [3, r(7)]], updated: [[4, r(5, { name: 'five' })]] });
  assert.deepEqual(next.items.map((x) => x.id), [6, 1, 3, 7, 5]);
  assert.equal(next.items[1], old[0]);
  assert.equal(next.items[2], old[2]);
  assert.equal(next.items[4].name, 'five');
  assert.notEqual(next.items[4], old[4]);
  assert.ok(Object.isFrozen(next.items) && Object.isFrozen(next.items[0]));
});

test('splice: a move is a removal at the old index and an insertion at the new one', () => {
  const prev = start([r(1), r(2), r(3)]);
  const next = nextItems(prev, { removed: [0], inserted: [[2, r(1, { name: 'moved' })]], updated: [] });
  assert.deepEqual(next.items.map((x) => x.id), [2, 3, 1]);
  assert.equal(next.items[0], prev.items[1]);
});

test('splice: everything removed, then inserted into an empty list', () => {
  const prev = start([r(1), r(2)]);
  const empty = nextItems(prev, { removed: [0, 1], inserted: [], updated: [] });
  assert.deepEqual(empty.items, []);
  const again = nextItems(empty, { removed: [], inserted: [[0, r(3)]], updated: [] });
  assert.deepEqual(again.items.map((x) => x.id), [3]);
});

test('splice on the caller\'s unfrozen copy (work): same rows, the snapshot frozen, prev untouched, a stale copy ignored', () => {
  const prev = start([r(1), r(2), r(3), r(4), r(5)]);
  assert.ok(Array.isArray(prev.work) && !Object.isFrozen(prev.work) && prev.work !== prev.items);
  assert.deepEqual(prev.work, [...prev.items]);
  const before = [...prev.items];
  const change = { removed: [1], inserted: [[4, r(6)]], updated: [[0, r(1, { name: 'x' })]] };
  const next = nextItems(prev, change, false, prev.work);
  assert.deepEqual(next.items.map((x) => x.id), [1, 3, 4, 5, 6]);
  assert.equal(next.items[0].name, 'x');
  assert.equal(next.items[1], prev.items[2]);
  assert.deepEqual([...prev.items], before); // the old snapshot never changes
  assert.ok(Object.isFrozen(next.items) && !Object.isFrozen(next.work));
  assert.deepEqual(next.work, [...next.items]);
  // A copy that is not of prev.items (same length, other rows) is not used.
  const stale = [r(9), r(9), r(9), r(9), r(9)];
  const again = nextItems(next, { removed: [0], inserted: [], updated: [] }, false, stale);
  assert.deepEqual(again.items.map((x) => x.id), [3, 4, 5, 6]);
  // A status-only change keeps the copy.
  assert.equal(nextItems(again, { status: 'ready', total: 4 }, false, again.work).work, again.work);
});

test('splice: an empty change keeps the same array', () => {
  const prev = start([r(1)]);
  assert.equal(nextItems(prev, { removed: [], inserted: [], updated: [] }).items, prev.items);
  assert.equal(nextItems(prev, { status: 'error', error: 'x', total: 1 }).items, prev.items);
});

test('splice: a change that does not fit the previous array returns null', () => {
  const prev = start([r(1), r(2)]);
  assert.equal(nextItems(prev, { removed: [5], inserted: [], updated: [] }), null);
  assert.equal(nextItems(prev, { removed: [], inserted: [[7, r(9)]], updated: [] }), null);
  assert.equal(nextItems(prev, { removed: [], inserted: [], updated: [[2, r(9)]] }), null);
  assert.equal(nextItems(prev, { removed: [0, 1, 2], inserted: [], updated: [] }), null);
});

test('window: unlisted rows keep their objects by id, also when the window scrolls', () => {
  const first = nextItems({ items: [], start: 0 }, { start: 0, ids: [1, 2, 3], rows: [[0, r(1)], [1, r(2)], [2, r(3)]] });
  assert.deepEqual(first.items.map((x) => x.id), [1, 2, 3]);
  const scrolled = nextItems(first, { start: 1, ids: [2, 3, 4], rows: [[2, r(4)]] });
  assert.deepEqual(scrolled.items.map((x) => x.id), [2, 3, 4]);
  assert.equal(scrolled.start, 1);
  assert.equal(scrolled.items[0], first.items[1]);
  assert.equal(scrolled.items[1], first.items[2]);
  // A reorder inside the window: found by id.
  const reordered = nextItems(scrolled, { start: 1, ids: ['4', 2, 3], rows: [] });
  assert.deepEqual(reordered.items.map((x) => x.id), [4, 2, 3]);
  assert.equal(reordered.items[0], scrolled.items[2]);
  // Nothing changed: the same array.
  assert.equal(nextItems(reordered, { start: 1, ids: [4, 2, 3], rows: [] }).items, reordered.items);
  // An id the JS side never had: does not fit.
  assert.equal(nextItems(reordered, { start: 1, ids: [4, 2, 99], rows: [] }), null);
});

test('a window just set resends its rows: rows with the same content keep their objects', () => {
  const first = nextItems({ items: [], start: 0 }, { start: 0, ids: [1, 2], rows: [[0, r(1)], [1, r(2)]] });
  const moved = nextItems(first, { start: 1, ids: [2, 3], rows: [[0, r(2)], [1, r(3)]] }, true);
  assert.equal(moved.items[0], first.items[1]);
  const changed = nextItems(moved, { start: 1, ids: [2, 3], rows: [[0, r(2, { name: 'new' })], [1, r(3)]] }, true);
  assert.notEqual(changed.items[0], moved.items[0]);
  assert.equal(changed.items[1], moved.items[1]);
  // The window cleared: every row again, held ones kept.
  const all = nextItems(changed, { rows: [r(1), r(2, { name: 'new' }), r(3)] });
  assert.equal(all.items[1], changed.items[0]);
  assert.equal(all.items[2], changed.items[1]);
  assert.ok(Object.isFrozen(all.items[0]));
});

test('freezeDeep leaves primitives alone and freezes nested values', () => {
  assert.equal(freezeDeep(3), 3);
  const o = freezeDeep({ a: { b: [1, { c: 2 }] } });
  assert.ok(Object.isFrozen(o.a.b[1]));
});

test('expandChannel fills placeholders and refuses missing ones', () => {
  assert.equal(expandChannel('chat:room:{roomId}', { roomId: 1 }), 'chat:room:1');
  assert.equal(expandChannel('a:{x}:{y}', { x: 'p', y: 2 }), 'a:p:2');
  assert.equal(expandChannel('plain'), 'plain');
  assert.throws(() => expandChannel('chat:room:{roomId}', {}), /roomId/);
  assert.throws(() => expandChannel('chat:room:{roomId}', { roomId: '' }), /roomId/);
});

test('configJson: getToken function -> true, onError, wasmUrl, wasmModule and other functions dropped', () => {
  const text = configJson({ baseUrl: 'http://x', getToken: async () => 't', onError() {}, websockets: { enabled: false, f() {} },
    wasmUrl: 'http://cdn/x.wasm', wasmModule: {} });
  assert.deepEqual(JSON.parse(text), { baseUrl: 'http://x', getToken: true, websockets: { enabled: false } });
  assert.deepEqual(JSON.parse(configJson({ baseUrl: 'http://x' })), { baseUrl: 'http://x' });
});

test('a listener that throws does not stop the others and is reported', () => {
  const reported = [];
  const l = new Listeners((e) => reported.push(e.message));
  const seen = [];
  l.add(() => { throw new Error('boom'); });
  const off = l.add((x) => seen.push(x));
  l.emit(1);
  off();
  l.emit(2);
  assert.deepEqual(seen, [1]);
  assert.deepEqual(reported, ['boom', 'boom']);
});

test('SsotError carries status and a code', () => {
  const e = new SsotError('Forbidden', { status: 403 });
  assert.ok(e instanceof Error);
  assert.equal(e.name, 'SsotError');
  assert.equal(e.status, 403);
  assert.equal(e.code, 'http');
  assert.equal(new SsotError('request timed out').code, 'timeout');
});

test("import 'ssot-realtime' loads no wasm and installs no polyfills", () => {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const code = `
    const m = await import('ssot-realtime');
    if (typeof m.createClient !== 'function' || typeof m.SsotError !== 'function') throw new Error('exports missing');
    if (typeof globalThis.XMLHttpRequest !== 'undefined') throw new Error('the loader ran');
    console.log('ok');`;
  const out = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, encoding: 'utf8' });
  assert.equal(out.status, 0, out.stderr);
  assert.equal(out.stdout.trim(), 'ok');
});

test('splices of any size (few rows: slices joined, or in place in a large array; many: one pass) give the reference result', () => {
  let seed = 7;
  const rand = (n) => ((seed = (seed * 16807) % 2147483647) % n);
  for (const [size, rounds] of [[300, 20], [20000, 3]]) { // 20000: above snapshot.js LARGE
    for (const moves of [1, 5, 32, 33, 64, 65, 200]) {
      for (let round = 0; round < rounds; round++) {
        const old = Object.freeze(Array.from({ length: size }, (_, i) => Object.freeze({ id: i })));
        const removedSet = new Set();
        while (removedSet.size < Math.min(moves, 150)) removedSet.add(rand(size));
        const removed = [...removedSet].sort((a, b) => a - b);
        const kept = old.filter((_, i) => !removedSet.has(i));
        const expected = [...kept];
        const inserted = [];
        for (let k = 0; k < moves; k++) {
          const at = rand(expected.length + 1);
          expected.splice(at, 0, { id: 1000000 + k });
        }
        expected.forEach((rec, i) => { if (rec.id >= 1000000) inserted.push([i, { id: rec.id }]); });
        const prev = { items: old, start: 0 };
        const work = round % 2 ? [...old] : null; // with and without the caller's copy
        const next = nextItems(prev, { removed, inserted, updated: [] }, false, work);
        assert.deepEqual(next.items.map((r) => r.id), expected.map((r) => r.id));
        assert.ok(next.items.filter((r) => r.id < 1000000).every((r) => r === old[r.id]), 'kept rows keep identity');
        assert.ok(Object.isFrozen(next.items) && next.items !== next.work);
        assert.equal(old.length, size); // the old snapshot never changes
      }
    }
    // Runs of adjacent indices (one splice each in place).
    const base = Object.freeze(Array.from({ length: size }, (_, i) => Object.freeze({ id: i })));
    const runs = nextItems({ items: base, start: 0 }, {
      removed: [0, 1, 2, 10, 11, size - 2, size - 1],
      inserted: [[0, { id: -1 }], [1, { id: -2 }], [5, { id: -3 }], [6, { id: -4 }], [size - 4, { id: -5 }]], updated: [],
    });
    const want = base.filter((_, i) => ![0, 1, 2, 10, 11, size - 2, size - 1].includes(i)).map((x) => x.id);
    want.splice(0, 0, -1, -2);
    want.splice(5, 0, -3, -4);
    want.splice(size - 4, 0, -5);
    assert.deepEqual(runs.items.map((x) => x.id), want);
    // A change that does not fit a large array either.
    const big = { items: Object.freeze(Array.from({ length: size }, (_, i) => ({ id: i }))), start: 0 };
    assert.equal(nextItems(big, { removed: [size], inserted: [], updated: [] }), null);
    assert.equal(nextItems(big, { removed: [3, 2], inserted: [], updated: [] }), null);
    assert.equal(nextItems(big, { removed: [], inserted: [[5, r(1)], [4, r(2)]], updated: [] }), null);
    assert.equal(nextItems(big, { removed: [], inserted: [[size + 1, r(1)]], updated: [] }), null);
    // Negative indices (splice would count them from the end).
    assert.equal(nextItems(big, { removed: [-1], inserted: [], updated: [] }), null);
    assert.equal(nextItems(big, { removed: [5], inserted: [[-1, r(1)]], updated: [] }), null);
  }
});
