// Engine: live views, hydration (and its race with live updates), applying updates, flushing.
#include "ssot/engine.h"

#include <algorithm>

namespace ssot {

namespace {
// The epoch known for c: its own, else (a channel taken anew) the one its model's records
// were read under.
const std::string& known_epoch(const ChannelState& c, const RecordStore* store) {
  return c.epoch.empty() && store ? store->epoch() : c.epoch;
}
}  // namespace

RecordStore& Engine::store_for(const ModelConfig& m) {
  bool fresh = false;
  RecordStore& store = stores_.emplace(m.name, fresh);
  if (fresh) store.set_version_field(m.version_field);
  return store;
}

RecordStore& Engine::store_named(std::string_view model) {
  if (RecordStore* store = find_store(model)) return *store;
  return store_for(config_.model(model));  // made with the model's versionField, wherever from
}

std::string Engine::channel_for_list(const ModelConfig& m) const {
  if (!config_.ws_enabled || !m.realtime || !m.subscribe_list) return {};
  return m.name + ":list";
}

ChannelState* Engine::list_channel(const std::string& model) { return registry_.find(model + ":list"); }

std::string Engine::channel_for_item(const ModelConfig& m, const RecordId& id) const {
  if (config_.ws_enabled && m.realtime && m.subscribe_item) return m.name + ":item:" + id;
  return channel_for_list(m);
}

void Engine::subscribe(const std::string& channel) {
  if (registry_.add(channel) && socket_open_)
    for (auto& frame : registry_.pending_subscribes()) send(std::move(frame));
}

// The last reference to a list channel going (a view closed, a listener gone) leaves the
// item views it kept live to read their record again (list_channel_lost).
void Engine::unsubscribe(const std::string& channel, Millis now) {
  if (!registry_.remove(channel)) return;
  if (socket_open_) send(encode_unsubscribe(channel));
  list_channel_lost(channel, true, now);
}

ViewId Engine::watch(std::string_view model, std::string_view query_json, Millis now, std::string& error) {
  auto query = Query::parse(query_json, error);
  if (!query) return 0;
  return open_view(model, std::move(*query), {}, now, error);
}

// A list view (with a query) or an item view (of `item`), subscribed and hydrating.
ViewId Engine::open_view(std::string_view model, std::optional<Query> query, RecordId item, Millis now,
                         std::string& error) {
  if (model.empty()) {
    error = "model name is required";
    return 0;
  }
  ModelConfig m = config_.model(model);
  ViewId id = next_view_++;
  views_.emplace_back(id, View());
  View& v = views_.back().second;
  v.model = m.name;
  if (query) v.list = std::make_unique<ListView>(id, m.name, std::move(*query));
  v.item_id = std::move(item);
  v.channel = query ? channel_for_list(m) : channel_for_item(m, v.item_id);
  if (!v.channel.empty()) subscribe(v.channel);
  store_for(m);
  start_hydration(id, v, now);
  return id;
}

void Engine::start_hydration(ViewId id, View& v, Millis now) {
  if (v.retry_at) {
    v.retry_at.reset();
    --retries_pending_;
  }
  if (v.hydrating) {
    v.refetch_again = true;  // the answer in flight may predate what made us ask
    return;
  }
  v.buffer.clear();
  v.forget_answers();  // this read is served after every answer so far
  v.item_copy_at = 0;
  v.refetch_again = v.refetch_asked = v.token_renewed = false;
  const ChannelState* ch = v.channel.empty() ? nullptr : registry_.find(v.channel);
  v.restarts_at_start = ch ? ch->restarts : 0;
  v.epoch_at_start = ch ? known_epoch(*ch, find_store(v.model)) : std::string();
  v.epochs_left_at_start = store_named(v.model).epochs_left();
  v.disconnects_at_start = disconnects_;
  v.read_numbering = store_named(v.model).numbering();
  ModelConfig m = config_.model(v.model);
  std::string url = model_url(m);
  if (v.list) {
    url += v.list->query().query_string();
    v.list->clear_refetch();
  } else {
    url += '/';
    append_uri_component(url, v.item_id);
    v.item_read_live = item_live(v);
    RecordStore& store = store_named(v.model);
    const StoredRecord* known = store.find(v.item_id);
    v.item_read_seq = known ? std::optional<int64_t>(known->seq) : std::nullopt;
    const ChannelState* list = list_channel(v.model);
    v.item_read_list_seq = list ? list->last_seq : std::nullopt;
  }
  Call call{CallKind::Hydrate, v.model, v.item_id, id, {}};
  v.hydrating = start_http(url, std::move(call), now);
}

void Engine::finish_hydration(ViewId id, View& v, int status, std::string_view body, Millis now) {
  v.hydrating = 0;
  urgent_flush_ = true;
  if (v.list) finish_list(id, v, status, body, now);
  else finish_item(id, v, status, body, now);
}

// A list answer: {items, total, seq?, epoch?} or a bare array (seed servers).
struct ListAnswer {
  std::vector<json::RecordText> items;  // each with its raw id
  std::optional<double> total;
  std::optional<int64_t> seq;
  std::string epoch;
};

namespace {
struct AnswerMembers {  // what parse_list_answer reads in its walk
  const char* end;
  ListAnswer* answer;
  bool has_items = false;
  std::string_view total, seq, epoch;
};

const char* read_answer_member(void* context, std::string_view key, const char* v) {
  auto& m = *static_cast<AnswerMembers*>(context);
  if (json::same_text(key, "items")) {  // the last duplicate wins
    m.answer->items.clear();
    m.has_items = v < m.end && *v == '[';
    return m.has_items ? json::scan_records(v, m.end, 1, "id", m.answer->items) : json::skip_value(v, m.end, 1);
  }
  const char* q = json::skip_value(v, m.end, 1);
  std::string_view raw = q ? std::string_view(v, size_t(q - v)) : std::string_view();
  if (json::same_text(key, "total")) m.total = raw;
  else if (json::same_text(key, "seq")) m.seq = raw;
  else if (json::same_text(key, "epoch")) m.epoch = raw;
  return q;
}

bool parse_list_answer(std::string_view body, ListAnswer& a) {
  const char* end = body.data() + body.size();
  const char* start = json::skip_ws(body.data(), end);
  if (start == end || *start != '{') return json::scan_records(body, "id", a.items);
  // One pass: the items are split and their ids read while the answer is validated.
  AnswerMembers m{end, &a, false, {}, {}, {}};
  std::string key_buf;
  const char* p = json::walk_members(start, end, key_buf, read_answer_member, &m);
  if (!p || json::skip_ws(p, end) != end || !m.has_items) return false;
  if (auto n = json::parse_number(m.seq); n && *n >= 0 && *n <= 9007199254740992.0) a.seq = int64_t(*n);
  a.total = json::parse_number(m.total);
  if (a.total && !(*a.total >= 0 && *a.total <= 9007199254740992.0)) a.total.reset();  // nonsense: count the items
  read_epoch(m.epoch, a.epoch);  // a malformed one counts as none
  return true;
}
}  // namespace

void Engine::finish_list(ViewId id, View& v, int status, std::string_view body, Millis now) {
  ListAnswer a;
  if (!is_2xx(status) || !parse_list_answer(body, a))
    return list_read_failed(id, v, status, !is_2xx(status) ? http_error_message(status, body)
                            : "invalid list response: expected {items, total} or an array", now);
  ChannelState* c = v.channel.empty() ? nullptr : registry_.find(v.channel);
  EpochFit fit = adopt_epoch(v, c, a.epoch, a.seq, now);
  if (fit == EpochFit::Left)  // no answer to take: as if none came (0), retried with backoff
    return list_read_failed(id, v, 0, "list answer of epoch " + a.epoch + ", which the server left for " +
                            find_store(v.model)->epoch() + ": are its instances on different databases?", now);
  v.retries = 0;
  if (fit == EpochFit::Older) {
    v.buffer.clear();  // read from a numbering that is gone: ask again
    start_hydration(id, v, now);
    return;
  }
  take_snapshot(v, c, a);
  // Data without a live subscription (refused) must not claim to be live.
  v.refused = c && !c->error.empty();
  if (v.refused) v.list->set_status(ViewStatus::Error, c->error);
  else v.list->set_status(ViewStatus::Ready);
  bool covered = snapshot_covered(v, c, a.seq, now);
  if (c && a.seq && !c->last_seq) {
    c->last_seq = a.seq;
    c->has_seq = true;  // a subscribe not yet sent asks for what came after the snapshot
    // Frames up to the page's seq are old news to the channel from now on: item views
    // that read their record while it had no seq (item_live) read it again. Unconfirmed,
    // handle_subscribed does that.
    if (c->confirmed) reread_unordered_views(c->name, now);
  }
  bool moved = v.read_numbering != store_named(v.model).numbering();  // a resync above, a restart
  for (auto& b : v.buffer)
    if (moved && b.seq) v.refetch_again = true;  // of which numbering is its seq? read again past it
    else if (!(a.seq && b.seq && *b.seq <= *a.seq)) apply_change(v.model, b.change, b.id, b.record, b.seq, &v, false, b.version);
  v.buffer.clear();
  if (!covered) start_hydration(id, v, now);  // held, not shown; snapshot_covered bounds it
  else if (v.refetch_again) read_again(id, v, now);
  else v.unsettled = 0;
}

// The answer's records go to the store (never an older copy over a newer one) and
// become the view's rows, with our pending creates that no server answer has yet.
void Engine::take_snapshot(View& v, const ChannelState* c, const ListAnswer& a) {
  RecordStore& store = store_named(v.model);
  std::optional<int64_t> seq = v.channel.empty() ? std::nullopt : a.seq;
  // A snapshot older than what the live views already applied must not show them its
  // records: one deleted since would come back (this view refetches if it misses updates).
  // It still writes those whose stored copy is not newer; the views holding them re-read.
  bool behind = c && a.seq && c->last_seq && *c->last_seq > *a.seq;
  store.reserve(std::max(store.size(), a.items.size()));
  std::vector<RecordId> ids;
  ids.reserve(a.items.size());
  std::vector<size_t> changed;  // indices into ids: records whose stored text this snapshot changed
  bool older_member = false;     // the server chose these rows from an older copy of one than ours (or before its delete)
  int64_t dropped = 0;           // records deleted since it was asked
  for (const auto& [item, id] : a.items) {
    RecordId rid;
    if (!canonical_id(id, rid)) {
      ++stats_.malformed;  // a record without an id cannot be kept live
      continue;
    }
    const StoredRecord* known = store.find(rid);
    // Our answer's copy, or our delete, stands till this view reads again (a copy the store
    // let go is the page's to give; versions order two copies: the store decides).
    int ours = v.answer_of(rid);
    if (ours == 1 && known && known->ver && store.version_of(item)) ours = 0;
    if (ours && (known || ours == 2)) {
      if (!known || known->deleted) {
        ++dropped;
        continue;
      }
    } else if (!(a.seq && known && known->seq && *known->seq > *a.seq)) {  // never regress to an older snapshot
      bool written = false;
      // Refused by version: we hold a newer copy, or its delete (a tombstone).
      if (!store.upsert_newer(rid, item, seq, false, written)) older_member = true;
      else if (written) changed.push_back(ids.size());
    } else if (known->json != item) {
      older_member = true;
    }
    ids.push_back(std::move(rid));
  }
  v.list->reset(store, ids, a.total ? int64_t(*a.total) - dropped : int64_t(ids.size()));
  // A page shows our newer copy in place (or, for a record deleted since, a row short),
  // and replaying the update that brought it changes nothing any more: the page may be
  // wrong (the newer copy may sort out of it; the next row belongs in). Read it again; a
  // complete view places every record itself.
  if (older_member && !v.list->complete()) v.refetch_again = true;
  mutations_.for_each([&](const std::string&, const Mutation& mu) {
    if (mu.optimistic && mu.kind == CallKind::Create && mu.model == v.model) v.list->record_changed(store, mu.record);
  });
  // The others are told after this view took its records: a view the new text makes
  // drop one could otherwise erase it from the store before this view holds it. Behind,
  // only those holding it: their keys must follow the store's text.
  for (size_t i : changed) tell_views(v.model, ids[i], &v, behind, seq);
  for (const auto& rid : ids) store.collect(rid);
  v.floor = a.seq;
  v.copy_unordered = false;
  v.snapshot_no = ++snapshots_;
}

// Updates after the snapshot must all be in the view's buffer, else some were missed.
// Snapshot after snapshot behind our seq: our numbering is wrong (a bogus seq, a
// server whose counters went back without an epoch). Adopt the server's, fetch again.
bool Engine::snapshot_covered(View& v, ChannelState* c, std::optional<int64_t> seq, Millis now) {
  bool covered = true;
  if (c && seq && c->last_seq && *c->last_seq > *seq) {
    covered = !v.buffer.empty() && v.buffer.front().seq && *v.buffer.front().seq <= *seq + 1;
    if (!covered && ++v.behind_snapshots >= 3) {
      c->last_seq = seq;
      store_named(v.model).forget_seqs();
      v.behind_snapshots = 0;
      outbox_.error("channel", v.channel, "the server's seq is behind ours: resynchronized to it");
      // Everything else the channel feeds reads again too: what it read, and the echoes
      // our answers wait for, were numbered in the seqs just given up. A list page in
      // flight tells by its seq, as after a loss (a page behind reads again by itself).
      rehydrate_channel(c->name, now, &v, true);
      for (auto& entry : views_)  // their floors are seqs given up too (as numbering_restarted says)
        if (&entry.second != &v && entry.second.channel == c->name) entry.second.floor.reset();
    }
  }
  if (covered) v.behind_snapshots = 0;
  return covered;
}

void Engine::handle_update(const ServerFrame& f, Millis now) {
  ChannelState* c = registry_.find(f.channel);
  if (!c) return;  // a channel we left: its last frames may still arrive
  bool is_list = false;
  std::string model(channel_model(f.channel, is_list));
  if (model.empty()) return;  // model updates on a custom channel mean nothing to the cache
  bool awaited = c->awaiting_seq();
  switch (registry_.check(*c, f.seq)) {
    case SeqCheck::Duplicate: ++stats_.duplicates; return;
    case SeqCheck::Gap:
      // Something was lost: take this one, then re-hydrate what the channel feeds.
      ++stats_.gaps;
      c->last_seq = f.seq;
      rehydrate_channel(f.channel, now);
      break;
    case SeqCheck::Apply: break;
  }
  // Numbered again by this frame, not by a page: items read meanwhile may predate a change
  // lost before it (their GETs and copies are unordered against it), as at a page.
  if (awaited && c->last_seq && c->confirmed) reread_unordered_views(f.channel, now);
  if (!f.seq) c->unreplayed = false;  // numbered, it numbers the record past the confirmation
  Mutation* mine = f.mutation_id.empty() ? nullptr : mutations_.find(f.mutation_id);
  if (mine) {
    mine->echoed = true;
    ++stats_.echoes;
  }
  if (!listened_.empty() && listened_.contains(f.channel)) {  // skips hashing the channel
    outbox_.update(f.channel, to_string(f.change), f.id, f.record, f.timestamp);
  }
  // The list channel carries every change of the model in its own order; an item
  // channel's copy may arrive before or after it and undo a newer state. A list
  // resubscription with `since` replays all it missed (or sends resync): the item
  // channel's replays that arrive before its confirmation are copies too. Nor does a
  // copy overwrite a version the list numbered (a snapshot's): what came after that the
  // list's subscription will bring, or its confirmation re-hydrates.
  const ChannelState* list = is_list ? nullptr : list_channel(model);
  // A versioned copy is ordered against every other by its version: the store decides.
  bool unordered_copy = !is_list && !copy_versioned(model, f);
  if (unordered_copy && item_copy_superseded(list, model, f.id)) {
    // Not yet confirmed, the list may bring it only in its snapshot: the item reads again then.
    if (!list->confirmed) mark_item_copies_unordered(model, f.id);
    // Confirmed first (the server answered it before the item's replay), it brings what came
    // after its own `since`: a change replayed from before that may be in no page the list
    // read. So may a live copy that reaches us before the list's first update since it was
    // confirmed with no replay (the server answered the list first), of a record no page
    // numbered since (at its seq or past). The item reads again (a read started since is
    // newer than every such copy).
    else if ((f.seq && *f.seq <= c->replay_to) ||
             (list->unreplayed && !numbered(model, f.id, list->unreplayed_at)))
      reread_item(model, f.id, now);
    return;
  }
  for (auto& entry : views_) {
    View& v = entry.second;
    if (!v.hydrating || v.model != model) continue;
    if (v.list ? !is_list : v.item_id != f.id) continue;  // an item view holds its record's updates
    // Only a list-channel seq orders the record's versions (item channels count apart).
    const RecordStore& store = store_named(model);
    v.buffer.push_back(Buffered{f.change, f.id, std::string(f.record), is_list ? f.seq : std::nullopt,
                                unordered_copy, store.numbering(), f.version, store.epochs_left(), writes_sent_});
  }
  // A copy is unordered against the list views' snapshots (the record may have been
  // deleted since, and dropped from the store): while the list channel feeds them, it
  // reaches only those already showing the record.
  bool list_pending = list && list->error.empty();
  if (list && unordered_copy) mark_pages_unordered(model, f.id, list_pending);  // before: who holds it
  apply_change(model, f.change, f.id, f.record, is_list ? f.seq : std::nullopt, nullptr, list_pending, f.version,
               std::nullopt, &f.record_members);
  if (unordered_copy)  // held by an item view: from its first, what wrote the record since (finish_item)
    for (auto& entry : views_) {
      View& v = entry.second;
      if (!v.list && v.hydrating && v.item_id == f.id && v.model == model && !v.item_copy_at)
        v.item_copy_at = store_named(model).next_version();
    }
  // Nor is it ordered against the item's GET: once the list confirms, the item reads again.
  if (list_pending && unordered_copy) mark_item_copies_unordered(model, f.id);
  if (mine) settle(f.mutation_id, *mine);  // our pending write, confirmed
  ++stats_.updates_applied;
  batcher_.add(now);
}

void Engine::apply_change(const std::string& model, ChangeType change, const RecordId& id, std::string_view record,
                          std::optional<int64_t> list_seq, View* only, bool holders_only,
                          std::optional<Version> version, std::optional<uint64_t> sent_at,
                          const json::MemberList* members) {
  RecordStore* found = find_store(model);
  if (!found) return;
  RecordStore& store = *found;
  if (change == ChangeType::Deleted && version) {
    if (store.newer_than(id, *version)) return;  // written again since this delete
    store.tombstone(id, *version);
  }
  bool changed = true;
  bool behind = false;  // the store holds a newer version (a snapshot's): views not past it re-read it
  const StoredRecord* rec = nullptr;
  if (change == ChangeType::Deleted && list_seq && *list_seq > 0) {
    // A text numbered at or past this delete (a read after it, our answer) is newer: the
    // record lives, and views that skipped it show it. (-1: a void numbering's, replay_buffer.)
    const StoredRecord* held = store.find(id);
    if (held && !held->deleted && !held->json.empty() && !held->ver && held->seq && *held->seq >= *list_seq) {
      rec = held;
      behind = true;
      changed = false;
      change = ChangeType::Updated;
    }
  }
  if (change != ChangeType::Deleted && !rec) {
    rec = store.upsert_newer(id, record, list_seq, true, changed, members);
    if (!rec) {  // older than we hold: never written back, but shown by views that lack it
      rec = store.find(id);
      if (!rec) return;
      behind = true;
      changed = false;
      if (rec->deleted) change = ChangeType::Deleted;  // the newest word on it is a delete
    }
  }
  // Held through the loop: a view that drops it must not erase it before the next looks.
  if (rec) store.retain_held(*rec);
  // Written and shown as received (no pending write of ours over it): the views read
  // their fields from the decoder's members instead of walking the stored copy.
  bool shown_as_received = changed && rec && rec->pending.empty() && members && members->describes(record);
  const json::MemberList* shown_members = shown_as_received ? members : nullptr;
  for (auto& entry : views_) {
    View& v = entry.second;
    if (v.model != model || (only && &v != only)) continue;
    if (!only && v.hydrating) continue;  // it replays its buffer when the snapshot lands
    if (v.list) {
      // Already in its snapshot; unless the view holds an older copy of the record (an
      // HTTP answer, unnumbered, reached it after the snapshot) that the store replaced:
      // the view shows the store's text, so it places it by that text.
      bool in_snapshot = !only && list_seq && v.floor && *v.floor >= *list_seq;
      bool newer = change == ChangeType::Deleted ? version.has_value() : changed;
      if (in_snapshot && !(newer && v.list->holds(id))) continue;
      if ((holders_only || answer_unordered(v, sent_at)) && !v.list->holds(id)) continue;
      if (change == ChangeType::Deleted) v.list->record_removed(store, id);
      // Same text (our own echo) changes nothing, except for views that lack the record:
      // it may have reached the store without them (an item view's GET).
      else if (changed || only || behind || !v.list->holds(id)) v.list->record_changed(store, id, rec, shown_members);
    } else if (v.item_id == id) {
      show_item(v, store, change != ChangeType::Deleted, changed || only || behind);
    }
  }
  // Released here: erased at zero references, else still held; nothing left to collect
  // (unless tell_views below moves it).
  if (rec) store.release_held(id, *rec);
  // A replay for one view that changed the stored text: the others showing it re-read it
  // (a seed server's held update may be older than a snapshot: no seq to tell). Only those
  // holding it: to the others the held update may be older than their own data.
  if (only && changed && change != ChangeType::Deleted) tell_views(model, id, only, true);
  // A delete leaves the record to the views that skipped it and still hold it (refetching,
  // or their snapshot is newer: it was re-created): their snapshot or buffer decides.
  if (!rec || only) store.collect(id);
  if (change == ChangeType::Deleted) store.mark_deleted(id, list_seq);
}

RecordStore* Engine::find_store(std::string_view model) {
  if (last_store_ && json::same_text(last_store_name_, model)) return last_store_;
  RecordStore* st = stores_.find(model);
  if (!st) return nullptr;
  last_store_name_.assign(model.data(), model.size());
  return last_store_ = st;
}

// A mutation's answer reached the server before or after this view's snapshot was read
// if that snapshot landed after the mutation left: the snapshot may lack the record
// because it was deleted since the answer was made. The view's channel settles it (wanted
// and not refused, it brings the echo, or a resync, if the write came after the snapshot).
bool Engine::answer_unordered(const View& v, std::optional<uint64_t> sent_at) {
  if (!sent_at || v.snapshot_no <= *sent_at || v.channel.empty()) return false;
  const ChannelState* c = registry_.find(v.channel);
  return c && c->error.empty();
}

void Engine::tell_views(const std::string& model, const RecordId& id, const View* except, bool holders_only,
                        std::optional<int64_t> snapshot_seq) {
  RecordStore& store = store_named(model);
  for (auto& entry : views_) {
    View& o = entry.second;
    if (&o == except || o.model != model || o.hydrating) continue;
    // A view whose own snapshot is newer knows better (a record deleted since would come back),
    // but not of a record it holds: it shows the store's text, so it places it anew.
    if (o.list && snapshot_seq && o.floor && *o.floor > *snapshot_seq && !o.list->holds(id)) continue;
    if (o.list) {
      if (!holders_only || o.list->holds(id)) o.list->record_changed(store, id);
    } else if (o.item_id == id && store.find(id) && (!holders_only || o.item_present)) {
      show_item(o, store, true, true);
    }
  }
}

// A hydration that failed keeps the view's rows, but the store moved on under them while
// it held its updates: it applies them now, or it would show new text at old positions.
bool Engine::replay_buffer(View& v, bool copies_unordered) {
  const ChannelState* list = list_channel(v.model);
  bool dropped = false;
  RecordStore& store = store_named(v.model);
  uint64_t replay_from = store.next_version();
  for (auto& b : v.buffer) {
    // A list update held before the list's numbering was forgotten (left, restarted,
    // resynced): its seq may be of none now, and would hide the update a new numbering
    // gives it. Replayed, it counts as -1, as the store's own seqs did then (forget_seqs):
    // older than anything the new numbering brings. One held since is of the new one.
    bool seq_void = b.seq && b.numbering != store.numbering();
    // Held before the model's epoch moved: of a database gone. Replayed, its version
    // (forgotten with that epoch) would come back and outrank the new database's copies.
    bool gone = b.epochs != store.epochs_left();
    const StoredRecord* alive = (seq_void && b.change == ChangeType::Deleted) || gone ? store.find(b.id) : nullptr;
    if (b.item_copy && (copies_unordered || item_copy_superseded(list, v.model, b.id))) {
      dropped = true;
    } else if (alive && !alive->deleted && !alive->json.empty() && (gone || alive->version < replay_from)) {
      // A copy alive in the store: for a void delete (which the store took when it came),
      // one written after it unless this replay wrote it; for an update of a database
      // gone, what the store holds without its version. The view shows that copy.
      if (v.list) v.list->record_changed(store, b.id);
      else show_item(v, store, true, true);
    } else if (!gone) {
      apply_change(v.model, b.change, b.id, b.record, seq_void ? -1 : b.seq, &v, false, b.version);
    }
  }
  v.buffer.clear();
  // Changes that were never live updates (our own mutations' answers) skipped it too.
  if (v.list) v.list->refresh(store);
  return dropped;
}

void Engine::rehydrate_channel(const std::string& channel, Millis now, const View* except, bool after_loss) {
  bool is_list = false;
  std::string_view model = channel_model(channel, is_list);
  for (auto& entry : views_) {
    View& v = entry.second;
    if (&v == except) continue;
    // After a subscription confirmed without a replay of what it missed, a list page asked
    // since the socket was lost stays: its buffer holds only this subscription's frames,
    // so the page's seq tells whether it covers the loss (finish_list).
    if (after_loss && v.list && v.hydrating && v.disconnects_at_start == disconnects_) continue;
    // Item views take their record's changes from the list channel while it is live
    // (their own channel's copies are skipped, handle_update): its losses are theirs.
    if (v.channel == channel || (is_list && !v.list && v.model == model)) start_hydration(entry.first, v, now);
  }
}

// The server's numbering of `c` started over (a new epoch: a fresh database, a lost
// stream; or a seq below ours): our seq state for it is void, a list channel's records
// keep no old seq, and everything it feeds is read again. Answers in flight predate it (restarts).
// `unversioned`: told by a seq alone, from a server without epochs (maybe a new database).
void Engine::numbering_restarted(ChannelState& c, std::optional<int64_t> seq, const View* except, bool unversioned,
                                 Millis now) {
  c.last_seq = seq;
  ++c.restarts;
  bool is_list = false;
  std::string model(channel_model(c.name, is_list));
  RecordStore* store = find_store(model);  // none yet: nothing to forget
  if (store && is_list) store->forget_seqs();  // the records' seqs are the list's numbering
  if (store && unversioned) store->forget_versions();  // a new epoch forgot them (take_epoch)
  for (auto& entry : views_) {
    if (entry.second.channel != c.name) continue;
    entry.second.floor.reset();
    // Updates it held while reading are of the void numbering: replayed if the read fails,
    // their old seqs would make the new numbering's next snapshot look older than them.
    entry.second.buffer.clear();
  }
  rehydrate_channel(c.name, now, except);
}

bool Engine::take_epoch(ChannelState& c, std::string_view epoch, bool subscribed, Millis now) {
  bool is_list = false;
  std::string_view model = channel_model(c.name, is_list);
  RecordStore* store = find_store(model);
  const std::string& known = known_epoch(c, store);
  bool changed = !known.empty() && known != epoch;
  c.epoch.assign(epoch.data(), epoch.size());
  bool moved = store && !store->epoch().empty() && store->epoch() != epoch;
  if (store) store->take_epoch(epoch);
  if (store && subscribed) store->told_by_subscription();
  if (!moved) return changed;
  for (auto& entry : views_)  // our answers of the database left order nothing of the new one
    if (entry.second.model == model) entry.second.forget_answers();
  reread_unfed_lists(model, c, now);
  return changed;
}

// The model's data started over, told by c: list views that no live list channel feeds
// (none configured, or refused) read again; nothing else would tell them (and our writes'
// answers from before are not applied: confirm_or_roll_back). Those on c restart with it.
void Engine::reread_unfed_lists(std::string_view model, const ChannelState& c, Millis now) {
  for (auto& entry : views_) {
    View& v = entry.second;
    if (!v.list || v.model != model || v.channel == c.name) continue;
    const ChannelState* list = v.channel.empty() ? nullptr : registry_.find(v.channel);
    if (!list || !list->confirmed || !list->error.empty()) start_hydration(entry.first, v, now);
  }
}

Engine::EpochFit Engine::adopt_epoch(View& v, ChannelState* c, std::string_view epoch, std::optional<int64_t> seq,
                                     Millis now) {
  if (!c) return EpochFit::Taken;
  // Read before a restart, with no epoch, the one it knew then, or none known then (a
  // restart told by a seq alone: a stream lost, a server without epochs): its seqs are of a
  // numbering gone, and stored they would refuse the new one's copies for good. (A resync
  // keeps the server's numbering: a page read before it is as good as one read after.)
  if (v.restarts_at_start != c->restarts && (epoch.empty() || v.epoch_at_start.empty() || epoch == v.epoch_at_start))
    return EpochFit::Older;
  if (epoch.empty()) return EpochFit::Taken;
  // Read before a restart we know of, or before the epoch was first told (on its channel or
  // another of the model): another epoch in the answer is the older one.
  RecordStore& store = store_named(v.model);
  const std::string& known = known_epoch(*c, &store);
  if (epoch != known && (v.restarts_at_start != c->restarts || known != v.epoch_at_start)) return EpochFit::Older;
  // One the model left (any of its channels told it) while this read was out: it may
  // have been read before the restart that another channel told first.
  bool left = store.left_epoch(epoch);
  if (left && store.epochs_left() != v.epochs_left_at_start) return EpochFit::Older;
  // Left before: gateways on different databases answer from two epochs. Taken by turns,
  // each restarted the numbering and re-read the other views, whose answers did the same,
  // for good. Refused while this list's live subscription says which is current; without
  // one (the socket down, the channel refused), taken back once (a backup restored).
  if (left && ((c->confirmed && c->error.empty()) || !store.take_back_by_answer())) return EpochFit::Left;
  if (take_epoch(*c, epoch, false, now)) {  // also when c has it: the records may not (made after it was told)
    numbering_restarted(*c, seq, &v, false, now);
    v.restarts_at_start = c->restarts;
  }
  return EpochFit::Taken;
}

// A list channel that will bring nothing more (refused, or left): item copies it made
// us skip, and GET answers it made us keep older numbered versions over, will not come
// on it, so its model's item views read their record again. Left: its numbering goes too.
void Engine::list_channel_lost(const std::string& channel, bool forget_seqs, Millis now) {
  bool is_list = false;
  std::string model(channel_model(channel, is_list));
  if (model.empty() || !is_list) return;
  RecordStore* store = forget_seqs ? find_store(model) : nullptr;  // none yet: nothing to forget
  if (store) store->forget_seqs();
  for (auto& entry : views_)  // not those on the list channel itself: it brought them nothing to skip
    if (!entry.second.list && entry.second.model == model && entry.second.channel != channel)
      start_hydration(entry.first, entry.second, now);
}

// A read that brought no rows: the view keeps its rows (and what it held) and says why.
void Engine::list_read_failed(ViewId id, View& v, int status, const std::string& error, Millis now) {
  v.refused = false;
  v.list->set_status(ViewStatus::Error, error);
  if (!is_2xx(status)) schedule_hydration_retry(v, status, now);
  replay_buffer(v);
  read_after_failure(id, v, status, now);
}

void Engine::schedule_hydration_retry(View& v, int status, Millis now) {
  // Only what may pass: no answer (network, timeout), 408, 425, 429 and 5xx. A 4xx
  // other than these will not change by asking again; refetch() still can.
  bool transient = status == 0 || status == 408 || status == 425 || status == 429 || (status >= 500 && status < 600);
  if (!transient || v.retry_at) return;
  if (v.retries < 1000) ++v.retries;
  retry_later(v, v.retries, now);
}

// Only when none is set: start_hydration clears it, so no answer finds one.
void Engine::retry_later(View& v, int attempt, Millis now) {
  // At least 100 ms: a base delay of 0 must not turn a down server into a busy loop.
  v.retry_at = add_saturating(now, hydration_backoff_.delay_for(attempt, 100));
  ++retries_pending_;
}

// An answer that did not settle its view asks again: at once the first time (a change
// usually raced it), then with the hydration backoff, so that a server whose answers
// stay older than its updates (a lagging read replica) is not asked in a busy loop.
// Meanwhile the view shows that answer (a page: our newer copy in its place).
void Engine::read_again(ViewId id, View& v, Millis now) {
  if (v.unsettled < 1000) ++v.unsettled;
  if (v.unsettled == 1) start_hydration(id, v, now);
  else retry_later(v, v.unsettled - 1, now);
}

// A read refused for good (a 4xx) may predate what asked for another while it was out:
// the app's refetch, or a token renewed since it went (a 401). That read is made, once.
// The engine's own reasons (a change it may miss) need no second read of what it may not
// see; a failure that may pass has its retry, which reads after it too.
void Engine::read_after_failure(ViewId id, View& v, int status, Millis now) {
  if (!v.retry_at && (v.refetch_asked || (status == 401 && v.token_renewed))) start_hydration(id, v, now);
}

void Engine::retry_hydrations(Millis now, bool all) {
  if (!retries_pending_) return;
  for (auto& entry : views_)
    if (entry.second.retry_at && (all || *entry.second.retry_at <= now)) start_hydration(entry.first, entry.second, now);
}

void Engine::flush_views() {
  for (auto& entry : views_) {
    View& v = entry.second;
    if (!v.list) {
      if (v.item_dirty && (v.item_hydrated || v.item_status == ViewStatus::Error)) {
        emit_item(entry.first, v);
        ++stats_.flushes;
      }
      continue;
    }
    if (!v.list->dirty() || v.list->silent()) continue;
    // A refetching view skips live updates (they wait in its buffer) while the store
    // moves on: it holds its rows until the snapshot lands (or the refetch fails and
    // it applies what it held), rather than show new text at old positions. In error
    // and retrying too (its rows may have come from other views' snapshots): a new
    // window's rows would mix them. A view with no rows yet still shows its status.
    if (v.hydrating && (v.list->hydrated() || v.list->visible_count() > 0)) continue;
    // Written straight into the outbox: an empty change is dropped again.
    size_t mark = 0;
    std::string& out = outbox_.begin(mark);
    size_t start = out.size();
    stats_.coalesced += v.list->flush(store_named(v.model), out);
    if (!outbox_.end(mark, start)) continue;
    ++stats_.flushes;
  }
}

size_t Engine::view_at(ViewId id) const {
  size_t i = 0;
  while (i < views_.size() && views_[i].first != id) ++i;
  return i;
}

void Engine::set_window(ViewId id, std::optional<std::pair<size_t, size_t>> window, Millis now) {
  View* v = find_view(id);
  if (!v || !v->list) return;
  v->list->set_window(window);
  flush(now);
}

void Engine::refetch(ViewId id, Millis now) {
  View* v = find_view(id);
  if (!v) return;
  v->unsettled = 0;  // the app asks: no backoff
  v->refetch_asked = true;  // a read out now, refused, still reads again (start_hydration resets it)
  start_hydration(id, *v, now);
}

void Engine::close_view(ViewId id, Millis now) {
  View* found = find_view(id);
  if (!found) return;
  View& v = *found;
  RecordStore& store = store_named(v.model);
  if (v.list) v.list->release_all(store);
  else if (v.item_retained) store.release(v.item_id);
  if (v.retry_at) --retries_pending_;
  if (v.hydrating) {
    requests_.complete(v.hydrating);
    Command cancel;
    cancel.type = Command::HttpCancel;
    cancel.http_id = v.hydrating;
    commands_.push_back(std::move(cancel));
  }
  std::string channel = v.channel;
  views_.erase(views_.begin() + view_at(id));
  if (channel.empty()) return;
  unsubscribe(channel, now);
}

}  // namespace ssot
