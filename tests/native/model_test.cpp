// The randomized model test: the engine (store + views + optimistic layer) driven by
// a simulated server in random interleavings, every view checked after every step
// against the reference model, and equal to it whenever the network is quiet.
//   after every step: rows sorted and filtered by the view's query (as shown), no id
//     twice, `pending` = exactly the shown rows that carry our unconfirmed writes;
//   at quiet points (every frame and answer delivered): rows = the server's result.
// A fixed seed set runs in `npm test`; SSOT_MODEL_SEEDS / SSOT_MODEL_STEPS make it long.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <set>

#include "model_sim.h"

using namespace ssot;
using namespace ssot::test;

namespace {

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoi(v) : fallback;
}

const bool kTrace = std::getenv("SSOT_MODEL_TRACE") != nullptr;
void trace(const std::string& what) {
  if (kTrace) std::fprintf(stderr, "%s\n", what.c_str());
}


struct Request {
  Command command;
  bool processed = false;
  int status = 0;
  std::string body;
};

class ModelRun {
 public:
  // `refused`: the server refuses the list channel: views learn of changes only by their
  // reads and our writes' answers (Engine::read_again_since), and read again when quiet.
  ModelRun(uint32_t seed, bool refused = false) : rng_(seed), h_(default_config()), refused_(refused) {
    server_.restart(rng_, generation_++);
    queries_ = sim_queries();
    h_.open();
    for (const auto& q : queries_) views_.push_back(h_.watch("Message", q.json));
  }

  void step() {
    collect();
    switch (rng_() % 16) {
      case 0: case 1: case 2: deliver_frame(); break;
      case 3: case 4: process_request(); break;
      case 5: case 6: answer_request(); break;
      case 7: someone_writes(); break;
      case 8: case 9: we_write(); break;
      case 10: duplicate_frame(); break;
      case 11: if (rng_() % 4 == 0) lose_frame(); break;
      case 12: if (rng_() % 6 == 0) cut_socket(); break;
      case 13: if (rng_() % 25 == 0) restart_server(); break;
      case 14: h_.advance(int(rng_() % 400)); break;
      default: if (rng_() % 8 == 0) h_.engine->refetch(views_[rng_() % views_.size()], h_.now); h_.step(); break;
    }
    collect();
    check_structure();
  }

  // Everything in flight arrives; then every view equals the server.
  void quiesce_and_compare() {
    trace("quiesce");
    if (refused_) {  // no channel tells the views what others wrote: a read, after every write
      while (!requests_.empty()) answer(requests_.begin()->first);
      for (ViewId v : views_) h_.engine->refetch(v, h_.now);
      h_.step();
    }
    for (int round = 0, idle = 0; round < 400 && idle < 2; ++round) {
      collect();
      if (socket_open_ && !frames_.empty()) { deliver_frame(); idle = 0; continue; }
      if (!requests_.empty()) { answer(requests_.begin()->first); idle = 0; continue; }
      size_t before = h_.commands.size();
      h_.advance(5000);  // reconnects and retries that wait for their time
      idle = h_.commands.size() == before ? idle + 1 : 0;
    }
    h_.advance(1);  // flushes what batching held
    collect();
    REQUIRE(requests_.empty());
    for (size_t i = 0; i < views_.size(); ++i) {
      INFO("view " << queries_[i].json << " epoch " << server_.epoch);
      std::vector<std::string> want;
      for (const auto& r : queries_[i].rows(server_.records)) want.push_back(Json::parse(r)->dump());
      CHECK(h_.mirrors[views_[i]].rows == want);
      CHECK(h_.mirrors[views_[i]].pending.empty());
    }
  }

 private:
  // Picks up what the engine asked for: sockets opened, frames sent, HTTP started.
  void collect() {
    for (; seen_ < h_.commands.size(); ++seen_) {
      const Command& c = h_.commands[seen_];
      if (c.type == Command::OpenSocket) open_socket();
      else if (c.type == Command::CloseSocket) socket_open_ = false, frames_.clear();
      else if (c.type == Command::Send && socket_open_) on_client_frame(c.body);
      else if (c.type == Command::HttpStart) {
        trace("request " + c.method + " " + c.url + " " + c.body);
        requests_[c.http_id] = Request{c, false, 0, {}};
      }
      else if (c.type == Command::HttpCancel) requests_.erase(c.http_id);
    }
  }
  void open_socket() {
    socket_open_ = true;
    frames_.clear();
    last_frame_.clear();  // a duplicate comes on the socket that carried the original
    h_.engine->on_open(h_.now);
    h_.step();
  }
  void on_client_frame(const std::string& text) {
    auto f = Json::parse(text);
    if (f && f->get("type")->as_string() == "ping") frames_.push_back(R"({"type":"pong"})");
    if (!f || f->get("type")->as_string() != "subscribe") return;
    if (refused_) return frames_.push_back(R"({"type":"error","channel":"Message:list","error":"Unauthorized"})");
    frames_.push_back("{\"type\":\"subscribed\",\"channel\":\"Message:list\",\"seq\":" + std::to_string(server_.seq) +
                      ",\"epoch\":\"" + server_.epoch + "\"}");
    if (const Json* since = f->get("since")) {
      std::vector<std::string> replay;
      if (server_.replay(int64_t(since->as_number()), replay)) frames_.insert(frames_.end(), replay.begin(), replay.end());
      else frames_.push_back(R"({"type":"resync","channel":"Message:list"})");
    }
  }
  void broadcast(const std::string& frame) {
    if (socket_open_ && subscribed()) frames_.push_back(frame);
  }
  bool subscribed() const { return !refused_; }  // the views keep Message:list wanted all along

