// Unit tests for ssot/record_store.h: records kept as received, versioned, shared by
// reference count.
#include <catch2/catch.hpp>

#include <string>

#include "ssot/record_store.h"

using namespace ssot;

TEST_CASE("record_store: upsert inserts and keeps the text as received", "[record_store]") {
  RecordStore store;
  CHECK(store.size() == 0);
  CHECK(store.find("1") == nullptr);

  const std::string text = "{ \"id\" : 1, \"text\":\"h\\u00e9\" }";
  CHECK(store.upsert("1", text));
  CHECK(store.size() == 1);
  const StoredRecord* r = store.find("1");
  REQUIRE(r != nullptr);
  CHECK(r->json == text);  // byte for byte, not re-serialized
  CHECK(r->version > 0);
  CHECK(r->refs == 0);
  CHECK_FALSE(r->seq.has_value());
  CHECK(store.find("2") == nullptr);
}

TEST_CASE("record_store: upsert reports a change only when the text changes", "[record_store]") {
  RecordStore store;
  REQUIRE(store.upsert("1", "{\"id\":1,\"n\":1}"));
  uint64_t v1 = store.find("1")->version;

  // Same text (our own echo): no change, same version.
  CHECK_FALSE(store.upsert("1", "{\"id\":1,\"n\":1}"));
  CHECK(store.find("1")->version == v1);

  // New text: a change and a newer version.
  CHECK(store.upsert("1", "{\"id\":1,\"n\":2}"));
  uint64_t v2 = store.find("1")->version;
  CHECK(v2 > v1);
  CHECK(store.find("1")->json == "{\"id\":1,\"n\":2}");

  // Back to the old text: still a change, version still grows.
  CHECK(store.upsert("1", "{\"id\":1,\"n\":1}"));
  CHECK(store.find("1")->version > v2);

  // An empty record text is a real value too (first insert counts as a change).
  CHECK(store.upsert("e", ""));
  CHECK_FALSE(store.upsert("e", ""));
  CHECK(store.size() == 2);
}

TEST_CASE("record_store: versions are unique across records", "[record_store]") {
  RecordStore store;
  store.upsert("a", "{}");
  store.upsert("b", "{}");
  CHECK(store.find("a")->version != store.find("b")->version);
  uint64_t vb = store.find("b")->version;
  // A record erased and inserted again does not reuse an old version.
  store.erase("a");
  store.upsert("a", "{}");
  CHECK(store.find("a")->version > vb);
}

TEST_CASE("record_store: seq is kept when an upsert has none, replaced when it has one", "[record_store]") {
  RecordStore store;
  store.upsert("1", "{\"n\":1}", 10);
  REQUIRE(store.find("1")->seq.has_value());
  CHECK(*store.find("1")->seq == 10);
  // An upsert without seq keeps the last known one.
  store.upsert("1", "{\"n\":2}");
  REQUIRE(store.find("1")->seq.has_value());
  CHECK(*store.find("1")->seq == 10);
  // With a seq: recorded, even when the text is unchanged.
  CHECK_FALSE(store.upsert("1", "{\"n\":2}", 12));
  CHECK(*store.find("1")->seq == 12);
  CHECK(store.upsert("1", "{\"n\":3}", 13));
  CHECK(*store.find("1")->seq == 13);
}

TEST_CASE("record_store: retain and release count references", "[record_store]") {
  RecordStore store;
  store.upsert("1", "{}");
  store.retain("1");
  store.retain("1");
  CHECK(store.find("1")->refs == 2);
  store.release("1");
  REQUIRE(store.find("1") != nullptr);
  CHECK(store.find("1")->refs == 1);
  // Updates keep the references.
  store.upsert("1", "{\"x\":1}");
  CHECK(store.find("1")->refs == 1);
  store.release("1");
  CHECK(store.find("1") == nullptr);  // the last reference went: dropped
  CHECK(store.size() == 0);

  // Retain/release of an unknown id are no-ops (and do not create it).
  store.retain("ghost");
  CHECK(store.find("ghost") == nullptr);
  store.release("ghost");
  CHECK(store.size() == 0);
}

TEST_CASE("record_store: collect drops only unreferenced records", "[record_store]") {
  RecordStore store;
  store.upsert("held", "{}");
  store.retain("held");
  store.upsert("loose", "{}");
  store.collect("held");
  store.collect("loose");
  CHECK(store.find("held") != nullptr);
  CHECK(store.find("loose") == nullptr);
  store.collect("unknown");  // no-op
  CHECK(store.size() == 1);
}

