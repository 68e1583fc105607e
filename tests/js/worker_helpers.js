// Test helpers for the worker modes in Node: an engine host and tab-side clients
// over real MessageChannel ports, clocks that move only when told, a Web Locks
// stand-in shared by the "tabs" and the "worker", and waits on a condition with a
// deadline (never a count of event-loop turns).
import { createClient } from '../../js/index.js';
import { EngineHost } from '../../js/worker/host.js';
import { WorkerClient } from '../../js/worker/tabClient.js';
import { HEARTBEAT_MS, PROTOCOL_VERSION } from '../../js/worker/protocol.js';
import { VERSION } from '../../js/version.js';

export const CONFIG = { baseUrl: 'http://127.0.0.1:9/api', requestTimeout: 60000 };
export const HELLO = { t: 'hello', v: PROTOCOL_VERSION, pkg: VERSION };

/** A clock that moves only on step(ms); every(ms, fn) runs fn each time `ms` more has passed. */
export function fakeClock() {
  let t = 0;
  const timers = new Set();
  return {
    now: () => t,
    every(ms, fn) {
      const timer = { ms, next: t + ms, fn };
      timers.add(timer);
      return () => timers.delete(timer);
    },
    step(ms = HEARTBEAT_MS) {
      t += ms;
      for (const timer of [...timers]) {
        if (!timers.has(timer) || timer.next > t) continue;
        timer.next = t + timer.ms;
        timer.fn();
      }
    },
  };
}

/** navigator.locks as far as the worker modes use it: exclusive, granted in order, held while cb's promise is. */
export function fakeLocks() {
  const queues = new Map(); // name -> [run...], the first one holds it
  return {
    request(name, cb) {
      return new Promise((resolve, reject) => {
        const run = async () => {
          try { resolve(await cb({ name })); } catch (err) { reject(err); }
          const q = queues.get(name);
          q.shift();
          if (q.length) q[0]();
          else queues.delete(name);
        };
        const q = queues.get(name);
        if (q) q.push(run);
        else {
          queues.set(name, [run]);
          run();
        }
      });
    },
    held: (name) => queues.has(name),
  };
}

/** Resolves once pred() is truthy (checked every few ms), rejects past the deadline. */
export async function waitFor(what, pred, ms = 10000) {
  const until = Date.now() + ms;
  for (;;) {
    const v = await pred();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Resolves to 'settled' or 'pending' once the promise settles or `ms` passed. */
export const settledWithin = (promise, ms = 2000) =>
  Promise.race([promise.then(() => 'settled', () => 'settled'), new Promise((r) => setTimeout(() => r('pending'), ms))]);

/**
 * An engine host on a fake clock (options: locks, startEngine) and tabs on it. Each tab's
 * ports are logged: `fromHost` (what the host sent it), `toHost` (what it sent), per attachment.
 */
const openSetups = new Set(); // every setup's close(), for closeAll() (a failed test must not leave ports open)

/** Closes what every setup() opened: the test files call it afterEach. */
export async function closeAll() {
  for (const close of [...openSetups]) await close();
}

export function setup({ locks = null, startEngine = (config) => createClient(config) } = {}) {
  const hostClock = fakeClock();
  const engines = [];
  const configs = [];
  const host = new EngineHost((config) => {
    configs.push(config);
    return startEngine(config).then((c) => { engines.push(c); return c; });
  }, { clock: hostClock, locks });
  const ports = [];
  const attachments = [];
  const open = (log) => () => {
    const ch = new MessageChannel();
    const att = { fromHost: [], toHost: [] };
    log.push(att);
    const toTab = ch.port1.postMessage.bind(ch.port1);
    ch.port1.postMessage = (m) => { att.fromHost.push(m); toTab(m); };
    const toHost = ch.port2.postMessage.bind(ch.port2);
    ch.port2.postMessage = (m) => { att.toHost.push(structuredClone(m)); toHost(m); };
    host.attach(ch.port1);
    ports.push(ch.port1, ch.port2);
    attachments.push(att);
    return { port: ch.port2, target: new EventTarget(), close: () => ch.port2.close() };
  };
  /** A tab on `host` with its own clock; config: the tab's (CONFIG by default). */
  const tab = async (config = CONFIG, { clock = fakeClock(), tabLocks = locks, opener } = {}) => {
    const log = [];
    const client = new WorkerClient(config, 'shared-worker', null, opener ? opener(open(log)) : open(log), { clock, locks: tabLocks });
    await client._started;
    return { client, clock, log };
  };
  /** A tab speaking the protocol by hand: its hello, then send(m), and what it got. */
  const raw = async (hello) => {
    const ch = new MessageChannel();
    host.attach(ch.port1);
    ports.push(ch.port1, ch.port2);
    const got = [];
    ch.port2.onmessage = (e) => got.push(e.data);
    ch.port2.postMessage({ ...HELLO, tab: `raw-${Math.random()}`, config: CONFIG, ...hello });
    await waitFor('an answer to the hello', () => got.find((m) => m.t === 'welcome' || m.t === 'refused'));
    const entries = () => got.filter((m) => m.t === 'batch').flatMap((m) => m.entries);
    return { port: ch.port2, got, entries, send: (m) => ch.port2.postMessage(m), answer: got.find((m) => m.t === 'welcome' || m.t === 'refused') };
  };
  const engine = () => engines[engines.length - 1];
  const close = async () => {
    openSetups.delete(close);
    for (const p of ports) p.close();
    for (const e of engines) await e.close();
  };
  openSetups.add(close);
  return { host, hostClock, tab, raw, engine, engines, configs, attachments, close };
}

/** Steps `clocks` one heartbeat at a time, with a pause for messages, until pred() holds (deadline: 10 s). */
export async function stepUntil(what, clocks, pred, ms = 10000) {
  const until = Date.now() + ms;
  for (;;) {
    if (await pred()) return;
    if (Date.now() > until) throw new Error(`timed out stepping until ${what}`);
    for (const c of clocks) c.step();
    await new Promise((r) => setTimeout(r, 5));
  }
}
