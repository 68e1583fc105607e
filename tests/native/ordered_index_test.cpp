// Unit tests for ssot/ordered_index.h: the blocked sorted sequence behind list views.
// Blocks split in two past 2 x kMaxBlock (64) entries, so thousands of entries
// exercise inserts, erases, ranks and ranges across many block boundaries.
#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "ssot/ordered_index.h"

using namespace ssot;

namespace {

Query make_query(const std::string& params) {
  std::string error;
  auto q = Query::parse(params, error);
  INFO(error);
  REQUIRE(q.has_value());
  return *q;
}

IndexEntry entry(const Query& q, const std::string& id, const std::string& record) {
  FieldValues v;
  REQUIRE(q.extract(record, v));
  return IndexEntry{id, q.sort_key(std::move(v))};
}

// The ids of the whole index, read with at().
std::vector<std::string> ids_by_at(const OrderedIndex& index) {
  std::vector<std::string> out;
  for (size_t i = 0; i < index.size(); ++i) out.push_back(index.at(i).id);
  return out;
}

std::vector<std::string> ids_by_range(const OrderedIndex& index, size_t start, size_t count) {
  std::vector<std::string> out;
  index.for_range(start, count, [&](const IndexEntry& e) { out.push_back(e.id); });
  return out;
}

// The reference order: the same comparison applied by std::sort.
std::vector<std::string> reference(const Query& q, std::vector<IndexEntry> entries) {
  std::sort(entries.begin(), entries.end(),
            [&](const IndexEntry& a, const IndexEntry& b) { return q.compare_keys(a.key, a.id, b.key, b.id) < 0; });
  std::vector<std::string> out;
  for (auto& e : entries) out.push_back(e.id);
  return out;
}

}  // namespace

TEST_CASE("ordered_index: empty index", "[ordered_index]") {
  Query q = make_query("{}");
  OrderedIndex index(&q);
  CHECK(index.size() == 0);
  CHECK(index.rank({}, "5") == 0);
  CHECK_FALSE(index.erase({}, "5"));
  CHECK(ids_by_range(index, 0, 10).empty());
}

TEST_CASE("ordered_index: ordered by id alone (numeric ids numerically)", "[ordered_index]") {
  Query q = make_query("{}");
  OrderedIndex index(&q);
  for (std::string id : {"10", "b", "2", "-1", "a", "1", "007"}) index.insert(IndexEntry{id, {}});
  CHECK(index.size() == 7);
  CHECK(ids_by_at(index) == std::vector<std::string>{"-1", "1", "2", "10", "007", "a", "b"});
  CHECK(index.rank({}, "2") == 2);
  CHECK(index.rank({}, "3") == 3);  // where it would go
  CHECK(index.rank({}, "zz") == 7);
  CHECK(index.rank({}, "-5") == 0);
}

TEST_CASE("ordered_index: 5000 random inserts keep order across block splits", "[ordered_index]") {
  Query q = make_query("{}");
  OrderedIndex index(&q);
  const int n = 5000;
  std::vector<int> perm(n);
  std::iota(perm.begin(), perm.end(), 0);
  std::mt19937 rng(42);
  std::shuffle(perm.begin(), perm.end(), rng);
  for (int i = 0; i < n; ++i) {
    index.insert(IndexEntry{std::to_string(perm[size_t(i)]), {}});
    if (i % 997 == 0) CHECK(index.size() == size_t(i + 1));
  }
  REQUIRE(index.size() == size_t(n));
  for (int i = 0; i < n; ++i) {
    INFO(i);
    REQUIRE(index.at(size_t(i)).id == std::to_string(i));
    REQUIRE(index.rank({}, std::to_string(i)) == size_t(i));
  }
  // Ranks of absent ids: where they would go.
  CHECK(index.rank({}, "-1") == 0);
  CHECK(index.rank({}, std::to_string(n)) == size_t(n));
  CHECK(index.rank({}, "x") == size_t(n));
}

TEST_CASE("ordered_index: equal keys are ordered by id", "[ordered_index]") {
  Query q = make_query("{\"orderBy\":{\"score\":\"desc\"}}");
  OrderedIndex index(&q);
  std::vector<IndexEntry> all;
  std::mt19937 rng(7);
  const int n = 3000;
  std::vector<int> ids(n);
  std::iota(ids.begin(), ids.end(), 1);
  std::shuffle(ids.begin(), ids.end(), rng);
  for (int id : ids) {
    // Few distinct scores: long runs of equal keys spanning several blocks.
    std::string rec = "{\"score\":" + std::to_string(id % 3) + "}";
    all.push_back(entry(q, std::to_string(id), rec));
    index.insert(entry(q, std::to_string(id), rec));
  }
  std::vector<std::string> expect = reference(q, all);
  REQUIRE(ids_by_at(index) == expect);
  // Spot-check: the first run is score 2 (desc), ids ascending from 2.
  CHECK(index.at(0).id == "2");
  CHECK(index.at(1).id == "5");
  CHECK(index.at(0).key.at(0).number == 2);
  CHECK(index.at(size_t(n) - 1).key.at(0).number == 0);
  CHECK(index.at(size_t(n) - 1).id == "3000");
  for (size_t i = 0; i < expect.size(); i += 37) {
    const IndexEntry& e = index.at(i);
    CHECK(index.rank(e.key, e.id) == i);
  }
}

