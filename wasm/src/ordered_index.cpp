#include "ssot/ordered_index.h"

#include <algorithm>

namespace ssot {

// The first block whose last entry is not less than (key, id); the last block if none.
size_t OrderedIndex::find_block(const FieldValues& key, std::string_view id) const {
  size_t lo = 0, hi = blocks_.size();
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    const IndexEntry& last = blocks_[mid].back();
    if (query_->compare_keys(last.key, last.id, key, id) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo < blocks_.size() ? lo : blocks_.size() - 1;
}

void OrderedIndex::insert(IndexEntry entry) {
  if (blocks_.empty()) {  // find_block needs non-empty blocks
    blocks_.emplace_back();
    blocks_.back().push_back(std::move(entry));
    size_ = 1;
    return;
  }
  size_t b = find_block(entry.key, entry.id);
  auto& block = blocks_[b];
  auto it = std::lower_bound(block.begin(), block.end(), entry, [this](const IndexEntry& e, const IndexEntry& x) {
    return query_->compare_keys(e.key, e.id, x.key, x.id) < 0;
  });
  block.insert(it, std::move(entry));
  ++size_;
  if (block.size() > 2 * kMaxBlock) {
    std::vector<IndexEntry> tail(std::make_move_iterator(block.begin() + kMaxBlock),
                                 std::make_move_iterator(block.end()));
    block.resize(kMaxBlock);
    blocks_.insert(blocks_.begin() + b + 1, std::move(tail));
  }
}

bool OrderedIndex::erase(const FieldValues& key, std::string_view id) {
  if (blocks_.empty()) return false;
  size_t b = find_block(key, id);
  auto& block = blocks_[b];
  auto it = std::lower_bound(block.begin(), block.end(), 0, [&](const IndexEntry& e, int) {
    return query_->compare_keys(e.key, e.id, key, id) < 0;
  });
  if (it == block.end() || it->id != id) return false;
  block.erase(it);
  --size_;
  if (block.empty()) blocks_.erase(blocks_.begin() + b);
  return true;
}

size_t OrderedIndex::rank(const FieldValues& key, std::string_view id) const {
  if (blocks_.empty()) return 0;
  size_t b = find_block(key, id);
  size_t before = 0;
  for (size_t i = 0; i < b; ++i) before += blocks_[i].size();
  const auto& block = blocks_[b];
  auto it = std::lower_bound(block.begin(), block.end(), 0, [&](const IndexEntry& e, int) {
    return query_->compare_keys(e.key, e.id, key, id) < 0;
  });
  return before + size_t(it - block.begin());
}

const IndexEntry& OrderedIndex::at(size_t i) const {
  size_t b = 0;
  while (i >= blocks_[b].size()) i -= blocks_[b++].size();
  return blocks_[b][i];
}

void OrderedIndex::clear() {
  blocks_.clear();
  size_ = 0;
}

}  // namespace ssot
