#include "ssot/string_map.h"

#include <algorithm>
#include <cstring>

namespace ssot {

namespace {
// FNV-1a (ids are short: digits, a uuid; a plain loop at -Oz), then murmur3's
// finalizer: FNV's low bits, which pick the slot, cluster on consecutive ids.
inline __attribute__((always_inline)) uint32_t hash_key(std::string_view key) {
  uint32_t h = 2166136261u;
  for (char c : key) h = (h ^ uint8_t(c)) * 16777619u;
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  return h ^ (h >> 16);
}

size_t round_up(size_t n, size_t to) { return (n + to - 1) / to * to; }
}  // namespace

KeyIndex::KeyIndex(const ValueType& value)
    : value_(value),
      value_offset_(round_up(sizeof(Key), value.align)),
      stride_(round_up(value_offset_ + value.size, std::max(alignof(Key), value.align))) {}

// A chunk of entries: each a Key, then a value made by the map's own make().
void KeyIndex::add_chunk() {
  uint32_t first = chunk_first(bases_.size()), end = chunk_first(bases_.size() + 1);
  // The first chunk's place 0 lies kFirstAt places before it: an address, not a pointer.
  bases_.push_back(reinterpret_cast<uintptr_t>(new char[(end - first) * stride_]) - (first ? 0 : kFirstAt * stride_));
  for (uint32_t h = first; h < end; ++h) {
    new (entry(h)) Key();
    value_.make(value_at(h));
  }
}

size_t KeyIndex::slot_of(std::string_view key, uint32_t hash) const {
  size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.handle == 0) return i;
    if (s.hash != hash) continue;
    const std::string& k = key_at(s.handle - 1).text;
    if (k.size() == key.size() && std::memcmp(k.data(), key.data(), key.size()) == 0) return i;
  }
}

uint32_t KeyIndex::find(std::string_view key) const {
  if (size_ == 0) return kNone;
  const Slot& s = slots_[slot_of(key, hash_key(key))];
  return s.handle ? s.handle - 1 : kNone;
}

uint32_t KeyIndex::insert(std::string_view key, bool& fresh) {
  if ((size_ + 1) * 10 > slots_.size() * 7) rehash(slots_.empty() ? 16 : slots_.size() * 2);
  uint32_t hash = hash_key(key);
  Slot& s = slots_[slot_of(key, hash)];
  fresh = s.handle == 0;
  if (!fresh) return s.handle - 1;
  uint32_t h;
  if (!free_.empty()) {
    h = free_.back();
    free_.pop_back();
  } else {
    if (used_ == chunk_first(bases_.size())) add_chunk();
    h = used_++;
  }
  Key& k = key_at(h);
  k.text.assign(key.data(), key.size());
  k.live = true;
  s.hash = hash;
  s.handle = h + 1;
  ++size_;
  return h;
}

uint32_t KeyIndex::erase(std::string_view key) {
  if (size_ == 0) return kNone;
  size_t mask = slots_.size() - 1;
  size_t hole = slot_of(key, hash_key(key));
  uint32_t h = slots_[hole].handle;
  if (h-- == 0) return kNone;
  key_at(h).text = std::string();  // its text goes now (live false); the handle waits in the free list
  key_at(h).live = false;
  --size_;
  free_.push_back(h);
  // Backward shift: later slots of the run move up unless the hole lies before their home.
  for (size_t j = (hole + 1) & mask; slots_[j].handle != 0; j = (j + 1) & mask) {
    size_t home = slots_[j].hash & mask;
    bool stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
    if (stays) continue;
    slots_[hole] = slots_[j];
    hole = j;
  }
  slots_[hole] = Slot();
  if (size_ == 0) clear();
  else if (slots_.size() > 64 && size_ * 8 < slots_.size()) rehash(slots_.size() / 2);
  return h;
}

void KeyIndex::clear() {
  std::vector<Slot>().swap(slots_);
  for (uint32_t h = 0; h < chunk_first(bases_.size()); ++h) {
    key_at(h).~Key();
    value_.unmake(value_at(h));
  }
  for (size_t c = 0; c < bases_.size(); ++c) delete[] reinterpret_cast<char*>(bases_[c] + (c ? 0 : kFirstAt * stride_));
  std::vector<uintptr_t>().swap(bases_);
  std::vector<uint32_t>().swap(free_);
  used_ = 0;
  size_ = 0;
}

void KeyIndex::reset() {
  if (slots_.size() > 256) return clear();
  for (uint32_t h = 0; h < used_; ++h) key_at(h) = Key();
  std::fill(slots_.begin(), slots_.end(), Slot());
  free_.clear();
  used_ = 0;
  size_ = 0;
}

// A snapshot's rows are counted before they go in: one rehash instead of one per
// doubling (each moves every key; 100k records went through 14).
void KeyIndex::reserve(size_t n) {
  if (n == 0) return;  // an empty map holds nothing
  size_t capacity = slots_.empty() ? 16 : slots_.size();
  while (n * 10 > capacity * 7) capacity *= 2;
  if (capacity > slots_.size()) rehash(capacity);
}

void KeyIndex::rehash(size_t capacity) {
  std::vector<Slot> old(capacity);
  old.swap(slots_);
  size_t mask = slots_.size() - 1;
  for (const Slot& s : old) {
    if (s.handle == 0) continue;
    size_t i = s.hash & mask;
    while (slots_[i].handle != 0) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

size_t KeyIndex::reserved() const {
  return slots_.capacity() * sizeof(Slot) + chunk_first(bases_.size()) * stride_ + bases_.capacity() * sizeof(uintptr_t) +
         free_.capacity() * sizeof(uint32_t);
}

}  // namespace ssot
