// Unit tests for ssot/record_table.h: the flat table RecordStore keeps its records in.
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <unordered_map>

#include "ssot/record_table.h"

using namespace ssot;

TEST_CASE("record table: agrees with std::unordered_map; a record stays where it is until erased",
          "[record_table]") {
  // Small id spaces make long probe runs, wrap-arounds and every erase case.
  for (int ids : {5, 20, 300, 5000}) {
    std::mt19937 rng{uint32_t(ids)};
    RecordTable t;
    std::unordered_map<std::string, const StoredRecord*> ref;
    for (int op = 0; op < 40000; ++op) {
      std::string id = std::to_string(rng() % uint32_t(ids));
      unsigned r = rng() % 10;
      if (r < 5) {
        bool fresh = false;
        StoredRecord& rec = t.emplace(id, fresh);
        auto it = ref.find(id);
        REQUIRE(fresh == (it == ref.end()));
        if (fresh) {
          rec.json = id;
          ref[id] = &rec;
        } else {
          REQUIRE(&rec == it->second);
        }
      } else if (r < 8) {
        bool had = ref.erase(id) > 0;
        REQUIRE(t.erase(id) == had);
      } else {
        StoredRecord* f = t.find(id);
        auto it = ref.find(id);
        REQUIRE(f == (it == ref.end() ? nullptr : it->second));
      }
      REQUIRE(t.size() == ref.size());
    }
    size_t n = 0;
    t.for_each([&](std::string_view id, StoredRecord& r) {
      ++n;
      CHECK(r.json == id);
      CHECK(t.find(id) == &r);
    });
    CHECK(n == ref.size());
  }
}

TEST_CASE("record table: memory goes back as records go", "[record_table]") {
  RecordTable t;
  CHECK(t.reserved() == 0);
  bool fresh = false;
  for (int i = 0; i < 10000; ++i) t.emplace(std::to_string(i), fresh).json = std::string(100, 'x');
  size_t full = t.reserved();
  CHECK(full > 10000 * sizeof(StoredRecord));
  // Most records go: the slots shrink (freed entries wait for new records).
  for (int i = 9999; i >= 1000; --i) REQUIRE(t.erase(std::to_string(i)));
  CHECK(t.size() == 1000);
  CHECK(t.reserved() < full);
  for (int i = 0; i < 1000; ++i) REQUIRE(t.find(std::to_string(i)) != nullptr);
  // An empty table holds nothing.
  for (int i = 0; i < 1000; ++i) REQUIRE(t.erase(std::to_string(i)));
  CHECK(t.reserved() == 0);
  CHECK(t.find("1") == nullptr);
  t.emplace("again", fresh);
  CHECK(fresh);
  CHECK(t.find("again") != nullptr);
}
