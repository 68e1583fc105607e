#pragma once
// Drives an Engine like the platform edge would, with a fake clock and a scripted
// server, and mirrors each view the way the JS side applies the outbox.
#include <map>
#include <string>
#include <vector>

#include "ssot/engine.h"

namespace ssot::test {

inline std::string default_config(const std::string& batching = R"({"enabled":false})") {
  return R"({"baseUrl":"http://api.test/api","token":"t0","getToken":true,"requestTimeout":5000,
    "websockets":{"enabled":true,"url":"ws://api.test/ws",
      "pubsub":{"models":{"Message":{"subscribe":["list","item"]},"Product":{}},
                "channels":{"chat:room:{roomId}":{"events":["message","typing"]}}},
      "reconnect":{"maxAttempts":3,"backoff":"exponential","baseDelay":1000,"maxDelay":8000,"jitter":0},
      "batching":)" + batching + R"(,"heartbeat":{"interval":20000,"timeout":5000}}})";
}

inline std::string msg(int id, const std::string& text, int room = 1, int created = 0) {
  return "{\"id\":" + std::to_string(id) + ",\"roomId\":" + std::to_string(room) + ",\"text\":\"" + text +
         "\",\"createdAt\":" + std::to_string(created ? created : id) + "}";
}

// A record carrying its version (ext): no createdAt.
inline std::string vmsg(int id, const std::string& text, int version) {
  return "{\"id\":" + std::to_string(id) + ",\"roomId\":1,\"text\":\"" + text + "\",\"version\":" +
         std::to_string(version) + "}";
}

inline std::string update(const std::string& channel, const std::string& change, const std::string& record, int id,
                          int seq = -1, const std::string& mutation = "") {
  std::string f = "{\"type\":\"update\",\"channel\":\"" + channel + "\",\"data\":{\"type\":\"" + change + "\"";
  if (!record.empty()) f += ",\"data\":" + record;
  f += ",\"id\":" + std::to_string(id) + ",\"timestamp\":1}";
  if (seq >= 0) f += ",\"seq\":" + std::to_string(seq);
  if (!mutation.empty()) f += ",\"mutationId\":\"" + mutation + "\"";
  return f + "}";
}

inline std::string subscribed(const std::string& channel, int seq = -1) {
  std::string f = "{\"type\":\"subscribed\",\"channel\":\"" + channel + "\"";
  if (seq >= 0) f += ",\"seq\":" + std::to_string(seq);
  return f + "}";
}

// What the JS side holds for one list view, rebuilt from the outbox alone.
// A request's header ("" when it has none of that name).
inline std::string header(const Command& c, const std::string& name) {
  for (const auto& h : c.headers)
    if (h.first == name) return h.second;
  return "";
}

struct Mirror {
  std::vector<std::string> rows;  // record JSON as dumped by Json
  std::vector<std::string> pending;  // ids (JSON) of rows awaiting confirmation
  int64_t total = -1;
  std::string status, error;
  int changes = 0;

  void apply(const Json& c) {
    ++changes;
    total = int64_t(c.get("total")->as_number());
    status = c.get("status")->as_string();
    error = c.get("error")->is_string() ? c.get("error")->as_string() : "";
    if (const Json* p = c.get("pending")) {
      pending.clear();
      for (const auto& id : p->items()) pending.push_back(id.dump());
    }
    if (const Json* ids = c.get("ids")) {  // window form
      std::map<std::string, std::string> old;
      for (const auto& r : rows) old[Json::parse(r)->get("id")->dump()] = r;
      std::vector<std::string> next;
      for (const auto& id : ids->items()) next.push_back(old.count(id.dump()) ? old[id.dump()] : "?");
      for (const auto& r : c.get("rows")->items()) next[size_t(r.items()[0].as_number())] = r.items()[1].dump();
      rows = next;
      return;
    }
    if (!c.get("removed")) {  // first rows
      rows.clear();
      for (const auto& r : c.get("rows")->items()) rows.push_back(r.dump());
      return;
    }
    std::vector<size_t> removed;
    for (const auto& r : c.get("removed")->items()) removed.push_back(size_t(r.as_number()));
    const auto& ins = c.get("inserted")->items();
    size_t n = rows.size() - removed.size() + ins.size();
    std::vector<std::string> next(n);
    size_t ai = 0, ri = 0, ii = 0;
    for (size_t bi = 0; bi < n; ++bi) {
      if (ii < ins.size() && size_t(ins[ii].items()[0].as_number()) == bi) {
        next[bi] = ins[ii++].items()[1].dump();
        continue;
      }
      while (ri < removed.size() && removed[ri] == ai) ++ai, ++ri;
      next[bi] = rows[ai++];
    }
    for (const auto& u : c.get("updated")->items()) next[size_t(u.items()[0].as_number())] = u.items()[1].dump();
    rows = next;
  }
  std::vector<int> ids() const {
    std::vector<int> out;
    for (const auto& r : rows) out.push_back(int(Json::parse(r)->get("id")->as_number()));
    return out;
  }
};

