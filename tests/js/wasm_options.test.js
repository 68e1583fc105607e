// createClient's wasmUrl and wasmModule in Node (the browser side is in
// tests/bundlers/vite.test.js). The runtime loads once per process, so each case
// runs in its own child process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createClient } from '../../js/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const WASM = path.join(ROOT, 'js/wasm/ssot_runtime.wasm');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ssot-wasm-options-'));
const HOSTED = path.join(tmp, 'hosted.wasm'); // not beside the loader
fs.copyFileSync(WASM, HOSTED);
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

// Runs `body` (an async function's source, given createClient) in a fresh Node;
// resolves what it returned, as JSON.
function inChild(body, arg) {
  const code = `import { createClient } from 'ssot-realtime';
    const arg = JSON.parse(process.argv[1]);
    const out = await (${body})(createClient, arg);
    process.stdout.write(JSON.stringify(out));
    process.exit(0);`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', code, JSON.stringify(arg ?? null)], { cwd: ROOT });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.on('exit', (status) => (status === 0 ? resolve(JSON.parse(out)) : reject(new Error(`child exited ${status}: ${err}`))));
  });
}

const BASE = 'http://127.0.0.1:9/api'; // nothing listens: the client only has to start

const tryClient = async (createClient, options) => {
  try {
    const client = await createClient({ baseUrl: 'http://127.0.0.1:9/api', ...options });
    await client.close();
    return 'ok';
  } catch (e) {
    return { name: e.name, code: e.code, message: e.message };
  }
};

test('wasmUrl: a file path, a file: URL, an http URL', async () => {
  const requests = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url);
    res.writeHead(200, { 'Content-Type': 'application/wasm' }).end(fs.readFileSync(HOSTED));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${server.address().port}/cdn/runtime.wasm`;
    assert.equal(await inChild(tryClient.toString(), { wasmUrl: HOSTED }), 'ok');
    assert.equal(await inChild(tryClient.toString(), { wasmUrl: pathToFileURL(HOSTED).href }), 'ok');
    assert.equal(await inChild(tryClient.toString(), { wasmUrl: url }), 'ok');
    assert.deepEqual(requests, ['/cdn/runtime.wasm']);
  } finally {
    server.close();
  }
});

test('wasmUrl that does not load: SsotError code runtime naming it; the next createClient tries again', async () => {
  const missing = path.join(tmp, 'missing.wasm');
  const [byPath, byUrl, again] = await inChild(`async (createClient, urls) => {
    const tryClient = ${tryClient};
    return [await tryClient(createClient, { wasmUrl: urls[0] }), await tryClient(createClient, { wasmUrl: urls[1] }),
      await tryClient(createClient, {})];
  }`, [missing, pathToFileURL(missing).href]);
  for (const [failed, where] of [[byPath, missing], [byUrl, pathToFileURL(missing).href]]) {
    assert.equal(failed.name, 'SsotError');
    assert.equal(failed.code, 'runtime');
    assert.ok(failed.message.includes(where), failed.message);
  }
  assert.equal(again, 'ok');
});

test('wasmModule: an already compiled module is used; a module that is not the runtime fails with code runtime', async () => {
  const result = await inChild(`async (createClient, file) => {
    const tryClient = ${tryClient};
    const { readFile } = await import('node:fs/promises');
    const empty = new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
    return [await tryClient(createClient, { wasmModule: empty }),
      await tryClient(createClient, { wasmModule: await WebAssembly.compile(await readFile(file)) })];
  }`, HOSTED);
  assert.equal(result[0].code, 'runtime', JSON.stringify(result[0]));
  assert.match(result[0].message, /the given wasmModule/);
  assert.equal(result[1], 'ok');
});

test('wasmUrl and wasmModule of the wrong type are refused before anything loads', async () => {
  await assert.rejects(createClient({ baseUrl: BASE, wasmUrl: 42 }), { name: 'TypeError', message: /wasmUrl/ });
  await assert.rejects(createClient({ baseUrl: BASE, wasmModule: new Uint8Array(8) }), { name: 'TypeError', message: /wasmModule/ });
});
