// Core ingest benchmark: update frames into a live list view, through the Engine
// API exactly as the platform edge drives it (on_message, take_commands, drain).
//
// Workloads (each 100k frames by default, 50% updated / 30% created / 20% deleted,
// Message records, seq +1 per frame, batching flushes itself every 50 updates):
//   list-1k, list-10k, list-100k   watch("Message", "{}") hydrated with N records
//   sorted-filtered-10k            watch("Message", {where roomId < 5, orderBy createdAt desc})
//                                  over a model of 10k records with roomId 0..9
// Every workload is first run once untimed with a mirror that rebuilds the view
// from the drained outbox the way the JS side does; the final rows (order and
// record text) must equal what the generator expects, else the exit code is 1.
// Timing never fails the run.
//
// Usage: ssot_bench [--frames N] [--runs R] [--only a,b] [--no-verify] [--mix U/C/D] [--report FILE]
#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ssot/engine.h"
#include "ssot/json.h"

#ifdef __EMSCRIPTEN__
#include <emscripten.h>  // only to write --report through Node's fs (MEMFS would lose it)
#endif

using namespace ssot;

namespace {

constexpr int kBatch = 50;
constexpr int64_t kEpoch = 1714521600000;  // 2024-05-01T00:00:00Z, in ms

using Clock = std::chrono::steady_clock;
double micros(Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

struct Rng {  // splitmix64: deterministic, the same stream natively and in wasm
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  uint32_t below(uint32_t n) { return uint32_t(next() % n); }
};

struct Workload {
  const char* name;
  size_t n;       // records in the model when the view hydrates
  bool filtered;  // {"where":{"roomId":{"lt":5}},"orderBy":{"createdAt":"desc"}}
};

const Workload kWorkloads[] = {
    {"list-1k", 1000, false},
    {"list-10k", 10000, false},
    {"list-100k", 100000, false},
    {"sorted-filtered-10k", 10000, true},
};

const char* kFilteredQuery = R"({"where":{"roomId":{"lt":5}},"orderBy":{"createdAt":"desc"}})";

struct Rec {
  int room = 0, author = 0;
  int64_t created = 0, updated = 0;
  std::string json;
};

// Chat-like text, 10 to 70 characters, with the odd escaped quote and non-ASCII word.
const char* kWords[] = {"ok",     "sure",   "thanks", "see",    "you",      "at",     "the",    "meeting",
                        "I",      "think",  "we",     "should", "ship",     "it",     "today",  "tomorrow",
                        "lunch?", "great",  "idea",   "can",    "someone",  "review", "my",     "PR",
                        "café",   "done",   "\\\"quoted\\\"", "deploy", "failed", "again", "why", "works",
                        "on",     "staging", "merged", "🎉",    "let's",    "sync",   "later",  "👍"};

std::string make_text(Rng& rng) {
  size_t target = 10 + rng.below(61);
  std::string t;
  while (t.size() < target) {
    if (!t.empty()) t += ' ';
    t += kWords[rng.below(sizeof kWords / sizeof kWords[0])];
  }
  return t;
}

std::string record_json(int64_t id, const Rec& r, const std::string& text) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "{\"id\":%" PRId64 ",\"roomId\":%d,\"authorId\":%d,\"text\":\"", id, r.room, r.author);
  std::string s = buf;
  s += text;
  std::snprintf(buf, sizeof buf, "\",\"createdAt\":%" PRId64 ",\"updatedAt\":%" PRId64 "}", r.created, r.updated);
  s += buf;
  return s;
}

// Everything a run needs, generated before timing: the hydration answer, the frames
// (one buffer, like a socket's receive buffer) and the rows the view must end with.
struct Dataset {
  std::string body;                           // {"items":[...],"total":N,"seq":0}
  std::string frames;                         // all frames back to back
  std::vector<std::pair<size_t, size_t>> at;  // offset, length of each frame
  size_t view_start = 0;                      // rows after hydration
  std::vector<std::pair<int64_t, std::string>> expected;  // final rows in view order
  double mean_upsert_bytes = 0, mean_frame_bytes = 0;
};

bool in_view(const Workload& w, const Rec& r) { return !w.filtered || r.room < 5; }

