#pragma once
// The hybrid client, sans-I/O. Events go in (socket, HTTP, timer, API calls, each
// with `now`); commands come out (open/send/close the socket, start/cancel HTTP),
// plus the next deadline for the one timer and an outbox for the JS side: one
// JSON array per drain holding view changes, request results, channel events,
// connection states and token requests. Nothing here blocks, throws or aborts.
//
// Routing as in the seeds: reads are served from the cache while the channel
// that keeps it live is confirmed and the data hydrated, else over the socket
// (`request`) when it is open, else over HTTP; mutations always go over HTTP
// with X-Client-Mutation-Id, and the server's echo of our own mutation changes
// nothing visible (same text) while its HTTP answer shows the change at once.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>
#include "ssot/batcher.h"
#include "ssot/config.h"
#include "ssot/connection.h"
#include "ssot/list_view.h"
#include "ssot/outbox.h"
#include "ssot/protocol.h"
#include "ssot/record_store.h"
#include "ssot/request_table.h"
#include "ssot/subscription_registry.h"

namespace ssot {

struct ListAnswer;

struct Command {
  enum Type { OpenSocket, Send, CloseSocket, HttpStart, HttpCancel } type = Send;
  std::string url;     // OpenSocket, HttpStart
  std::string body;    // Send: the frame; HttpStart: the request body
  int code = 0;        // CloseSocket
  std::string reason;  // CloseSocket
  RequestId http_id = 0;
  std::string method;  // HttpStart
  std::vector<std::pair<std::string, std::string>> headers;
};

struct Stats {
  uint64_t frames_in = 0, updates_applied = 0, flushes = 0, coalesced = 0, reconnects = 0, resyncs = 0,
           malformed = 0, unknown_frames = 0, gaps = 0, duplicates = 0, echoes = 0, http_requests = 0,
           ws_requests = 0, timeouts = 0;
  size_t records = 0, views = 0, channels = 0;
  size_t retrying = 0;  // views waiting out a backoff to read their data again
};

class Engine {
 public:
  // `bytes` makes mutation ids; without one (tests, benchmarks) a deterministic
  // stream seeded from `random` stands in, which is fine only where nobody attacks.
  static std::unique_ptr<Engine> create(std::string_view config_json, RandomSource random, std::string& error,
                                        RandomBytes bytes = {});

  // Connection.
  void connect(Millis now);
  void disconnect(Millis now);
  void set_token(std::string_view token, bool ok, Millis now);  // answer to a {"k":"token"} request

  // Socket and HTTP events from the platform.
  void on_open(Millis now);
  void on_message(std::string_view text, Millis now);
  void on_close(int code, Millis now);
  // Also for a call the engine cancelled (HttpCancel), when its fetch ends: a host that
  // cannot abort a fetch says so, and a timed-out write's next write goes then.
  void on_http_response(RequestId id, int status, std::string_view body, Millis now);
  void on_timer(Millis now);

  // Live views. Return 0 and fill `error` on bad input.
  ViewId watch(std::string_view model, std::string_view query_json, Millis now, std::string& error);
  ViewId watch_item(std::string_view model, std::string_view id_json, Millis now, std::string& error);
  void set_window(ViewId view, std::optional<std::pair<size_t, size_t>> window, Millis now);
  void refetch(ViewId view, Millis now);
  void close_view(ViewId view, Millis now);

  // One-shot calls; results arrive in the outbox as {"k":"result","req":N,...}. 0 = refused (see error).
  RequestId list(std::string_view model, std::string_view query_json, Millis now, std::string& error);
  RequestId get(std::string_view model, std::string_view id_json, Millis now, std::string& error);
  // Mutations. Optimistic ones show at once in every view they touch (a create with
  // `optimistic` fields laid over its data, "" = none), until the echo or the answer
  // confirms them or the call fails and they roll back.
  RequestId create(std::string_view model, std::string_view body_json, Millis now, std::string& error,
                   std::optional<std::string_view> optimistic = std::nullopt);
  RequestId update(std::string_view model, std::string_view id_json, std::string_view body_json, bool patch,
                   Millis now, std::string& error, bool optimistic = false);
  RequestId remove(std::string_view model, std::string_view id_json, Millis now, std::string& error,
                   bool optimistic = false);

  // Custom channels (`chat:room:1`) and raw update listeners (the seeds' subscribe('list', cb)).
  bool join(std::string_view channel, Millis now, std::string& error);
  void leave(std::string_view channel, Millis now);
  bool publish(std::string_view channel, std::string_view event, std::string_view data_json, Millis now,
               std::string& error);
  bool listen(std::string_view channel, bool on, Millis now, std::string& error);

  std::vector<Command> take_commands();
  std::optional<Millis> next_deadline() const;
  bool has_output() const { return !outbox_.empty(); }
  void drain(std::string& out);  // appends the outbox as a JSON array and clears it
  void flush(Millis now);        // flushes dirty views now, whatever the batching window

