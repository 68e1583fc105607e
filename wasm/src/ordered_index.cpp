#include "ssot/ordered_index.h"

#include <algorithm>

namespace ssot {

OrderedIndex::Probe OrderedIndex::probe(const FieldValues& key, std::string_view id) {
  Probe p{&key, id, 0, is_numeric_id(id)};
  if (p.numeric) {  // canonical integer text within 2^53: fits an int64
    bool neg = id[0] == '-';
    for (size_t i = neg ? 1 : 0; i < id.size(); ++i) p.number = p.number * 10 + (id[i] - '0');
    if (neg) p.number = -p.number;
  }
  return p;
}

// Same order as Query::compare_keys, with the ids' numeric values precomputed.
int OrderedIndex::compare(const IndexEntry& e, const Probe& p) const {
  if (query_->has_order()) {
    int c = query_->compare_sort_values(e.key, *p.key);
    if (c != 0) return c;
  }
  if (e.id_numeric != p.numeric) return e.id_numeric ? -1 : 1;
  if (e.id_numeric) return e.id_number < p.number ? -1 : (e.id_number > p.number ? 1 : 0);
  int c = std::string_view(e.id).compare(p.id);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

// The first of n items not less than p, where less(i) says item i is: a binary search
// by index (std::lower_bound's iterator steps are calls at -Oz).
namespace {
template <typename Less>
size_t first_not_less(size_t n, Less less) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (less(mid)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
}  // namespace

// The first block whose last entry is not less than p; the last block if none.
size_t OrderedIndex::find_block(const Probe& p) const {
  size_t b = first_not_less(blocks_.size(), [&](size_t i) { return compare(blocks_[i].back(), p) < 0; });
  return b < blocks_.size() ? b : blocks_.size() - 1;
}

size_t OrderedIndex::lower(const std::vector<IndexEntry>& block, const Probe& p) const {
  return first_not_less(block.size(), [&](size_t i) { return compare(block[i], p) < 0; });
}

size_t OrderedIndex::block_start(size_t b) const {
  if (!starts_valid_) {
    starts_.resize(blocks_.size());
    size_t n = 0;
    for (size_t i = 0; i < blocks_.size(); ++i) {
      starts_[i] = n;
      n += blocks_[i].size();
    }
    starts_valid_ = true;
  }
  return starts_[b];
}

void OrderedIndex::insert(IndexEntry entry) {
  Probe p = probe(entry.key, entry.id);
  entry.id_number = p.number;
  entry.id_numeric = p.numeric;
  starts_valid_ = false;
  ++size_;
  if (blocks_.empty()) {  // find_block needs non-empty blocks
    blocks_.emplace_back();
    blocks_.back().push_back(std::move(entry));
    return;
  }
  size_t b = find_block(p);
  auto& block = blocks_[b];
  block.insert(block.begin() + lower(block, p), std::move(entry));  // p still points into the moved-from entry: not used again
  if (block.size() > 2 * kMaxBlock) {
    std::vector<IndexEntry> tail(std::make_move_iterator(block.begin() + kMaxBlock),
                                 std::make_move_iterator(block.end()));
    block.resize(kMaxBlock);
    blocks_.insert(blocks_.begin() + b + 1, std::move(tail));
  }
}

bool OrderedIndex::erase(const FieldValues& key, std::string_view id) {
  if (blocks_.empty()) return false;
  Probe p = probe(key, id);
  size_t b = find_block(p);
  auto& block = blocks_[b];
  size_t i = lower(block, p);
  if (i == block.size() || block[i].id != id) return false;
  block.erase(block.begin() + i);
  --size_;
  starts_valid_ = false;
  if (block.empty()) blocks_.erase(blocks_.begin() + b);
  return true;
}

size_t OrderedIndex::rank(const FieldValues& key, std::string_view id) const {
  if (blocks_.empty()) return 0;
  Probe p = probe(key, id);
  size_t b = find_block(p);
  const auto& block = blocks_[b];
  return block_start(b) + lower(block, p);
}

const IndexEntry& OrderedIndex::at(size_t i) const {
  block_start(0);  // valid starts_
  size_t b = size_t(std::upper_bound(starts_.begin(), starts_.end(), i) - starts_.begin()) - 1;
  return blocks_[b][i - starts_[b]];
}

void OrderedIndex::clear() {
  blocks_.clear();
  size_ = 0;
  starts_valid_ = false;
}

}  // namespace ssot
