// Target 2: a stream of frames and events applied to the Engine with live views open.
//
// A scripted server stands on the other side: a table of Message records, per-channel
// seq counters with a small replay buffer (as demo/server), a socket with a queue of
// frames in flight, and the engine's HTTP requests waiting for an answer. The input is
// a script, one step per line (first character):
//   #<flags>     first line only: b = batching on, s = seed server (no seq anywhere),
//                v = records and deletes carry a version (the change counter)
//   o            the socket opens (the app connects first if the engine gave up)
//   c<code>      the server closes the socket (default 1006)
//   t<ms>        time passes (timers fire at each deadline)
//   d / D        deliver the next queued frame / all of them
//   B<n>         deliver the next n queued frames (default 2) as one batch frame
//   x            the next queued update frame is lost
//   a<k> / A     the server answers pending HTTP request k / all of them
//   p<k>         the server handles request k now (reads/writes its table); `a` delivers it later
//   e<k> <status> <body>  request k gets that status and raw body
//   n<kind><id><room><text><created>  another client changes the table (kind c/u/d)
//   m<kind><id><room><text><created>  this client mutates through the engine API
//   v<slot> / r<slot>  close-or-reopen / refetch a view (slots 0-5);  w<start>,<count> / W  window on slot 2
//   I            close-or-open a second item view (record 5; closed at first)
//   s            the server sends resync for Message:list
//   k<0|1>       the app answers a token request
//   f            the server refuses Message:list from the next subscribe on (Forbidden), or
//                takes it again; a quiet point takes it again (a socket that holds a refusal
//                is closed first, so that the engine subscribes anew)
//   F            the server ends a live Message:list subscription (`unsubscribed`, then
//                `error`, as the reference gateway does when a right is lost) and refuses it
//   R            the subscriptions answered at the head of the queue go out in reverse order,
//                each with its replay (a server may answer two subscriptions in any order)
//   E<flags>     the server restarts: its seqs start over under a new epoch (sent in `subscribed`
//                and list answers, PROTOCOL.md "Epochs"), the socket closes (1012) and every
//                request in flight fails (status 0, even one the server had handled); flag w:
//                from an empty table, ids and versions numbered anew (a fresh database); flag k:
//                the answers the old server had made (`p`) still arrive, later (old epoch)
//   X            the app disconnects;  L / G  one-shot list / get
//   q            quiet point: everything in flight is delivered and answered, then the views
//                are compared with the server's table
//   anything else: a raw frame (any bytes) from the server
//
// Invariants, after every step: commands are sane (frames sent are JSON, only on an open
// socket; HTTP to the configured base URL; mutations carry a mutation id; a cancel names a
// request in flight); the outbox is a JSON array; every view diff fits the mirror's previous
// rows (rebuilt from the outbox only, as the JS side does); each view holds no id twice and
// is sorted by its query (a page only once the refetch it asked for has landed: by design it
// shows a member's new text in place meanwhile, and keeps it if the refetch fails); splice-form views (complete, no take, no
// window) have total == rows and only matching rows; an item view shows its own record; the
// store never holds more records than were ever sent.
// At quiet points (socket open, nothing in flight, no frame lost unnoticed, no raw input
// that changed data): no view is still loading; every ready list view shows exactly the
// server's page for its query, with every record's latest text and total = number of
// matches; an item view shows the record or null. At the end, closing every view leaves no
// record, view or channel behind.
//
// FUZZ_TRACE=1 prints every step, command and outbox.
#include <algorithm>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "fuzz_common.h"
#include "ssot/engine.h"

using namespace ssot;

