#pragma once
// A live list query over one model's records, maintained incrementally.
//
// Membership changes are recorded as they happen but applied to the ordered
// index only at flush, so a flush can name the old positions of what left and
// the new positions of what arrived: the JS side builds the next array in one
// pass over the previous one (never re-listing everything), and unchanged rows
// keep their objects. Many changes to one record between flushes coalesce.
//
// A view knows either every matching record (no skip, and the first page held
// the whole result) or only a server page. A page cannot place a record that
// enters or leaves it, so such a change asks for a refetch instead of guessing.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>
#include "ssot/ordered_index.h"
#include "ssot/query.h"
#include "ssot/record_store.h"
#include "ssot/string_map.h"

namespace ssot {

using ViewId = uint32_t;

enum class ViewStatus { Loading, Ready, Error };
const char* to_string(ViewStatus status);

class ListView {
 public:
  ListView(ViewId id, std::string model, Query query);
  ListView(const ListView&) = delete;
  ListView& operator=(const ListView&) = delete;

  ViewId id() const { return id_; }
  const std::string& model() const { return model_; }
  const Query& query() const { return query_; }

  // Replaces the contents with a server result (records already in the store).
  void reset(RecordStore& store, const std::vector<RecordId>& ids, int64_t total);
  // A record was created or changed in the store; the view decides membership.
  void record_changed(RecordStore& store, const RecordId& id);
  // The same, with the record already at hand (store.find(id), nullptr when absent) and,
  // when the decoder read them, the members of its text (Query::extract).
  void record_changed(RecordStore& store, const RecordId& id, const StoredRecord* rec,
                      const json::MemberList* members = nullptr);
  void record_removed(RecordStore& store, const RecordId& id);
  void release_all(RecordStore& store);  // the view closes
  // Re-reads every member whose stored text is not what it last showed (the store moved
  // on while the view was not told: a refetch that failed). Complete views only.
  void refresh(RecordStore& store);

  void set_status(ViewStatus status, std::string error = {});
  ViewStatus status() const { return status_; }
  const std::string& error() const { return error_; }
  bool hydrated() const { return hydrated_; }
  // Loading with no rows and nothing else said yet: there is nothing to tell the JS side.
  bool silent() const { return !hydrated_ && status_ == ViewStatus::Loading && emitted_status_ == ViewStatus::Loading; }

  // A JS-side window over the visible rows (virtualized lists); nullopt = all rows.
  void set_window(std::optional<std::pair<size_t, size_t>> window);

  bool dirty() const { return dirty_; }
  bool needs_refetch() const { return needs_refetch_; }
  void clear_refetch() { needs_refetch_ = false; }
  bool complete() const { return complete_; }
  bool holds(const RecordId& id) const { return members_.find(id) != nullptr; }
  // Holds the record, or would show this text of it (its filter; not its page).
  bool may_show(const RecordId& id, std::string_view record);
  // Records of this view that our pending delete hides (they come back if it fails).
  void hide(const RecordId& id) { hidden_.insert(id); }
  bool unhide(const RecordId& id) { return hidden_.erase(id); }

  // Applies pending changes and appends this flush's change as one JSON object.
  // Returns the number of coalesced record changes (touches beyond one per record).
  size_t flush(const RecordStore& store, std::string& out);

  int64_t total() const;
  size_t visible_count() const;
  // Visible rows [start, start+count) as a JSON array (pending changes applied first).
  void append_rows(const RecordStore& store, std::string& out, size_t start, size_t count);

 private:
  struct Member {
    FieldValues key;
    bool in_last_window = false;   // set by flush_window while it compares windows (in the
                                   // padding before the version: 24 bytes in wasm, not 32)
    uint64_t emitted_version = 0;  // the record version the JS side holds
  };
  struct Pending {
    bool was_member = false;
    FieldValues old_key;
    int touches = 0;
  };
  // What gather learnt about each pending record, used by apply_pending and
  // flush_splice (valid until pending_ is cleared): one lookup per map, record and flush.
  struct Touched {
    const RecordId* id;
    const Pending* pending;
    Member* member;            // nullptr when no longer a member
    const StoredRecord* rec;   // nullptr when gone from the store
    bool moved;                // left, arrived or changed its sort key
  };
  void touch(const RecordId& id, const Member* member);  // member: its entry in members_, if any
  size_t gather(const RecordStore& store);  // fills touched_; returns the coalesced touches
  void open_change(std::string& out);
  // Positions with their records (removed rows: none); one type, so one sort in the wasm.
  using Positions = std::vector<std::pair<size_t, const StoredRecord*>>;
  void apply_pending(Positions* removed_old_positions);
  bool uses_splice() const;
  bool flush_splice(const RecordStore& store, std::string& out);  // true when rows changed
  bool flush_window(const RecordStore& store, std::string& out);
  std::pair<size_t, size_t> window_range() const;

  ViewId id_;
  std::string model_;
  Query query_;
  OrderedIndex index_;
  StringMap<Member> members_;
  StringMap<Pending> pending_;
  std::vector<Touched> touched_;
  std::optional<std::pair<size_t, size_t>> window_;
  std::vector<RecordId> last_window_;
  bool emitted_splice_ = false;  // the last flush was in splice form (JS holds every row)
  StringSet pending_rows_;  // members with writes of ours the server has not confirmed
  StringSet hidden_;        // in the view but for our pending delete
  bool pending_changed_ = false;
  int64_t server_total_ = 0;
  int64_t emitted_total_ = -1;
  bool complete_ = true;
  bool hydrated_ = false;
  bool dirty_ = true;  // the first flush reports the loading status
  bool needs_refetch_ = false;
  ViewStatus status_ = ViewStatus::Loading;
  ViewStatus emitted_status_ = ViewStatus::Loading;
  std::string emitted_error_;
  std::string error_;
  FieldValues scratch_;
};

}  // namespace ssot