TEST_CASE("record_store: erase removes a record whatever holds it", "[record_store]") {
  RecordStore store;
  store.upsert("1", "{}");
  store.retain("1");
  store.retain("1");
  store.erase("1");
  CHECK(store.find("1") == nullptr);
  CHECK(store.size() == 0);
  // Releases that arrive after the delete are harmless.
  store.release("1");
  store.release("1");
  CHECK(store.size() == 0);
  // Re-created later: a fresh record without the old references.
  CHECK(store.upsert("1", "{}"));
  CHECK(store.find("1")->refs == 0);
  store.erase("nope");  // no-op
  CHECK(store.size() == 1);
}

TEST_CASE("record_store: ids are canonical text, so 1 and \"1\" are one record", "[record_store]") {
  RecordStore store;
  RecordId from_number, from_string;
  REQUIRE(canonical_id("1", from_number));
  REQUIRE(canonical_id("\"1\"", from_string));
  store.upsert(from_number, "{\"id\":1}");
  CHECK_FALSE(store.upsert(from_string, "{\"id\":1}"));
  CHECK(store.size() == 1);
  RecordId padded;
  REQUIRE(canonical_id("\"007\"", padded));
  store.upsert(padded, "{\"id\":\"007\"}");
  CHECK(store.size() == 2);
}

TEST_CASE("record_store: bytes grows with content", "[record_store]") {
  RecordStore store;
  size_t empty = store.bytes();
  store.upsert("1", std::string(1000, 'x'));
  size_t one = store.bytes();
  CHECK(one >= empty + 1000);
  store.upsert("2", std::string(1000, 'y'));
  CHECK(store.bytes() >= one + 1000);
  store.erase("1");
  store.erase("2");
  CHECK(store.bytes() == empty);
}

TEST_CASE("record_store: with versions a write applies only when newer", "[record_store]") {
  RecordStore store;
  REQUIRE(store.upsert("1", R"({"id":1,"version":5,"t":"five"})"));
  CHECK_FALSE(store.upsert("1", R"({"id":1,"version":4,"t":"four"})"));  // older: refused
  CHECK(store.find("1")->json.find("five") != std::string::npos);
  CHECK_FALSE(store.upsert("1", R"({"id":1,"version":5,"t":"other text"})"));  // same version: the same record
  CHECK(store.upsert("1", R"({"id":1,"version":6,"t":"six"})"));
  bool changed = true;
  CHECK(store.upsert_newer("1", R"({"id":1,"version":3})", 99, true, changed) == nullptr);  // versions beat seqs
  // A field named elsewhere (versionField: updatedAt), ISO times.
  RecordStore times("updatedAt");
  REQUIRE(times.upsert("a", R"({"id":"a","updatedAt":"2026-12-04T10:00:00Z","t":1})"));
  CHECK_FALSE(times.upsert("a", R"({"id":"a","updatedAt":"2026-12-04T10:30:00+01:00","t":2})"));  // 09:30Z
  CHECK(times.upsert("a", R"({"id":"a","updatedAt":"2026-12-04T10:00:00.5Z","t":3})"));
}

TEST_CASE("record_store: tombstones keep older copies of a deleted record out, boundedly", "[record_store]") {
  RecordStore store;
  REQUIRE(store.upsert("1", R"({"id":1,"version":5})"));
  store.tombstone("1", 6);
  store.erase("1");
  CHECK_FALSE(store.upsert("1", R"({"id":1,"version":5})"));  // an old snapshot's copy
  CHECK(store.find("1") == nullptr);
  CHECK(store.upsert("1", R"({"id":1,"version":7})"));  // written after the delete
  CHECK(store.newer_than("1", 6));
  CHECK_FALSE(store.newer_than("1", 7));
  // Without a version nothing orders it: arrival order (a seed-only server).
  store.tombstone("2", 3);
  CHECK(store.upsert("2", R"({"id":2})"));
  // Bounded: the oldest tombstones go first.
  for (int i = 0; i < 5000; ++i) store.tombstone("t" + std::to_string(i), 1);
  CHECK(store.upsert("t0", R"({"id":"t0","version":1})"));
  CHECK_FALSE(store.upsert("t4999", R"({"id":"t4999","version":1})"));
}