namespace {

constexpr const char* kBase = "http://api.test/api";
constexpr const char* kList = "Message:list";
constexpr size_t kReplay = 6;  // the server's replay buffer per channel (small: resync is reachable)
constexpr int kItemId = 2;     // the item view's record
constexpr int kMaxDelay = 8000;  // reconnect maxDelay: no retry of the engine waits longer

const char* const kQueries[] = {
    "{}",
    R"({"where":{"roomId":{"lt":2}},"orderBy":{"text":"asc","createdAt":"desc"}})",
    R"({"orderBy":{"createdAt":"asc"}})",  // slot 2: windowed by `w`
    R"({"where":{"roomId":1},"orderBy":{"createdAt":"desc"},"take":3})",
    R"({"orderBy":{"text":"desc"},"skip":1,"take":2})",
};
constexpr int kListSlots = 5;

// The list queries, parsed once (every input uses the same), and the URL each is fetched at.
struct ListQuery {
  Query query;
  std::string url;
};
const ListQuery* list_queries() {
  static const std::vector<ListQuery> all = [] {
    std::vector<ListQuery> v;
    for (const char* text : kQueries) {
      std::string error;
      Query q = *Query::parse(text, error);
      std::string url = std::string(kBase) + "/messages" + q.query_string();
      v.push_back({std::move(q), std::move(url)});
    }
    return v;
  }();
  return all.data();
}
constexpr int kItemSlot = 5;
constexpr int kItemSlot2 = 6;  // toggled by `I` alone: `v` and `r` count slots modulo this
constexpr int kItemId2 = 5;
constexpr int kSlots = 7;
const char* const kTexts[] = {"a", "b", "ab", "", "c\\\"q"};  // JSON-escaped already

std::string config_text(bool batching) {
  return std::string(R"({"baseUrl":"http://api.test/api/","token":"t0","getToken":true,"requestTimeout":5000,
    "websockets":{"enabled":true,"url":"ws://api.test/ws",
      "pubsub":{"models":{"Message":{"subscribe":["list","item"]}},
                "channels":{"chat:room:{roomId}":{"events":["message","typing"]}}},
      "reconnect":{"maxAttempts":3,"backoff":"exponential","baseDelay":1000,"maxDelay":)" + std::to_string(kMaxDelay) + R"(,"jitter":0},
      "batching":)") +
         (batching ? R"({"enabled":true,"flushInterval":50,"maxBatchSize":4})" : R"({"enabled":false})") +
         R"(,"heartbeat":{"interval":20000,"timeout":5000}}})";
}

std::string record(int id, int room, const char* text, int created) {
  return "{\"id\":" + std::to_string(id) + ",\"roomId\":" + std::to_string(room) + ",\"text\":\"" + text +
         "\",\"createdAt\":" + std::to_string(created) + "}";
}

size_t number(std::string_view s, size_t fallback, size_t cap) {
  if (s.empty() || s[0] < '0' || s[0] > '9') return fallback;
  size_t n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') break;
    n = n * 10 + size_t(c - '0');
    if (n > cap) return cap;
  }
  return n;
}

struct Pending {
  RequestId id;
  std::string method, url, body, mutation_id;
  bool cancelled = false;
  bool prepared = false;  // the server has read/written its table for it: the answer waits
  int status = 0;
  std::string answer;
};

struct Slot {
  bool open = false;
  ViewId view = 0;
  const ListQuery* list = nullptr;  // null for an item view
  int item_id = 0;                  // an item view's record
  fuzz::ViewMirror mirror;
  std::string item_status, item_data = "null";
  bool item_seen = false;
  bool page_stale = false;             // a record outside the page left its matches (a page cannot see it)
  std::set<std::string> answered_page;  // ids of the last page the server answered
};

const bool trace = std::getenv("FUZZ_TRACE") != nullptr;  // FUZZ_TRACE=1: print every step

struct Run {
  bool seed = false;
  bool versioned = false;  // records and deletes carry `version` (PROTOCOL ext)
  std::unique_ptr<Engine> engine;
  Millis now = 1000;
  // The server.
  std::map<int, std::string> db;
  int next_id = 20;
  int epoch = 0;  // sent as "e<epoch>"; `E` moves it
  struct Chan {
    int64_t seq = 0;
    std::deque<std::pair<int64_t, std::string>> log;
  };
  std::map<std::string, Chan> chans;
  bool connecting = false, open = false;
  std::set<std::string> subs;
  struct Frame {
    std::string text;
    std::string update;  // an update frame's channel, else "" (kept: no decoding again to lose or deliver it)
  };
  std::deque<Frame> queue;  // frames on their way to the engine
  std::set<std::string> lost;     // channels with a lost update the engine has not noticed
  std::deque<Pending> pending;  // answered mostly from the front
  // By URL: the last write of the record that timed out, while its fetch may run (until
  // answered: the host says it ended; at most kCancelledCallEndsWithinMs).
  std::map<std::string, std::pair<RequestId, Millis>> write_cancelled_at;
  bool refuse_list = false;     // `f`: Message:list subscriptions are refused
  bool list_refused = false;    // the current socket refused one
  // The app side.
  Slot slots[kSlots];
  bool token_requested = false;
  bool clean = true;    // no raw input changed data: the views must equal the table at quiet points
  bool trusted = true;  // every stored record's `id` names it (raw input can break that)
  bool raw_seq = false;  // a raw frame or answer carried a seq
  size_t sent_records = 0;  // an upper bound on the records ever sent to the engine
  int64_t changes = 0;  // every change of the table is numbered (sent as the update's timestamp)

  explicit Run(bool batching, bool seed_server, bool versions) : seed(seed_server), versioned(versions) {
    std::string error;
    engine = Engine::create(config_text(batching), [] { return 0.5; }, error);
    FUZZ_CHECK_MSG(engine != nullptr, error);
    if (seed) clean = false;  // the seed protocol has a hydration race by design
    for (int id = 1; id <= 8; ++id) db[id] = with_version(record(id, id % 3, kTexts[id % 5], 100 + id % 4));
    changes = 1;  // the table's first state counts as a change: every later write is newer
    sent_records = 8;
    for (int s = 0; s < kListSlots; ++s) slots[s].list = &list_queries()[s];
    slots[kItemSlot].item_id = kItemId;
    slots[kItemSlot2].item_id = kItemId2;
    engine->connect(now);
    step();
    for (int s : {0, 1, 2, kItemSlot}) open_slot(s);
  }

  // ---- engine side ----
  void open_slot(int s) {
    Slot& sl = slots[s];
    std::string error;
    sl.view = !sl.list ? engine->watch_item("Message", std::to_string(sl.item_id), now, error)
                       : engine->watch("Message", kQueries[s], now, error);
    FUZZ_CHECK_MSG(sl.view != 0, error);
    sl.open = true;
    sl.mirror = fuzz::ViewMirror();
    sl.item_seen = false;
    sl.item_data = "null";
    sl.page_stale = false;
    step();
    if (s == 2 && window) engine->set_window(sl.view, window, now), step();
  }

  void close_slot(int s) {
    engine->close_view(slots[s].view, now);
    slots[s].open = false;
    step();
  }

  Slot* slot_of(ViewId v) {
    for (auto& s : slots)
      if (s.open && s.view == v) return &s;
    return nullptr;
  }

  void step() {
    for (auto& c : engine->take_commands()) {
      if (trace) std::fprintf(stderr, "  cmd %d %s %s %s\n", int(c.type), c.method.c_str(), c.url.c_str(), c.body.c_str());
      command(c);
    }
    std::string out;
    engine->drain(out);
    if (trace && out.size() > 2) std::fprintf(stderr, "  out %s\n", out.c_str());
    FUZZ_CHECK_MSG(json::valid(out) && json::kind_of(out) == JsonKind::Array, out);
    for (auto entry : fuzz::elements(out)) outbox_entry(entry);
    FUZZ_CHECK(engine->stats().records <= sent_records);
  }

