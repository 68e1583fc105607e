// Engine: item views (one record by id): reading it, keeping it live through its own
// channel or the model's list channel, and ordering the copies each brings.
#include "ssot/engine.h"

namespace ssot {

ViewId Engine::watch_item(std::string_view model, std::string_view id_json, Millis now, std::string& error) {
  RecordId rid;
  if (!canonical_id(id_json, rid)) {
    error = "id must be a non-empty string or an integer";
    return 0;
  }
  return open_view(model, std::nullopt, std::move(rid), now, error);
}

void Engine::finish_item(ViewId id, View& v, int status, std::string_view body, Millis now) {
  RecordStore& store = store_named(v.model);
  // Read before the server's data may have started over (the list's numbering, the view's
  // own channel or the model's epoch moved since; a GET carries no epoch): the copy or its
  // absence may be the old data's, and an old version would refuse the new data's for good.
  const ChannelState* own = v.channel.empty() ? nullptr : registry_.find(v.channel);
  bool restarted = v.read_numbering != store.numbering() || (own && own->restarts != v.restarts_at_start) ||
                   store.epochs_left() != v.epochs_left_at_start;
  if (restarted && (is_2xx(status) || status == 404)) return start_hydration(id, v, now);
  // Versions, when both copies carry one, say which is newer (apply_change). Without:
  // while the list channel is wanted (and not refused) its numbered versions are the
  // record's history. A GET is unnumbered, but read after we asked: newer than what we
  // held then. A version the list numbered while it was in flight may be newer than
  // the GET: it stays (what comes after it, the list brings, or its confirmation
  // re-reads).
  const StoredRecord* known = store.find(v.item_id);
  // Written since the first copy it holds (by a later copy too: the first is older than
  // the store's text then).
  bool written_since_copies = known && known->version >= v.item_copy_at;
  const ChannelState* list = list_channel(v.model);
  std::string numbered;
  bool versions_decide = known && known->ver && is_2xx(status) && store.version_of(body);
  // Our answer's copy, or our delete, stands till this view reads again (a copy the store
  // let go is the GET's to give; versions order two copies).
  int ours = v.answer_of(v.item_id);
  bool answered = ours && (known || ours == 2) && !(ours == 1 && versions_decide);
  if (is_2xx(status) && (answered || (known && known->seq && list && list->error.empty() && !versions_decide &&
                                      (!v.item_read_seq || *known->seq > *v.item_read_seq)))) {
    // The server's copy, not the text our pending writes lay over it (it would outlive them).
    std::string_view server = !known || known->deleted ? std::string_view() : known->server_text();
    if (server.empty()) status = 404;
    else body = numbered = server;
  }
  if (status == 404) {
    if (v.item_retained) store.release(v.item_id);
    v.item_retained = v.item_present = false;
  } else if (!is_2xx(status) || json::kind_of(body) != JsonKind::Object || !json::valid(body)) {
    v.item_status = ViewStatus::Error;
    v.item_error = is_2xx(status) ? "invalid record in response" : http_error_message(status, body);
    v.item_dirty = true;
    schedule_hydration_retry(v, status, now);
    replay_buffer(v, written_since_copies);
    read_after_failure(id, v, status, now);
    return;
  } else {
    // Views holding the record see the new text too (tell_views). Others do not take it
    // in: a GET carries no seq, so the record may have been deleted since it was read.
    apply_change(v.model, ChangeType::Updated, v.item_id, body, std::nullopt, &v);
    // But it was read after the frames up to the list's seq then, and after the record's own
    // seq then (a delete taken before it went): nothing numbered up to them is newer.
    int64_t read_after = std::max(v.item_read_list_seq.value_or(-1), v.item_read_seq.value_or(-1));
    if (numbered.empty() && read_after >= 0) store.raise_seq(v.item_id, read_after, v.read_numbering);
  }
  // Data whose subscription was refused is not live: say so (a 404 is just null).
  ChannelState* ch = v.channel.empty() || status == 404 ? nullptr : registry_.find(v.channel);
  v.item_status = ch && !ch->error.empty() ? ViewStatus::Error : ViewStatus::Ready;
  v.item_error = ch ? ch->error : std::string();
  v.item_hydrated = v.item_dirty = true;
  v.retries = 0;
  // An item-channel copy held during the GET is unordered against it; once the list
  // channel has taken over (handle_update), it may be older than what the store holds
  // now. So it may when anything wrote the record after them (a list read while the list
  // channel is refused). Dropped then, and the record read again.
  if (replay_buffer(v, written_since_copies)) v.refetch_again = true;
  if (v.refetch_again) read_again(id, v, now);
  else v.unsettled = 0;
}

// An item view shows its record (holding a reference on it) or null; `reread`: its text
// may have changed.
void Engine::show_item(View& v, RecordStore& store, bool present, bool reread) {
  if (present && !v.item_retained) store.retain(v.item_id);
  if (!present && v.item_retained) store.release(v.item_id);
  v.item_dirty = v.item_dirty || reread || v.item_present != present;
  v.item_present = v.item_retained = present;
}

// A channel confirmed now keeps an item view's record live: the model's list channel
// (it carries every change; the own channel's copies are skipped then) or the view's own
// channel. A numbered list channel whose seq a resync cleared orders nothing until a page
// or a frame numbers it again: frames up to that seq are then dropped as old news (or
// were lost unseen), and a GET read meanwhile may predate them.
bool Engine::item_live(const View& v) {
  const ChannelState* list = list_channel(v.model);
  if (list && list->confirmed && list->error.empty()) return !list->awaiting_seq();
  const ChannelState* own = v.channel.empty() ? nullptr : registry_.find(v.channel);
  return own && own->confirmed && own->error.empty();
}

// An item channel's copy that the model's list channel (`list`) brings or brought: the
// list is wanted (not refused) and confirmed, or resubscribing with `since`, or numbered
// the record; never while the list awaits a seq (it cannot tell what it lost then).
bool Engine::item_copy_superseded(const ChannelState* list, const std::string& model, const RecordId& id) {
  if (!list || !list->error.empty() || list->awaiting_seq()) return false;
  return list->confirmed || list->sent_since || numbered(model, id);
}

bool Engine::numbered(const std::string& model, const RecordId& id, int64_t from) {
  const RecordStore* st = find_store(model);
  const StoredRecord* known = st ? st->find(id) : nullptr;
  return known && known->seq && *known->seq >= from;
}

// A GET carries no seq: one started before a channel confirmed may predate the
// subscription, and a change in between would come on neither. Such item views read
// their record again once the channel is live; so do the views that took an item-channel
// copy the list could not order against their read once the list is (a list view: its
// page, mark_pages_unordered).
void Engine::reread_unordered_views(const std::string& channel, Millis now) {
  bool is_list = false;
  std::string_view model = channel_model(channel, is_list);
  if (model.empty()) return;
  for (auto& entry : views_) {
    View& v = entry.second;
    if (v.model != model || (!is_list && (v.list || v.channel != channel))) continue;
    if (v.list ? !v.copy_unordered : v.item_read_live && !(is_list && v.copy_unordered)) continue;
    // A list view reading anyway (or with a retry due) needs no other read, but keeps its mark
    // until a page lands (take_snapshot); an item view reads again.
    bool reading = v.list && (v.hydrating || v.retry_at);
    if (is_list && !reading) v.copy_unordered = false;
    if (v.list ? !reading : v.hydrating || v.item_hydrated) start_hydration(entry.first, v, now);
  }
}

// An item view whose own channel was refused takes its record's changes from the list
// channel (it carries every change); it reads the record again once that one is live.
void Engine::follow_list_instead(ViewId id, View& v, Millis now) {
  std::string list = channel_for_list(config_.model(v.model));
  if (list.empty() || list == v.channel) return;
  std::string refused = std::move(v.channel);
  v.channel = list;
  subscribe(list);
  unsubscribe(refused, now);
  v.item_read_live = false;
  if (!v.hydrating) start_hydration(id, v, now);
}

void Engine::reread_item(const std::string& model, const RecordId& id, Millis now) {
  for (auto& entry : views_) {
    View& v = entry.second;
    // A read begun on this socket while a channel was live is newer than the replayed copies.
    bool newer = v.hydrating && v.item_read_live && v.disconnects_at_start == disconnects_;
    if (!v.list && v.model == model && v.item_id == id && !newer) start_hydration(entry.first, v, now);
  }
}

void Engine::mark_item_copies_unordered(const std::string& model, const RecordId& id) {
  for (auto& entry : views_)
    if (!entry.second.list && entry.second.model == model && entry.second.item_id == id)
      entry.second.copy_unordered = true;
}

// An item-channel copy that no list seq orders is applied while the list channel cannot
// order it (refused, subscribing, awaiting a seq): it may be older than a list view's page
// or than what the list brought it, and no replay of the list would undo it. The views it
// may change (`holders_only`: those holding the record; a view reading shows the store's
// text if its read fails) read again once the list is live.
void Engine::mark_pages_unordered(const std::string& model, const RecordId& id, bool holders_only) {
  for (auto& entry : views_) {
    View& v = entry.second;
    if (v.list && v.model == model && (!holders_only || v.list->holds(id))) v.copy_unordered = true;
  }
}

bool Engine::copy_versioned(const std::string& model, const ServerFrame& f) {
  if (f.change == ChangeType::Deleted) return f.version.has_value();
  const RecordStore* st = find_store(model);
  return st && st->version_of(f.record).has_value();
}

void Engine::emit_item(ViewId id, View& v) {
  const StoredRecord* rec = v.item_present ? store_named(v.model).find(v.item_id) : nullptr;
  outbox_.item(id, to_string(v.item_status), v.item_error, rec ? std::string_view(rec->json) : std::string_view(),
               rec && !rec->pending.empty() ? std::string_view(v.item_id) : std::string_view());
  v.item_dirty = false;
}

}  // namespace ssot
