#include "ssot/ordered_index.h"

#include <algorithm>
#include <cstring>

namespace ssot {

namespace {
// The first 7 bytes of a text, big-endian: ordered as std::string::compare orders
// texts (unsigned bytes, a shorter text first), but for ties.
uint64_t text_prefix(std::string_view s) {
  uint64_t v = 0;
  for (size_t i = 0; i < 7; ++i) v = v << 8 | (i < s.size() ? uint8_t(s[i]) : 0);
  return v;
}

// Value's order (ssot/value.h): the kind's rank in the top 3 bits, then the value.
uint64_t value_prefix(const Value& v) {
  switch (v.kind) {
    case JsonKind::Null: return 0;
    case JsonKind::Bool: return uint64_t(1) << 61 | uint64_t(v.boolean);
    case JsonKind::Number: {
      double d = v.number == 0 ? 0.0 : v.number;  // -0 equals 0
      uint64_t bits;
      std::memcpy(&bits, &d, sizeof bits);
      bits = bits >> 63 ? ~bits : bits | uint64_t(1) << 63;  // IEEE order as unsigned order
      return uint64_t(2) << 61 | bits >> 3;
    }
    case JsonKind::String: return uint64_t(3) << 61 | text_prefix(v.text);
    default: return uint64_t(4) << 61 | text_prefix(v.text);
  }
}

// compare_ids' order: numeric ids (canonical integer text within 2^53) first, by
// value; then the others by text.
uint64_t id_prefix(std::string_view id) {
  if (!is_numeric_id(id)) return uint64_t(1) << 63 | text_prefix(id);
  bool neg = id[0] == '-';
  int64_t n = 0;
  for (size_t i = neg ? 1 : 0; i < id.size(); ++i) n = n * 10 + (id[i] - '0');
  return uint64_t((neg ? -n : n) + (int64_t(1) << 53));
}
}  // namespace

OrderedIndex::Probe OrderedIndex::probe(const FieldValues& key, std::string_view id) const {
  uint64_t prefix = 0;
  if (!query_->has_order()) prefix = id_prefix(id);
  else if (!key.empty()) prefix = query_->first_desc() ? ~value_prefix(key[0]) : value_prefix(key[0]);
  return Probe{&key, id, prefix};
}

int OrderedIndex::compare_tie(const IndexEntry& e, const Probe& p) const {
  // Ordered by id alone, a numeric id's prefix is its value: equal prefixes, equal ids.
  if (!query_->has_order() && !(p.prefix >> 63)) return 0;
  if (query_->has_order()) {
    int c = query_->compare_sort_values(e.key, *p.key);
    if (c != 0) return c;
  }
  return compare_ids(e.id, p.id);
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
  size_t b = first_not_less(blocks_.size(), [&](size_t i) {
    const Block& k = blocks_[i];
    return k.last != p.prefix ? k.last < p.prefix : compare_tie(k.entries.back(), p) < 0;
  });
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
      n += blocks_[i].entries.size();
    }
    starts_valid_ = true;
  }
  return starts_[b];
}

void OrderedIndex::insert(IndexEntry entry) {
  Probe p = probe(entry.key, entry.id);
  entry.prefix = p.prefix;
  starts_valid_ = false;
  ++size_;
  if (blocks_.empty()) {  // find_block needs non-empty blocks
    blocks_.emplace_back();
    blocks_.back().entries.push_back(std::move(entry));
    seal(blocks_.back());
    return;
  }
  size_t b = find_block(p);
  auto& block = blocks_[b].entries;
  block.insert(block.begin() + lower(block, p), std::move(entry));  // p still points into the moved-from entry: not used again
  seal(blocks_[b]);
  if (block.size() > 2 * kMaxBlock) {
    Block tail{std::vector<IndexEntry>(std::make_move_iterator(block.begin() + kMaxBlock),
                                       std::make_move_iterator(block.end()))};
    block.resize(kMaxBlock);
    seal(blocks_[b]);
    seal(tail);
    blocks_.insert(blocks_.begin() + b + 1, std::move(tail));
  }
}

bool OrderedIndex::erase(const FieldValues& key, std::string_view id) {
  if (blocks_.empty()) return false;
  Probe p = probe(key, id);
  size_t b = find_block(p);
  auto& block = blocks_[b].entries;
  size_t i = lower(block, p);
  if (i == block.size() || block[i].id != id) return false;
  block.erase(block.begin() + i);
  --size_;
  starts_valid_ = false;
  if (block.empty()) blocks_.erase(blocks_.begin() + b);
  else seal(blocks_[b]);
  return true;
}

size_t OrderedIndex::rank(const FieldValues& key, std::string_view id) const {
  if (blocks_.empty()) return 0;
  Probe p = probe(key, id);
  size_t b = find_block(p);
  return block_start(b) + lower(blocks_[b].entries, p);
}

const IndexEntry& OrderedIndex::at(size_t i) const {
  block_start(0);  // valid starts_
  size_t b = size_t(std::upper_bound(starts_.begin(), starts_.end(), i) - starts_.begin()) - 1;
  return blocks_[b].entries[i - starts_[b]];
}

void OrderedIndex::clear() {
  blocks_.clear();
  size_ = 0;
  starts_valid_ = false;
}

}  // namespace ssot