  void outbox_entry(std::string_view e) {
    static const std::string_view keys[] = {"k", "view", "status", "data", "state"};
    std::string_view v[5];
    FUZZ_CHECK(json::find_members(e, keys, 5, v));
    FUZZ_CHECK(!v[0].empty() && json::kind_of(v[0]) == JsonKind::String);
    std::string k;
    json::parse_string(v[0].data(), v[0].data() + v[0].size(), k);
    if (k == "token") token_requested = true;
    if (k == "view") {
      Slot* sl = slot_of(ViewId(fuzz::index_of(v[1])));
      FUZZ_CHECK_MSG(sl != nullptr && sl->list, "an entry for a closed or item view");
      const char* why = sl->mirror.apply(e);
      FUZZ_CHECK_MSG(why == nullptr, std::string(why ? why : "") + ": " + std::string(e));
      check_list(*sl);
    } else if (k == "item") {
      Slot* sl = slot_of(ViewId(fuzz::index_of(v[1])));
      FUZZ_CHECK_MSG(sl != nullptr && !sl->list, "an item entry for a closed or list view");
      FUZZ_CHECK(!v[3].empty() && (v[3] == "null" || json::kind_of(v[3]) == JsonKind::Object));
      sl->item_data = fuzz::slice(v[3]);
      sl->item_status = fuzz::slice(v[2]);
      sl->item_seen = true;
      if (trusted && v[3] != "null") FUZZ_CHECK(fuzz::record_id(v[3]) == std::to_string(sl->item_id));
    }
  }

  // A (re)fetch of this query is in flight.
  bool fetching(const ListQuery& q) const {
    for (const auto& p : pending)
      if (!p.cancelled && p.method == "GET" && p.url == q.url) return true;
    return false;
  }

  void check_list(const Slot& sl) {
    const fuzz::ViewMirror& m = sl.mirror;
    if (m.form == fuzz::ViewMirror::Splice || m.form == fuzz::ViewMirror::Rows) {
      // Splice form: a complete view without take or window shows every member, all matching.
      FUZZ_CHECK_MSG(m.total == int64_t(m.rows.size()),
                     std::to_string(m.total) + " vs " + std::to_string(m.rows.size()));
      FUZZ_CHECK(m.all_match(sl.list->query));
    }
    if (!trusted) return;
    FUZZ_CHECK(!m.lost);
    FUZZ_CHECK(m.distinct_ids());
    // By design (list_view.h) a page shows a member's new text in place while it refetches
    // (it cannot place it): the order is checked once the answer lands (if the refetch fails,
    // the page says so with status error and keeps those rows; a refetch waiting out its
    // backoff has not landed either).
    // A page is what the server answered (the window form), also for a query without
    // skip or take when a (raw) answer held fewer rows than its total.
    bool page = m.form == fuzz::ViewMirror::Window;
    if (page && (fetching(*sl.list) || m.status == "error" || engine->stats().retrying)) return;
    size_t bad = m.first_unsorted(sl.list->query);
    FUZZ_CHECK_MSG(bad == SIZE_MAX, "row " + std::to_string(bad) + " out of order");
  }


  // ---- server side ----
  void command(Command& c) {
    switch (c.type) {
      case Command::OpenSocket:
        FUZZ_CHECK(c.url.rfind("ws://api.test/ws", 0) == 0);
        connecting = true;
        open = false;
        queue.clear();
        subs.clear();
        list_refused = false;
        break;
      case Command::CloseSocket:
        connecting = open = false;
        queue.clear();
        subs.clear();
        list_refused = false;
        break;
      case Command::Send:
        FUZZ_CHECK_MSG(open, "a frame sent on a socket that is not open");
        client_frame(c.body);
        break;
      case Command::HttpStart: {
        if (quieting && c.method == "GET") count_burst();
        FUZZ_CHECK(c.url.rfind(std::string(kBase) + "/messages", 0) == 0);
        FUZZ_CHECK(c.method == "GET" || c.method == "POST" || c.method == "PUT" || c.method == "PATCH" ||
                   c.method == "DELETE");
        // A write of a record waits while another of it is out (it may start after later ids).
        // A cancelled one still counts until its fetch has ended (browsers cannot abort it).
        if (c.method != "GET" && c.method != "POST") {
          for (const auto& other : pending)
            FUZZ_CHECK_MSG(other.cancelled || other.method == "GET" || other.url != c.url, "two writes of a record out at once");
          auto cancelled = write_cancelled_at.find(c.url);
          FUZZ_CHECK_MSG(cancelled == write_cancelled_at.end() || now - cancelled->second.second >= kCancelledCallEndsWithinMs,
                         "a write sent while a cancelled one of its record may still run");
        }
        auto at = std::lower_bound(pending.begin(), pending.end(), c.http_id,
                                   [](const Pending& p, RequestId id) { return p.id < id; });
        FUZZ_CHECK(at == pending.end() || at->id != c.http_id);
        Pending p{c.http_id, c.method, c.url, c.body, {}, false, false, 0, {}};
        for (const auto& h : c.headers)
          if (h.first == "X-Client-Mutation-Id") p.mutation_id = h.second;
        if (c.method != "GET") FUZZ_CHECK(!p.mutation_id.empty());
        pending.insert(at, std::move(p));
        break;
      }
      case Command::HttpCancel: {
        // pending is kept in id order.
        auto it = std::lower_bound(pending.begin(), pending.end(), c.http_id,
                                   [](const Pending& p, RequestId id) { return p.id < id; });
        FUZZ_CHECK_MSG(it != pending.end() && it->id == c.http_id, "cancel of a request not in flight");
        it->cancelled = true;
        if (it->method != "GET") write_cancelled_at[it->url] = {it->id, now};
        break;
      }
    }
  }

