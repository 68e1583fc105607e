#include "ssot/list_view.h"

#include <algorithm>

namespace ssot {

const char* to_string(ViewStatus status) {
  switch (status) {
    case ViewStatus::Loading: return "loading";
    case ViewStatus::Ready: return "ready";
    default: return "error";
  }
}

namespace {
// By position (unique in each list), bottom-up merge sort: std::sort's introsort was
// 0.6 KB of gzip in the wasm, for lists of a flush's changes.
template <typename Positions>
void sort_positions(Positions& v) {
  Positions tmp(v.size());
  for (size_t width = 1; width < v.size(); width *= 2) {
    for (size_t lo = 0; lo < v.size(); lo += 2 * width) {
      size_t mid = std::min(lo + width, v.size()), hi = std::min(lo + 2 * width, v.size());
      size_t i = lo, j = mid, k = lo;
      while (i < mid && j < hi) tmp[k++] = v[j].first < v[i].first ? v[j++] : v[i++];
      while (i < mid) tmp[k++] = v[i++];
      while (j < hi) tmp[k++] = v[j++];
    }
    v.swap(tmp);
  }
}

bool same_key(const FieldValues& a, const FieldValues& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!equal(a[i], b[i])) return false;
  return true;
}
}  // namespace

ListView::ListView(ViewId id, std::string model, Query query)
    : id_(id), model_(std::move(model)), query_(std::move(query)), index_(&query_) {}

void ListView::touch(const RecordId& id, const Member* member) {
  dirty_ = true;
  bool fresh = false;
  Pending& p = pending_.emplace(id, fresh);
  ++p.touches;
  if (!fresh) return;
  p.was_member = member != nullptr;
  if (member) p.old_key = member->key;
}

void ListView::reset(RecordStore& store, const std::vector<RecordId>& ids, int64_t total) {
  if (total < int64_t(ids.size())) total = int64_t(ids.size());
  complete_ = query_.skip() == 0 && int64_t(ids.size()) >= total;
  server_total_ = total;
  struct Row {
    FieldValues key;
    const StoredRecord* rec = nullptr;
  };
  StringMap<Row> next;
  next.reserve(ids.size());
  hidden_.clear();
  for (const auto& id : ids) {
    const StoredRecord* rec = store.find(id);
    if (rec && rec->json.empty() && !rec->pending.empty()) hidden_.insert(id);  // our pending delete
    if (!rec || !query_.extract(rec->json, scratch_)) continue;
    // A complete view keeps only what matches now (the store may be newer than the
    // server's snapshot); a page is the server's word.
    if (complete_ && !query_.matches(scratch_)) continue;
    bool fresh = false;
    Row& row = next.emplace(id, fresh);
    if (fresh) row = Row{query_.sort_key(std::move(scratch_)), rec};  // a repeated id: the first counts
  }
  std::vector<RecordId> gone;
  members_.for_each([&](const std::string& id, const Member&) {
    if (!next.find(id)) gone.push_back(id);
  });
  for (const auto& id : gone) {
    touch(id, members_.find(id));
    store.release(id);
    members_.erase(id);
  }
  members_.reserve(next.size());  // after the erases, which may shrink the table
  pending_.reserve(next.size() + gone.size());
  next.for_each([&](const std::string& id, Row& row) {
    bool fresh = false;
    Member& m = members_.emplace(id, fresh);
    if (fresh) {
      touch(id, nullptr);
      store.retain_held(*row.rec);
      m.key = std::move(row.key);
    } else if (!same_key(m.key, row.key) || row.rec->version != m.emitted_version) {
      touch(id, &m);
      m.key = std::move(row.key);
    }
  });
  hydrated_ = true;
  needs_refetch_ = false;
  dirty_ = true;
}

bool ListView::may_show(const RecordId& id, std::string_view record) {
  return holds(id) || (!record.empty() && query_.extract(record, scratch_) && query_.matches(scratch_));
}

void ListView::record_changed(RecordStore& store, const RecordId& id) { record_changed(store, id, store.find(id)); }

void ListView::record_changed(RecordStore& store, const RecordId& id, const StoredRecord* rec,
                              const json::MemberList* members) {
  if (!rec || !query_.extract(rec->json, scratch_, members)) return;
  bool match = query_.matches(scratch_);
  Member* m = members_.find(id);
  if (!m && !match) return;
  FieldValues key = query_.sort_key(std::move(scratch_));
  if (!complete_) {
    // A page cannot place what enters, leaves or moves: show the new text, refetch the page.
    if (!m || !match || !same_key(m->key, key)) needs_refetch_ = true;
    if (m) touch(id, m);
    return;
  }
  touch(id, m);
  if (match && !m) {
    store.retain(id);
    bool fresh = false;
    members_.emplace(id, fresh).key = std::move(key);
  } else if (match) {
    m->key = std::move(key);
  } else {
    members_.erase(id);
    store.release(id);
  }
}

