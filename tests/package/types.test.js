// TypeScript projects on the packed package (tsc from npm `typescript`): a
// CommonJS one (module node16, "type": "commonjs": no TS1479 for either entry, and
// its compiled require() output runs against the gateway, require(esm) off), an ESM one (node16) and
// a bundler one compile fixtures/app.ts; fixtures/wrong.ts fails where it should.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startGateway } from '../support/gateway.js';
import { copyFixtures, project, runNode, toolBin, NO_REQUIRE_ESM } from './helpers.js';

let gw;
before(async () => { gw = await startGateway(); });
after(() => gw.stop());

const SETUPS = {
  commonjs: { type: 'commonjs', options: { module: 'node16', moduleResolution: 'node16', outDir: 'out' } },
  esm: { type: 'module', options: { module: 'node16', moduleResolution: 'node16', noEmit: true } },
  bundler: { type: 'module', options: { module: 'esnext', moduleResolution: 'bundler', noEmit: true } },
};

function tsc(dir, file, options) {
  const tsconfig = { compilerOptions: { target: 'es2022', strict: true, skipLibCheck: false, types: [], ...options }, files: [file] };
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
  return runNode([toolBin('typescript', 'tsc'), '-p', dir, '--pretty', 'false'], { cwd: dir });
}

for (const [name, { type, options }] of Object.entries(SETUPS)) {
  test(`${name}: both entries type-check (module ${options.module}, "type": "${type}")`, () => {
    const dir = project(type, ['@types/react', 'react', 'ws', 'xhr2']);
    copyFixtures(dir, ['app.ts', 'wrong.ts']);
    const ok = tsc(dir, 'app.ts', options);
    assert.equal(ok.out, '');
    assert.equal(ok.status, 0);

    const bad = tsc(dir, 'wrong.ts', { ...options, noEmit: true });
    assert.notEqual(bad.status, 0);
    const lines = [...bad.out.matchAll(/wrong\.ts\((\d+),\d+\): error (TS\d+)/g)].map((m) => `${m[1]}:${m[2]}`);
    // createClient({baseUrl: 1}); a string as a number; autoLoad on a Suspense hook; a string as the client.
    assert.deepEqual(lines.map((l) => l.split(':')[0]), ['8', '9', '10', '11'], bad.out);
    assert.doesNotMatch(bad.out, /TS1479|TS2307|TS7016/, 'no ESM-from-CommonJS, missing module or untyped module error');
  });
}

test('commonjs: the compiled require() output runs against the gateway', async () => {
  const dir = project('commonjs', ['@types/react', 'react', 'ws', 'xhr2']);
  copyFixtures(dir, ['app.ts']);
  assert.equal(tsc(dir, 'app.ts', SETUPS.commonjs.options).status, 0);
  const js = fs.readFileSync(path.join(dir, 'out/app.js'), 'utf8');
  assert.match(js, /require\("ssot-realtime"\)/);
  assert.match(js, /require\("ssot-realtime\/react"\)/);
  const token = await gw.login('alice');
  const script = `require('./out/app.js').names(${JSON.stringify(gw.baseUrl)}, ${JSON.stringify(token)}).then((n) => console.log(JSON.stringify(n)))`;
  const run = runNode([NO_REQUIRE_ESM, '-e', script], { cwd: dir });
  assert.equal(run.status, 0, run.out);
  const names = JSON.parse(run.out.trim().split('\n').at(-1));
  const db = await gw.request('GET', '/products', { token });
  const first3 = db.body.items.sort((a, b) => a.id - b.id).slice(0, 3).map((p) => p.name);
  assert.deepEqual(names, [...first3, 'loading']);
});