// The last 4096 tombstones are kept, in the order they were made, however often the
// bound is passed (they are kept in a ring once it is full).
TEST_CASE("record_store: the newest 4096 tombstones are kept, through several wraps", "[record_store]") {
  RecordStore store;
  auto kept = [&](int i) {  // refused: its tombstone is still there
    bool changed = false;
    return store.upsert_newer("t" + std::to_string(i), R"({"version":1})", std::nullopt, false, changed) == nullptr;
  };
  int made = 0;
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 3000; ++i, ++made) store.tombstone("t" + std::to_string(made), 1);
    int oldest = made > 4096 ? made - 4096 : 0;
    if (oldest > 0) CHECK_FALSE(kept(oldest - 1));
    CHECK(kept(oldest));
    CHECK(kept(made - 1));
    store.erase("t" + std::to_string(oldest - 1 >= 0 ? oldest - 1 : 0));  // what upsert wrote back goes again
  }
  // A new epoch forgets them all; the ring starts again from its first place.
  store.forget_versions();
  CHECK_FALSE(kept(made - 1));
  for (int i = 0; i < 5000; ++i) store.tombstone("n" + std::to_string(i), 1);
  bool changed = false;
  CHECK(store.upsert_newer("n903", R"({"version":1})", std::nullopt, false, changed) != nullptr);  // the oldest went first
  CHECK(store.upsert_newer("n904", R"({"version":1})", std::nullopt, false, changed) == nullptr);
}

TEST_CASE("record_store: an older copy (refused by version) never moves the record's seq back", "[record_store]") {
  RecordStore store;
  REQUIRE(store.upsert("1", R"({"id":1,"version":3})", 51));  // from a snapshot at seq 51
  bool changed = true;
  store.upsert_newer("1", R"({"id":1,"version":3})", 42, true, changed);  // a replayed frame of that version
  CHECK_FALSE(changed);
  CHECK(*store.find("1")->seq == 51);
}

TEST_CASE("record_store: raise_seq only raises, and only in the numbering it was read in", "[record_store]") {
  RecordStore s;
  s.upsert("1", R"({"id":1})", 5);
  uint32_t before = s.numbering();
  s.raise_seq("1", 9, before);
  CHECK(*s.find("1")->seq == 9);
  s.raise_seq("1", 7, before);
  CHECK(*s.find("1")->seq == 9);  // never lowered
  s.forget_seqs();
  CHECK(s.numbering() != before);
  CHECK(*s.find("1")->seq == -1);  // older than the new numbering's first page (seq 0)
  s.raise_seq("1", 12, before);  // read in the old numbering: void
  CHECK(*s.find("1")->seq == -1);
  s.raise_seq("1", 3, s.numbering());
  CHECK(*s.find("1")->seq == 3);
  s.raise_seq("missing", 3, s.numbering());
  CHECK(s.find("missing") == nullptr);
}

TEST_CASE("record store: a packed seq or version holds any value but its sentinel", "[record_store]") {
  Packed<int64_t> seq;
  CHECK_FALSE(seq.has_value());
  seq = 0;
  CHECK(seq.has_value());
  CHECK(*seq == 0);
  seq = std::optional<int64_t>(9007199254740992);
  CHECK(*seq == 9007199254740992);
  CHECK(std::optional<int64_t>(seq) == 9007199254740992);
  seq = std::nullopt;
  CHECK_FALSE(seq);
  CHECK(std::optional<int64_t>(seq) == std::nullopt);
  Packed<Version> ver;
  CHECK_FALSE(ver.has_value());
  for (double v : {0.0, -0.0, -1.0, 1.5e300, -1.5e300}) {
    ver = v;
    CHECK(ver.has_value());
    CHECK(*ver == v);
  }
  ver.reset();
  CHECK_FALSE(ver);
}

TEST_CASE("record_store: the epochs left are the last four before the one held", "[record_store]") {
  RecordStore s;
  s.take_epoch("e1");
  CHECK_FALSE(s.left_epoch("e1"));  // held, not left
  CHECK_FALSE(s.left_epoch(""));
  for (const char* e : {"e2", "e3", "e4", "e5", "e6"}) s.take_epoch(e);
  CHECK_FALSE(s.left_epoch("e1"));  // the oldest went
  for (const char* e : {"e2", "e3", "e4", "e5"}) CHECK(s.left_epoch(e));
  CHECK_FALSE(s.left_epoch("e6"));
  s.take_epoch("e2");  // taken back (a restored backup): e6 is left now, e2 is not
  CHECK(s.left_epoch("e6"));
  CHECK_FALSE(s.left_epoch("e2"));
  CHECK(s.epoch() == "e2");
  RecordStore t;  // a review's case: the one taken back is in the ring still
  for (const char* e : {"A", "B", "A"}) t.take_epoch(e);
  CHECK_FALSE(t.left_epoch("A"));
  CHECK(t.left_epoch("B"));
}