void ListView::record_removed(RecordStore& store, const RecordId& id) {
  Member* m = members_.find(id);
  if (!m) return;
  touch(id, m);
  members_.erase(id);
  store.release(id);
  if (!complete_) {
    needs_refetch_ = true;  // something from beyond the page should slide in
    if (server_total_ > 0) --server_total_;
  }
}

void ListView::refresh(RecordStore& store) {
  if (!complete_) return;  // a page cannot place anything: it would only ask to refetch again
  std::vector<RecordId> stale;
  members_.for_each([&](const std::string& id, const Member& m) {
    const StoredRecord* rec = store.find(id);
    if (rec && rec->version != m.emitted_version) stale.push_back(id);
  });
  for (const auto& id : stale) record_changed(store, id);
}

void ListView::release_all(RecordStore& store) {
  members_.for_each([&](const std::string& id, const Member&) { store.release(id); });
  members_.clear();
  pending_.clear();
  index_.clear();
  pending_rows_.clear();
  hidden_.clear();
}

void ListView::set_status(ViewStatus status, std::string error) {
  if (status == status_ && error == error_) return;
  status_ = status;
  error_ = std::move(error);
  dirty_ = true;
}

void ListView::set_window(std::optional<std::pair<size_t, size_t>> window) {
  window_ = window;
  last_window_.clear();  // the JS side starts the window afresh
  members_.for_each([](const std::string&, Member& m) { m.emitted_version = 0; });
  emitted_total_ = -1;
  dirty_ = true;
}

int64_t ListView::total() const { return complete_ ? int64_t(members_.size()) : server_total_; }

size_t ListView::visible_count() const {
  size_t n = members_.size();
  if (complete_ && query_.take()) n = std::min<size_t>(n, size_t(*query_.take()));
  return n;
}

std::pair<size_t, size_t> ListView::window_range() const {
  size_t visible = std::min(visible_count(), index_.size());
  if (!window_) return {0, visible};
  size_t start = std::min(window_->first, visible);
  return {start, std::min(window_->second, visible - start)};
}

// One pass over the pending records, each looked up once in the store and once in
// the members. A member whose record is gone from the store (erased by whoever owns
// the store) leaves now, so the index and the diff stay in step. A record's pending
// writes (ours, unconfirmed) change only through a change that touches it.
size_t ListView::gather(const RecordStore& store) {
  size_t coalesced = 0;
  touched_.clear();
  pending_.for_each([&](const std::string& id, const Pending& p) {
    coalesced += size_t(p.touches - 1);
    const StoredRecord* rec = store.find(id);
    Member* member = members_.find(id);
    bool pending = member && rec && !rec->pending.empty();
    if (pending ? pending_rows_.insert(id) : pending_rows_.erase(id)) pending_changed_ = true;
    if (!rec && member) {
      members_.erase(id);
      member = nullptr;
    }
    bool moved = !p.was_member || !member || !same_key(member->key, p.old_key);
    touched_.push_back(Touched{&id, &p, member, rec, moved});
  });
  return coalesced;
}

void ListView::apply_pending(Positions* removed) {
  if (removed)  // old positions first: the index still holds the old order
    for (const auto& t : touched_)
      if (t.pending->was_member && t.moved) removed->emplace_back(index_.rank(t.pending->old_key, *t.id), nullptr);
  for (const auto& t : touched_)
    if (t.pending->was_member && t.moved) index_.erase(t.pending->old_key, *t.id);
  for (const auto& t : touched_)
    if (t.member && t.moved) index_.insert(IndexEntry{*t.id, t.member->key});
}

bool ListView::uses_splice() const { return !window_ && complete_ && !query_.take(); }

size_t ListView::flush(const RecordStore& store, std::string& out) {
  size_t coalesced = gather(store);
  size_t mark = out.size();
  int64_t total_before = emitted_total_;
  bool changed = uses_splice() ? flush_splice(store, out) : flush_window(store, out);
  bool status_same = emitted_status_ == status_ && emitted_error_ == error_;
  if (!changed && status_same && total_before == emitted_total_ && !pending_changed_) out.resize(mark);  // nothing visible changed
  pending_changed_ = false;
  emitted_status_ = status_;
  emitted_error_ = error_;
  pending_.reset();  // its storage serves the next flush
  touched_.clear();
  dirty_ = false;
  return coalesced;
}

void ListView::open_change(std::string& out) {
  out += "{\"k\":\"view\",\"view\":";
  json::append_integer(out, int64_t(id_));
  out += ",\"status\":\"";
  out += to_string(status_);
  out += "\",\"error\":";
  if (error_.empty()) out += "null";
  else json::append_string(out, error_);
  out += ",\"total\":";
  json::append_integer(out, int64_t(total()));
  if (!pending_changed_) return;
  out += ",\"pending\":[";  // only when it changed: the JS side keeps the last one
  bool first = true;
  pending_rows_.for_each([&](const std::string& id) {
    if (!first) out += ',';
    first = false;
    append_id_json(out, id);
  });
  out += ']';
}