  Stats stats() const;
  ConnState state() const { return connection_.state(); }
  const Config& config() const { return config_; }

 private:
  Engine(Config config, RandomSource random, RandomBytes bytes);

  struct Buffered {  // an update held while a view hydrates
    ChangeType change;
    RecordId id;
    std::string record;
    std::optional<int64_t> seq;
    bool item_copy = false;  // from the record's item channel, not the list, and without a version
    uint32_t numbering = 0;  // the store's numbering when it was held (its seq is of that one)
    std::optional<Version> version;  // a delete's version
    uint32_t epochs = 0;     // the store's epochs_left() when it was held (of which database)
    uint64_t writes_sent = 0;  // Engine::writes_sent_ then: held before each write numbered above it
  };
  struct View {
    std::unique_ptr<ListView> list;  // a list view, or else an item view:
    std::string model;
    RecordId item_id;
    bool item_present = false;
    bool item_retained = false;      // holds a reference on the record in the store
    bool item_dirty = false;
    bool item_hydrated = false;
    bool item_read_live = false;     // its GET started while a channel kept the record live
    std::optional<int64_t> item_read_seq;  // the stored record's list seq when its GET started
    std::optional<int64_t> item_read_list_seq;  // the list channel's seq then: the answer is at least as new
    uint32_t read_numbering = 0;  // the store's numbering when its read went (the seqs above are in it)
    // Took an item-channel copy that the list could not order against its read (an item
    // view: while the list was pending; a list view: mark_pages_unordered): reads again
    // once the list is live.
    bool copy_unordered = false;
    uint64_t item_copy_at = 0;  // the store's next_version() once the first copy it holds was applied
    ViewStatus item_status = ViewStatus::Loading;
    std::string item_error;
    std::string channel;             // the channel keeping it live ("" = HTTP only)
    RequestId hydrating = 0;         // the HTTP request in flight
    std::vector<Buffered> buffer;    // updates that arrived during hydration
    bool refetch_again = false;      // a change arrived that the running hydration may miss
    // Since its read went: the app asked again (any 4xx to it is read again), the token
    // was renewed (a 401 is).
    bool refetch_asked = false, token_renewed = false;
    std::optional<int64_t> floor;    // list-channel updates at or below this seq are in its snapshot
    int behind_snapshots = 0;        // snapshots in a row older than the channel's seq
    std::optional<Millis> retry_at;  // a failed hydration tries again then (or when the socket reopens)
    int retries = 0;                 // failed hydrations in a row
    int unsettled = 0;               // answers in a row that asked to be read again
    bool refused = false;            // in error only for its channel's refusal: its data is good
    uint32_t restarts_at_start = 0;  // its channel's `restarts` when the hydration started
    std::string epoch_at_start;      // the epoch known for its channel then (Engine::take_epoch)
    uint32_t epochs_left_at_start = 0;  // its model's RecordStore::epochs_left() then
    uint32_t disconnects_at_start = 0;  // Engine::disconnects_ then
    uint64_t snapshot_no = 0;        // when its last snapshot landed (Engine::snapshots_)
    // Records our answers wrote while its read was out, with nothing to order them (Engine::
    // read_again_since): the read may hold older copies; it reads again, and writes none.
    // In answer order, an id again for each answer (usually a few: each of a page's records
    // looks here); answered_deleted[i] is 1 where answer i was our delete.
    std::vector<RecordId> answered;
    std::string answered_deleted;
    // The last answer's word on the record (one record's writes are answered in order):
    // 0 none, 1 written, 2 deleted.
    void forget_answers() {  // a read served after them, or an epoch left since
      answered.clear();
      answered_deleted.clear();
    }
    int answer_of(std::string_view id) const {
      for (size_t i = answered.size(); i-- > 0;)
        if (answered[i] == id) return 1 + answered_deleted[i];
      return 0;
    }
  };

  // engine.cpp
  void run_connection_commands(Millis now);
  void emit_conn_state();
  void send(std::string text);
  void handle_text(std::string_view text, Millis now);
  void handle_batch(std::string_view whole, std::string_view frames, Millis now);
  void handle_decoded(const DecodeResult& r, Millis now);
  void malformed_frame(std::string_view why);
  void handle_frame(const ServerFrame& f, Millis now);
  void handle_subscribed(const ServerFrame& f, Millis now);
  void handle_channel_error(const ServerFrame& f, Millis now);
  void maybe_flush(Millis now);
  std::string new_mutation_id();

