// The packed tarball as the package linters see it: arethetypeswrong finds no
// problem for either entry under node10, node16 (from CommonJS and from ESM) and
// bundler resolution; publint has nothing to say (not even a suggestion); and the
// metadata the issue asked for is there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pack, project, runNode, toolBin, toolModule, ROOT } from './helpers.js';

test('arethetypeswrong: every entry resolves to matching types and JS under every resolution', () => {
  const { tgz } = pack();
  // --no-definitely-typed: offline (it would ask the registry for @types/ssot-realtime).
  const { status, out } = runNode([toolBin('@arethetypeswrong/cli', 'attw'), tgz, '--format', 'json', '--no-definitely-typed', '--profile', 'strict']);
  const { analysis, problems } = JSON.parse(out.slice(out.indexOf('{')));
  const summary = (analysis.problems ?? []).map((p) => `${p.kind} ${p.entrypoint ?? ''} ${p.resolutionKind ?? ''}`);
  assert.deepEqual(summary, []);
  assert.deepEqual(problems, {});
  assert.equal(status, 0);
  const entries = analysis.entrypoints;
  assert.deepEqual(Object.keys(entries).sort(), ['.', './package.json', './react']);
  for (const sub of ['.', './react']) {
    const r = entries[sub].resolutions;
    for (const kind of ['node10', 'node16-cjs', 'node16-esm', 'bundler']) {
      assert.ok(r[kind].resolution?.fileName, `${sub} under ${kind}: types resolved`);
      assert.ok(r[kind].implementationResolution?.fileName, `${sub} under ${kind}: JS resolved`);
    }
    assert.match(r['node16-cjs'].resolution.fileName, /\.d\.cts$/, `${sub}: require() gets CommonJS types`);
    assert.match(r['node16-cjs'].implementationResolution.fileName, /\.cjs$/, `${sub}: require() gets CommonJS`);
    assert.match(r['node16-esm'].implementationResolution.fileName, /\/js\/(react\/)?index\.js$/, `${sub}: import gets the ESM build`);
  }
});

test('publint: no error, warning or suggestion on the tarball', async () => {
  const { publint } = await toolModule('publint');
  const { formatMessage } = await toolModule('publint/utils');
  const tarball = fs.readFileSync(pack().tgz);
  const { messages, pkg } = await publint({ pack: { tarball: tarball.buffer.slice(tarball.byteOffset, tarball.byteOffset + tarball.byteLength) }, level: 'suggestion', strict: true });
  assert.deepEqual(messages.map((m) => formatMessage(m, pkg) ?? m.code), []);
});

test('metadata: LICENSE (MIT), sideEffects, ./package.json export, \'use client\' on both React builds', () => {
  const { files } = pack();
  const dir = project('module');
  const installed = path.join(dir, 'node_modules/ssot-realtime');
  const pkg = JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8'));
  assert.equal(pkg.license, 'MIT');
  assert.ok(files.includes('LICENSE'));
  const license = fs.readFileSync(path.join(installed, 'LICENSE'), 'utf8');
  assert.match(license, /^MIT License\n\nCopyright \(c\) 2026 the ssot-realtime authors\n/);
  assert.equal(license, fs.readFileSync(path.join(ROOT, 'LICENSE'), 'utf8'));
  assert.equal(pkg.sideEffects, false);
  assert.equal(pkg.exports['./package.json'], './package.json');
  for (const file of ['js/react/index.js', 'js/cjs/react.cjs']) {
    const first = fs.readFileSync(path.join(installed, file), 'utf8').split('\n')[0];
    assert.match(first, /^['"]use client['"];$/, `${file} starts with 'use client'`);
  }
  // Only what a user needs: no tests, sources of the engine or build scripts.
  assert.deepEqual(files.filter((f) => !/^(js\/|react\/package\.json$|package\.json$|README\.md$|LICENSE$)/.test(f)), []);
});
