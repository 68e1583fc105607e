#include "ssot/record_table.h"

#include <cstring>

namespace ssot {

namespace {
// FNV-1a (ids are short: digits, a uuid; a plain loop at -Oz), then murmur3's
// finalizer: FNV's low bits, which pick the slot, cluster on consecutive ids.
inline __attribute__((always_inline)) uint32_t hash_id(std::string_view id) {
  uint32_t h = 2166136261u;
  for (char c : id) h = (h ^ uint8_t(c)) * 16777619u;
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  return h ^ (h >> 16);
}
}  // namespace

size_t RecordTable::slot_of(std::string_view id, uint32_t hash) const {
  size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.entry == 0) return i;
    if (s.hash != hash) continue;
    const std::string& key = entry(s.entry - 1).id;
    if (key.size() == id.size() && std::memcmp(key.data(), id.data(), id.size()) == 0) return i;
  }
}

StoredRecord* RecordTable::find(std::string_view id) const {
  if (size_ == 0) return nullptr;
  const Slot& s = slots_[slot_of(id, hash_id(id))];
  return s.entry ? &entry(s.entry - 1).record : nullptr;
}

StoredRecord& RecordTable::emplace(std::string_view id, bool& fresh) {
  if ((size_ + 1) * 10 > slots_.size() * 7) rehash(slots_.empty() ? 16 : slots_.size() * 2);
  uint32_t hash = hash_id(id);
  Slot& s = slots_[slot_of(id, hash)];
  fresh = s.entry == 0;
  if (!fresh) return entry(s.entry - 1).record;
  uint32_t i;
  if (!free_.empty()) {
    i = free_.back();
    free_.pop_back();
  } else {
    if ((used_ >> kChunkBits) == chunks_.size()) chunks_.emplace_back(new Entry[1u << kChunkBits]);
    i = used_++;
  }
  Entry& e = entry(i);
  e.id.assign(id.data(), id.size());
  e.hash = hash;
  e.live = true;
  s.hash = hash;
  s.entry = i + 1;
  ++size_;
  return e.record;
}

bool RecordTable::erase(std::string_view id) {
  if (size_ == 0) return false;
  size_t mask = slots_.size() - 1;
  size_t hole = slot_of(id, hash_id(id));
  if (slots_[hole].entry == 0) return false;
  release(slots_[hole].entry - 1);
  // Backward shift: later slots of the run move up unless the hole lies before their home.
  for (size_t j = (hole + 1) & mask; slots_[j].entry != 0; j = (j + 1) & mask) {
    size_t home = slots_[j].hash & mask;
    bool stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
    if (stays) continue;
    slots_[hole] = slots_[j];
    hole = j;
  }
  slots_[hole] = Slot();
  if (size_ == 0) *this = RecordTable();  // all of it back to the allocator
  else if (slots_.size() > 64 && size_ * 8 < slots_.size()) rehash(slots_.size() / 2);
  return true;
}

// Entry i is free: its text goes now; the entry waits in the free list for the next
// record (its block goes back when the table is empty).
void RecordTable::release(uint32_t i) {
  { Entry gone(std::move(entry(i))); }  // takes the strings' storage with it
  entry(i) = Entry();
  --size_;
  free_.push_back(i);
}

void RecordTable::rehash(size_t capacity) {
  std::vector<Slot> old(capacity);
  old.swap(slots_);
  size_t mask = slots_.size() - 1;
  for (const Slot& s : old) {
    if (s.entry == 0) continue;
    size_t i = s.hash & mask;
    while (slots_[i].entry != 0) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

size_t RecordTable::reserved() const {
  return slots_.capacity() * sizeof(Slot) + chunks_.size() * (sizeof(Entry) << kChunkBits) +
         free_.capacity() * sizeof(uint32_t);
}

}  // namespace ssot