  void client_frame(const std::string& text) {
    auto j = Json::parse(text);
    FUZZ_CHECK_MSG(j && j->is_object() && j->get("type") && j->get("type")->is_string(), text);
    const std::string& type = j->get("type")->as_string();
    const Json* ch = j->get("channel");
    if (type == "subscribe") {
      FUZZ_CHECK(ch && ch->is_string());
      const std::string& name = ch->as_string();
      if (name.rfind("Message:item:", 0) == 0 && !db.count(int(number(name.substr(13), 0, 1000000)))) {
        queue.push_back({"{\"type\":\"error\",\"error\":\"Not found\",\"code\":\"not_found\",\"channel\":\"" + name + "\"}", {}});
        return;
      }
      if (refuse_list && name == kList) {
        queue.push_back({"{\"type\":\"error\",\"error\":\"Forbidden\",\"code\":\"forbidden\",\"channel\":\"" + name + "\"}", {}});
        list_refused = true;
        return;
      }
      subs.insert(name);
      Chan& c = chans[name];
      const Json* since = j->get("since");
      if (seed) {
        FUZZ_CHECK(!since || raw_seq);  // the seed server never numbers (a raw frame may have)
        queue.push_back({"{\"type\":\"subscribed\",\"channel\":\"" + name + "\"}", {}});
        lost.erase(name);  // a seed client re-hydrates after every reconnect
        return;
      }
      queue.push_back({"{\"type\":\"subscribed\",\"channel\":\"" + name + "\",\"seq\":" + std::to_string(c.seq) +
                       ",\"epoch\":\"e" + std::to_string(epoch) + "\"}", {}});
      if (!since || since->is_null()) {
        return;
      }
      FUZZ_CHECK(since->is_number() && since->as_number() >= 0);
      int64_t from = int64_t(since->as_number());
      bool ok = from <= c.seq && (from == c.seq || (!c.log.empty() && c.log.front().first <= from + 1));
      if (!ok) {
        queue.push_back({"{\"type\":\"resync\",\"channel\":\"" + name + "\"}", {}});
      } else {
        for (const auto& f : c.log)
          if (f.first > from) queue.push_back({f.second, name});
      }
      lost.erase(name);
    } else if (type == "unsubscribe") {
      FUZZ_CHECK(ch && ch->is_string());
      subs.erase(ch->as_string());
      queue.push_back({"{\"type\":\"unsubscribed\",\"channel\":\"" + ch->as_string() + "\"}", {}});
    } else if (type == "ping") {
      queue.push_back({"{\"type\":\"pong\",\"t\":" + (j->get("t") ? j->get("t")->dump() : std::string("0")) + "}", {}});
    } else if (type == "request") {
      const Json* rid = j->get("requestId");
      FUZZ_CHECK(rid && rid->is_string());
      std::string data = "{\"items\":[";
      for (const auto& r : db) data += (data.back() == '[' ? "" : ",") + r.second;
      data += "],\"total\":" + std::to_string(db.size()) + "}";
      if (j->get("action") && j->get("action")->as_string() == "get") data = db.count(kItemId) ? db[kItemId] : "null";
      queue.push_back({"{\"type\":\"response\",\"requestId\":\"" + rid->as_string() + "\",\"data\":" + data + "}", {}});
    } else {
      FUZZ_CHECK_MSG(type == "publish", text);
    }
  }

  // The record as the server writes it: versioned, with the number of the change to come.
  std::string with_version(std::string rec) const {
    if (!versioned) return rec;
    rec.pop_back();
    return rec + ",\"version\":" + std::to_string(changes + 1) + "}";
  }

  // A change to the table, broadcast on the list channel and the record's item channel.
  void broadcast(int id, const char* change, const std::string& rec, const std::string& mutation_id) {
    ++changes;
    for (const std::string& name : {std::string(kList), "Message:item:" + std::to_string(id)}) {
      Chan& c = chans[name];
      std::string f = "{\"type\":\"update\",\"channel\":\"" + name + "\",\"data\":{\"type\":\"" + change + "\"";
      if (!rec.empty()) f += ",\"data\":" + rec;
      else if (versioned) f += ",\"version\":" + std::to_string(changes);
      f += ",\"id\":" + std::to_string(id) + ",\"timestamp\":" + std::to_string(changes) + "}";
      if (!seed) {
        ++c.seq;
        f += ",\"seq\":" + std::to_string(c.seq);
      }
      if (!mutation_id.empty()) f += ",\"mutationId\":\"" + mutation_id + "\"";
      f += '}';
      if (!seed) {
        c.log.emplace_back(c.seq, f);
        if (c.log.size() > kReplay) c.log.pop_front();
      }
      if (open && subs.count(name)) queue.push_back({f, name});
    }
  }

  bool matches(const Query& q, const std::string& rec) const {
    FieldValues f;
    return q.extract(rec, f) && q.matches(f);
  }

  // What a table row is under each list query (match, sort key), read once per text of
  // the row: pages are computed again after every change, from rows that mostly did not.
  struct RowDerived {
    std::string text;
    bool known[kListSlots] = {};
    bool match[kListSlots] = {};
    FieldValues key[kListSlots];
  };
  std::map<int, RowDerived> derived;

  const RowDerived& derive(int slot, int id, const std::string& text) {
    RowDerived& d = derived[id];
    if (d.text != text) d = RowDerived(), d.text = text;
    if (!d.known[slot]) {
      const Query& q = slots[slot].list->query;
      FieldValues f;
      d.match[slot] = q.extract(text, f) && q.matches(f);
      d.key[slot] = q.sort_key(std::move(f));
      d.known[slot] = true;
    }
    return d;
  }

  // Marks pages that cannot see a change: a record outside them left the matches.
  void before_change(int id, const std::string* next) {
    auto it = db.find(id);
    if (it == db.end()) return;
    for (int s = 0; s < kListSlots; ++s) {
      Slot& sl = slots[s];
      const Query& q = sl.list->query;
      if (!q.paged()) continue;
      bool was = derive(s, id, it->second).match[s], is = next && matches(q, *next);
      if (was && !is && !sl.answered_page.count(std::to_string(id))) sl.page_stale = true;
    }
  }

  void set_record(int id, std::string rec, const std::string& mutation_id) {
    bool existed = db.count(id) > 0;
    rec = with_version(std::move(rec));
    before_change(id, &rec);
    db[id] = rec;
    ++sent_records;
    broadcast(id, existed ? "updated" : "created", rec, mutation_id);
  }