// The view's order: id ascending, or createdAt desc with ties by id ascending.
std::vector<int64_t> view_order(const Workload& w, const std::unordered_map<int64_t, Rec>& recs) {
  std::vector<int64_t> ids;
  for (const auto& r : recs)
    if (in_view(w, r.second)) ids.push_back(r.first);
  if (!w.filtered) std::sort(ids.begin(), ids.end());
  else
    std::sort(ids.begin(), ids.end(), [&](int64_t a, int64_t b) {
      int64_t ca = recs.at(a).created, cb = recs.at(b).created;
      return ca != cb ? ca > cb : a < b;
    });
  return ids;
}

struct Mix {
  uint32_t updated = 50, created = 30, deleted = 20;  // percentages
};

Dataset generate(const Workload& w, size_t frames, Mix mix) {
  Dataset d;
  Rng rng{0x5eed0000ULL + w.n + (w.filtered ? 7 : 0)};
  std::unordered_map<int64_t, Rec> recs;
  std::vector<int64_t> live;                   // for picking a random existing id
  std::unordered_map<int64_t, size_t> where;   // id -> index in live
  recs.reserve(w.n + frames);
  int64_t spread = int64_t(w.n) * 60000;       // createdAt of the initial records, in random order
  for (size_t i = 1; i <= w.n; ++i) {
    Rec r;
    r.room = int(rng.below(10));
    r.author = int(1 + rng.below(500));
    r.created = r.updated = kEpoch + int64_t(rng.next() % uint64_t(spread));
    r.json = record_json(int64_t(i), r, make_text(rng));
    where[int64_t(i)] = live.size();
    live.push_back(int64_t(i));
    recs.emplace(int64_t(i), std::move(r));
  }
  // The server's answer: the matching records in the query's order.
  std::vector<int64_t> order = view_order(w, recs);
  d.view_start = order.size();
  d.body = "{\"items\":[";
  for (size_t i = 0; i < order.size(); ++i) {
    if (i) d.body += ',';
    d.body += recs[order[i]].json;
  }
  d.body += "],\"total\":" + std::to_string(order.size()) + ",\"seq\":0}";

  int64_t next_id = int64_t(w.n) + 1;
  size_t upserts = 0, upsert_bytes = 0;
  d.frames.reserve(frames * 270);
  d.at.reserve(frames);
  for (size_t i = 0; i < frames; ++i) {
    int64_t ts = kEpoch + spread + int64_t(i) * 1000;
    uint32_t roll = rng.below(100);
    const char* type;
    int64_t id;
    const std::string* record = nullptr;
    if (roll < mix.updated && !live.empty()) {  // updated: new text, new updatedAt
      type = "updated";
      id = live[rng.below(uint32_t(live.size()))];
      Rec& r = recs[id];
      r.updated = ts;
      r.json = record_json(id, r, make_text(rng));
      record = &r.json;
    } else if (roll < mix.updated + mix.created || live.empty()) {  // created: a new id, the newest createdAt
      type = "created";
      id = next_id++;
      Rec r;
      r.room = int(rng.below(10));
      r.author = int(1 + rng.below(500));
      r.created = r.updated = ts;
      r.json = record_json(id, r, make_text(rng));
      where[id] = live.size();
      live.push_back(id);
      record = &recs.emplace(id, std::move(r)).first->second.json;
    } else {  // deleted: an existing id, no record (as the reference server sends it)
      type = "deleted";
      size_t k = rng.below(uint32_t(live.size()));
      id = live[k];
      where[live.back()] = k;
      live[k] = live.back();
      live.pop_back();
      where.erase(id);
      recs.erase(id);
    }
    size_t start = d.frames.size();
    d.frames += "{\"type\":\"update\",\"channel\":\"Message:list\",\"data\":{\"type\":\"";
    d.frames += type;
    d.frames += '"';
    if (record) {
      d.frames += ",\"data\":";
      d.frames += *record;
    }
    d.frames += ",\"id\":" + std::to_string(id) + ",\"timestamp\":" + std::to_string(ts) +
                "},\"seq\":" + std::to_string(i + 1) + "}";
    d.at.emplace_back(start, d.frames.size() - start);
    if (record) {
      ++upserts;
      upsert_bytes += d.frames.size() - start;
    }
  }
  d.mean_upsert_bytes = upserts ? double(upsert_bytes) / double(upserts) : 0;
  d.mean_frame_bytes = frames ? double(d.frames.size()) / double(frames) : 0;
  for (int64_t id : view_order(w, recs)) d.expected.emplace_back(id, recs[id].json);
  return d;
}

