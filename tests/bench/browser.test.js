// bench/browser/run.js, small: no timing here, only that every client's page ends with
// the expected list (run.js exits 1 otherwise), with single frames and with the
// server's batch frames (the pages unpack them; the runtime's core reads them).
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const SMALL = ['--records', '1000', '--flood', '2000', '--rate', '1000', '--seconds', '2', '--rounds', '1'];

function run(extra) {
  return new Promise((resolve) => {
    execFile('node', ['bench/browser/run.js', ...SMALL, ...extra], { cwd: root, timeout: 240000 }, (err, stdout, stderr) =>
      resolve({ code: err ? err.code ?? 1 : 0, stdout, stderr }));
  });
}

for (const [name, extra] of [['single frames', []], ['batch frames', ['--batch']]]) {
  test(`chromium bench, ${name}: every client ends with the expected list`, { timeout: 300000 }, async () => {
    const r = await run(extra);
    assert.equal(r.code, 0, `run.js failed:\n${r.stderr.slice(-3000)}`);
    assert.match(r.stdout, /Every page ended with the expected list/);
    for (const client of ['runtime', 'bare', 'tanstack']) assert.match(r.stderr, new RegExp(`round 1 ${client} flood: \\d+ frames/s`));
  });
}

// --js-flags (diagnosis): V8 flags reach Chromium, and the report names them.
test('chromium bench, V8 flags: the runtime ends with the expected list and the report names them', { timeout: 300000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssot-bench-'));
  try {
    const report = path.join(dir, 'report.md');
    const r = await run(['--batch', '--clients', 'runtime', '--js-flags', '--no-wasm-dynamic-tiering', '--report', report]);
    assert.equal(r.code, 0, `run.js failed:\n${r.stderr.slice(-3000)}`);
    assert.match(r.stdout, /Every page ended with the expected list/);
    assert.match(fs.readFileSync(report, 'utf8'), /--js-flags=--no-wasm-dynamic-tiering/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
