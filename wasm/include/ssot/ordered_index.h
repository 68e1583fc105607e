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
  // Filled by OrderedIndex::insert: every comparison would otherwise rescan the id
  // text to learn whether it is numeric (compare_ids).
  int64_t id_number = 0;
  bool id_numeric = false;
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
    while (b < blocks_.size() && start >= blocks_[b].size()) start -= blocks_[b++].size();
    for (; b < blocks_.size() && count > 0; ++b, start = 0)
      for (size_t i = start; i < blocks_[b].size() && count > 0; ++i, --count) f(blocks_[b][i]);
  }

 private:
  // Entries move one by one (std::string is not trivially relocatable), so blocks
  // stay small: 32 to 64 entries (callgrind, -Os: 128 to 256 cost 10% more instructions
  // per frame on list-10k and sorted-filtered-10k, 6% on list-100k).
  static constexpr size_t kMaxBlock = 32;
  struct Probe {  // a (key, id) looked for, with its id parsed once
    const FieldValues* key;
    std::string_view id;
    int64_t number;
    bool numeric;
  };
  static Probe probe(const FieldValues& key, std::string_view id);
  int compare(const IndexEntry& e, const Probe& p) const;  // as Query::compare_keys
  size_t find_block(const Probe& p) const;
  size_t lower(const std::vector<IndexEntry>& block, const Probe& p) const;  // first entry not less than p
  size_t block_start(size_t b) const;

  const Query* query_;
  std::vector<std::vector<IndexEntry>> blocks_;
  size_t size_ = 0;
  // Where each block starts, rebuilt on the first rank after a change: a flush
  // ranks all its rows after all its inserts and erases.
  mutable std::vector<size_t> starts_;
  mutable bool starts_valid_ = false;
};

}  // namespace ssot