// What the JS side holds for the view, rebuilt from drained outbox texts only.
struct Mirror {
  ViewId view = 0;
  std::vector<int64_t> rows;
  std::unordered_map<int64_t, std::string> text;
  int64_t total = -1;
  int changes = 0;
  std::string problem;

  bool record(std::string_view raw, int64_t& id) {
    static const std::string_view key[] = {"id"};
    std::string_view v;
    auto n = json::find_members(raw, key, 1, &v) ? json::parse_number(v) : std::nullopt;
    if (!n) {
      problem = "row without a numeric id: " + std::string(raw.substr(0, 80));
      return false;
    }
    id = int64_t(*n);
    text[id].assign(raw.data(), raw.size());
    return true;
  }

  // The elements of an array text (none when it is not one).
  static std::vector<std::string_view> elements(std::string_view array) {
    std::vector<json::RecordText> items;
    std::vector<std::string_view> out;
    if (json::scan_records(array, {}, items))
      for (const auto& item : items) out.push_back(item.text);
    return out;
  }

  // [pos, record] pairs.
  bool pairs(std::string_view arr, std::vector<std::pair<size_t, int64_t>>& out) {
    for (std::string_view item : elements(arr)) {
      auto pair = elements(item);
      auto n = pair.size() == 2 ? json::parse_number(pair[0]) : std::nullopt;
      int64_t id;
      if (!n || !record(pair[1], id)) {
        if (problem.empty()) problem = "bad [pos, record] pair";
        return false;
      }
      out.emplace_back(size_t(*n), id);
    }
    return true;
  }

  void apply(std::string_view drained) {
    if (!problem.empty()) return;
    if (!json::valid(drained)) {
      problem = "drained outbox is not valid JSON";
      return;
    }
    static const std::string_view keys[] = {"k", "view", "total", "rows", "removed", "inserted", "updated", "ids"};
    for (std::string_view e : elements(drained)) {
      std::string_view v[8];
      json::find_members(e, keys, 8, v);
      if (v[0] != "\"view\"" || json::parse_number(v[1]).value_or(-1) != double(view)) continue;
      ++changes;
      total = int64_t(json::parse_number(v[2]).value_or(-1));
      if (!v[7].empty()) {
        problem = "window form in a view without a window";
        return;
      }
      if (v[4].empty()) {  // first rows, in order
        rows.clear();
        int64_t id;
        for (std::string_view rec : elements(v[3]))
          if (record(rec, id)) rows.push_back(id);
        continue;
      }
      std::vector<size_t> removed;
      for (std::string_view pos : elements(v[4])) removed.push_back(size_t(json::parse_number(pos).value_or(-1)));
      std::vector<std::pair<size_t, int64_t>> ins, upd;
      if (!pairs(v[5], ins) || !pairs(v[6], upd)) return;
      if (removed.size() > rows.size()) {
        problem = "more rows removed than held";
        return;
      }
      size_t n = rows.size() - removed.size() + ins.size();
      std::vector<int64_t> next(n);
      size_t ai = 0, ri = 0, ii = 0;
      for (size_t bi = 0; bi < n; ++bi) {
        if (ii < ins.size() && ins[ii].first == bi) {
          next[bi] = ins[ii++].second;
          continue;
        }
        while (ri < removed.size() && removed[ri] == ai) ++ai, ++ri;
        if (ai >= rows.size()) {
          problem = "splice positions out of range";
          return;
        }
        next[bi] = rows[ai++];
      }
      for (const auto& u : upd) {
        if (u.first >= n || next[u.first] != u.second) {
          problem = "updated row " + std::to_string(u.second) + " is not at position " + std::to_string(u.first);
          return;
        }
      }
      rows.swap(next);
    }
  }

  std::string compare(const Dataset& d) const {
    if (!problem.empty()) return problem;
    if (total != int64_t(d.expected.size()))
      return "total " + std::to_string(total) + ", expected " + std::to_string(d.expected.size());
    if (rows.size() != d.expected.size())
      return "mirror holds " + std::to_string(rows.size()) + " rows, expected " + std::to_string(d.expected.size());
    for (size_t i = 0; i < rows.size(); ++i) {
      if (rows[i] != d.expected[i].first)
        return "row " + std::to_string(i) + " is id " + std::to_string(rows[i]) + ", expected " +
               std::to_string(d.expected[i].first);
      auto t = text.find(rows[i]);
      if (t == text.end() || t->second != d.expected[i].second)
        return "row " + std::to_string(i) + " (id " + std::to_string(rows[i]) + ") has stale text";
    }
    return {};
  }
};