  bool erase_record(int id, const std::string& mutation_id) {
    if (!db.count(id)) return false;
    before_change(id, nullptr);
    db.erase(id);
    broadcast(id, "deleted", "", mutation_id);
    return true;
  }

  // The server's page [skip, skip+take) of a list slot's query (sorted matches of the
  // table; id, record) and the number of matches. Kept until the table changes: a
  // refetch loop asks for the same page many times.
  struct ServerPage {
    int64_t version = -1;  // `changes` when computed
    std::vector<std::pair<std::string, const std::string*>> rows;
    size_t total = 0;
  };
  ServerPage pages[kListSlots];

  const ServerPage& server_page(int slot) {
    ServerPage& pg = pages[slot];
    if (pg.version == changes) return pg;
    const Query& q = slots[slot].list->query;
    std::vector<std::pair<const FieldValues*, std::pair<std::string, const std::string*>>> rows;
    for (const auto& r : db) {
      const RowDerived& d = derive(slot, r.first, r.second);
      if (d.match[slot]) rows.push_back({&d.key[slot], {std::to_string(r.first), &r.second}});
    }
    std::sort(rows.begin(), rows.end(), [&](const auto& a, const auto& b) {
      return q.compare_keys(*a.first, a.second.first, *b.first, b.second.first) < 0;
    });
    size_t from = std::min<size_t>(size_t(q.skip()), rows.size());
    size_t n = rows.size() - from;
    if (q.take()) n = std::min<size_t>(n, size_t(*q.take()));
    pg.rows.clear();
    for (size_t i = from; i < from + n; ++i) pg.rows.push_back(rows[i].second);
    pg.total = rows.size();
    pg.version = changes;
    return pg;
  }

  // The server's answer to one HTTP request, as demo/server would give it.
  void answer(size_t k) {
    Pending p = std::move(pending[k]);
    pending.erase(pending.begin() + long(k));
    prepare(p);
    if (trace) std::fprintf(stderr, "  answer #%u %s %s\n", p.id, p.method.c_str(), p.url.c_str());
    fetch_ended(p);
    engine->on_http_response(p.id, p.status, p.answer, now);
    step();
  }

  // The server handles the request now (reads or changes its table); the answer is
  // delivered later, so a snapshot can be older than frames already on their way.
  void prepare(Pending& p) {
    if (p.prepared) return;
    p.prepared = true;
    if (trace) std::fprintf(stderr, "  prepare #%u %s %s\n", p.id, p.method.c_str(), p.url.c_str());
    std::string path = p.url.substr(std::string(kBase).size() + 9);  // after /messages
    int status = 200;
    std::string body;
    auto fields = p.body.empty() ? std::nullopt : Json::parse(p.body);
    auto field = [&](const char* name, int fallback) {
      const Json* v = fields ? fields->get(name) : nullptr;
      return v && v->is_number() ? int(v->as_number()) : fallback;
    };
    auto text = [&]() {
      const Json* v = fields ? fields->get("text") : nullptr;
      for (const char* t : kTexts)
        if (v && v->is_string() && Json::parse(std::string("\"") + t + "\"")->as_string() == v->as_string()) return t;
      return kTexts[0];
    };
    if (p.method == "POST") {
      FUZZ_CHECK_MSG(path.empty() && fields && fields->is_object(), p.url + " " + p.body);
      int id = next_id++;
      set_record(id, record(id, field("roomId", 0), text(), field("createdAt", 0)), p.mutation_id);
      status = 201;
      body = db[id];
      ++sent_records;
    } else if (p.method == "GET" && (path.empty() || path[0] == '?')) {
      int slot = -1;
      for (int s = 0; s < kListSlots; ++s)
        if (slots[s].list->url == p.url) slot = s;
      FUZZ_CHECK_MSG(slot >= 0, p.url);
      const auto& rows = server_page(slot).rows;
      body = "{\"items\":[";
      for (const auto& r : rows) {
        body += (body.back() == '[' ? "" : ",") + *r.second;
      }
      body += "],\"total\":" + std::to_string(server_page(slot).total);
      if (!seed) body += ",\"seq\":" + std::to_string(chans[kList].seq) + ",\"epoch\":\"e" + std::to_string(epoch) + "\"";
      body += '}';
      if (!p.cancelled) {  // the page the view now holds
        slots[slot].answered_page.clear();
        for (const auto& r : rows) slots[slot].answered_page.insert(r.first);
        slots[slot].page_stale = false;
      }
      sent_records += rows.size();
    } else {
      FUZZ_CHECK_MSG(!path.empty() && path[0] == '/', p.url);
      int id = int(number(path.substr(1), 0, 1000000));
      bool exists = db.count(id) > 0;
      std::string not_found = "{\"error\":\"Message " + std::to_string(id) + " not found\"}";
      if (p.method == "GET") {
        status = exists ? 200 : 404;
        body = exists ? db[id] : not_found;
        if (exists) ++sent_records;
      } else if (p.method == "DELETE") {
        status = erase_record(id, p.mutation_id) ? 204 : 404;
        if (status == 404) body = not_found;
      } else {  // PUT / PATCH
        FUZZ_CHECK(fields && fields->is_object());
        if (!exists) {
          status = 404;
          body = not_found;
        } else {
          set_record(id, record(id, field("roomId", 0), text(), field("createdAt", 0)), p.mutation_id);
          body = db[id];
          ++sent_records;
        }
      }
    }
    p.status = status;
    p.answer = std::move(body);
  }

  // Answered: a cancelled write's fetch has ended, and the host says so (the record's next
  // write may go).
  void fetch_ended(const Pending& p) {
    auto ran = write_cancelled_at.find(p.url);
    if (p.cancelled && ran != write_cancelled_at.end() && ran->second.first == p.id) write_cancelled_at.erase(ran);
  }

