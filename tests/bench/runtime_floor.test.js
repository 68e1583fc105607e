// bench/js/runtime_floor.js and the scanner it times (bench/frame_scan.cpp): no timing
// here, only that the least engine checks what it should and that a short run ends with
// every client's rows right (the script throws otherwise) and prints its table.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const wasm = new URL('../../build/wasm/', import.meta.url);

async function loadScan() {
  const { default: create } = await import(new URL('ssot_frame_scan.mjs', wasm));
  return create({ wasmBinary: fs.readFileSync(new URL('ssot_frame_scan.wasm', wasm)) });
}

function call(Scan, f, text) {
  const bytes = new TextEncoder().encode(text);
  const p = Scan._malloc(bytes.length + 1);
  Scan.HEAPU8.set(bytes, p);
  try {
    return f(p, bytes.length);
  } finally {
    Scan._free(p);
  }
}

test('frame_scan: valid accepts a frame and rejects what is not JSON; scan finds where strings and containers end', async () => {
  const Scan = await loadScan();
  const frame = '{"type":"update","channel":"Message:list","seq":7,"data":{"type":"created","data":{"id":1,"text":"caf\\u00e9 \\"q\\" 🎉 [x]"}}}';
  assert.equal(call(Scan, Scan._ssot_frame_valid, frame), 1);
  for (const bad of [frame.slice(0, -1), '{"a":01}', '{"a":"\u0001"}', '{"a":1,}', '[1] 2'])
    assert.equal(call(Scan, Scan._ssot_frame_valid, bad), 0, bad);
  assert.equal(call(Scan, Scan._ssot_frame_scan, frame), 0);
  assert.equal(call(Scan, Scan._ssot_frame_scan, frame.slice(0, -2)), 2);
  assert.equal(call(Scan, Scan._ssot_frame_scan, '{"a":"x\\"}'), -1, 'an escaped quote does not end the string');
});

test('runtime_floor: a short run checks every client and prints the budget table', () => {
  const out = execFileSync(process.execPath, ['--expose-gc', 'bench/js/runtime_floor.js', '--frames', '500', '--runs', '1', '--only', 'list-1k'],
    { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const row = out.split('\n').find((l) => l.startsWith('| list-1k |'));
  assert.ok(row, out);
  const cells = row.split('|').map((c) => c.trim());
  assert.equal(cells.length, 11, row);
  assert.match(cells[5], /^>= 1x$/);
  assert.match(cells[8], /^\d+\.\d\d \(scan \d+\.\d\d\)$/);
});
