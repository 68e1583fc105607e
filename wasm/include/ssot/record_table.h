#pragma once
// The records of one store by id: an open-addressing index (linear probing, 8-byte
// slots) over a slab of entries that never move, so a lookup hashes the id once and
// compares one key, and a record's address holds until it is erased (views keep
// pointers). Found faster than std::unordered_map's nodes in the -Oz runtime, where
// every step of libc++'s lookup is a call. Memory goes back as records go: a freed
// entry's strings at once, slots as the table shrinks, everything when it is empty.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include "ssot/record_version.h"

namespace ssot {

// One of our own writes that the server has not confirmed yet (optimistic).
struct PendingWrite {
  enum Kind { Create, Replace, Patch, Delete } kind = Create;
  std::string mutation_id;
  std::string body;  // the record (Create: with its id), the replacement or the patch
};

struct StoredRecord {
  // What views show: the server's copy with our pending writes laid over, in call
  // order; "" while a pending delete hides it (or a create has nothing to show).
  std::string json;
  std::string confirmed;               // the server's copy while writes are pending ("" = none)
  std::vector<PendingWrite> pending;
  uint64_t version = 0;          // bumps on every content change (views compare it)
  std::optional<int64_t> seq;    // list-channel seq of the last change applied, when known
  std::optional<Version> ver;    // the record's own version (versionField), when it has one
  // Who holds it (views, item views, a change in progress): bookkeeping, not content,
  // so a holder with a const record at hand may count itself in and out.
  mutable int refs = 0;
  bool deleted = false;          // deleted, but kept for views that skipped the delete
};

class RecordTable {
 public:
  StoredRecord* find(std::string_view id) const;
  // The record with that id, a new empty one if there was none (`fresh` says which).
  StoredRecord& emplace(std::string_view id, bool& fresh);
  bool erase(std::string_view id);
  size_t size() const { return size_; }
  // Bytes the table holds beyond the records' own strings: slots, entry blocks, free list.
  size_t reserved() const;

  template <typename F>
  void for_each(F&& f) {  // f(id, record) for every record, in no particular order
    for (uint32_t i = 0; i < used_; ++i)
      if (entry(i).live) f(std::string_view(entry(i).id), entry(i).record);
  }
  template <typename F>
  void for_each(F&& f) const {
    for (uint32_t i = 0; i < used_; ++i)
      if (entry(i).live) f(std::string_view(entry(i).id), static_cast<const StoredRecord&>(entry(i).record));
  }

 private:
  struct Entry {
    std::string id;
    StoredRecord record;
    uint32_t hash = 0;
    bool live = false;
  };
  struct Slot {
    uint32_t hash = 0;
    uint32_t entry = 0;  // index + 1; 0 = empty
  };
  static constexpr uint32_t kChunkBits = 8;  // entries are allocated 256 at a time
  Entry& entry(uint32_t i) const { return chunks_[i >> kChunkBits][i & ((1u << kChunkBits) - 1)]; }
  size_t slot_of(std::string_view id, uint32_t hash) const;  // its slot, or the empty one ending its run
  void release(uint32_t i);
  void rehash(size_t capacity);

  std::vector<Slot> slots_;  // a power of two, at most 70% full
  std::vector<std::unique_ptr<Entry[]>> chunks_;
  std::vector<uint32_t> free_;  // erased entries, reused first
  uint32_t used_ = 0;           // entries ever handed out (live or free)
  size_t size_ = 0;
};

}  // namespace ssot
