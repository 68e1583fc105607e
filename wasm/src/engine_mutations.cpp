// Engine: mutations over HTTP with X-Client-Mutation-Id, and our own pending writes
// (optimistic) laid over the store until the echo or the answer confirms them,
// whichever comes first, or the call fails and they roll back.
#include "ssot/engine.h"

#include "ssot/record_patch.h"

namespace ssot {

namespace {
bool valid_object(std::string_view body) { return json::kind_of(body) == JsonKind::Object && json::valid(body); }

}  // namespace

RequestId Engine::create(std::string_view model, std::string_view body, Millis now, std::string& error,
                         std::optional<std::string_view> optimistic) {
  if (!valid_object(body) || (optimistic && !optimistic->empty() && !valid_object(*optimistic))) {
    error = valid_object(body) ? "create: optimistic fields must be a JSON object" : "create: data must be a JSON object";
    return 0;
  }
  std::optional<PendingWrite> write;
  if (optimistic) {
    // The row shows at once: the data, the fields the server would fill in, and an id
    // (the data's own, or a temporary one that the confirmed record replaces).
    write = PendingWrite{PendingWrite::Create, {}, optimistic->empty() ? std::string(body) : merge_object(body, *optimistic)};
  }
  return start_mutation("POST", CallKind::Create, config_.model(model), {}, body, std::move(write), now);
}

RequestId Engine::update(std::string_view model, std::string_view id_json, std::string_view body, bool patch,
                         Millis now, std::string& error, bool optimistic) {
  RecordId rid;
  if (!canonical_id(id_json, rid) || !valid_object(body)) {
    error = valid_object(body) ? "id must be a non-empty string or an integer" : "update: data must be an object";
    return 0;
  }
  std::optional<PendingWrite> write;
  if (optimistic) write = PendingWrite{patch ? PendingWrite::Patch : PendingWrite::Replace, {}, std::string(body)};
  return start_mutation(patch ? "PATCH" : "PUT", CallKind::Update, config_.model(model), rid, body, std::move(write),
                        now);
}

RequestId Engine::remove(std::string_view model, std::string_view id_json, Millis now, std::string& error,
                         bool optimistic) {
  RecordId rid;
  if (!canonical_id(id_json, rid)) {
    error = "id must be a non-empty string or an integer";
    return 0;
  }
  std::optional<PendingWrite> write;
  if (optimistic) write = PendingWrite{PendingWrite::Delete, {}, {}};
  return start_mutation("DELETE", CallKind::Delete, config_.model(model), rid, {}, std::move(write), now);
}

// One mutation: its id, its pending write (shown at once), its HTTP call. Two writes of
// one record out at once may reach the server in either order (two connections, a server
// that awaits between reading and writing) and the older win: the call waits while an
// earlier write of its record is out.
RequestId Engine::start_mutation(const char* method, CallKind kind, const ModelConfig& m, const RecordId& rid, std::string_view body,
                                 std::optional<PendingWrite> write, Millis now) {
  std::string mid = new_mutation_id();
  bool fresh = false;
  Mutation& mu = mutations_.emplace(mid, fresh);
  mu.model = m.name;
  mu.record = rid;
  mu.kind = kind;
  mu.snapshot_no = snapshots_;
  // A create with an id of its own writes that record; one without, a row of its own.
  if (kind == CallKind::Create && !record_id(write ? std::string_view(write->body) : body, mu.record) && write)
    mu.record = "optimistic:" + mid;
  bool after_another = false;
  if (!mu.record.empty())
    mutations_.for_each([&](const std::string& key, const Mutation& other) {
      after_another |= key != mid && other.model == m.name && other.record == mu.record;
    });
  if (write) {
    write->mutation_id = mid;
    if (write->kind == PendingWrite::Create || write->kind == PendingWrite::Replace)
      write->body = with_id(write->body, mu.record);
    add_pending(m, mu, std::move(*write));
  }
  std::string url = model_url(m);
  if (kind != CallKind::Create) {
    url += '/';
    append_uri_component(url, rid);
  }
  RequestId id = requests_.add(now, 0, Call{kind, m.name, rid, 0, mid});
  auto call = std::make_unique<Command>();
  http_command(*call, id, method, url, std::string(body));
  if (after_another) mu.waiting = std::move(call);
  else send_mutation(mid, mu, *call, now);
  maybe_flush(now);  // a pending row shows at once
  return id;
}

// Sent now: what it is ordered against (the record's version and seqs) is what we hold now.
void Engine::send_mutation(const std::string& mutation_id, Mutation& mu, Command& call, Millis now) {
  mu.sent_no = snapshots_;
  mu.write_no = ++writes_sent_;
  if (const RecordStore* st = find_store(mu.model)) {
    const StoredRecord* r = st->find(mu.record);
    if (r) mu.ver_at_start = r->ver;
    const ChannelState* c = list_channel(mu.model);
    // Without the channel's (a resync cleared it), the record's own: a later one was read since.
    if (c && c->last_seq) mu.seq_at_start = *c->last_seq;
    else if (r && r->seq) mu.seq_at_start = *r->seq;
    mu.numbering_at_start = st->numbering();
    mu.epochs_left_at_start = st->epochs_left();
    mu.texts_from = st->texts_written();
  }
  send_http(call, mutation_id, now);
}

// The record's write that waited longest goes now that the one before it is answered.
void Engine::send_next_write(const std::string& model, const RecordId& record, Millis now) {
  Mutation* next = nullptr;
  const std::string* next_id = nullptr;
  mutations_.for_each([&](const std::string& key, Mutation& mu) {
    if (mu.waiting && mu.model == model && mu.record == record && (!next || mu.waiting->http_id < next->waiting->http_id)) {
      next = &mu;
      next_id = &key;
    }
  });
  if (!next) return;
  send_mutation(*next_id, *next, *next->waiting, now);
  next->waiting.reset();
}

// Only a record some view may show takes a pending update or delete: nothing else
// would show it (a create always does: its row is new).
void Engine::add_pending(const ModelConfig& m, Mutation& mu, PendingWrite write) {
  RecordStore& store = store_for(m);
  if (write.kind != PendingWrite::Create && !store.find(mu.record)) return;
  mu.optimistic = true;
  store.add_pending(mu.record, std::move(write));
  show_record(m.name, mu.record);
}

// Our pending write is over: confirmed (its confirmed copy applied just before) or
// rolled back. Once only.
void Engine::settle(const std::string& mutation_id, Mutation& mu) {
  if (!mu.optimistic) return;
  mu.optimistic = false;
  RecordStore* st = find_store(mu.model);
  if (!st || !st->drop_pending(mu.record, mutation_id)) return;
  show_record(mu.model, mu.record, mu.snapshot_no);
}

// Every view of the model looks at the record as the store now shows it.
void Engine::show_record(const std::string& model, const RecordId& id, std::optional<uint64_t> pending_since) {
  RecordStore& store = store_named(model);
  const StoredRecord* rec = store.find(id);
  bool shown = rec && !rec->deleted && !rec->json.empty();
  std::optional<int64_t> seq = rec ? std::optional<int64_t>(rec->seq) : std::nullopt;  // rec may go while views let go of it
  for (auto& entry : views_) {
    View& v = entry.second;
    if (v.model != model || (v.list && v.hydrating && !v.list->holds(id))) continue;
    if (v.list) {
      // A view whose snapshot is newer than the record's last numbered write knows
      // better: the record left it, or was deleted, since. Unnumbered, one that hydrated
      // while our write hid the record shows it again only if its snapshot had it.
      bool newer_snapshot = v.floor && seq ? *v.floor > *seq : pending_since && v.snapshot_no > *pending_since;
      if (!shown) {
        if (v.list->holds(id)) v.list->hide(id);
        v.list->record_removed(store, id);
      } else if (v.list->holds(id) || v.list->unhide(id) || !newer_snapshot) {
        v.list->record_changed(store, id);
      }
    } else if (v.item_id == id) {
      show_item(v, store, shown, true);
    }
  }
  store.collect(id);
  urgent_flush_ = true;
}

// The HTTP answer of a mutation. Ours pending: the answer confirms it (the server's
// record applied, then the overlay dropped), or its failure rolls it back.
void Engine::finish_mutation(const Call& call, int status, std::string_view body, Millis now) {
  Mutation* m = mutations_.find(call.mutation_id);
  if (!m) return;
  Mutation mu = std::move(*m);
  mutations_.erase(call.mutation_id);
  confirm_or_roll_back(call, mu, status, body, now);
  send_next_write(mu.model, mu.record, now);
}

// No answer in time: rolled back now. Its fetch may still reach the server until it ends
// (the host says when, under its id; kCancelledCallEndsWithinMs at the latest), so it
// counts as out until then: the record's next write waits.
void Engine::time_out_mutation(const Call& call, RequestId id, Millis now) {
  Mutation* m = mutations_.find(call.mutation_id);
  if (!m) return;
  settle(call.mutation_id, *m);
  requests_.add(now, kCancelledCallEndsWithinMs, Call{CallKind::TimedOutWrite, call.model, call.id, 0, call.mutation_id}, id);
}

void Engine::confirm_or_roll_back(const Call& call, Mutation& mu, int status, std::string_view body, Millis now) {
  if (is_2xx(status)) urgent_flush_ = true;  // views show the change (ours or its echo) when the call resolves
  RecordStore* found = is_2xx(status) ? find_store(call.model) : nullptr;
  if (!found) return settle(call.mutation_id, mu);
  RecordStore& store = *found;
  ChannelState* live = list_channel(call.model);
  // Not from a channel the server ended since it confirmed it (`unsubscribed`, then `error`).
  bool echo_expected = live && live->confirmed && socket_open_ && live->error.empty();
  // Or in a replay: a channel with a seq is subscribed with `since` (on the next socket;
  // one not yet confirmed on this socket either replays or reads again). A socket never
  // opened again (disconnect(), retries given up) leaves the copy to a later read.
  bool replay_expected = live && live->has_seq && live->last_seq && live->error.empty();
  // An answer without versions may be older than a copy read since, at a list seq past
  // the one when we asked (written again by someone, or created again after our delete):
  // the echo, numbered, decides. (A lost record otherwise: the copy's seq hides the later
  // updates from it.) Numbered anew since (a restart, a resync, the list left), or another
  // epoch told by any channel: the answer may be of the data before a restart, its version
  // above the new data's for good (fuzz bug 67); what the move reads again decides (the
  // restarted channel's views; list views no live channel feeds: reread_unfed_lists).
  bool moved = store.numbering() != mu.numbering_at_start || store.epochs_left() != mu.epochs_left_at_start;
  int64_t start = mu.seq_at_start;
  auto read_since = [&](const StoredRecord* r) { return r && !r->ver && r->seq && *r->seq > start; };
  // A read since we asked brought the store a copy, not our write's own text (the read had it).
  auto copy_since = [&](const StoredRecord* r, std::string_view ours) {
    return r && r->text_no > mu.texts_from && r->server_text() != ours;
  };
  bool sure = echo_expected || replay_expected;
  if (mu.kind == CallKind::Delete) {
    // A 204 carries no version: a copy newer than the one we deleted, written since we
    // asked (created again), may come after our delete. Its echo (or the gap where it was
    // lost) orders them; taken now, the delete would hide a live record.
    const StoredRecord* r = store.find(call.id);
    bool written_since = r && r->ver && (!mu.ver_at_start || *r->ver > *mu.ver_at_start);
    bool unordered = read_since(r);
    if (!mu.echoed && !written_since && !moved && !(sure && unordered)) {
      bool newer_copy = copy_since(r, {});
      answer_held(mu, call.id, {});
      apply_change(call.model, ChangeType::Deleted, call.id, {}, std::nullopt, nullptr, false, std::nullopt, mu.sent_no);
      if (!sure) read_again_since(mu, call.id, {}, newer_copy, now);
    }
    return settle(call.mutation_id, mu);
  }
  RecordId rid;
  if (!valid_object(body) || !record_id(body, rid)) return settle(call.mutation_id, mu);
  // Without a pending row, a created record waits for its echo on a live channel: the
  // server may filter the list (we may not be allowed to see what we created).
  const StoredRecord* known = store.find(rid);  // shown already: we may see it
  // A record the server made for our create (the id is the server's) that the store wrote
  // since the create went was read or told since it was made: as new as the answer or newer
  // (our later update's answer, when this one came late: a timeout, or a slow connection).
  // (One written before is another record: a database started over may give its id again.
  // Only the server's copy counts: our write of the old record rolled back since is not
  // news of the new one.) The answer is still the news of it to views that lack it: they
  // get the store's copy.
  bool made_since = mu.kind == CallKind::Create && known && mu.record != rid && known->text_no > mu.texts_from;
  // (Its own text: upsert_newer finds it the same and writes nothing.)
  std::string_view copy = made_since && !known->deleted && known->pending.empty() ? known->json : std::string_view();
  bool apply = mu.kind == CallKind::Update ? known != nullptr : (mu.optimistic || !echo_expected) && !made_since;
  bool taken = !mu.echoed && !moved && !(sure && read_since(known));
  // An update of a record the store let go still reaches the views reading it (they hold
  // its updates: we may see it).
  if (taken && (apply || mu.kind == CallKind::Update)) answer_held(mu, rid, body);
  std::string_view shown = copy.empty() ? body : copy;
  bool newer_copy = !made_since && copy_since(known, body);  // overwritten below
  if (taken && (apply || !copy.empty())) {
    apply_change(call.model, mu.kind == CallKind::Create ? ChangeType::Created : ChangeType::Updated, rid, shown,
                 std::nullopt, nullptr, false, std::nullopt, mu.sent_no);
    // Newer than what was numbered when we asked, unordered against what came since (a
    // copy's seq from a later read must not refuse the echo or replay if they come).
    if (copy.empty()) store.answered_at(rid, start);
  }
  // An update, applied or not (the store let the record go), may move it into or out of any
  // view's filter: no text narrows the views that read again.
  if (taken && !sure && (apply || !copy.empty() || mu.kind == CallKind::Update))
    read_again_since(mu, rid, mu.kind == CallKind::Update ? std::string_view() : shown, newer_copy, now);
  settle(call.mutation_id, mu);
}

// An update that reached us before our write went is older than the write's answer (the
// server sent it before it had the write), whatever its channel or seq. Held by a reading
// view, it would be replayed over the answer, where no view showed the record (the store
// let it go, with no seq to refuse it): the answer takes its place, at its seq.
void Engine::answer_held(const Mutation& mu, const RecordId& id, std::string_view body) {
  for (auto& entry : views_) {
    if (entry.second.model != mu.model) continue;
    for (auto& b : entry.second.buffer) {
      if (b.id != id || b.writes_sent >= mu.write_no) continue;
      b.change = body.empty() ? ChangeType::Deleted : ChangeType::Updated;
      b.record.assign(body.data(), body.size());
      b.version.reset();
    }
  }
}

// An answer applied with nothing sure to order it (the list channel refused or subscribing,
// realtime off) may be older than what views read since we asked (the record written again,
// deleted, created again): no echo or replay will tell them, so they read again, past it:
// - views reading now skip the answer, and their read may be served before our write: it
//   lacks it or has the text it replaced (if the record is or may be among their rows; no
//   text: any page may hold it). They read again once it lands, their rows held till then,
//   and it writes no copy of the record (View::answered): the other views' would flicker,
//   a deleted record come back to them for good.
// - views read past the seq when we asked whose snapshot landed since the write went (one
//   landed before was served before it).
// - when a read since we asked brought the store a copy the answer overwrote (`newer_copy`:
//   any view's, an item's GET, a view's closed since), the views showing the record too.
// One waiting to retry a failed read reads then, past the answer, and keeps its backoff.
void Engine::read_again_since(const Mutation& mu, const RecordId& id, std::string_view record, bool newer_copy,
                              Millis now) {
  for (auto& entry : views_) {
    View& v = entry.second;
    if (v.model != mu.model) continue;
    bool reading = v.hydrating && (v.list ? record.empty() || v.list->may_show(id, record) : v.item_id == id);
    // (A snapshot landed before the write went was served before it; the seq says more when
    // the channel's is known, -1 when not: then any numbered snapshot since.)
    bool past = v.floor && *v.floor > mu.seq_at_start && (v.snapshot_no > mu.sent_no || newer_copy);
    bool shows = newer_copy && (v.list ? record.empty() || v.list->holds(id) : v.item_id == id);
    if (reading) {
      v.answered.push_back(id);
      v.answered_deleted.push_back(mu.kind == CallKind::Delete);
    }
    if (reading || (!v.retry_at && ((v.list && past) || shows))) start_hydration(entry.first, v, now);
  }
}

}  // namespace ssot