TEST_CASE("ordered_index: erase removes exactly the entry", "[ordered_index]") {
  Query q = make_query("{\"orderBy\":[{\"g\":\"asc\"},{\"t\":\"desc\"}]}");
  OrderedIndex index(&q);
  std::mt19937 rng(2024);
  std::vector<IndexEntry> live;
  const int n = 5000;
  for (int i = 0; i < n; ++i) {
    std::string rec = "{\"g\":" + std::to_string(rng() % 5) + ",\"t\":\"" + std::to_string(rng() % 50) + "\"}";
    IndexEntry e = entry(q, "r" + std::to_string(i), rec);
    live.push_back(e);
    index.insert(std::move(e));
  }
  REQUIRE(ids_by_at(index) == reference(q, live));

  // Erasing with the wrong key, or an unknown id, changes nothing.
  FieldValues wrong = live[0].key;
  wrong[0] = Value::of_number(wrong[0].number + 100);
  CHECK_FALSE(index.erase(wrong, live[0].id));
  CHECK_FALSE(index.erase(live[0].key, "nope"));
  CHECK(index.size() == size_t(n));

  // Erase a random 60%, checking the order as we go.
  std::shuffle(live.begin(), live.end(), rng);
  size_t keep = live.size() * 2 / 5;
  for (size_t i = live.size(); i-- > keep;) {
    REQUIRE(index.erase(live[i].key, live[i].id));
    CHECK_FALSE(index.erase(live[i].key, live[i].id));  // already gone
    live.pop_back();
    if (i % 500 == 0) REQUIRE(ids_by_at(index) == reference(q, live));
  }
  CHECK(index.size() == keep);
  std::vector<std::string> expect = reference(q, live);
  REQUIRE(ids_by_at(index) == expect);
  for (size_t i = 0; i < expect.size(); ++i) {
    const IndexEntry& e = index.at(i);
    REQUIRE(index.rank(e.key, e.id) == i);
  }

  // Interleaved inserts and erases (moves, as when a sort key changes).
  for (int round = 0; round < 2000; ++round) {
    size_t k = rng() % live.size();
    REQUIRE(index.erase(live[k].key, live[k].id));
    std::string rec = "{\"g\":" + std::to_string(rng() % 5) + ",\"t\":\"" + std::to_string(rng() % 50) + "\"}";
    live[k] = entry(q, live[k].id, rec);
    index.insert(live[k]);
  }
  REQUIRE(ids_by_at(index) == reference(q, live));

  // Erase everything: the index is empty and usable again.
  for (auto& e : live) REQUIRE(index.erase(e.key, e.id));
  CHECK(index.size() == 0);
  CHECK(ids_by_range(index, 0, 5).empty());
  CHECK(index.rank(live[0].key, live[0].id) == 0);
  index.insert(live[0]);
  CHECK(index.size() == 1);
  CHECK(index.at(0).id == live[0].id);
}

TEST_CASE("ordered_index: for_range reads windows across block boundaries", "[ordered_index]") {
  Query q = make_query("{}");
  OrderedIndex index(&q);
  const int n = 5000;
  std::vector<int> perm(n);
  std::iota(perm.begin(), perm.end(), 0);
  std::mt19937 rng(99);
  std::shuffle(perm.begin(), perm.end(), rng);
  for (int v : perm) index.insert(IndexEntry{std::to_string(v), {}});

  auto expect = [&](size_t start, size_t count) {
    std::vector<std::string> out;
    for (size_t i = start; i < std::min(size_t(n), start + count); ++i) out.push_back(std::to_string(i));
    return out;
  };
  const size_t starts[] = {0, 1, 500, 511, 512, 513, 1000, 1023, 1024, 1025, 2047, 2048, 2500, 4990, 4999};
  const size_t counts[] = {0, 1, 2, 30, 512, 1025, 3000};
  for (size_t s : starts)
    for (size_t c : counts) {
      INFO("start " << s << " count " << c);
      REQUIRE(ids_by_range(index, s, c) == expect(s, c));
    }
  // Windows at every offset around the first few block boundaries (wherever the splits fell).
  for (size_t s = 0; s < 3000; s += 7) REQUIRE(ids_by_range(index, s, 40) == expect(s, 40));
  // Past the end: nothing; the whole index in one call.
  CHECK(ids_by_range(index, size_t(n), 10).empty());
  CHECK(ids_by_range(index, size_t(n) + 100, 10).empty());
  CHECK(ids_by_range(index, 0, size_t(-1)) == expect(0, size_t(n)));
}