  void answer_raw(size_t k, int status, std::string_view body) {
    Pending p = std::move(pending[k]);
    pending.erase(pending.begin() + long(k));
    if (p.method == "GET" && status == 404) clean = false;  // "no such record": maybe not so
    if (status >= 200 && status < 300) {
      clean = false;  // the server said something its table does not hold
      if (body.find("\"seq\"") != std::string_view::npos) raw_seq = true;  // a seed server's client may use it
      if (p.method == "GET" && p.url.size() > std::string(kBase).size() + 9 &&
          p.url[std::string(kBase).size() + 9] == '/' &&
          fuzz::record_id(body) != p.url.substr(std::string(kBase).size() + 10))
        trusted = false;
    }
    sent_records += size_t(std::count(body.begin(), body.end(), '{'));
    fetch_ended(p);
    engine->on_http_response(p.id, status, body, now);
    step();
  }

  // `R`: the answers to subscriptions at the head of the queue (each `subscribed` with the
  // replay or resync after it) in reverse order; each channel's own frames keep theirs.
  void reverse_subscription_answers() {
    std::vector<std::vector<Frame>> groups;
    size_t i = 0;
    while (i < queue.size() && queue[i].text.rfind("{\"type\":\"subscribed\"", 0) == 0) {
      auto j = Json::parse(queue[i].text);
      std::string ch = j && j->get("channel") ? j->get("channel")->as_string() : std::string();
      std::string resync = "{\"type\":\"resync\",\"channel\":\"" + ch + "\"}";
      std::vector<Frame> group{queue[i++]};
      while (i < queue.size() && (queue[i].update == ch || queue[i].text == resync)) group.push_back(queue[i++]);
      groups.push_back(std::move(group));
    }
    queue.erase(queue.begin(), queue.begin() + std::ptrdiff_t(i));
    for (const auto& g : groups) queue.insert(queue.begin(), g.begin(), g.end());
  }

  void deliver() {
    Frame f = std::move(queue.front());
    queue.pop_front();
    if (trace) std::fprintf(stderr, "  deliver %s\n", f.text.c_str());
    if (!f.update.empty()) lost.erase(f.update);  // a gap, if any, shows now
    burst = 0;
    engine->on_message(f.text, now);
    step();
  }

  // A real server batches what it sends in one tick (PROTOCOL.md, batches): up to n
  // queued frames go as one.
  void deliver_batch(size_t n) {
    std::string text = "{\"type\":\"batch\",\"frames\":[";
    for (size_t i = 0; i < n && !queue.empty(); ++i) {
      if (i) text += ',';
      text += queue.front().text;
      if (!queue.front().update.empty()) lost.erase(queue.front().update);
      queue.pop_front();
    }
    text += "]}";
    if (trace) std::fprintf(stderr, "  deliver %s\n", text.c_str());
    burst = 0;
    engine->on_message(text, now);
    step();
  }

  // What a raw frame may do to the model (a batch: what its frames may do). A batch in
  // the gateway's form is read in one pass: its first frames apply even when the rest
  // is damaged, so it counts as data whatever it holds.
  void note_raw(std::string_view f, int depth = 0) {
    if (depth == 0 && f.substr(0, 15) == "{\"type\":\"batch\"") {
      clean = trusted = false;
      raw_seq = true;
      return;
    }
    auto r = decode_server_frame(f);
    if (!r.ok()) return;
    if (r.frame.seq) raw_seq = true;
    if (r.frame.type == FrameType::Update) {
      clean = false;
      if (!r.frame.record.empty() && fuzz::record_id(r.frame.record) != r.frame.id) trusted = false;
    }
    if (r.frame.type == FrameType::Subscribed) clean = false;  // it can move the channel's seq
    std::vector<json::RecordText> frames;
    if (r.frame.type == FrameType::Batch && json::scan_records(r.frame.data, {}, frames))  // nested: read too
      for (const auto& one : frames) note_raw(one.text, 1);
  }

  void raw_frame(std::string_view f) {
    note_raw(f);
    sent_records += size_t(std::count(f.begin(), f.end(), '{'));
    engine->on_message(f, now);
    step();
  }

  void server_close(int code) {
    if (!open && !connecting) return;
    open = connecting = false;
    queue.clear();
    subs.clear();
    list_refused = false;
    engine->on_close(code, now);
    step();
  }

  // `E`: a restart. What the old server had handled but not answered is lost to the client
  // (status 0), or with `keep` arrives later; with `wipe` what it had written is gone too.
  void restart(bool wipe, bool keep) {
    if (seed) return;  // a seed server numbers nothing
    ++epoch;
    for (auto& c : chans) c.second = Chan();
    if (wipe) {
      for (const auto& r : std::map<int, std::string>(db)) before_change(r.first, nullptr);
      db.clear();
      changes = 1;
      next_id = 20;
      for (auto& pg : pages) pg.version = -1;
    }
    std::deque<Pending> kept, failed;
    for (auto& p : pending)  // kept in id order
      (keep && p.prepared ? kept : failed).push_back(std::move(p));
    pending.swap(kept);
    server_close(1012);
    for (auto& p : failed) {
      if (p.cancelled) continue;
      if (trace) std::fprintf(stderr, "  lost #%u %s %s\n", p.id, p.method.c_str(), p.url.c_str());
      engine->on_http_response(p.id, 0, "", now);
      step();
    }
  }

  void accept() {
    if (!connecting) return;
    connecting = false;
    open = true;
    engine->on_open(now);
    step();
  }

  void advance(Millis ms) {
    Millis until = now + ms;
    for (int i = 0; i < 64; ++i) {
      auto d = engine->next_deadline();
      if (!d || *d > until) break;
      now = std::max(now, *d);
      engine->on_timer(now);
      step();
    }
    now = until;
    engine->on_timer(now);
    step();
  }