struct RunResult {
  double seconds = 0;
  double hydrate_ms = 0;  // the list answer's on_http_response and the first drain
  std::vector<double> flush_us;  // the flushing frame's on_message + drain
  size_t drained_bytes = 0, drains = 0, off_schedule = 0;
  Stats stats;
  std::string failure;  // set-up or sanity problem; empty when fine
};

const char* kConfig =
    R"({"baseUrl":"http://x/api","websockets":{"enabled":true,"url":"ws://x/ws",)"
    R"("pubsub":{"models":{"Message":{}}},)"
    // flushInterval: the config accepts at most 60000 ms; at 1 ms per frame a window
    // of 50 frames never reaches it, so every flush is the 50th update's.
    R"("batching":{"enabled":true,"flushInterval":60000,"maxBatchSize":50},)"
    R"("heartbeat":{"enabled":false}}})";

// The timed loop, apart so a profiler can collect just this
// (valgrind --tool=callgrind --toggle-collect='*ingest*').
__attribute__((noinline)) Millis ingest(Engine& engine, const Dataset& d, Mirror* mirror, std::string& out,
                                        RunResult& res) {
  const char* base = d.frames.data();
  size_t n = d.at.size();
  Millis now = 0;
  for (size_t i = 0; i < n; ++i) {
    now = Millis(i + 1);
    std::string_view frame(base + d.at[i].first, d.at[i].second);
    if ((i + 1) % kBatch == 0) {  // this frame fills the batch: the engine flushes inside
      auto f0 = Clock::now();
      engine.on_message(frame, now);
      engine.take_commands();
      out.clear();
      engine.drain(out);
      auto f1 = Clock::now();
      res.flush_us.push_back(micros(f1 - f0));
      res.drained_bytes += out.size();
      ++res.drains;
      if (mirror) mirror->apply(out);
    } else {
      engine.on_message(frame, now);
      if (engine.has_output()) {  // nothing is due here; drain anyway, as the edge would
        ++res.off_schedule;
        out.clear();
        engine.drain(out);
        res.drained_bytes += out.size();
        if (mirror) mirror->apply(out);
      }
    }
  }
  return now;
}

RunResult run_once(const Workload& w, const Dataset& d, Mirror* mirror) {
  RunResult res;
  std::string error;
  auto engine = Engine::create(kConfig, [] { return 0.5; }, error);
  if (!engine) {
    res.failure = "config rejected: " + error;
    return res;
  }
  Millis now = 0;
  engine->connect(now);
  engine->on_open(now);
  engine->take_commands();
  ViewId view = engine->watch("Message", w.filtered ? kFilteredQuery : "{}", now, error);
  if (!view) {
    res.failure = "watch refused: " + error;
    return res;
  }
  RequestId http = 0;
  for (const auto& c : engine->take_commands())
    if (c.type == Command::HttpStart) http = c.http_id;
  if (!http) {
    res.failure = "watch started no HTTP request";
    return res;
  }
  auto h0 = Clock::now();
  engine->on_http_response(http, 200, d.body, now);
  engine->on_message(R"({"type":"subscribed","channel":"Message:list","seq":0})", now);
  std::string out;
  engine->drain(out);
  res.hydrate_ms = std::chrono::duration<double, std::milli>(Clock::now() - h0).count();
  if (mirror) {
    mirror->view = view;
    mirror->apply(out);
    if (mirror->rows.size() != d.view_start)
      res.failure = "hydrated view shows " + std::to_string(mirror->rows.size()) + " rows, expected " +
                    std::to_string(d.view_start);
  }
  size_t hydrated_records = engine->stats().records;
  if (hydrated_records != d.view_start && res.failure.empty())
    res.failure = "store holds " + std::to_string(hydrated_records) + " records after hydration, expected " +
                  std::to_string(d.view_start);

  res.flush_us.reserve(d.at.size() / kBatch + 1);
  auto t0 = Clock::now();
  now = ingest(*engine, d, mirror, out, res);
  res.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  // A partial last batch (when --frames is not a multiple of 50) goes out untimed.
  engine->flush(now);
  out.clear();
  engine->drain(out);
  if (mirror) mirror->apply(out);
  res.stats = engine->stats();

  if (res.failure.empty()) {
    const Stats& s = res.stats;
    if (s.records != d.expected.size())
      res.failure = "store holds " + std::to_string(s.records) + " records, expected " +
                    std::to_string(d.expected.size());
    else if (s.malformed || s.gaps || s.duplicates || s.unknown_frames)
      res.failure = "engine counted malformed " + std::to_string(s.malformed) + ", gaps " + std::to_string(s.gaps) +
                    ", duplicates " + std::to_string(s.duplicates) + ", unknown " + std::to_string(s.unknown_frames);
    else if (s.updates_applied != d.at.size())
      res.failure = "applied " + std::to_string(s.updates_applied) + " of " + std::to_string(d.at.size()) + " updates";
    else if (res.off_schedule)
      res.failure = std::to_string(res.off_schedule) + " outputs outside the 50-frame flushes";
    else if (mirror)
      res.failure = mirror->compare(d);
  }
  return res;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t k = size_t(std::ceil(p * double(v.size())));
  return v[k ? k - 1 : 0];
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

std::string fmt(const char* f, double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, x);
  return buf;
}

