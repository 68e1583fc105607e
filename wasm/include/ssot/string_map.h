#pragma once
// A map from string keys (record ids) to values: an open-addressing index (linear
// probing, 8-byte slots, backward-shift deletion) over slabs of entries (a key, then
// its value) that never move, so a lookup hashes the key once and compares one key, and
// a value's address holds until it is erased (views keep pointers). Faster than
// std::unordered_map's nodes in the -Oz runtime and smaller: the index is one copy of
// code for every value type, which it makes and unmakes through two plain functions.
// Memory goes back as entries go: a freed entry's storage at once, slots as the map
// shrinks, everything when it is empty.
#include <cstddef>
#include <cstdint>
#include <new>
#include <string>
#include <string_view>
#include <vector>

namespace ssot {

// The keys, their values and their slots; each live key has a handle (a small integer,
// reused after erase): its entry's place in the slabs.
class KeyIndex {
 public:
  static constexpr uint32_t kNone = 0xFFFFFFFFu;
  // Keys and values are allocated 256 at a time, but the first 16 alone: a small map (a
  // view's few rows, a model of a few records) is small too. Handle h sits at place
  // h + kFirstAt of chunk-sized steps, so the first chunk is the last 16 places of one.
  static constexpr uint32_t kChunkBits = 8;
  static constexpr uint32_t kFirst = 16, kFirstAt = (1u << kChunkBits) - kFirst;

  // What a map keeps beside each key, in the key's own chunk: a lookup that finds a key
  // then reads its value from the same place (apart, the value was a second cache miss
  // per lookup on a large list). The index makes and unmakes the values with its chunks.
  struct ValueType {
    size_t size, align;
    void (*make)(void* at);    // a V() at `at`
    void (*unmake)(void* at);  // ~V() of the one at `at`
  };
  explicit KeyIndex(const ValueType& value);
  KeyIndex(const KeyIndex&) = delete;
  KeyIndex& operator=(const KeyIndex&) = delete;
  ~KeyIndex() { clear(); }

  uint32_t find(std::string_view key) const;           // its handle, or kNone
  uint32_t insert(std::string_view key, bool& fresh);  // its handle, new or not (`fresh` says)
  uint32_t erase(std::string_view key);                // the handle it had, or kNone
  void reserve(size_t n);                              // room for n keys without growing
  void clear();                                        // everything back to the allocator
  // Empty, keeping a small table's storage for the next keys (a view's pending changes
  // fill and empty it every flush); a large one goes back as with clear().
  void reset();
  size_t size() const { return size_; }
  uint32_t handles() const { return used_; }           // every handle is below this
  bool live(uint32_t h) const { return key_at(h).live; }
  const std::string& key(uint32_t h) const { return key_at(h).text; }
  size_t reserved() const;  // bytes held for entries (keys and values) and slots, beyond the keys' own text
  void* value_at(uint32_t h) const { return entry(h) + value_offset_; }

 private:
  struct Key {
    std::string text;
    bool live = false;
  };
  struct Slot {
    uint32_t hash = 0;
    uint32_t handle = 0;  // handle + 1; 0 = empty
  };
  static uint32_t chunk_first(size_t c) { return c ? (uint32_t(c) << kChunkBits) - kFirstAt : 0; }  // its first handle
  char* entry(uint32_t h) const {
    uint32_t at = h + kFirstAt;
    return reinterpret_cast<char*>(bases_[at >> kChunkBits] + (at & ((1u << kChunkBits) - 1)) * stride_);
  }
  Key& key_at(uint32_t h) const { return *reinterpret_cast<Key*>(entry(h)); }
  void add_chunk();
  size_t slot_of(std::string_view key, uint32_t hash) const;  // its slot, or the empty one ending its run
  void rehash(size_t capacity);

  ValueType value_;
  size_t value_offset_, stride_;  // in an entry: the key, then its value
  std::vector<Slot> slots_;  // a power of two, at most 70% full
  // Each chunk of entries (new char[]) by its place 0 (see entry()); clear() deletes them.
  std::vector<uintptr_t> bases_;
  std::vector<uint32_t> free_;  // erased handles, reused first
  uint32_t used_ = 0;           // handles ever handed out (live or free)
  size_t size_ = 0;
};

template <typename V>
class StringMap {
 public:
  // The slabs are new char[]: aligned for any fundamental type, not beyond.
  static_assert(alignof(V) <= alignof(std::max_align_t), "a value aligned past the slabs'");
  StringMap() : index_(KeyIndex::ValueType{sizeof(V), alignof(V), make, unmake}) {}
  V* find(std::string_view key) const {
    uint32_t h = index_.find(key);
    return h == KeyIndex::kNone ? nullptr : &value(h);
  }
  // The value of key, a default one if there was none (`fresh` says which).
  V& emplace(std::string_view key, bool& fresh) { return value(index_.insert(key, fresh)); }
  bool erase(std::string_view key) {
    uint32_t h = index_.erase(key);
    if (h == KeyIndex::kNone) return false;
    if (index_.size() > 0) renew(value(h));  // its storage goes now; the slot waits for a new key
    return true;                             // (empty, the index gave everything back)
  }
  void clear() { index_.clear(); }
  void reset() {  // as KeyIndex::reset
    for (uint32_t h = 0; h < index_.handles(); ++h) renew(value(h));
    index_.reset();
  }
  size_t size() const { return index_.size(); }
  void reserve(size_t n) { index_.reserve(n); }
  size_t reserved() const { return index_.reserved(); }

  template <typename F>
  void for_each(F&& f) {  // f(key, value) for every entry, in no particular order; no insert or erase meanwhile
    for (uint32_t h = 0; h < index_.handles(); ++h)
      if (index_.live(h)) f(index_.key(h), value(h));
  }
  template <typename F>
  void for_each(F&& f) const {
    for (uint32_t h = 0; h < index_.handles(); ++h)
      if (index_.live(h)) f(index_.key(h), static_cast<const V&>(value(h)));
  }

 private:
  static void make(void* at) { new (at) V(); }
  static void unmake(void* at) { static_cast<V*>(at)->~V(); }
  // A value back to V(): destroyed and made anew, which is smaller code than
  // assigning a temporary (its move, then its destruction).
  static void renew(V& v) {
    v.~V();
    new (&v) V();
  }
  V& value(uint32_t h) const { return *static_cast<V*>(index_.value_at(h)); }

  KeyIndex index_;
};

// A set of strings on the same index (std::set<std::string>'s tree code was 1 KB of the
// wasm); iterated in no particular order.
class StringSet {
 public:
  bool insert(std::string_view key) {  // whether it was new
    bool fresh = false;
    keys_.emplace(key, fresh);
    return fresh;
  }
  bool erase(std::string_view key) { return keys_.erase(key); }
  bool contains(std::string_view key) const { return keys_.find(key) != nullptr; }
  bool empty() const { return keys_.size() == 0; }
  void clear() { keys_.clear(); }
  template <typename F>
  void for_each(F&& f) const {
    keys_.for_each([&](const std::string& key, const char&) { f(key); });
  }

 private:
  StringMap<char> keys_;
};

}  // namespace ssot