struct Harness {
  std::unique_ptr<Engine> engine;
  Millis now = 0;
  std::vector<Command> commands;   // everything the engine asked for, in order
  std::vector<Json> outbox;        // every outbox entry, in order
  std::map<ViewId, Mirror> mirrors;

  explicit Harness(const std::string& config = default_config()) {
    std::string error;
    engine = Engine::create(config, [] { return 0.5; }, error);
    if (!engine) throw std::runtime_error("config: " + error);
  }

  void step() {
    for (auto& c : engine->take_commands()) commands.push_back(std::move(c));
    std::string out;
    engine->drain(out);
    auto parsed = Json::parse(out);
    if (!parsed) throw std::runtime_error("outbox is not JSON: " + out);
    for (const auto& e : parsed->items()) {
      if (e.get("k")->as_string() == "view") mirrors[ViewId(e.get("view")->as_number())].apply(e);
      outbox.push_back(e);
    }
  }
  void open() {
    engine->connect(now);
    step();
    engine->on_open(now);
    step();
  }
  void frame(const std::string& text) {
    engine->on_message(text, now);
    step();
  }
  void close(int code) {
    engine->on_close(code, now);
    step();
  }
  // Moves the fake clock, firing the timer at every deadline on the way.
  void advance(Millis ms) {
    Millis until = now + ms;
    for (auto d = engine->next_deadline(); d && *d <= until; d = engine->next_deadline()) {
      now = std::max(now, *d);
      engine->on_timer(now);
      step();
    }
    now = until;
    engine->on_timer(now);
    step();
  }
  ViewId watch(const std::string& model, const std::string& query = "{}") {
    std::string error;
    ViewId id = engine->watch(model, query, now, error);
    if (!id) throw std::runtime_error(error);
    step();
    return id;
  }
  // The HTTP requests started so far that have not been answered by respond().
  std::vector<Command> http(const std::string& method = "") {
    std::vector<Command> out;
    for (const auto& c : commands)
      if (c.type == Command::HttpStart && !answered.count(c.http_id) && (method.empty() || c.method == method))
        out.push_back(c);
    return out;
  }
  void respond(RequestId id, int status, const std::string& body) {
    answered[id] = true;
    engine->on_http_response(id, status, body, now);
    step();
  }
  std::vector<std::string> sent() const {
    std::vector<std::string> out;
    for (const auto& c : commands)
      if (c.type == Command::Send) out.push_back(c.body);
    return out;
  }
  // The last frame sent that subscribes to `channel` ("" when none): channels subscribe in
  // no particular order.
  std::string subscribe_of(const std::string& channel) const {
    std::string found;
    for (const auto& s : sent())
      if (s.find("\"type\":\"subscribe\",\"channel\":\"" + channel + "\"") != std::string::npos) found = s;
    return found;
  }
  int count(Command::Type type) const {
    int n = 0;
    for (const auto& c : commands) n += c.type == type;
    return n;
  }
  std::vector<const Json*> entries(const std::string& kind) const {
    std::vector<const Json*> out;
    for (const auto& e : outbox)
      if (e.get("k")->as_string() == kind) out.push_back(&e);
    return out;
  }
  std::string conn_state() const {
    auto states = entries("conn");
    return states.empty() ? "idle" : states.back()->get("state")->as_string();
  }
  std::map<RequestId, bool> answered;
};

// A row's (record JSON's) text.
inline std::string text_of(const std::string& row) { return Json::parse(row)->get("text")->as_string(); }

