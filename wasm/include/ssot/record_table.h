#pragma once
// What a store holds for each record, in a StringMap by id (ssot/string_map.h): a
// record's address holds until it is erased (views keep pointers).
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>
#include "ssot/record_version.h"
#include "ssot/string_map.h"

namespace ssot {

// An optional in its value's own size: "none" is a value the field never holds (a seq
// is never INT64_MIN: -1 at the least, a forgotten numbering's; a version never NaN). The
// store keeps two per record; std::optional's flag made each 16 bytes.
template <typename T>
class Packed {
 public:
  Packed() = default;
  Packed& operator=(const std::optional<T>& o) {
    v_ = o ? *o : none();
    return *this;
  }
  Packed& operator=(T v) {
    v_ = v;
    return *this;
  }
  bool has_value() const { return v_ == v_ && v_ != none(); }  // v_ == v_: not NaN
  explicit operator bool() const { return has_value(); }
  T operator*() const { return v_; }
  operator std::optional<T>() const { return *this ? std::optional<T>(v_) : std::nullopt; }
  void reset() { v_ = none(); }

 private:
  static constexpr T none() {
    return std::numeric_limits<T>::has_quiet_NaN ? std::numeric_limits<T>::quiet_NaN() : std::numeric_limits<T>::min();
  }
  T v_ = none();
};

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
  // RecordStore::texts_written() when the server's copy was last written (not our pending
  // writes laid over it, unlike `version`). In wasm32 it fills the padding before `version`.
  uint32_t text_no = 0;
  uint64_t version = 0;          // bumps on every content change (views compare it)
  Packed<int64_t> seq;           // list-channel seq of the last change applied, when known
  Packed<Version> ver;           // the record's own version (versionField), when it has one
  // Who holds it (views, item views, a change in progress): bookkeeping, not content,
  // so a holder with a const record at hand may count itself in and out.
  mutable int refs = 0;
  bool deleted = false;          // deleted, but kept for views that skipped the delete
  const std::string& server_text() const { return pending.empty() ? json : confirmed; }
};

// The records of one store by id.
using RecordTable = StringMap<StoredRecord>;

}  // namespace ssot