  void trace_records() {
    std::string all = "server now:";
    for (const auto& r : server_.records) all += " " + sim_json(r.first, r.second);
    trace(all);
  }
  void deliver_frame() {
    if (frames_.empty()) return;
    last_frame_ = frames_.front();
    frames_.pop_front();
    trace("frame " + last_frame_);
    h_.frame(last_frame_);
  }
  void duplicate_frame() {
    if (!last_frame_.empty() && socket_open_ && last_frame_.find("\"update\"") != std::string::npos) {
      trace("again " + last_frame_);
      h_.frame(last_frame_);
    }
  }
  void lose_frame() {
    if (frames_.size() > 1 && frames_.front().find("\"update\"") != std::string::npos) {
      trace("lost " + frames_.front());
      frames_.pop_front();
    }
  }
  void cut_socket() {
    if (!socket_open_) return;
    trace("cut");
    socket_open_ = false;
    frames_.clear();
    last_frame_.clear();
    h_.close(1006);
  }
  void restart_server() {
    // The process dies: its sockets and HTTP exchanges with it; a fresh database.
    for (auto& r : requests_) h_.respond(r.first, 0, "");
    requests_.clear();
    server_.restart(rng_, generation_++);
    trace("restart: epoch " + server_.epoch);
    cut_socket();
  }

  void someone_writes() {
    int kind = int(rng_() % 3);
    if (kind == 0 || server_.records.empty()) {
      int id = server_.create(int(rng_() % 2) + 1, server_.pick_text(rng_));
      return broadcast(server_.emit("created", id));
    }
    auto it = std::next(server_.records.begin(), long(rng_() % server_.records.size()));
    int id = it->first;
    if (kind == 1 && server_.update(id, server_.pick_text(rng_))) return broadcast(server_.emit("updated", id));
    if (server_.remove(id)) broadcast(server_.emit("deleted", id));
  }

  void we_write() {
    std::string error;
    bool optimistic = rng_() % 3 != 0;
    int kind = int(rng_() % 3);
    if (kind == 0 || server_.records.empty()) {
      std::string body = "{\"roomId\":" + std::to_string(rng_() % 2 + 1) + ",\"text\":";
      json::append_string(body, server_.pick_text(rng_));
      body += "}";
      h_.engine->create("Message", body, h_.now, error, optimistic ? std::optional<std::string_view>("") : std::nullopt);
    } else {
      int id = std::next(server_.records.begin(), long(rng_() % server_.records.size()))->first;
      std::string body = "{\"text\":";
      json::append_string(body, server_.pick_text(rng_));
      body += "}";
      if (kind == 1) h_.engine->update("Message", std::to_string(id), body, true, h_.now, error, optimistic);
      else h_.engine->remove("Message", std::to_string(id), h_.now, error, optimistic);
    }
    h_.step();
  }

  void process_request() {
    if (requests_.empty()) return;
    auto it = std::next(requests_.begin(), long(rng_() % requests_.size()));
    if (!it->second.processed) process(it->second);
  }
  void answer_request() {
    std::vector<RequestId> ready;
    for (auto& r : requests_)
      if (r.second.processed) ready.push_back(r.first);
    if (!ready.empty()) answer(ready[rng_() % ready.size()]);
  }
  void answer(RequestId id) {
    Request r = requests_.at(id);
    if (!r.processed) process(r);
    requests_.erase(id);
    trace("answer " + r.command.method + " " + r.command.url + " " + std::to_string(r.status) + " " + r.body);
    h_.respond(id, r.status, r.body);
  }

