// ListView: incremental maintenance checked against a brute-force evaluation,
// through the same diffs the JS side applies.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <random>

#include "engine_harness.h"

using namespace ssot;
using ssot::test::Mirror;

namespace {

std::string rec(int id, int room, int score) {
  return "{\"id\":" + std::to_string(id) + ",\"room\":" + std::to_string(room) +
         ",\"score\":" + std::to_string(score) + "}";
}

Query parse(const std::string& q) {
  std::string error;
  auto query = Query::parse(q, error);
  REQUIRE(query);
  return *query;
}

// The expected rows: every record that matches, sorted by the query, windowed.
std::vector<int> brute(const Query& q, const std::map<int, std::string>& db, size_t limit = SIZE_MAX) {
  std::vector<std::pair<FieldValues, std::string>> rows;
  for (const auto& r : db) {
    FieldValues f;
    q.extract(r.second, f);
    if (q.matches(f)) rows.emplace_back(q.sort_key(std::move(f)), std::to_string(r.first));
  }
  std::sort(rows.begin(), rows.end(),
            [&](const auto& a, const auto& b) { return q.compare_keys(a.first, a.second, b.first, b.second) < 0; });
  std::vector<int> ids;
  for (const auto& r : rows)
    if (ids.size() < limit) ids.push_back(std::stoi(r.second));
  return ids;
}

void flush_into(ListView& v, RecordStore& store, Mirror& m) {
  std::string out;
  v.flush(store, out);
  if (!out.empty()) m.apply(*Json::parse(out));
}

}  // namespace

TEST_CASE("random creates, updates and deletes keep a sorted, filtered view exact") {
  for (const char* query : {R"({})", R"({"where":{"room":{"lt":3}},"orderBy":{"score":"desc"}})",
                            R"({"orderBy":[{"room":"asc"},{"score":"asc"}]})", R"({"where":{"room":1}})"}) {
    Query q = parse(query);
    ListView view(1, "T", q);
    RecordStore store;
    Mirror mirror;
    std::map<int, std::string> db;
    std::mt19937 rng(42);
    // Hydrate with 300 records.
    std::vector<RecordId> ids;
    for (int i = 1; i <= 300; ++i) {
      db[i] = rec(i, int(rng() % 5), int(rng() % 50));
      store.upsert(std::to_string(i), db[i]);
      ids.push_back(std::to_string(i));
    }
    view.reset(store, ids, 300);
    for (const auto& id : ids) store.collect(id);
    view.set_status(ViewStatus::Ready);
    flush_into(view, store, mirror);
    REQUIRE(mirror.ids() == brute(q, db));
    int next = 301;
    for (int step = 0; step < 3000; ++step) {
      int op = int(rng() % 10);
      if (op < 3 || db.empty()) {
        int id = next++;
        db[id] = rec(id, int(rng() % 5), int(rng() % 50));
        store.upsert(std::to_string(id), db[id]);
        view.record_changed(store, std::to_string(id));
        store.collect(std::to_string(id));
      } else if (op < 8) {
        auto it = std::next(db.begin(), long(rng() % db.size()));
        it->second = rec(it->first, int(rng() % 5), int(rng() % 50));
        store.upsert(std::to_string(it->first), it->second);
        view.record_changed(store, std::to_string(it->first));
        store.collect(std::to_string(it->first));
      } else {
        auto it = std::next(db.begin(), long(rng() % db.size()));
        view.record_removed(store, std::to_string(it->first));
        store.erase(std::to_string(it->first));
        db.erase(it);
      }
      if (rng() % 7 == 0) {
        flush_into(view, store, mirror);
        auto expected = brute(q, db);
        REQUIRE(mirror.ids() == expected);
        REQUIRE(mirror.total == int64_t(expected.size()));
      }
    }
    flush_into(view, store, mirror);
    REQUIRE(mirror.ids() == brute(q, db));
    // Every row shows the latest text, and nothing unreferenced stays in the store.
    for (size_t i = 0; i < mirror.rows.size(); ++i)
      REQUIRE(mirror.rows[i] == Json::parse(db[mirror.ids()[i]])->dump());
    REQUIRE(store.size() == mirror.rows.size());
  }
}