  // engine_views.cpp
  ViewId open_view(std::string_view model, std::optional<Query> query, RecordId item, Millis now, std::string& error);
  void start_hydration(ViewId id, View& v, Millis now);
  void finish_hydration(ViewId id, View& v, int status, std::string_view body, Millis now);
  void finish_item(ViewId id, View& v, int status, std::string_view body, Millis now);
  void finish_list(ViewId id, View& v, int status, std::string_view body, Millis now);
  void list_read_failed(ViewId id, View& v, int status, const std::string& error, Millis now);
  void take_snapshot(View& v, const ChannelState* c, const ListAnswer& a);
  bool snapshot_covered(View& v, ChannelState* c, std::optional<int64_t> seq, Millis now);
  void handle_update(const ServerFrame& f, Millis now);
  // `holders_only`: list views that lack the record do not take it in (an unordered copy).
  // `version`: a delete's (records carry their own). `sent_at`: a mutation's answer, whose
  // request left when snapshots_ was this (unordered against later snapshots). `members`:
  // the record's, read by the decoder (json::MemberList).
  void apply_change(const std::string& model, ChangeType change, const RecordId& id, std::string_view record,
                    std::optional<int64_t> list_seq, View* only, bool holders_only = false,
                    std::optional<Version> version = std::nullopt, std::optional<uint64_t> sent_at = std::nullopt,
                    const json::MemberList* members = nullptr);
  bool answer_unordered(const View& v, std::optional<uint64_t> sent_at);
  void mark_item_copies_unordered(const std::string& model, const RecordId& id);
  void mark_pages_unordered(const std::string& model, const RecordId& id, bool holders_only);
  bool copy_versioned(const std::string& model, const ServerFrame& f);
  RecordStore& store_for(const ModelConfig& m);
  RecordStore& store_named(std::string_view model);  // made (store_for) if none yet
  void show_item(View& v, RecordStore& store, bool present, bool reread);
  void rehydrate_channel(const std::string& channel, Millis now, const View* except = nullptr, bool after_loss = false);
  void numbering_restarted(ChannelState& c, std::optional<int64_t> seq, const View* except, bool unversioned, Millis now);
  // A list answer's epoch against the one known for its channel (its own, else its model's
  // records'): taken (restarting the numbering if new), older (the answer predates a
  // restart, or the model left its epoch while it was read), or one the model left before
  // (refused while the list's subscription is live; else taken back once).
  enum class EpochFit { Taken, Older, Left };
  EpochFit adopt_epoch(View& v, ChannelState* c, std::string_view epoch, std::optional<int64_t> seq, Millis now);
  // Takes `epoch` for c and its model's records: true when it is not the one known (c's,
  // else, for a channel taken anew, the one its model's records were read under).
  // `subscribed`: told by the channel's subscription (else by a list answer).
  bool take_epoch(ChannelState& c, std::string_view epoch, bool subscribed, Millis now);
  void reread_unfed_lists(std::string_view model, const ChannelState& c, Millis now);
  bool item_live(const View& v);
  void follow_list_instead(ViewId id, View& v, Millis now);
  void reread_item(const std::string& model, const RecordId& id, Millis now);  // its item views read it again
  bool item_copy_superseded(const ChannelState* list, const std::string& model, const RecordId& id);
  // The stored record has a list seq, at least `from`.
  bool numbered(const std::string& model, const RecordId& id, int64_t from = INT64_MIN);
  void list_channel_lost(const std::string& channel, bool forget_seqs, Millis now);
  void reread_unordered_views(const std::string& channel, Millis now);
  // Applies what a view held while it read; drops its item-channel copies that a write
  // since made unordered (`copies_unordered`) or that the list channel brings, and says so.
  bool replay_buffer(View& v, bool copies_unordered = false);
  // A record's text changed: views holding it re-read it (and others may take it in).
  // `snapshot_seq`: the change came with a snapshot of that seq; list views past it skip it.
  void tell_views(const std::string& model, const RecordId& id, const View* except, bool holders_only = false,
                  std::optional<int64_t> snapshot_seq = std::nullopt);
  void schedule_hydration_retry(View& v, int status, Millis now);
  void retry_later(View& v, int attempt, Millis now);
  void read_after_failure(ViewId id, View& v, int status, Millis now);
  void read_again(ViewId id, View& v, Millis now);
  void retry_hydrations(Millis now, bool all);
  void flush_views();
  void emit_item(ViewId id, View& v);
  std::string channel_for_list(const ModelConfig& m) const;
  ChannelState* list_channel(const std::string& model);  // the model's list channel, if wanted
  std::string channel_for_item(const ModelConfig& m, const RecordId& id) const;
  void subscribe(const std::string& channel);
  void unsubscribe(const std::string& channel, Millis now);