  // The server reads or writes now; the answer travels later.
  void process(Request& r) {
    r.processed = true;
    const Command& c = r.command;
    trace("process " + c.method + " " + c.url);
    if (c.method == "GET") return read(r);
    if (rng_() % 6 == 0) {  // refused: nothing written
      r.status = 500;
      r.body = R"({"error":"refused by the simulation"})";
      return;
    }
    std::string mid = header(c, "X-Client-Mutation-Id");
    auto body = Json::parse(c.body.empty() ? "{}" : c.body);
    int id = c.method == "POST" ? 0 : std::atoi(c.url.substr(c.url.rfind('/') + 1).c_str());
    if (c.method == "POST") {
      id = server_.create(int(body->get("roomId")->as_number()), body->get("text")->as_string());
      broadcast(server_.emit("created", id, mid));
    } else if (c.method == "PATCH" && server_.update(id, body->get("text")->as_string())) {
      broadcast(server_.emit("updated", id, mid));
    } else if (c.method == "DELETE" && server_.remove(id)) {
      broadcast(server_.emit("deleted", id, mid));
      r.status = 204;
      return;
    } else {
      r.status = 404;
      r.body = R"({"error":"not found"})";
      return;
    }
    r.status = c.method == "POST" ? 201 : 200;
    r.body = sim_json(id, server_.records.at(id));
  }
  void read(Request& r) {
    for (const auto& q : queries_)
      if (r.command.url.find(Query::parse(q.json, scratch_)->query_string()) != std::string::npos &&
          (q.json != "{}" || r.command.url.find('?') == std::string::npos)) {
        r.status = 200;
        r.body = server_.list_body(q);
        return;
      }
    r.status = 404;
    r.body = R"({"error":"no such query in the simulation"})";
  }

  void check_structure() {
    for (size_t i = 0; i < views_.size(); ++i) {
      const Mirror& m = h_.mirrors[views_[i]];
      INFO("view " << queries_[i].json);
      std::map<int, SimRecord> shown;
      std::set<std::string> ids, pending_rows;
      std::vector<std::pair<int, SimRecord>> order;
      for (const auto& row : m.rows) {
        auto j = Json::parse(row);
        REQUIRE(j);
        std::string id = j->get("id")->dump();
        CHECK(ids.insert(id).second);  // no id twice
        SimRecord r{int(j->get("roomId")->as_number()), j->get("text")->as_string(),
                    j->get("version") ? int(j->get("version")->as_number()) : 0};
        if (queries_[i].room) CHECK(r.room == queries_[i].room);
        int key = j->get("id")->is_number() ? int(j->get("id")->as_number()) : 1000000 + int(order.size());
        order.emplace_back(key, r);
      }
      for (size_t k = 1; k < order.size(); ++k) CHECK_FALSE(queries_[i](order[k], order[k - 1]));
      for (const auto& p : m.pending) CHECK(ids.count(p));  // pending rows are shown rows
    }
  }

  std::mt19937 rng_;
  Harness h_;
  SimServer server_;
  std::vector<SimQuery> queries_;
  std::vector<ViewId> views_;
  std::map<RequestId, Request> requests_;
  std::deque<std::string> frames_;
  std::string last_frame_;
  std::string scratch_;
  size_t seen_ = 0;
  bool socket_open_ = false;
  int generation_ = 0;
  bool refused_ = false;
};

}  // namespace

TEST_CASE("model: random interleavings keep every view sorted, filtered and equal to the server when quiet", "[model]") {
  int seeds = env_int("SSOT_MODEL_SEEDS", 12);
  int steps = env_int("SSOT_MODEL_STEPS", 1500);
  int first = env_int("SSOT_MODEL_FIRST_SEED", 1);
  bool refused = GENERATE(false, true);
  for (int seed = first; seed < first + seeds; ++seed) {
    INFO("seed " << seed << (refused ? ", the list channel refused" : ""));
    ModelRun run{uint32_t(seed), refused};
    for (int i = 0; i < steps; ++i) {
      run.step();
      if (i % 300 == 299) run.quiesce_and_compare();
    }
    run.quiesce_and_compare();
  }
}

// Seeds of the long run that diverged once, each for its own cause (kept because the
// fixed seed set above does not reach them): 193, a mutation's answer that left before
// a snapshot and arrived after it brought back a record the snapshot had dropped
// (deleted in between); 959, a rolled-back pending delete kept a record out of a view
// whose snapshot was older than the record's numbered create; 1312, a write rolled back
// after a restart showed the old database's record again (a forgotten seq was 0, not
// older than the new numbering's first page).
TEST_CASE("model: seeds that once diverged", "[model]") {
  for (uint32_t seed : {193u, 959u, 1312u, 2475u, 3381u, 7073u, 50205u}) {
    INFO("seed " << seed);
    ModelRun run{seed};
    for (int i = 0; i < 5000; ++i) {
      run.step();
      if (i % 300 == 299) run.quiesce_and_compare();
    }
    run.quiesce_and_compare();
  }
}
