#pragma once
// The rows of a list view in query order, with positions: a sorted sequence cut
// into blocks of a few hundred entries, so insert, erase, rank and at(i) cost a
// block search plus a short memmove, and windowed reads never touch the rest.
#include <string_view>
#include <vector>
#include "ssot/query.h"

namespace ssot {

struct IndexEntry {
  RecordId id;
  FieldValues key;  // the orderBy values (empty when ordered by id alone)
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
  static constexpr size_t kMaxBlock = 512;
  bool less(const FieldValues& ka, std::string_view ia, const IndexEntry& b) const {
    return query_->compare_keys(ka, ia, b.key, b.id) < 0;
  }
  size_t find_block(const FieldValues& key, std::string_view id) const;

  const Query* query_;
  std::vector<std::vector<IndexEntry>> blocks_;
  size_t size_ = 0;
};

}  // namespace ssot
