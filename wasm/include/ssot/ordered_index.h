#pragma once
// The rows of a list view in query order, with positions: a sorted sequence cut
// into blocks of a few dozen entries, so insert, erase, rank and at(i) cost
// a block search plus a short memmove, and windowed reads never touch the rest.
#include <cstdint>
#include <string_view>
#include <vector>
#include "ssot/query.h"

namespace ssot {

struct IndexEntry {
  RecordId id;
  FieldValues key;  // the orderBy values (empty when ordered by id alone)
  uint64_t prefix = 0;  // filled by OrderedIndex::insert (Probe::prefix)
};

class OrderedIndex {
 public:
  explicit OrderedIndex(const Query* query) : query_(query) {}

  void insert(IndexEntry entry);
  bool erase(const FieldValues& key, std::string_view id);
  // Position of (key, id): its index when present, else where it would go.
  size_t rank(const FieldValues& key, std::string_view id) const;
  const IndexEntry& at(size_t i) const;
  size_t size() const { return size_; }
  void clear();

  template <typename F>
  void for_range(size_t start, size_t count, F&& f) const {
    size_t b = 0;
    while (b < blocks_.size() && start >= blocks_[b].entries.size()) start -= blocks_[b++].entries.size();
    for (; b < blocks_.size() && count > 0; ++b, start = 0)
      for (size_t i = start; i < blocks_[b].entries.size() && count > 0; ++i, --count) f(blocks_[b].entries[i]);
  }

 private:
  // Entries move one by one (std::string is not trivially relocatable), so blocks
  // stay small: 32 to 64 entries (callgrind, -Os: 128 to 256 cost 10% more instructions
  // per frame on list-10k and sorted-filtered-10k, 6% on list-100k).
  static constexpr size_t kMaxBlock = 32;
  // A (key, id) looked for. Its prefix is a number that orders as (key, id) do, but
  // for ties: where two prefixes differ, the entries compare the same way, and only
  // equal ones need the full comparison. It comes from the first orderBy value (its
  // kind, then the number or the text's first 7 bytes) or, without an order, from the
  // id; so most comparisons in a search are one integer compare on the entry itself
  // (callgrind, g++ -O2: 1.5%, 3.7% and 6.9% fewer instructions per frame on list-1k,
  // list-100k and sorted-filtered-10k). Ties (a first sort field with few values, string
  // ids alike in their first 7 bytes) take the full comparison, ids read from their text.
  struct Probe {
    const FieldValues* key;
    std::string_view id;
    uint64_t prefix;
  };
  Probe probe(const FieldValues& key, std::string_view id) const;
  // As Query::compare_keys. The prefixes decide most comparisons of a search: inlined,
  // they cost no call (at -Oz a call each, up to a dozen per search).
  __attribute__((always_inline)) int compare(const IndexEntry& e, const Probe& p) const {
    if (e.prefix != p.prefix) return e.prefix < p.prefix ? -1 : 1;
    return compare_tie(e, p);
  }
  int compare_tie(const IndexEntry& e, const Probe& p) const;  // equal prefixes
  size_t find_block(const Probe& p) const;
  size_t lower(const std::vector<IndexEntry>& block, const Probe& p) const;  // first entry not less than p
  size_t block_start(size_t b) const;

  const Query* query_;
  // A block keeps its last entry's prefix beside it: a search over the blocks reads
  // them from this one array instead of from each block's own allocation (a cache
  // miss per step at 1M records).
  struct Block {
    std::vector<IndexEntry> entries;
    uint64_t last = 0;  // entries.back().prefix (entries are never empty)
  };
  void seal(Block& b) { b.last = b.entries.back().prefix; }
  std::vector<Block> blocks_;
  size_t size_ = 0;
  // Where each block starts, rebuilt on the first rank after a change: a flush
  // ranks all its rows after all its inserts and erases.
  mutable std::vector<size_t> starts_;
  mutable bool starts_valid_ = false;
};

}  // namespace ssot