  void open_socket() {
    ConnState s = engine->state();
    if (s == ConnState::Reconnecting) {
      if (auto d = engine->next_deadline()) advance(std::max<Millis>(0, *d - now));
    } else if (!connecting && !open && s != ConnState::Connecting && s != ConnState::Open) {
      engine->connect(now);
      step();
    }
    accept();
  }

  // At a quiet point only the server acts. Between two frames, in one instant, each view
  // reads at most once for what came before, once more at once when an answer does not
  // settle it, and once when it cannot place what its answer brought: more than 3 reads
  // per view slot in all is a busy loop (bug 45: one page asked 200 times and more).
  bool quieting = false;
  Millis burst_at = -1;
  int burst = 0;  // GETs started at burst_at since the last frame

  void count_burst() {
    if (now != burst_at) burst_at = now, burst = 0;
    FUZZ_CHECK_MSG(++burst <= 3 * kSlots, "a busy loop: GET after GET in one instant, with no frame between");
  }

  // Everything in flight lands; then the views must show the table.
  void quiet() {
    int answers = 0, waits = 0;
    refuse_list = false;
    if (list_refused) server_close(1006);  // the engine subscribes anew on its next socket
    quieting = true;
    burst = 0;
    for (int round = 0; round < 40; ++round) {
      // A cap for raw input that keeps the engine busy (nothing is compared then): 200
      // answers drive it far enough (no corpus input had 100 to 1000 before coming to rest).
      if (!(clean && trusted) && answers >= 200) break;
      bool progress = false;
      if (connecting) accept(), progress = true;
      for (int i = 0; i < 200 && !queue.empty(); ++i) deliver(), progress = true;
      for (int i = 0; i < 50 && !pending.empty(); ++i) {
        if (pending.front().cancelled) pending.erase(pending.begin());
        else answer(0), ++answers;
        progress = true;
      }
      if (token_requested) {
        token_requested = false;
        engine->set_token("t1", true, now);
        step();
        progress = true;
      }
      engine->flush(now);  // views that asked for a refetch start it now
      step();
      if (!pending.empty() || !queue.empty() || connecting) continue;
      if (!progress) {
        ConnState s = engine->state();
        if (s == ConnState::Open && open) {
          // A view that asks to be read again more than once in a row waits its backoff.
          auto d = engine->next_deadline();
          if (!engine->stats().retrying || !d || *d > now + kMaxDelay || ++waits > 12) break;
          advance(std::max<Millis>(1, *d - now));
          continue;
        }
        if (s == ConnState::Reconnecting && engine->next_deadline())
          advance(std::max<Millis>(1, *engine->next_deadline() - now));
        else if (s != ConnState::Connecting) open_socket();
        else break;
      }
    }
    quieting = false;
    // With a consistent server every refetch ends: the engine must come to rest.
    if (clean && trusted) FUZZ_CHECK_MSG(answers < 1500, "the engine keeps refetching");
    if (!clean || !trusted || !open || engine->state() != ConnState::Open || !queue.empty() || !pending.empty() ||
        !lost.empty())
      return;
    for (int s = 0; s < kSlots; ++s) {
      Slot& sl = slots[s];
      if (!sl.open) continue;
      if (!sl.list) {
        FUZZ_CHECK_MSG(sl.item_seen && sl.item_status != "\"loading\"", "the item view is still loading");
        if (sl.item_status != "\"ready\"") continue;
        std::string expected = db.count(sl.item_id) ? db[sl.item_id] : "null";
        FUZZ_CHECK_MSG(sl.item_data == expected, sl.item_data + " vs " + expected);
        continue;
      }
      const fuzz::ViewMirror& m = sl.mirror;
      // Everything was answered: no view is still loading.
      FUZZ_CHECK_MSG(m.status == "ready" || m.status == "error", "slot " + std::to_string(s) + " status '" + m.status + "'");
      if (m.status != "ready" || sl.page_stale) continue;
      const auto& rows = server_page(s).rows;
      size_t start = 0, n = rows.size();
      if (s == 2 && window) {
        start = std::min(window->first, rows.size());
        n = std::min(window->second, rows.size() - start);
      }
      std::string want, got;
      for (size_t i = start; i < start + n; ++i) want += rows[i].first + " ";
      for (const auto& id : m.ids) got += id + " ";
      FUZZ_CHECK_MSG(want == got, "slot " + std::to_string(s) + ": table [" + want + "] view [" + got + "]");
      for (size_t i = 0; i < n; ++i) FUZZ_CHECK_MSG(m.rows[i] == *rows[start + i].second, m.rows[i]);
      FUZZ_CHECK_MSG(m.total == int64_t(server_page(s).total),
                     "slot " + std::to_string(s) + " total " + std::to_string(m.total));
    }
  }

  std::optional<std::pair<size_t, size_t>> window;

  void finish() {
    quiet();
    for (int s = 0; s < kSlots; ++s)
      if (slots[s].open) close_slot(s);
    Stats st = engine->stats();
    FUZZ_CHECK_MSG(st.records == 0, std::to_string(st.records) + " records left after closing every view");
    FUZZ_CHECK(st.views == 0);
    FUZZ_CHECK_MSG(st.channels == 0, std::to_string(st.channels) + " channels left");
  }

  // ---- the script ----
  // <kind c|u|d><id 1-9, 0 = 10><room 0-2><text 0-4><created 0-4>; other bytes count modulo.
  void mutation_spec(std::string_view a, int& kind, int& id, int& room, const char*& text, int& created) {
    auto dig = [&](size_t i) {
      int c = i < a.size() ? uint8_t(a[i]) : 0;
      return c >= '0' && c <= '9' ? c - '0' : c;
    };
    int k = a.empty() ? 0 : uint8_t(a[0]);
    kind = k == 'c' ? 0 : k == 'u' ? 1 : k == 'd' ? 2 : k % 3;
    id = dig(1) % 10 == 0 ? 10 : dig(1) % 10;
    room = dig(2) % 3;
    text = kTexts[dig(3) % 5];
    created = 100 + dig(4) % 5;
  }

