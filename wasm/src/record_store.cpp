#include "ssot/record_store.h"

namespace ssot {

const StoredRecord* RecordStore::find(std::string_view id) const {
  auto it = records_.find(RecordId(id));
  return it == records_.end() ? nullptr : &it->second;
}

bool RecordStore::upsert(const RecordId& id, std::string_view json, std::optional<int64_t> seq) {
  bool changed = false;
  upsert_newer(id, json, seq, false, changed);
  return changed;
}

const StoredRecord* RecordStore::upsert_newer(const RecordId& id, std::string_view json,
                                              std::optional<int64_t> seq, bool keep_newer, bool& changed) {
  changed = false;
  StoredRecord& r = records_[id];
  if (keep_newer && seq && r.seq && *r.seq >= *seq) return nullptr;  // older than we hold
  if (seq) r.seq = seq;
  if (r.version != 0 && r.json == json && !r.deleted) return &r;  // same text: nothing changes (our own echo)
  r.deleted = false;
  r.json.assign(json.data(), json.size());
  r.version = next_version_++;
  changed = true;
  return &r;
}

void RecordStore::retain(const RecordId& id) {
  auto it = records_.find(id);
  if (it != records_.end()) ++it->second.refs;
}

void RecordStore::release(const RecordId& id) {
  auto it = records_.find(id);
  if (it == records_.end()) return;
  if (--it->second.refs <= 0) records_.erase(it);
}

void RecordStore::collect(const RecordId& id) {
  auto it = records_.find(id);
  if (it != records_.end() && it->second.refs <= 0) records_.erase(it);
}

void RecordStore::erase(const RecordId& id) { records_.erase(id); }

void RecordStore::mark_deleted(const RecordId& id, std::optional<int64_t> seq) {
  auto it = records_.find(id);
  if (it == records_.end()) return;
  if (seq && it->second.seq && *it->second.seq > *seq) return;  // the text is newer: re-created since
  it->second.deleted = true;
  if (seq) it->second.seq = seq;
}

void RecordStore::forget_seqs() {
  for (auto& r : records_) r.second.seq.reset();
}

size_t RecordStore::bytes() const {
  size_t n = 0;
  for (const auto& r : records_) n += r.first.size() + r.second.json.capacity() + sizeof(StoredRecord);
  return n;
}

}  // namespace ssot
