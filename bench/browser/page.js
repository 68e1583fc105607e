// In the page (Chromium): three clients of the same socket stream, one per page.
//   runtime:  createClient + a live list (watch {}), batching flushInterval 16 ms,
//             maxBatchSize 100; a commit = the view's listener ran and read
//             getSnapshot().items (what React renders). The frames it holds are
//             counted at the socket, as the TanStack page counts them: the engine
//             applies each frame as it arrives, so a commit holds every frame received
//             before it. (Counting with client.stats() per commit charged the runtime
//             a call into wasm, a JSON text and its parse per commit.)
//   bare:     new WebSocket + JSON.parse per frame, nothing else; a commit = each frame
//             (each message, when the server batches: run.js --batch).
//   tanstack: TanStack Query core (bench/js/tanstackQueryClient.js) fed by a bare
//             WebSocket, flushed like the runtime: 16 ms after the first pending
//             frame, or at once when 100 are pending; a commit = after setQueryData.
// Every commit is logged as (time, frames committed so far) with
// performance.timeOrigin + performance.now(), the clock the server uses too.
import { createClient } from '/js/index.js';
import { TanStackQueryClient } from '/bench/js/tanstackQueryClient.js';

const FLUSH_MS = 16;
const MAX_BATCH = 100;
const now = () => performance.timeOrigin + performance.now();

const state = { kind: null, client: null, view: null, ws: null, times: [], counts: [], rows: null, lastSeq: 0 };

function commit(count) {
  state.times.push(now());
  state.counts.push(count);
}

// The runtime opens its socket through the global WebSocket; this one counts the
// update frames (those of the run: bench/js/frames.js writes `type` first).
const UPDATE = '{"type":"update"'; // a record's text never holds it: frames.js writes plain text fields
function countingWebSocket() {
  const counter = { frames: 0 };
  const Base = window.WebSocket;
  window.WebSocket = class extends Base {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => { // runs before the runtime's onmessage
        if (typeof e.data !== 'string') return;
        if (e.data.startsWith(UPDATE)) counter.frames++;
        else if (e.data.startsWith('{"type":"batch"')) {
          for (let i = e.data.indexOf(UPDATE); i >= 0; i = e.data.indexOf(UPDATE, i + 1)) counter.frames++;
        }
      });
    }
  };
  return counter;
}

async function setupRuntime(baseUrl, wsUrl) {
  const received = countingWebSocket();
  const client = await createClient({
    baseUrl, token: 'bench',
    websockets: {
      enabled: true, url: wsUrl, pubsub: { models: { Message: {} } },
      batching: { enabled: true, flushInterval: FLUSH_MS, maxBatchSize: MAX_BATCH },
      heartbeat: { enabled: false },
    },
  });
  const view = client.model('Message').watch({});
  await new Promise((resolve, reject) => {
    const check = () => {
      const s = view.getSnapshot();
      if (s.status === 'ready') resolve();
      else if (s.status === 'error') reject(new Error(String(s.error)));
    };
    view.subscribe(check);
    check();
  });
  view.subscribe(() => {
    state.rows = view.getSnapshot().items;
    commit(received.frames);
  });
  state.client = client;
  state.view = view;
  state.rows = view.getSnapshot().items;
}

function openSocket(wsUrl, onText) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl);
    ws.onopen = () => ws.send(JSON.stringify({ type: 'subscribe', channel: 'Message:list' }));
    ws.onerror = () => reject(new Error('socket error'));
    ws.onmessage = (e) => {
      const text = e.data;
      if (text.startsWith('{"type":"subscribed"')) {
        ws.onmessage = (ev) => onText(ev.data);
        resolve(ws);
      }
    };
  });
}

// With batches on (run.js --batch), a message may hold many frames.
const framesOf = (msg) => (msg.type === 'batch' ? msg.frames : [msg]);

async function setupBare(wsUrl) {
  let count = 0;
  state.ws = await openSocket(wsUrl, (text) => {
    const frames = framesOf(JSON.parse(text));
    state.lastSeq = frames[frames.length - 1].seq;
    commit((count += frames.length));
  });
}

async function setupTanstack(baseUrl, wsUrl) {
  const list = await (await fetch(`${baseUrl}/messages`)).json();
  const c = new TanStackQueryClient(list);
  let received = 0;
  let pending = 0;
  let timer = null;
  const flush = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    pending = 0;
    state.rows = c.flush();
    commit(received);
  };
  state.ws = await openSocket(wsUrl, (text) => {
    for (const frame of framesOf(JSON.parse(text))) {
      c.onFrame(frame);
      received++;
      if (++pending >= MAX_BATCH) flush();
      else if (timer === null) timer = setTimeout(flush, FLUSH_MS);
    }
  });
  state.client = c;
  state.rows = c.flush();
}

window.bench = {
  async setup(kind, baseUrl, wsUrl, batch) {
    state.kind = kind;
    if (batch && kind !== 'runtime') wsUrl += '?batch=1'; // the runtime always asks
    if (kind === 'runtime') await setupRuntime(baseUrl, wsUrl);
    else if (kind === 'bare') await setupBare(wsUrl);
    else if (kind === 'tanstack') await setupTanstack(baseUrl, wsUrl);
    else throw new Error(`unknown client ${kind}`);
    return true;
  },
  // Resolves once `n` frames are committed; then the log and the final rows.
  async until(n, timeoutMs) {
    const end = Date.now() + timeoutMs;
    while (!(state.counts.length && state.counts[state.counts.length - 1] >= n)) {
      if (Date.now() > end) throw new Error(`${state.kind}: ${state.counts.at(-1) ?? 0} of ${n} frames committed in ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const stats = state.kind === 'runtime' ? state.client.stats() : null;
    return {
      times: state.times,
      counts: state.counts,
      rows: state.rows ? state.rows.map((r) => JSON.stringify(r)) : null,
      lastSeq: state.lastSeq,
      stats: stats && { malformed: stats.malformed, gaps: stats.gaps, duplicates: stats.duplicates, resyncs: stats.resyncs },
    };
  },
};
window.ready = true;
