// Unit tests for ssot/string_map.h: the flat map RecordStore keeps its records in
// (RecordTable) and list views their members and pending changes.
#include <catch2/catch.hpp>

#include <random>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

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

TEST_CASE("string map: a reused slot starts from a default value; clear gives everything back", "[string_map]") {
  StringMap<int> m;
  bool fresh = false;
  m.emplace("a", fresh) = 5;
  m.emplace("b", fresh) = 6;
  REQUIRE(m.erase("a"));
  CHECK_FALSE(m.erase("a"));
  int& c = m.emplace("c", fresh);  // takes the slot "a" left
  CHECK(fresh);
  CHECK(c == 0);
  CHECK(*m.find("b") == 6);
  int seen = 0;
  m.for_each([&](const std::string& key, int& v) { seen += key == "b" ? v : 100; });
  CHECK(seen == 106);
  m.clear();
  CHECK(m.size() == 0);
  CHECK(m.reserved() == 0);
  CHECK(m.find("b") == nullptr);
  CHECK(m.emplace("b", fresh) == 0);
  CHECK(fresh);
}

TEST_CASE("string map: reset empties it, keeping a small table's storage and no old value", "[string_map]") {
  StringMap<std::string> m;
  bool fresh = false;
  for (int i = 0; i < 50; ++i) m.emplace("k" + std::to_string(i), fresh) = "v" + std::to_string(i);
  size_t held = m.reserved();
  m.reset();
  CHECK(m.size() == 0);
  CHECK(m.find("k1") == nullptr);
  CHECK(m.reserved() == held);  // kept for the next round
  int seen = 0;
  m.for_each([&](const std::string&, std::string&) { ++seen; });
  CHECK(seen == 0);
  std::string& v = m.emplace("k7", fresh);
  CHECK(fresh);
  CHECK(v.empty());  // not the old "v7" nor another's
  CHECK(*m.find("k7") == "");
  CHECK(m.size() == 1);
  // A large table goes back, as with clear().
  for (int i = 0; i < 1000; ++i) m.emplace("x" + std::to_string(i), fresh);
  m.reset();
  CHECK(m.size() == 0);
  CHECK(m.reserved() == 0);
  CHECK(m.emplace("y", fresh).empty());
  CHECK(fresh);
}

namespace {
struct Counted {  // counts its lives: every one made is unmade once
  static int alive;
  std::string text = std::string(40, 'x');  // on the heap: a value never destroyed leaks
  Counted() { ++alive; }
  ~Counted() { --alive; }
  Counted(const Counted&) = delete;
  Counted& operator=(const Counted&) = delete;
};
int Counted::alive = 0;
}  // namespace

TEST_CASE("string map: each value is made and unmade once (erase, the last erase, reset, clear, destruction)",
          "[string_map]") {
  bool fresh = false;
  {
    StringMap<Counted> m;
    CHECK(Counted::alive == 0);  // nothing made before the first key
    for (int i = 0; i < 300; ++i) m.emplace(std::to_string(i), fresh);  // three chunks: 16, 256, 256
    CHECK(Counted::alive == 528);
    CHECK(m.erase("7"));  // a value back to a default one, in place
    CHECK(Counted::alive == 528);
    m.reset();  // a large table goes back
    CHECK(Counted::alive == 0);
    m.emplace("a", fresh);
    m.emplace("b", fresh);
    CHECK(Counted::alive == 16);  // a small map: the first chunk only
    CHECK(m.erase("a"));
    CHECK(m.erase("b"));  // the last: everything goes back
    CHECK(Counted::alive == 0);
    m.emplace("c", fresh);
    m.reset();  // a small table keeps its slab, its values made anew
    CHECK(Counted::alive == 16);
    m.clear();
    CHECK(Counted::alive == 0);
    m.emplace("d", fresh);
  }
  CHECK(Counted::alive == 0);  // the destructor
}