std::string rate(double fps) {
  return fps >= 1e6 ? fmt("%.2fM", fps / 1e6) : fps >= 1e4 ? fmt("%.0fk", fps / 1e3) : fmt("%.0f", fps);
}

const char* platform() {
#define SSOT_STR2(x) #x
#define SSOT_STR(x) SSOT_STR2(x)
#ifdef __EMSCRIPTEN__
  return "wasm, built as the runtime ships (-Oz -flto, wasm-opt -aimfs 8; Emscripten " SSOT_STR(__EMSCRIPTEN_major__) "." SSOT_STR(__EMSCRIPTEN_minor__) "." SSOT_STR(
      __EMSCRIPTEN_tiny__) ", clang " SSOT_STR(__clang_major__) "." SSOT_STR(__clang_minor__) ", under node)";
#elif defined(__clang__)
  return "native (clang " SSOT_STR(__clang_major__) "." SSOT_STR(__clang_minor__) ")";
#elif defined(__GNUC__)
  return "native (g++ " __VERSION__ ")";
#else
  return "native";
#endif
}

bool write_file(const std::string& path, const std::string& text) {
#ifdef __EMSCRIPTEN__
  // stdio here is Emscripten's in-memory FS; write through Node's fs instead.
  return EM_ASM_INT(
      {
        try {
          require('fs').writeFileSync(UTF8ToString($0), UTF8ToString($1));
          return 1;
        } catch (e) {
          return 0;
        }
      },
      path.c_str(), text.c_str());
#else
  FILE* f = std::fopen(path.c_str(), "w");
  if (!f) return false;
  bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  return std::fclose(f) == 0 && ok;
#endif
}

}  // namespace