bool ListView::flush_splice(const RecordStore& store, std::string& out) {
  bool js_empty = emitted_total_ <= 0 && last_window_.empty();
  emitted_splice_ = true;
  Positions removed;
  apply_pending(js_empty ? nullptr : &removed);
  open_change(out);
  if (js_empty) {
    // Nothing on the JS side yet (first hydration): send the rows in order, into a
    // buffer of the exact size: grown by doubling, its copies set the heap's high water.
    size_t bytes = out.size() + 12;
    index_.for_range(0, index_.size(), [&](const IndexEntry& e) {
      if (const StoredRecord* rec = store.find(e.id)) bytes += rec->json.size() + 1;
    });
    out.reserve(bytes);
    out += ",\"rows\":[";
    bool first = true;
    index_.for_range(0, index_.size(), [&](const IndexEntry& e) {
      const StoredRecord* rec = store.find(e.id);
      if (!rec) return;
      if (!first) out += ',';
      first = false;
      out += rec->json;
      if (Member* m = members_.find(e.id)) m->emitted_version = rec->version;
    });
    out += "]}";
    emitted_total_ = int64_t(index_.size());
    return true;
  }
  Positions inserted, updated;  // positions are unique
  for (const auto& t : touched_) {
    if (!t.member) continue;  // a member has its record (gather)
    const StoredRecord* rec = t.rec;
    if (!t.moved && rec->version == t.member->emitted_version) continue;
    (t.moved ? inserted : updated).emplace_back(index_.rank(t.member->key, *t.id), rec);
    t.member->emitted_version = rec->version;
  }
  sort_positions(removed);
  sort_positions(inserted);
  sort_positions(updated);
  out += ",\"removed\":[";
  for (size_t i = 0; i < removed.size(); ++i) {
    if (i) out += ',';
    json::append_integer(out, int64_t(removed[i].first));
  }
  auto rows = [&](const char* name, const Positions& list) {
    out += name;
    for (size_t i = 0; i < list.size(); ++i) {
      if (i) out += ',';
      out += '[';
      json::append_integer(out, int64_t(list[i].first));
      out += ',';
      out += list[i].second->json;
      out += ']';
    }
  };
  rows("],\"inserted\":[", inserted);
  rows("],\"updated\":[", updated);
  out += "]}";
  emitted_total_ = int64_t(index_.size());
  return !removed.empty() || !inserted.empty() || !updated.empty();
}

bool ListView::flush_window(const RecordStore& store, std::string& out) {
  // After splice changes (a complete view that an answer made a page) the JS side holds
  // rows no window listed: this window replaces them all, even when it looks like the last.
  bool after_splice = emitted_splice_;
  if (after_splice) last_window_.clear();
  emitted_splice_ = false;
  apply_pending(nullptr);
  auto [start, count] = window_range();
  std::vector<RecordId> ids;
  ids.reserve(count);
  index_.for_range(start, count, [&](const IndexEntry& e) { ids.push_back(e.id); });
  // The JS side holds the last window's rows: those still at their version are not sent.
  auto mark_last_window = [&](bool in) {
    for (const auto& id : last_window_)
      if (Member* m = members_.find(id)) m->in_last_window = in;
  };
  mark_last_window(true);
  open_change(out);
  out += ",\"start\":";
  json::append_integer(out, int64_t(start));
  out += ",\"ids\":[";
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i) out += ',';
    append_id_json(out, ids[i]);
  }
  out += "],\"rows\":[";
  bool first = true;
  for (size_t i = 0; i < ids.size(); ++i) {
    const StoredRecord* rec = store.find(ids[i]);
    Member* m = members_.find(ids[i]);
    if (!rec || !m) continue;
    if (m->in_last_window && rec->version == m->emitted_version) continue;
    if (!first) out += ',';
    first = false;
    out += '[';
    json::append_integer(out, int64_t(i));
    out += ',';
    out += rec->json;
    out += ']';
    m->emitted_version = rec->version;
  }
  out += "]}";
  mark_last_window(false);
  bool changed = !first || ids != last_window_ || after_splice;
  last_window_ = std::move(ids);
  emitted_total_ = total();
  return changed;
}

void ListView::append_rows(const RecordStore& store, std::string& out, size_t start, size_t count) {
  out += '[';
  bool first = true;
  size_t visible = std::min(visible_count(), index_.size());
  if (start < visible)
    index_.for_range(start, std::min(count, visible - start), [&](const IndexEntry& e) {
      const StoredRecord* rec = store.find(e.id);
      if (!rec) return;
      if (!first) out += ',';
      first = false;
      out += rec->json;
    });
  out += ']';
}

}  // namespace ssot