TEST_CASE("string map: values are aligned in every slab, and stay where they are", "[string_map]") {
  struct Odd {
    char c = 0;
    double d = 0;
  };
  StringMap<Odd> m;
  StringMap<char> small;
  bool fresh = false;
  std::vector<const Odd*> where;
  for (int i = 0; i < 600; ++i) {
    Odd& v = m.emplace("k" + std::to_string(i), fresh);
    REQUIRE(reinterpret_cast<uintptr_t>(&v) % alignof(Odd) == 0);
    REQUIRE(reinterpret_cast<uintptr_t>(&v.d) % alignof(double) == 0);
    v.d = i;
    where.push_back(&v);
    small.emplace(std::to_string(i), fresh) = char('a' + i % 26);
  }
  std::set<const Odd*> distinct(where.begin(), where.end());  // no two entries share a place,
  CHECK(distinct.size() == where.size());                      // in any chunk, small or not
  for (int i = 0; i < 600; i += 2) m.erase("k" + std::to_string(i));  // shrinks the slots
  for (int i = 1; i < 600; i += 2) {
    const Odd* v = m.find("k" + std::to_string(i));
    REQUIRE(v == where[size_t(i)]);
    CHECK(v->d == i);
    CHECK(*small.find(std::to_string(i)) == char('a' + i % 26));
  }
}

TEST_CASE("string map: a small map holds 16 entries, a larger one 256 more at a time", "[string_map]") {
  StringMap<uint64_t> m;
  bool fresh = false;
  m.emplace("only", fresh);
  // An entry: a key (its text and flag, padded to at most 8 bytes more), then its value.
  size_t entry_max = sizeof(std::string) + 8 + sizeof(uint64_t), entry_min = sizeof(std::string) + sizeof(uint64_t);
  // 16 entries, 16 slots and the chunk's base, not a 256-entry slab.
  CHECK(m.reserved() <= 16 * entry_max + 16 * 8 + 8);
  for (int i = 1; i < 16; ++i) m.emplace(std::to_string(i), fresh);
  size_t sixteen = m.reserved();
  m.emplace("16", fresh);  // the 17th: a chunk of 256
  CHECK(m.reserved() >= sixteen + 256 * entry_min);
  for (int i = 0; i < 1000; ++i) m.emplace(i ? std::to_string(i) : "only", fresh) = uint64_t(i);
  for (int i = 0; i < 1000; ++i) REQUIRE(*m.find(i ? std::to_string(i) : "only") == uint64_t(i));
  size_t seen = 0;  // every key with its own value, across the first chunk's end
  m.for_each([&](const std::string& key, uint64_t v) {
    CHECK(key == (v ? std::to_string(v) : "only"));
    ++seen;
  });
  CHECK(seen == 1000);
}

TEST_CASE("string map: a reset that keeps two chunks, then more keys than they hold", "[string_map]") {
  bool fresh = false;
  {
    StringMap<Counted> m;
    for (int i = 0; i < 50; ++i) m.emplace(std::to_string(i), fresh);  // chunks of 16 and 256; 128 slots
    CHECK(Counted::alive == 272);
    m.reset();  // small: kept, values made anew
    CHECK(Counted::alive == 272);
    for (int i = 0; i < 300; ++i) REQUIRE(m.emplace("k" + std::to_string(i), fresh).text.size() == 40);
    CHECK(Counted::alive == 528);  // a third chunk, at handle 272
    for (int i = 0; i < 300; ++i) REQUIRE(m.find("k" + std::to_string(i)) != nullptr);
  }
  CHECK(Counted::alive == 0);
}

TEST_CASE("string set: insert, erase, contains and for_each over the live keys", "[string_map]") {
  StringSet s;
  CHECK(s.empty());
  CHECK(s.insert("a"));
  CHECK_FALSE(s.insert("a"));
  CHECK(s.insert("b"));
  CHECK(s.contains("a"));
  CHECK_FALSE(s.contains("c"));
  CHECK(s.erase("a"));
  CHECK_FALSE(s.erase("a"));
  std::vector<std::string> seen;
  s.for_each([&](const std::string& k) { seen.push_back(k); });
  CHECK(seen == std::vector<std::string>{"b"});
  CHECK(s.erase("b"));
  CHECK(s.empty());
  CHECK(s.insert("a"));  // after everything went back
  CHECK(s.contains("a"));
  s.clear();
  CHECK(s.empty());
}