// The text of record `id` in view `v`'s rows, "<absent>" when it has none.
inline std::string row_text(Harness& h, ViewId v, int id) {
  for (const auto& r : h.mirrors[v].rows)
    if (int(Json::parse(r)->get("id")->as_number()) == id) return text_of(r);
  return "<absent>";
}

// The text of the record item view `id` was last told of: "null" for none, "<none>"
// before it was told anything.
inline std::string item_text(Harness& h, ViewId id) {
  std::string t = "<none>";
  for (auto* e : h.entries("item"))
    if (ViewId(e->get("view")->as_number()) == id) {
      const Json* d = e->get("data");
      t = d && d->is_object() ? d->get("text")->as_string() : "null";
    }
  return t;
}

inline std::string list_body(const std::vector<std::string>& records, int seq = -1, int total = -1) {
  std::string b = "{\"items\":[";
  for (size_t i = 0; i < records.size(); ++i) b += (i ? "," : "") + records[i];
  b += "],\"total\":" + std::to_string(total >= 0 ? total : int(records.size()));
  if (seq >= 0) b += ",\"seq\":" + std::to_string(seq);
  return b + "}";
}

// The socket drops (1006) and opens again after the first reconnect delay: every
// channel is subscribed again.
inline void reconnect(Harness& h) {
  h.close(1006);
  h.advance(1000);
  h.engine->on_open(h.now);
  h.step();
}

// Lets time pass, 50 ms at a time, until a GET starts (at most 20 s).
inline void advance_until_get(Harness& h) {
  for (int ms = 0; ms < 20000 && h.http("GET").empty(); ms += 50) h.advance(50);
}

// Answers the item GETs still pending (re-reads of a GET that started before the
// channels confirmed) with `record`.
inline void answer_item_gets(Harness& h, const std::string& record) {
  for (const auto& c : h.http("GET"))
    if (c.url.find("/messages/") != std::string::npos) h.respond(c.http_id, 200, record);
}

// Answers every GET pending, and those they lead to (four rounds at most): an item's with
// `record`, a list's with `list`.
inline void answer_gets(Harness& h, const std::string& record, const std::string& list) {
  for (int i = 0; i < 4 && !h.http("GET").empty(); ++i)
    for (const auto& c : h.http("GET"))
      h.respond(c.http_id, 200, c.url.find("/messages/") != std::string::npos ? record : list);
}

// An open client with a `Message` list view of `query` (record `row`, at seq 10) and an item
// view of record 5 whose GET is out (`get`), its own channel confirmed; returns the list view.
inline ViewId list_and_item_reading(Harness& h, ViewId& item, RequestId& get, const std::string& query = "{}",
                                    const std::string& row = msg(1, "a")) {
  h.open();
  ViewId list = h.watch("Message", query);
  h.frame(subscribed("Message:list", 10));
  h.respond(h.http("GET").back().http_id, 200, list_body({row}, 10));
  std::string error;
  item = h.engine->watch_item("Message", "5", h.now, error);
  h.step();
  h.frame(subscribed("Message:item:5", 0));
  get = h.http("GET").back().http_id;
  return list;
}

// The list's numbering starts over (a seq below ours, on the next socket); the list views'
// reads are answered with `row` at seq 0.
inline void list_numbered_anew(Harness& h, const std::string& row = msg(1, "a")) {
  reconnect(h);
  h.frame(subscribed("Message:list", 0));
  for (auto& c : h.http("GET"))
    if (c.url.find("/messages/") == std::string::npos) h.respond(c.http_id, 200, list_body({row}, 0));
}

// An open client with a `Message` list view (hydrated with `rows` at `seq`) and an item
// view of record 2 (`item`), both channels confirmed; returns the list view.
inline ViewId live_list_and_item(Harness& h, int seq, const std::vector<std::string>& rows,
                                 const std::string& item = msg(2, "b")) {
  h.open();
  ViewId list = h.watch("Message");
  std::string error;
  h.engine->watch_item("Message", "2", h.now, error);
  h.frame(subscribed("Message:list", seq));
  h.frame(subscribed("Message:item:2", 0));
  auto gets = h.http("GET");
  h.respond(gets[0].http_id, 200, list_body(rows, seq));
  h.respond(gets[1].http_id, 200, item);
  answer_item_gets(h, item);
  return list;
}

}  // namespace ssot::test
