#pragma once
// A simulated server and network for the randomized model test: the reference
// model of what the server holds (records with versions, one list channel with seq
// and epoch, a replay buffer), and a scheduler that delivers its frames and HTTP
// answers to the engine in random but legal interleavings: late snapshots,
// duplicates, lost frames, reconnects, restarts on a fresh database, and our own
// mutations confirmed by echo or answer, or failing.
#include <algorithm>
#include <cstdint>
#include <deque>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "engine_harness.h"

namespace ssot::test {

struct SimRecord {
  int room = 1;
  std::string text;
  int version = 1;
};

inline const std::vector<std::string>& sim_texts() {
  // Byte order (the server's, SQLite's, the core's) differs from UTF-16 order here.
  static const std::vector<std::string> t = {"a", "B", "b", "a\xef\xbd\x9e", "a\xf0\x9f\x98\x80", "", "zz", "\xc3\xa9"};
  return t;
}

inline std::string sim_json(int id, const SimRecord& r) {
  std::string out = "{\"id\":" + std::to_string(id) + ",\"roomId\":" + std::to_string(r.room) + ",\"text\":";
  json::append_string(out, r.text);
  return out + ",\"version\":" + std::to_string(r.version) + "}";
}

// One query of the test's views, evaluated the server's way.
struct SimQuery {
  std::string json;  // as given to watch()
  int room = 0;      // 0 = every room
  enum Order { ById, ByTextAsc, ByVersionDesc } order = ById;

  bool operator()(const std::pair<int, SimRecord>& a, const std::pair<int, SimRecord>& b) const {
    if (order == ByTextAsc && a.second.text != b.second.text) return a.second.text < b.second.text;
    if (order == ByVersionDesc && a.second.version != b.second.version) return a.second.version > b.second.version;
    return a.first < b.first;
  }
  std::vector<std::string> rows(const std::map<int, SimRecord>& records) const {
    std::vector<std::pair<int, SimRecord>> hits;
    for (const auto& r : records)
      if (!room || r.second.room == room) hits.push_back(r);
    std::sort(hits.begin(), hits.end(), [this](const auto& a, const auto& b) { return (*this)(a, b); });
    std::vector<std::string> out;
    for (const auto& h : hits) out.push_back(sim_json(h.first, h.second));
    return out;
  }
};

inline std::vector<SimQuery> sim_queries() {
  return {{"{}", 0, SimQuery::ById},
          {R"({"where":{"roomId":1},"orderBy":{"text":"asc"}})", 1, SimQuery::ByTextAsc},
          {R"({"where":{"roomId":2},"orderBy":[{"version":"desc"}]})", 2, SimQuery::ByVersionDesc}};
}

class SimServer {
 public:
  std::map<int, SimRecord> records;
  int next_id = 1;
  int64_t seq = 0;
  std::string epoch;
  std::vector<std::string> buffer;  // every list frame of this epoch; buffer[i] has seq i+1
  size_t replay_limit = 40;         // older than this: resync

  void restart(std::mt19937& rng, int generation) {
    records.clear();
    buffer.clear();
    seq = 0;
    next_id = 1;
    epoch = "e" + std::to_string(generation);
    for (int i = 0; i < 6; ++i) records[next_id++] = SimRecord{int(rng() % 2) + 1, pick_text(rng), 1};
  }
  std::string pick_text(std::mt19937& rng) const { return sim_texts()[rng() % sim_texts().size()]; }

  // A change of the list channel; returns the frame (also kept for replay).
  std::string emit(const std::string& change, int id, const std::string& mutation_id = "") {
    std::string data = "{\"type\":\"" + change + "\",";
    if (change == "deleted") data += "\"id\":" + std::to_string(id) + ",\"version\":" + std::to_string(deleted_version_);
    else data += "\"data\":" + sim_json(id, records.at(id)) + ",\"id\":" + std::to_string(id);
    std::string f = "{\"type\":\"update\",\"channel\":\"Message:list\",\"data\":" + data + ",\"timestamp\":1},\"seq\":" +
                    std::to_string(++seq);
    if (!mutation_id.empty()) f += ",\"mutationId\":\"" + mutation_id + "\"";
    f += "}";
    buffer.push_back(f);
    return f;
  }
  int create(int room, const std::string& text) {
    int id = next_id++;
    records[id] = SimRecord{room, text, 1};
    return id;
  }
  bool update(int id, const std::string& text) {
    auto it = records.find(id);
    if (it == records.end()) return false;
    it->second.text = text;
    ++it->second.version;
    return true;
  }
  bool remove(int id) {
    auto it = records.find(id);
    if (it == records.end()) return false;
    deleted_version_ = it->second.version + 1;
    records.erase(it);
    return true;
  }
  std::string list_body(const SimQuery& q) const {
    auto rows = q.rows(records);
    std::string b = "{\"items\":[";
    for (size_t i = 0; i < rows.size(); ++i) b += (i ? "," : "") + rows[i];
    return b + "],\"total\":" + std::to_string(rows.size()) + ",\"seq\":" + std::to_string(seq) + ",\"epoch\":\"" +
           epoch + "\"}";
  }
  // Frames after `since`, or none and false when they are no longer kept.
  bool replay(int64_t since, std::vector<std::string>& out) const {
    if (since > seq || seq - since > int64_t(replay_limit)) return false;
    for (int64_t s = since + 1; s <= seq; ++s) out.push_back(buffer[size_t(s - 1)]);
    return true;
  }

 private:
  int deleted_version_ = 0;
};

}  // namespace ssot::test