int main(int argc, char** argv) {
  size_t frames = 100000;
  int runs = 5;
  bool verify = true;
  std::string report, only;
  Mix mix;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--frames") frames = size_t(std::strtoull(value().c_str(), nullptr, 10));
    else if (a == "--runs") runs = std::max(1, std::atoi(value().c_str()));
    else if (a == "--report") report = value();
    else if (a == "--only") only = "," + value() + ",";
    else if (a == "--no-verify") verify = false;
    else if (a == "--mix") {
      unsigned u = 0, c = 0, x = 0;
      if (std::sscanf(value().c_str(), "%u/%u/%u", &u, &c, &x) != 3 || u + c + x != 100) {
        std::fprintf(stderr, "--mix wants updated/created/deleted percentages summing to 100, e.g. 50/30/20\n");
        return 2;
      }
      mix = Mix{u, c, x};
    } else {
      std::fprintf(stderr,
                   "usage: %s [--frames N] [--runs R] [--only list-10k,...] [--no-verify] [--mix 50/30/20] "
                   "[--report FILE]\n",
                   argv[0]);
      return 2;
    }
  }
  if (frames < size_t(kBatch)) frames = kBatch;

  std::vector<Workload> ws;
  for (const auto& w : kWorkloads)
    if (only.empty() || only.find("," + std::string(w.name) + ",") != std::string::npos) ws.push_back(w);
  if (ws.empty()) {
    std::fprintf(stderr, "no workload matches --only\n");
    return 2;
  }

  std::fprintf(stderr, "%s: %zu frames, %d runs, flush every %d\n", platform(), frames, runs, kBatch);
  std::vector<Dataset> data;
  for (const auto& w : ws) data.push_back(generate(w, frames, mix));

  std::vector<std::string> failures(ws.size());
  if (verify)  // untimed: also warms the allocator and the code
    for (size_t k = 0; k < ws.size(); ++k) {
      Mirror m;
      RunResult r = run_once(ws[k], data[k], &m);
      failures[k] = r.failure;
      std::fprintf(stderr, "  verify %-20s %s\n", ws[k].name, r.failure.empty() ? "ok" : r.failure.c_str());
    }

  std::vector<std::vector<RunResult>> results(ws.size());
  for (int r = 0; r < runs; ++r)
    for (size_t j = 0; j < ws.size(); ++j) {  // interleaved, starting one further each round
      size_t k = (j + size_t(r)) % ws.size();
      RunResult res = run_once(ws[k], data[k], nullptr);
      std::fprintf(stderr, "  run %d %-20s %s frames/s\n", r + 1, ws[k].name, rate(double(frames) / res.seconds).c_str());
      if (failures[k].empty()) failures[k] = res.failure;
      results[k].push_back(std::move(res));
    }

  std::string t;
  t += "Platform: " + std::string(platform()) + ". " + std::to_string(frames) + " frames per run (" +
       std::to_string(mix.updated) + "% updated / " + std::to_string(mix.created) + "% created / " +
       std::to_string(mix.deleted) + "% deleted), median of " + std::to_string(runs) +
       " runs (interleaved); flush = the 50th update's `on_message` (which flushes) + `drain`; hydrate = "
       "the list answer's `on_http_response` + the `subscribed` frame + the first `drain` (untimed in frames/s).\n\n";
  t += "| workload | view rows start -> end | frame bytes (upsert / all) | frames/s (median) | min - max | "
       "flush mean us | flush p95 us | drained bytes/flush | hydrate ms (median) | final records (expected) | check |\n";
  t += "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n";
  bool ok = true;
  for (size_t k = 0; k < ws.size(); ++k) {
    const Dataset& d = data[k];
    std::vector<double> fps, flush, hydrate;
    size_t bytes = 0, drains = 0;
    for (const auto& r : results[k]) {
      fps.push_back(double(frames) / r.seconds);
      hydrate.push_back(r.hydrate_ms);
      flush.insert(flush.end(), r.flush_us.begin(), r.flush_us.end());
      bytes += r.drained_bytes;
      drains += r.drains;
    }
    double mean = 0;
    for (double f : flush) mean += f;
    mean = flush.empty() ? 0 : mean / double(flush.size());
    size_t records = results[k].empty() ? 0 : results[k].back().stats.records;
    bool good = failures[k].empty();
    ok = ok && good;
    t += "| " + std::string(ws[k].name) + " | " + std::to_string(d.view_start) + " -> " +
         std::to_string(d.expected.size()) + " | " + fmt("%.0f", d.mean_upsert_bytes) + " / " +
         fmt("%.0f", d.mean_frame_bytes) + " | **" + rate(median(fps)) + "** | " +
         rate(*std::min_element(fps.begin(), fps.end())) + " - " + rate(*std::max_element(fps.begin(), fps.end())) +
         " | " + fmt("%.1f", mean) + " | " + fmt("%.1f", percentile(flush, 0.95)) + " | " +
         fmt("%.0f", drains ? double(bytes) / double(drains) : 0) + " | " + fmt("%.1f", median(hydrate)) + " | " +
         std::to_string(records) + " (" +
         std::to_string(d.expected.size()) + ") | " + (good ? (verify ? "ok" : "counts ok") : "FAIL") + " |\n";
  }
  for (size_t k = 0; k < ws.size(); ++k)
    if (!failures[k].empty()) t += "\nFAIL " + std::string(ws[k].name) + ": " + failures[k] + "\n";

  std::fputs(t.c_str(), stdout);
  std::fflush(stdout);
  if (!report.empty() && !write_file(report, t)) {
    std::fprintf(stderr, "cannot write %s\n", report.c_str());
    return 2;
  }
  return ok ? 0 : 1;
}
