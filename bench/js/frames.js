// Shared frame generator for the JS-side benchmark (bench/js/runtime_vs_js.js).
//
// A transcription of the generator in bench/core_ingest.cpp: the same splitmix64
// stream, the same seeds, the same records and frames byte for byte, so the
// datasets here are the ones the core-only benchmark measures.
//
// Frames are PROTOCOL.md `update` frames on `Message:list`, seq going up by 1:
//   50% updated (existing id, new text and updatedAt), 30% created (new id, the
//   newest createdAt), 20% deleted (existing id, no record, as the reference
//   server sends deletes). Created/updated frames are about 265 bytes.
// Records: {"id":12345,"roomId":3,"authorId":42,"text":"…","createdAt":…,"updatedAt":…}.
//
// Everything is generated before timing. `expected` is the view's final content
// (records as JSON text, in the view's order); `checkpoints` adds the expected
// content after a prefix of the frames (for runs capped to fewer frames).

const MASK64 = (1n << 64n) - 1n;

// splitmix64, as in core_ingest.cpp (BigInt: slow, but only used before timing).
class Rng {
  constructor(seed) { this.s = BigInt(seed) & MASK64; }
  next() {
    this.s = (this.s + 0x9e3779b97f4a7c15n) & MASK64;
    let z = this.s;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
    return z ^ (z >> 31n);
  }
  below(n) { return Number(this.next() % BigInt(n)); }
}

export const EPOCH = 1714521600000; // 2024-05-01T00:00:00Z, in ms
export const FILTERED_QUERY = Object.freeze({ where: { roomId: { lt: 5 } }, orderBy: { createdAt: 'desc' } });

// The words as they appear in the JSON text (the quote is already escaped).
const WORDS = ['ok', 'sure', 'thanks', 'see', 'you', 'at', 'the', 'meeting',
  'I', 'think', 'we', 'should', 'ship', 'it', 'today', 'tomorrow',
  'lunch?', 'great', 'idea', 'can', 'someone', 'review', 'my', 'PR',
  'café', 'done', '\\"quoted\\"', 'deploy', 'failed', 'again', 'why', 'works',
  'on', 'staging', 'merged', '🎉', "let's", 'sync', 'later', '👍'];
const WORD_BYTES = WORDS.map((w) => Buffer.byteLength(w, 'utf8'));

// Chat-like text, 10 to 70 bytes of UTF-8 (the C++ generator counts bytes).
function makeText(rng) {
  const target = 10 + rng.below(61);
  let t = '';
  let bytes = 0;
  while (bytes < target) {
    if (bytes) { t += ' '; bytes += 1; }
    const k = rng.below(WORDS.length);
    t += WORDS[k];
    bytes += WORD_BYTES[k];
  }
  return t;
}

function recordJson(id, r, text) {
  return `{"id":${id},"roomId":${r.room},"authorId":${r.author},"text":"${text}","createdAt":${r.created},"updatedAt":${r.updated}}`;
}

// In the view: every record, or roomId < 5 for the filtered query.
export function inView(filtered, rec) { return !filtered || rec.roomId < 5; }

// The view's order: id ascending, or createdAt desc with ties by id ascending.
export function compareFor(filtered) {
  return filtered
    ? (a, b) => (a.createdAt !== b.createdAt ? b.createdAt - a.createdAt : a.id - b.id)
    : (a, b) => a.id - b.id;
}

function viewOrder(filtered, recs) {
  const ids = [];
  for (const [id, r] of recs) if (!filtered || r.room < 5) ids.push(id);
  if (!filtered) ids.sort((a, b) => a - b);
  else {
    ids.sort((a, b) => {
      const ca = recs.get(a).created;
      const cb = recs.get(b).created;
      return ca !== cb ? cb - ca : a - b;
    });
  }
  return ids;
}

/**
 * generate({n, filtered}, frames, {mix, checkpoints}) ->
 *   { body, frames: string[], viewStart, expected: string[], checkpoints: Map<k, string[]>,
 *     meanUpsertBytes, meanFrameBytes }
 * body: the HTTP list answer {"items":[...],"total":N,"seq":0} (the view's rows at hydration).
 */
export function generate({ n, filtered }, frameCount, { mix = [50, 30, 20], checkpoints = [] } = {}) {
  const [mu, mc] = mix;
  const rng = new Rng(0x5eed0000 + n + (filtered ? 7 : 0));
  const recs = new Map(); // id -> {room, author, created, updated, json}
  const live = []; // for picking a random existing id
  const where = new Map(); // id -> index in live
  const spread = n * 60000; // createdAt of the initial records, in random order
  for (let i = 1; i <= n; i++) {
    const r = { room: rng.below(10), author: 1 + rng.below(500), created: 0, updated: 0, json: '' };
    r.created = r.updated = EPOCH + Number(rng.next() % BigInt(spread));
    r.json = recordJson(i, r, makeText(rng));
    where.set(i, live.length);
    live.push(i);
    recs.set(i, r);
  }
  const order = viewOrder(filtered, recs);
  const body = `{"items":[${order.map((id) => recs.get(id).json).join(',')}],"total":${order.length},"seq":0}`;

  const wanted = new Set(checkpoints);
  const snaps = new Map();
  const snapshot = () => viewOrder(filtered, recs).map((id) => recs.get(id).json);
  let nextId = n + 1;
  let upserts = 0;
  let upsertBytes = 0;
  let allBytes = 0;
  const frames = new Array(frameCount);
  for (let i = 0; i < frameCount; i++) {
    if (wanted.has(i)) snaps.set(i, snapshot());
    const ts = EPOCH + spread + i * 1000;
    const roll = rng.below(100);
    let type;
    let id;
    let record = null;
    if (roll < mu && live.length) {
      type = 'updated';
      id = live[rng.below(live.length)];
      const r = recs.get(id);
      r.updated = ts;
      r.json = recordJson(id, r, makeText(rng));
      record = r.json;
    } else if (roll < mu + mc || !live.length) {
      type = 'created';
      id = nextId++;
      const r = { room: rng.below(10), author: 1 + rng.below(500), created: ts, updated: ts, json: '' };
      r.json = recordJson(id, r, makeText(rng));
      where.set(id, live.length);
      live.push(id);
      recs.set(id, r);
      record = r.json;
    } else {
      type = 'deleted';
      const k = rng.below(live.length);
      id = live[k];
      const last = live[live.length - 1];
      where.set(last, k);
      live[k] = last;
      live.pop();
      where.delete(id);
      recs.delete(id);
    }
    const frame = `{"type":"update","channel":"Message:list","data":{"type":"${type}"` +
      (record ? `,"data":${record}` : '') +
      `,"id":${id},"timestamp":${ts}},"seq":${i + 1}}`;
    frames[i] = frame;
    const bytes = Buffer.byteLength(frame, 'utf8');
    allBytes += bytes;
    if (record) { upserts++; upsertBytes += bytes; }
  }
  if (wanted.has(frameCount)) snaps.set(frameCount, null); // same as expected
  const expected = snapshot();
  for (const [k, v] of snaps) if (v === null) snaps.set(k, expected);
  return {
    body,
    frames,
    viewStart: order.length,
    expected,
    checkpoints: snaps,
    meanUpsertBytes: upserts ? upsertBytes / upserts : 0,
    meanFrameBytes: frameCount ? allBytes / frameCount : 0,
  };
}
