#include "ssot/record_store.h"

#include <algorithm>
#include "ssot/record_patch.h"

namespace ssot {

const StoredRecord* RecordStore::find(std::string_view id) const { return records_.find(id); }

bool RecordStore::upsert(const RecordId& id, std::string_view json, std::optional<int64_t> seq) {
  bool changed = false;
  upsert_newer(id, json, seq, false, changed);
  return changed;
}

bool RecordStore::refused_by_version(const StoredRecord* r, const RecordId& id,
                                     const std::optional<Version>& ver) const {
  if (!ver) return false;
  const Version* t = tombstones_.find(id);
  if (t && *ver <= *t) return true;
  if (!r || !r->ver) return false;
  return *ver < *r->ver || (*ver == *r->ver && r->deleted);
}

const StoredRecord* RecordStore::upsert_newer(const RecordId& id, std::string_view json,
                                              std::optional<int64_t> seq, bool keep_newer, bool& changed,
                                              const json::MemberList* members) {
  changed = false;
  std::optional<Version> ver = record_version(json, version_field_, members);
  bool fresh = false;
  StoredRecord& r = records_.emplace(id, fresh);  // one lookup; a refused new one goes again
  if (refused_by_version(fresh ? nullptr : &r, id, ver)) {
    if (fresh) records_.erase(id);
    return nullptr;
  }
  bool by_version = ver && !fresh && r.ver;  // versions order it, not seqs
  if (!by_version && keep_newer && seq && r.seq && *r.seq >= *seq) return nullptr;  // older than we hold
  // Brought back: the copy is not known to be newer than the delete (the delete's seq), but
  // it is newer than the updates the delete undid. Unnumbered, it sits just below it.
  if (r.deleted && !seq && r.seq) r.seq = *r.seq - 1;
  else if (r.deleted) r.seq = seq;
  else if (seq && !(r.seq && *r.seq > *seq)) r.seq = *seq;  // an older copy (refused by version) keeps the newer seq
  if (by_version && *ver == *r.ver) return &r;  // the same version: nothing changes
  r.ver = ver;
  std::string& text = r.pending.empty() ? r.json : r.confirmed;  // the server's copy
  if (r.version != 0 && text == json && !r.deleted) return &r;  // same text: nothing changes (our own echo)
  r.deleted = false;
  text.assign(json.data(), json.size());
  r.text_no = ++texts_written_;
  // Numbered even when our pending writes hide it: the server's copy is content too (what
  // a rollback shows, what an item's held copies must not undo: Engine::finish_item).
  r.version = next_version_++;
  if (!r.pending.empty()) {
    std::string shown = r.json;
    compose(r);
    if (r.json == shown) return &r;  // hidden under our pending writes
  }
  changed = true;
  return &r;
}

void RecordStore::compose(StoredRecord& r) {
  std::string text = r.confirmed;
  for (const auto& w : r.pending) {
    switch (w.kind) {
      case PendingWrite::Create:
      case PendingWrite::Replace: text = w.body; break;
      case PendingWrite::Patch:
        if (!text.empty()) text = merge_object(text, w.body);
        break;
      case PendingWrite::Delete: text.clear(); break;
    }
  }
  r.json = std::move(text);
}

void RecordStore::add_pending(const RecordId& id, PendingWrite write) {
  bool fresh = false;
  StoredRecord& r = records_.emplace(id, fresh);
  if (r.pending.empty()) r.confirmed = fresh || r.deleted ? std::string() : r.json;
  r.pending.push_back(std::move(write));
  compose(r);
  r.version = next_version_++;
}

bool RecordStore::drop_pending(const RecordId& id, std::string_view mutation_id) {
  StoredRecord* found = records_.find(id);
  if (!found) return false;
  StoredRecord& r = *found;
  auto w = std::find_if(r.pending.begin(), r.pending.end(),
                        [&](const PendingWrite& p) { return p.mutation_id == mutation_id; });
  if (w == r.pending.end()) return false;
  r.pending.erase(w);
  compose(r);
  if (r.pending.empty()) std::string().swap(r.confirmed);
  r.version = next_version_++;
  return true;
}

void RecordStore::retain(const RecordId& id) {
  if (StoredRecord* r = records_.find(id)) ++r->refs;
}

void RecordStore::release(const RecordId& id) {
  StoredRecord* r = records_.find(id);
  if (r && --r->refs <= 0 && r->pending.empty()) records_.erase(id);
}

void RecordStore::release_held(const RecordId& id, const StoredRecord& r) {
  if (--r.refs <= 0 && r.pending.empty()) records_.erase(id);
}

void RecordStore::collect(const RecordId& id) {
  StoredRecord* r = records_.find(id);
  if (r && r->refs <= 0 && r->pending.empty()) records_.erase(id);
}

void RecordStore::erase(const RecordId& id) { records_.erase(id); }

void RecordStore::mark_deleted(const RecordId& id, std::optional<int64_t> seq) {
  StoredRecord* r = records_.find(id);
  if (!r) return;
  if (seq && r->seq && *r->seq > *seq) return;  // the text is newer: re-created since
  r->deleted = true;
  if (seq) r->seq = *seq;
}

void RecordStore::raise_seq(const RecordId& id, int64_t seq, uint32_t numbering) {
  StoredRecord* r = numbering == numbering_ ? records_.find(id) : nullptr;
  if (r && !(r->seq && *r->seq >= seq)) r->seq = seq;
}

void RecordStore::answered_at(const RecordId& id, int64_t seq) {
  StoredRecord* r = records_.find(id);
  if (!r || r->ver) return;  // a version orders it, not a seq
  if (seq < 0) r->seq.reset();
  else r->seq = seq;
}

void RecordStore::tombstone(const RecordId& id, Version version) {
  bool fresh = false;
  Version& t = tombstones_.emplace(id, fresh);
  if (!fresh) {
    if (version > t) t = version;
    return;
  }
  t = version;
  if (tombstone_order_.size() < kMaxTombstones) {
    tombstone_order_.push_back(id);
  } else {  // full: the oldest goes, the new one takes its place in the ring
    tombstones_.erase(tombstone_order_[oldest_tombstone_]);
    tombstone_order_[oldest_tombstone_] = id;
    oldest_tombstone_ = (oldest_tombstone_ + 1) % kMaxTombstones;
  }
  StoredRecord* r = records_.find(id);
  if (r && !(r->ver && *r->ver > version)) r->ver = version;
}

bool RecordStore::newer_than(const RecordId& id, Version version) const {
  const StoredRecord* r = records_.find(id);
  return r && !r->deleted && r->ver && *r->ver > version;
}

void RecordStore::take_epoch(std::string_view epoch) {
  if (epoch == epoch_) return;
  // Another epoch, or the first one told: versions read with none known (an item GET
  // carries none) may be of another database too.
  if (!left_epoch(epoch)) taken_back_ = false;  // a new one
  if (!epoch_.empty()) left_epochs_[epochs_left_++ % 4].swap(epoch_);
  epoch_.assign(epoch.data(), epoch.size());
  forget_versions();
}

bool RecordStore::left_epoch(std::string_view epoch) const {
  if (epoch == epoch_) return false;  // held again (a backup restored): not left
  for (const auto& e : left_epochs_)
    if (!e.empty() && e == epoch) return true;
  return false;
}

void RecordStore::forget_versions() {
  records_.for_each([](std::string_view, StoredRecord& r) { r.ver.reset(); });
  tombstones_.clear();
  tombstone_order_.clear();
  oldest_tombstone_ = 0;
}

// A numbered record keeps seq -1: older than anything the new numbering brings, its
// snapshots at seq 0 too, so a view whose snapshot is of the new numbering knows better
// than its copy.
void RecordStore::forget_seqs() {
  ++numbering_;
  records_.for_each([](std::string_view, StoredRecord& r) {
    if (r.seq) r.seq = -1;
  });
}

size_t RecordStore::bytes() const {
  size_t n = 0;
  records_.for_each([&n](std::string_view id, const StoredRecord& r) {
    n += id.size() + r.json.capacity() + sizeof(StoredRecord);
  });
  return n;
}

}  // namespace ssot