TEST_CASE("ordered_index: sequential inserts (append and prepend) split correctly", "[ordered_index]") {
  Query q = make_query("{}");
  OrderedIndex up(&q), down(&q);
  const int n = 4100;
  for (int i = 0; i < n; ++i) up.insert(IndexEntry{std::to_string(i), {}});
  for (int i = n - 1; i >= 0; --i) down.insert(IndexEntry{std::to_string(i), {}});
  REQUIRE(up.size() == size_t(n));
  REQUIRE(down.size() == size_t(n));
  for (int i = 0; i < n; ++i) {
    REQUIRE(up.at(size_t(i)).id == std::to_string(i));
    REQUIRE(down.at(size_t(i)).id == std::to_string(i));
  }
  CHECK(ids_by_range(up, 1020, 10) == ids_by_range(down, 1020, 10));
}

TEST_CASE("ordered_index: clear", "[ordered_index]") {
  Query q = make_query("{}");
  OrderedIndex index(&q);
  for (int i = 0; i < 2000; ++i) index.insert(IndexEntry{std::to_string(i), {}});
  index.clear();
  CHECK(index.size() == 0);
  CHECK(ids_by_range(index, 0, 10).empty());
  CHECK(index.rank({}, "1") == 0);
  index.insert(IndexEntry{"1", {}});
  CHECK(ids_by_at(index) == std::vector<std::string>{"1"});
}

// The prefix that settles most comparisons (OrderedIndex::Probe) must order as the
// full comparison does: values of every kind, numbers that differ only in their last
// bits or in sign of zero, texts that share their first 7 bytes or differ in a byte
// above 0x7F, ids numeric and not, both directions. Each index, built in random order
// and with erases, reads back as std::sort orders the same entries, and ranks agree.
TEST_CASE("ordered_index: mixed kinds and near-equal values order as the full comparison", "[ordered_index]") {
  const std::vector<std::string> values = {
      "null", "false", "true", "1e400", "-1e400", "0", "-0", "0.0", "-0.0", "-0e5", "-1e-400", "-1", "1", "-1e308", "1e308", "1e-300", "-1e-300",
      "0.30000000000000004", "0.3", "0.30000000000000000001", "9007199254740993", "9007199254740992",
      "\"\"", "\"a\"", "\"abcdefg\"", "\"abcdefgh\"", "\"abcdefga\"", "\"abcdefg\\u0000\"", "\"\\u00e9\"", "\"z\"",
      "\"\\u00ff\\u00ff\"", "[]", "[1]", "{}", "{\"a\":1}", "[1,2]"};
  const std::vector<std::string> ids = {"1", "2", "-5", "10", "9007199254740991", "9007199254740992", "a", "abcdefgh1",
                                        "abcdefgh2", "\xc3\xa9", "B", "0", "-9007199254740991"};
  for (const char* order : {"{\"orderBy\":{\"v\":\"asc\"}}", "{\"orderBy\":{\"v\":\"desc\"}}",
                            "{\"orderBy\":[{\"v\":\"desc\"},{\"w\":\"asc\"}]}", "{}"}) {
    INFO(order);
    Query q = make_query(order);
    OrderedIndex index(&q);
    std::vector<IndexEntry> live;
    std::mt19937 rng(11);
    for (int i = 0; i < 1500; ++i) {
      std::string rec = "{\"v\":" + values[rng() % values.size()] + ",\"w\":" + values[rng() % values.size()] + "}";
      if (i % 11 == 5) rec = "{\"w\":1}";  // v missing: sorts as null
      std::string id = ids[rng() % ids.size()] + (i < int(ids.size()) ? "" : std::to_string(i));
      if (i < int(ids.size())) id = ids[size_t(i)];
      IndexEntry e = entry(q, id, rec);
      live.push_back(e);
      index.insert(std::move(e));
      if (i % 7 == 3) {  // erase one at random
        size_t k = rng() % live.size();
        REQUIRE(index.erase(live[k].key, live[k].id));
        live.erase(live.begin() + long(k));
      }
    }
    auto want = reference(q, live);
    REQUIRE(ids_by_at(index) == want);
    for (size_t k = 0; k < live.size(); k += 13) {
      size_t at = size_t(std::find(want.begin(), want.end(), live[k].id) - want.begin());
      CHECK(index.rank(live[k].key, live[k].id) == at);
    }
  }
}