  void line(std::string_view l) {
    if (trace) std::fprintf(stderr, "> %.*s\n", int(std::min<size_t>(l.size(), 200)), l.data());
    char op = l.empty() ? '\0' : l[0];
    std::string_view arg = l.empty() ? l : l.substr(1);
    std::string error;
    switch (op) {
      case 'o': open_socket(); return;
      case 'c': server_close(int(number(arg, 1006, 5000))); return;
      case 't': advance(Millis(number(arg, 100, 120000))); return;
      case 'd': if (!queue.empty()) deliver(); return;
      case 'D': for (int i = 0; i < 100 && !queue.empty(); ++i) deliver(); return;
      case 'B': if (!queue.empty()) deliver_batch(size_t(number(arg, 2, 50))); return;
      case 'x':
        for (auto it = queue.begin(); it != queue.end(); ++it) {
          if (!it->update.empty()) {
            lost.insert(it->update);
            queue.erase(it);
            break;
          }
        }
        return;
      case 'a': if (!pending.empty()) answer(number(arg, 0, 1000) % pending.size()); return;
      case 'A': for (int i = 0; i < 20 && !pending.empty(); ++i) answer(0); return;
      case 'p': if (!pending.empty()) prepare(pending[number(arg, 0, 1000) % pending.size()]); return;
      case 'e': {
        if (pending.empty()) return;
        size_t sp = arg.find(' ');
        size_t k = number(arg, 0, 1000) % pending.size();
        std::string_view rest = sp == std::string_view::npos ? std::string_view() : arg.substr(sp + 1);
        size_t sp2 = rest.find(' ');
        int status = int(number(rest, 500, 999));
        answer_raw(k, status, sp2 == std::string_view::npos ? std::string_view() : rest.substr(sp2 + 1));
        return;
      }
      case 'n': {
        int kind, id, room, created;
        const char* text;
        mutation_spec(arg, kind, id, room, text, created);
        if (kind == 2) erase_record(id, "");
        else set_record(id, record(id, room, text, created), "");
        return;
      }
      case 'm': {
        int kind, id, room, created;
        const char* text;
        mutation_spec(arg, kind, id, room, text, created);
        std::string body = "{\"roomId\":" + std::to_string(room) + ",\"text\":\"" + text +
                           "\",\"createdAt\":" + std::to_string(created) + "}";
        RequestId r = kind == 0 ? engine->create("Message", body, now, error)
                      : kind == 1 ? engine->update("Message", std::to_string(id), body, arg.size() > 5, now, error)
                                  : engine->remove("Message", std::to_string(id), now, error);
        FUZZ_CHECK_MSG(r != 0, error);
        step();
        return;
      }
      case 'v': {
        int s = int(number(arg, 0, 100) % kItemSlot2);
        if (slots[s].open) close_slot(s);
        else open_slot(s);
        return;
      }
      case 'r': {
        int s = int(number(arg, 0, 100) % kItemSlot2);
        if (slots[s].open) engine->refetch(slots[s].view, now), step();
        return;
      }
      case 'w': {
        size_t comma = arg.find(',');
        window = std::make_pair(number(arg, 0, 1000), comma == std::string_view::npos ? 3 : number(arg.substr(comma + 1), 3, 1000));
        if (slots[2].open) engine->set_window(slots[2].view, window, now), step();
        return;
      }
      case 'I':
        if (slots[kItemSlot2].open) close_slot(kItemSlot2);
        else open_slot(kItemSlot2);
        return;
      case 'W':
        window.reset();
        if (slots[2].open) engine->set_window(slots[2].view, std::nullopt, now), step();
        return;
      case 's':
        if (open && subs.count(kList)) queue.push_back({"{\"type\":\"resync\",\"channel\":\"Message:list\"}", {}});
        return;
      case 'k':
        if (token_requested) {
          token_requested = false;
          engine->set_token("t1", arg.empty() || arg[0] != '0', now);
          step();
        }
        return;
      case 'X':
        engine->disconnect(now);
        open = connecting = false;
        queue.clear();
        subs.clear();
        list_refused = false;
        step();
        return;
      case 'L': FUZZ_CHECK(engine->list("Message", kQueries[1], now, error) != 0); step(); return;
      case 'G': FUZZ_CHECK(engine->get("Message", std::to_string(kItemId), now, error) != 0); step(); return;
      case 'f': refuse_list = !refuse_list; return;
      case 'R': reverse_subscription_answers(); return;
      case 'E': restart(arg.find('w') != std::string_view::npos, arg.find('k') != std::string_view::npos); return;
      case 'F':
        refuse_list = true;
        if (!open || !subs.erase(kList)) return;
        queue.push_back({"{\"type\":\"unsubscribed\",\"channel\":\"Message:list\"}", {}});
        queue.push_back({"{\"type\":\"error\",\"error\":\"Unauthorized\",\"code\":\"unauthorized\",\"channel\":\"Message:list\"}", {}});
        list_refused = true;
        return;
      case 'q': quiet(); return;
      default: raw_frame(l); return;
    }
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> lines;
  for (size_t p = 0; p < in.size();) {
    size_t nl = in.find('\n', p);
    if (nl == std::string_view::npos) nl = in.size();
    lines.push_back(in.substr(p, nl - p));
    p = nl + 1;
  }
  bool batching = false, seed = false, versioned = false;
  size_t first = 0;
  if (!lines.empty() && !lines[0].empty() && lines[0][0] == '#') {
    batching = lines[0].find('b') != std::string_view::npos;
    seed = lines[0].find('s') != std::string_view::npos;
    versioned = lines[0].find('v') != std::string_view::npos;
    first = 1;
  }
  Run run(batching, seed, versioned);
  for (size_t i = first; i < lines.size() && i < first + 300; ++i) run.line(lines[i]);
  run.finish();
  return 0;
}