  // engine_mutations.cpp
  struct Mutation {  // in flight, by mutation id
    std::string model;
    RecordId record;         // the record it writes (a create: its row's id, when optimistic)
    bool echoed = false;     // its broadcast came back
    bool optimistic = false; // a pending write of it is laid over the store
    CallKind kind = CallKind::Update;  // Create, Update or Delete
    uint64_t snapshot_no = 0;  // snapshots_ when it started (its pending write was laid over the store)
    uint64_t sent_no = 0;      // snapshots_ when its call went: reads done before are older than its answer
    uint64_t write_no = 0;     // ++writes_sent_ when its call went
    uint32_t texts_from = 0;  // the store's texts_written() then: a record's server copy past it was written since
    std::unique_ptr<Command> waiting;  // its HTTP call, held while an earlier write of the record is out
    std::optional<Version> ver_at_start;  // the record's version in the store when it was sent
    // The list channel's seq then, else the record's own (-1, none: a page or frame's seq
    // is >= 0, so any copy numbered since was read since; -1 is also a forgotten numbering's,
    // RecordStore::forget_seqs), and the store's numbering.
    int64_t seq_at_start = -1;
    uint32_t numbering_at_start = 0;
    uint32_t epochs_left_at_start = 0;  // RecordStore::epochs_left() then
  };
  RequestId start_mutation(const char* method, CallKind kind, const ModelConfig& m, const RecordId& rid, std::string_view body,
                           std::optional<PendingWrite> write, Millis now);
  void add_pending(const ModelConfig& m, Mutation& mu, PendingWrite write);
  void send_mutation(const std::string& mutation_id, Mutation& mu, Command& call, Millis now);
  void send_next_write(const std::string& model, const RecordId& record, Millis now);
  void settle(const std::string& mutation_id, Mutation& mu);
  // `pending_since`: a pending write of the record begun then was dropped (settled).
  void show_record(const std::string& model, const RecordId& id, std::optional<uint64_t> pending_since = std::nullopt);
  void finish_mutation(const Call& call, int status, std::string_view body, Millis now);
  void time_out_mutation(const Call& call, RequestId id, Millis now);
  void confirm_or_roll_back(const Call& call, Mutation& mu, int status, std::string_view body, Millis now);
  void read_again_since(const Mutation& mu, const RecordId& id, std::string_view record, bool newer_copy,
                        Millis now);
  void answer_held(const Mutation& mu, const RecordId& id, std::string_view body);

  // engine_requests.cpp
  RequestId start_http(const std::string& url, Call call, Millis now);  // a GET
  void http_command(Command& c, RequestId id, const std::string& method, const std::string& url, std::string body) const;
  void send_http(Command& c, const std::string& mutation_id, Millis now);
  void finish_call(RequestId id, const Call& call, int status, std::string_view body, Millis now);
  void handle_response_frame(const ServerFrame& f, Millis now);
  void fail_ws_requests(const char* why);
  void expire_requests(Millis now);
  std::string model_url(const ModelConfig& m) const;
  const StoredRecord* live_record(const ModelConfig& m, const RecordId& id);
  RecordStore* find_store(std::string_view model);  // nullptr when the model has none yet
  std::optional<RequestId> serve_list_from_cache(const std::string& model, const Query& q, Millis now);

  Config config_;
  RandomBytes random_bytes_;  // empty: seed_'s deterministic stream (tests, benchmarks)
  uint64_t seed_ = 0;
  Connection connection_;
  ReconnectPolicy hydration_backoff_;  // the reconnect delays, without a give-up
  size_t retries_pending_ = 0;         // views with a retry_at
  Batcher batcher_;
  SubscriptionRegistry registry_;
  RequestTable requests_;  // every request in flight, with its Call
  StringMap<RecordStore> stores_;  // never erased from: pointers stay valid
  // The store found last by find_store (every update frame looks its model's up).
  std::string last_store_name_;
  RecordStore* last_store_ = nullptr;
  // By id, in id order (a new view's id is the highest: it goes last). A page has tens
  // at most; a scan finds one.
  std::vector<std::pair<ViewId, View>> views_;
  size_t view_at(ViewId id) const;  // its place in views_, or views_.size()
  View* find_view(ViewId id) { size_t i = view_at(id); return i < views_.size() ? &views_[i].second : nullptr; }
  ViewId next_view_ = 1;
  uint64_t snapshots_ = 0;  // list snapshots taken so far: orders them against our pending writes
  uint64_t writes_sent_ = 0;  // our writes' calls sent so far: orders them against held updates
  StringSet listened_;                              // channels with raw listeners
  StringMap<Mutation> mutations_;  // our writes in flight (a few)
  std::vector<Command> commands_;
  Outbox outbox_;
  bool socket_open_ = false;
  uint32_t disconnects_ = 0;  // sockets lost so far: a view's hydration started after the last or not
  bool urgent_flush_ = false;
  ConnState emitted_state_ = ConnState::Idle;
  std::optional<Millis> emitted_retry_at_;
  Stats stats_;
  DecodeResult decoded_;  // the frame being handled, kept: its strings' storage serves the next
};

}  // namespace ssot
