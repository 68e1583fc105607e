// The package as a user gets it: `npm pack` (which runs the CommonJS build, the
// prepack script), then the tarball unpacked into a fresh project under the
// system's temp directory, with the few packages a test needs linked from ours.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const FIXTURES = path.join(ROOT, 'tests/package/fixtures');
const require = createRequire(path.join(ROOT, 'package.json'));

const made = new Set();
process.on('exit', () => { for (const d of made) fs.rmSync(d, { recursive: true, force: true }); });

export function tempDir(prefix) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.add(dir);
  return dir;
}

/** Where package `name` is installed for us (its `exports` may hide package.json). */
export function packageDir(name) {
  for (const base of require.resolve.paths(name) ?? []) {
    const dir = path.join(base, name);
    if (fs.existsSync(path.join(dir, 'package.json'))) return fs.realpathSync(dir);
  }
  throw new Error(`${name} is not installed: npm install (it is in devDependencies)`);
}

/** A dev tool's bin script (from its package.json "bin"), run with this node. */
export function toolBin(pkg, bin) {
  const dir = packageDir(pkg);
  const bins = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).bin;
  return path.join(dir, typeof bins === 'string' ? bins : bins[bin]);
}

/** import() of a dev tool's module (resolved from the repository, like its bin). */
export function toolModule(spec) {
  return import(pathToFileURL(require.resolve(spec)).href);
}

/**
 * Runs node with `args`; {status, out} (stdout + stderr), never throws on a non-zero exit.
 * NO_REQUIRE_ESM first in args: require() of an ES module fails, as in Node before
 * 20.19 / 22.12 (engines allows 20.0), so only a real CommonJS build will do.
 */
export const NO_REQUIRE_ESM = '--no-experimental-require-module';

export function runNode(args, opts = {}) {
  try {
    const out = execFileSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    return { status: 0, out };
  } catch (err) {
    if (typeof err.status !== 'number') throw err;
    return { status: err.status, out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

let packed = null;

/** `npm pack` of the repository, once per process: the tarball's path. */
export function pack() {
  if (packed) return packed;
  const dest = tempDir('ssot-pack-');
  const json = execFileSync('npm', ['pack', '--json', '--pack-destination', dest], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const [{ filename, files }] = JSON.parse(json);
  packed = { tgz: path.join(dest, filename), files: files.map((f) => f.path) };
  return packed;
}

/**
 * A project dir with package.json {type} and the packed package in
 * node_modules/ssot-realtime; `links`: packages linked from ours (scoped ones
 * get a real scope directory, so nothing is ever written into ours).
 */
export function project(type, links = []) {
  const dir = tempDir(`ssot-${type}-`);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `consumer-${type}`, private: true, type }));
  const target = path.join(dir, 'node_modules/ssot-realtime');
  fs.mkdirSync(target, { recursive: true });
  execFileSync('tar', ['-xzf', pack().tgz, '-C', target, '--strip-components=1']);
  for (const name of links) {
    const from = packageDir(name);
    const to = path.join(dir, 'node_modules', name);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.symlinkSync(from, to, 'dir');
  }
  return dir;
}

/** Copies fixtures/<name> files into dir. */
export function copyFixtures(dir, names) {
  for (const name of names) fs.copyFileSync(path.join(FIXTURES, name), path.join(dir, name));
}