TEST_CASE("take limits the visible rows of a complete view; total counts every match") {
  Query q = parse(R"({"orderBy":{"score":"asc"},"take":3})");
  ListView view(1, "T", q);
  RecordStore store;
  Mirror mirror;
  std::vector<RecordId> ids;
  for (int i = 1; i <= 2; ++i) {
    store.upsert(std::to_string(i), rec(i, 0, i * 10));
    ids.push_back(std::to_string(i));
  }
  view.reset(store, ids, 2);  // the whole result: the view knows everything
  CHECK(view.complete());
  flush_into(view, store, mirror);
  for (int i = 3; i <= 5; ++i) {
    store.upsert(std::to_string(i), rec(i, 0, 5 * i));
    view.record_changed(store, std::to_string(i));
  }
  flush_into(view, store, mirror);
  CHECK(mirror.ids() == std::vector<int>{1, 3, 2});  // scores 10, 15, 20 (4: 20 ties, id 2 first)
  CHECK(mirror.total == 5);
  view.record_removed(store, "1");
  store.erase("1");
  flush_into(view, store, mirror);
  CHECK(mirror.ids() == std::vector<int>{3, 2, 4});
  CHECK(!view.needs_refetch());
}

TEST_CASE("coalesced touches are counted and an unchanged record sends nothing") {
  Query q = parse("{}");
  ListView view(1, "T", q);
  RecordStore store;
  Mirror mirror;
  store.upsert("1", rec(1, 0, 0));
  view.reset(store, {"1"}, 1);
  flush_into(view, store, mirror);
  for (int i = 0; i < 5; ++i) {
    store.upsert("1", rec(1, 0, i));
    view.record_changed(store, "1");
  }
  std::string out;
  CHECK(view.flush(store, out) == 4);
  CHECK(Json::parse(out)->get("updated")->items().size() == 1);
  out.clear();
  view.record_changed(store, "1");  // same text again (an echo)
  view.flush(store, out);
  CHECK(out.empty());
}

TEST_CASE("a window moves without touching the rest and switching back sends all rows") {
  Query q = parse("{}");
  ListView view(1, "T", q);
  RecordStore store;
  Mirror mirror;
  std::vector<RecordId> ids;
  for (int i = 1; i <= 2000; ++i) {
    store.upsert(std::to_string(i), rec(i, 0, 0));
    ids.push_back(std::to_string(i));
  }
  view.reset(store, ids, 2000);
  view.set_window(std::make_pair(size_t(1990), size_t(50)));
  flush_into(view, store, mirror);
  CHECK(mirror.ids().size() == 10);
  CHECK(mirror.ids().front() == 1991);
  view.set_window(std::nullopt);
  flush_into(view, store, mirror);
  CHECK(mirror.rows.size() == 2000);
}

TEST_CASE("a row pushed out of the window is sent again when it comes back into it") {
  // The JS side holds the last window's rows only: a row two flushes ago is gone there.
  Query q = parse("{}");
  ListView view(1, "T", q);
  RecordStore store;
  Mirror mirror;
  std::vector<RecordId> ids;
  for (int i : {10, 20, 30}) {
    store.upsert(std::to_string(i), rec(i, 0, 0));
    ids.push_back(std::to_string(i));
  }
  view.reset(store, ids, 3);
  view.set_window(std::make_pair(size_t(0), size_t(2)));
  flush_into(view, store, mirror);
  CHECK(mirror.ids() == std::vector<int>{10, 20});
  for (int i : {1, 2}) {  // two records sort before them: the window shows those
    store.upsert(std::to_string(i), rec(i, 0, 0));
    view.record_changed(store, std::to_string(i));
  }
  flush_into(view, store, mirror);
  CHECK(mirror.ids() == std::vector<int>{1, 2});
  for (int i : {1, 2}) {  // and go: 10 and 20 are back, unchanged, and must be sent
    view.record_removed(store, std::to_string(i));
    store.erase(std::to_string(i));
  }
  flush_into(view, store, mirror);
  REQUIRE(mirror.rows.size() == 2);
  CHECK(mirror.rows[0] == rec(10, 0, 0));
  CHECK(mirror.rows[1] == rec(20, 0, 0));
}

TEST_CASE("a first flush writes every row into a buffer of its exact size") {
  // Grown by doubling, the buffer of a hydration's rows (15 MB at 100k records) left a
  // copy of up to twice its size behind in the heap's high water.
  Query q = parse("{}");
  ListView view(1, "T", q);
  RecordStore store;
  std::vector<RecordId> ids;
  for (int i = 1; i <= 3000; ++i) {
    store.upsert(std::to_string(i), rec(i, i % 7, i * 31 % 1000));
    ids.push_back(std::to_string(i));
  }
  view.reset(store, ids, 1);
  std::string out = "[";
  view.flush(store, out);
  REQUIRE(Json::parse(out + "]"));
  CHECK(out.size() > 90000);
  CHECK(out.capacity() <= out.size() + 16);
}
