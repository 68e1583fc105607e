#pragma once
// Normalized records of one model, keyed by canonical id, each kept as the JSON
// text it arrived in. Views hold references; a record nobody holds is dropped.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include "ssot/value.h"

namespace ssot {

struct StoredRecord {
  std::string json;
  uint64_t version = 0;          // bumps on every content change (views compare it)
  std::optional<int64_t> seq;    // list-channel seq of the last change applied, when known
  int refs = 0;
  bool deleted = false;          // deleted, but kept for views that skipped the delete
};

class RecordStore {
 public:
  const StoredRecord* find(std::string_view id) const;
  // Inserts or replaces; returns true when the stored text changed.
  bool upsert(const RecordId& id, std::string_view json, std::optional<int64_t> seq = std::nullopt);
  // upsert in one lookup, except that with `keep_newer` a stored copy whose seq is at
  // or beyond `seq` stays as it is (nullptr). The record is valid until it is erased.
  const StoredRecord* upsert_newer(const RecordId& id, std::string_view json, std::optional<int64_t> seq,
                                   bool keep_newer, bool& changed);
  void retain(const RecordId& id);
  void release(const RecordId& id);   // drops the record at zero references
  void collect(const RecordId& id);   // drops it if unreferenced (after an update nobody wanted)
  void erase(const RecordId& id);     // a delete: gone whatever holds it
  // A delete some views skipped (they hold the record): it stays for them, and the next
  // upsert counts as a change even with the same text (the others dropped it).
  // `seq`: the delete's list seq, so that no older update brings the text back.
  void mark_deleted(const RecordId& id, std::optional<int64_t> seq);
  void forget_seqs();                 // the channel's numbering was reset
  size_t size() const { return records_.size(); }
  size_t bytes() const;

 private:
  std::unordered_map<RecordId, StoredRecord> records_;
  uint64_t next_version_ = 1;
};

}  // namespace ssot
