#pragma once
// Normalized records of one model, keyed by canonical id, each kept as the JSON
// text it arrived in. Views hold references; a record nobody holds is dropped.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include "ssot/record_table.h"
#include "ssot/record_version.h"
#include "ssot/string_map.h"
#include "ssot/value.h"

namespace ssot {

class RecordStore {
 public:
  explicit RecordStore(std::string version_field = "version") : version_field_(std::move(version_field)) {}
  void set_version_field(std::string field) { version_field_ = std::move(field); }  // before any record

  const StoredRecord* find(std::string_view id) const;
  // Inserts or replaces; returns true when the stored text changed.
  bool upsert(const RecordId& id, std::string_view json, std::optional<int64_t> seq = std::nullopt);
  // upsert in one lookup, except that a copy older than the one held is refused
  // (nullptr): by version when both carry one (and against tombstones), else, with
  // `keep_newer`, by seq. The record is valid until it is erased.
  // `members`: the record's, when the decoder read them (record_version).
  const StoredRecord* upsert_newer(const RecordId& id, std::string_view json, std::optional<int64_t> seq,
                                   bool keep_newer, bool& changed, const json::MemberList* members = nullptr);
  void retain(const RecordId& id);
  void release(const RecordId& id);   // drops the record at zero references
  // The same for a record at hand (from find or upsert_newer), without looking it up
  // again (release_held drops it at zero references, as release does).
  void retain_held(const StoredRecord& r) { ++r.refs; }
  void release_held(const RecordId& id, const StoredRecord& r);
  void collect(const RecordId& id);   // drops it if unreferenced (after an update nobody wanted)
  void erase(const RecordId& id);     // a delete: gone whatever holds it
  // A delete some views skipped (they hold the record): it stays for them, and the next
  // upsert counts as a change even with the same text (the others dropped it).
  // `seq`: the delete's list seq, so that no older update brings the text back.
  void mark_deleted(const RecordId& id, std::optional<int64_t> seq);
  // A delete of that version: no copy of it or older comes back (bounded: the oldest
  // tombstones go first).
  void tombstone(const RecordId& id, Version version);
  // A delete whose version is older than the copy held (the record was written since).
  bool newer_than(const RecordId& id, Version version) const;
  // The text held is at least as new as list seq `seq` (a GET started after the channel
  // had reached it): no update or snapshot numbered up to it replaces that text. Only
  // if `numbering` (numbering() then) is still the current one.
  void raise_seq(const RecordId& id, int64_t seq, uint32_t numbering);
  // Our mutation's answer, written over the record: newer than every update the list
  // channel had numbered when we asked (`seq`, in the current numbering; -1 for none),
  // unordered against those since. The record's text is at `seq` then: an update numbered
  // up to it (one a view held while reading) is older and stays out; those after it still
  // apply (a seq kept from a later read would hide them for good).
  void answered_at(const RecordId& id, int64_t seq);
  void forget_seqs();                 // the numbering was reset: numbered records count as older than any new seq
  uint32_t numbering() const { return numbering_; }  // how many times it was
  void forget_versions();             // the server's data started over (a new epoch): versions and tombstones
  // The server's epoch its records were last read under ("" = not told): a channel of the
  // model taken anew compares with it (its own epoch went with the channel it replaced).
  const std::string& epoch() const { return epoch_; }
  // Another epoch than the one held, or the first: the server's data started over (or may
  // have, for what was read with no epoch known), and the versions and tombstones go (once,
  // whichever channel of the model tells it first).
  void take_epoch(std::string_view epoch);
  // One it held before (the last four), and not the one held: a server's epochs do not
  // come back, but gateways on different databases (or one restored from a backup) do.
  bool left_epoch(std::string_view epoch) const;
  uint32_t epochs_left() const { return epochs_left_; }  // how many it held and left
  // A left one taken back by a list answer alone, with no subscription live to say which
  // is current (a backup restored): once, until a subscription or a new epoch is told;
  // gateways on two databases would take them back by turns.
  bool take_back_by_answer() { return !taken_back_ && (taken_back_ = true); }
  void told_by_subscription() { taken_back_ = false; }
  // Our own writes: laid over the server's copy until they are confirmed or fail. A
  // record with pending writes stays while they do, whoever holds it.
  void add_pending(const RecordId& id, PendingWrite write);
  bool drop_pending(const RecordId& id, std::string_view mutation_id);
  // A copy's version (read from the model's versionField), if it carries one.
  std::optional<Version> version_of(std::string_view json) const { return record_version(json, version_field_); }
  // What the next content change will be numbered (StoredRecord::version): a record whose
  // version is at least this was written after now.
  uint64_t next_version() const { return next_version_; }
  uint32_t texts_written() const { return texts_written_; }  // server copies written so far
  size_t size() const { return records_.size(); }
  void reserve(size_t n) { records_.reserve(n); }  // room for n records without growing
  size_t bytes() const;

 private:
  void compose(StoredRecord& r);
  bool refused_by_version(const StoredRecord* r, const RecordId& id, const std::optional<Version>& ver) const;

  static constexpr size_t kMaxTombstones = 4096;
  std::string version_field_;
  RecordTable records_;
  StringMap<Version> tombstones_;  // bounded (kMaxTombstones)
  std::vector<RecordId> tombstone_order_;  // a ring once full (a deque's code was 1.1 KB of gzip)
  size_t oldest_tombstone_ = 0;
  uint64_t next_version_ = 1;
  uint32_t texts_written_ = 0;
  uint32_t numbering_ = 0;
  std::string epoch_;
  std::string left_epochs_[4];  // a ring: the last four
  uint32_t epochs_left_ = 0;
  bool taken_back_ = false;
};

}  // namespace ssot
