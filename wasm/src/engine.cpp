// Engine: construction, the connection, frame dispatch, timers and the outbox.
#include "ssot/engine.h"

#include <algorithm>
#include <cstring>

namespace ssot {

namespace {
// splitmix64: a deterministic byte stream for engines created without a random
// source (native tests, benchmarks). Predictable by design: never for the web. A
// state in the engine, not a lambda in a std::function: that cost 0.3 KB of wasm.
void seeded_bytes(uint64_t& state, uint8_t* out, size_t size) {
  for (size_t i = 0; i < size; i += 8) {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    for (size_t j = 0; j < 8 && i + j < size; ++j) out[i + j] = uint8_t(z >> (8 * j));
  }
}
}  // namespace

std::unique_ptr<Engine> Engine::create(std::string_view config_json, RandomSource random, std::string& error,
                                       RandomBytes bytes) {
  auto config = Config::parse(config_json, error);
  if (!config) return nullptr;
  // Without `random` the jitter takes the middle (ReconnectPolicy), the seed too.
  double r = random ? random() : 0.5;
  auto engine = std::unique_ptr<Engine>(new Engine(std::move(*config), std::move(random), std::move(bytes)));
  engine->seed_ = uint64_t(r * 9007199254740992.0);
  return engine;
}

Engine::Engine(Config config, RandomSource random, RandomBytes bytes)
    : config_(std::move(config)),
      random_bytes_(std::move(bytes)),
      connection_(config_.reconnect, config_.heartbeat, random, config_.can_refresh_token),
      hydration_backoff_(config_.reconnect, std::move(random)),
      batcher_(config_.batching) {}

// 128 random bits as 32 hex digits. Everyone receives every echo, so an id must
// neither collide with another client's nor be guessable by one.
std::string Engine::new_mutation_id() {
  uint8_t bytes[16];
  if (random_bytes_) random_bytes_(bytes, sizeof bytes);
  else seeded_bytes(seed_, bytes, sizeof bytes);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(2 * sizeof bytes, '0');
  for (size_t i = 0; i < sizeof bytes; ++i) {
    id[2 * i] = kHex[bytes[i] >> 4];
    id[2 * i + 1] = kHex[bytes[i] & 15];
  }
  return id;
}

void Engine::drain(std::string& out) { outbox_.drain(out); }

void Engine::send(std::string text) {
  if (!socket_open_) return;
  Command c;
  c.type = Command::Send;
  c.body = std::move(text);
  commands_.push_back(std::move(c));
}

std::vector<Command> Engine::take_commands() {
  std::vector<Command> out;
  out.swap(commands_);
  return out;
}

void Engine::emit_conn_state() {
  ConnState s = connection_.state();
  auto retry = connection_.retry_at();
  // The last failure is over once open.
  outbox_.conn(to_string(s), s == ConnState::Open ? std::string_view() : connection_.error(), retry);
  emitted_state_ = s;
  emitted_retry_at_ = retry;
}

void Engine::run_connection_commands(Millis now) {
  for (auto& c : connection_.take_commands()) {
    switch (c.type) {
      case ConnCommand::OpenSocket: {
        Command open;
        open.type = Command::OpenSocket;
        // batch=1: this client reads batch frames (PROTOCOL.md); servers without them
        // ignore it. Not with a frame limit below the reference gateway's 64 KiB batches.
        open.url = config_.ws_url;
        char sep = open.url.find('?') == std::string::npos ? '?' : '&';
        if (config_.max_frame_bytes >= 65536) {
          open.url += sep;
          open.url += "batch=1";
          sep = '&';
        }
        if (!config_.token.empty()) {
          open.url += sep;
          open.url += "token=";
          append_uri_component(open.url, config_.token);
        }
        commands_.push_back(std::move(open));
        break;
      }
      case ConnCommand::CloseSocket: {
        Command close;
        close.type = Command::CloseSocket;
        close.code = c.code;
        close.reason = c.reason;
        commands_.push_back(std::move(close));
        if (socket_open_) on_close(c.code, now);  // we gave up on it: act now, ignore its late close
        break;
      }
      case ConnCommand::SendPing: send(encode_ping(c.ping_t)); break;
      case ConnCommand::RefreshToken: outbox_.token(); break;
    }
  }
  // The JS side hears of every state change, and of each new retry time.
  if (connection_.state() != emitted_state_ || connection_.retry_at() != emitted_retry_at_) emit_conn_state();
}

void Engine::connect(Millis now) {
  if (!config_.ws_enabled) return;
  connection_.start(now);
  run_connection_commands(now);
}

void Engine::disconnect(Millis now) {
  connection_.stop(now);
  bool was_open = socket_open_;
  run_connection_commands(now);
  if (was_open) {
    socket_open_ = false;
    registry_.on_disconnect();
    fail_ws_requests("disconnected");
  }
}

void Engine::set_token(std::string_view token, bool ok, Millis now) {
  // Reads out now went with the old token: a 401 to them is worth one more (the same
  // token handed back again would be refused again).
  bool renewed = ok && token != config_.token;
  if (renewed) config_.token.assign(token.data(), token.size());
  for (auto& entry : views_) entry.second.token_renewed |= renewed && entry.second.hydrating;
  connection_.on_token(ok, now);
  run_connection_commands(now);
}

void Engine::on_open(Millis now) {
  if (connection_.state() != ConnState::Connecting) return;  // a socket we no longer want
  socket_open_ = true;
  connection_.on_open(now);
  for (auto& frame : registry_.pending_subscribes()) send(std::move(frame));
  run_connection_commands(now);
  retry_hydrations(now, true);  // the server is back: failed hydrations need not wait
}

void Engine::on_close(int code, Millis now) {
  if (!socket_open_ && connection_.state() != ConnState::Connecting) return;  // already handled
  socket_open_ = false;
  ++disconnects_;
  registry_.on_disconnect();
  fail_ws_requests("connection lost before the response");
  connection_.on_close(code, now);
  run_connection_commands(now);
}

void Engine::on_message(std::string_view text, Millis now) {
  if (!socket_open_) {
    ++stats_.frames_in;
    return;
  }
  connection_.on_frame(now);
  handle_text(text, now);
  maybe_flush(now);
}

// One frame, or a batch of them (PROTOCOL.md).
void Engine::handle_text(std::string_view text, Millis now) {
  // A batch as the reference gateway writes it is read in one pass (handle_batch).
  static constexpr std::string_view kHead = R"({"type":"batch","frames":[)";
  if (text.size() > kHead.size() && text.size() <= config_.max_frame_bytes &&
      std::memcmp(text.data(), kHead.data(), kHead.size()) == 0) {
    handle_batch(text, text.substr(kHead.size() - 1), now);
    return;
  }
  decode_server_frame(decoded_, text, config_.max_frame_bytes);
  handle_decoded(decoded_, now);
}

// A batch's frames (`frames`: from its '['), each as if it had arrived alone: decoded
// where it stands and handled before the next is read, so a bad one is reported and
// the others still apply. Past a frame that is not JSON the rest cannot be found.
// `whole`: the batch's text when nothing has validated it yet (the gateway's form).
void Engine::handle_batch(std::string_view whole, std::string_view frames, Millis now) {
  const char* end = frames.data() + frames.size();
  const char* p = json::skip_ws(frames.data() + 1, end);
  bool more = p < end && *p != ']';
  while (more) {
    if (!socket_open_) return;  // one of them closed the socket: the rest are late
    const char* stop = nullptr;
    decode_server_frame(decoded_, std::string_view(p, size_t(end - p)), config_.max_frame_bytes, &stop);
    handle_decoded(decoded_, now);  // a batch in it (handle_batch) has its view of the text: decoded_ is free again
    if (!stop) stop = json::skip_value(p, end, 2);  // JSON, but not an object
    if (!stop) return;
    p = json::skip_ws(stop, end);
    more = p < end && *p == ',';
    if (more) p = json::skip_ws(p + 1, end);
  }
  bool ok = p < end && *p == ']';
  if (ok && !whole.empty()) {  // then the object's end, or more members: read it all then
    p = json::skip_ws(p + 1, end);
    if (!(p < end && *p == '}' && json::skip_ws(p + 1, end) == end)) ok = json::valid(whole);
  }
  if (!ok) malformed_frame("batch: invalid JSON object");
}

void Engine::malformed_frame(std::string_view why) {
  ++stats_.malformed;
  outbox_.error("frame", {}, why);
}

void Engine::handle_decoded(const DecodeResult& r, Millis now) {
  if (r.ok() && r.frame.type == FrameType::Batch) return handle_batch({}, r.frame.data, now);  // validated
  ++stats_.frames_in;
  if (r.status == DecodeResult::UnknownType) ++stats_.unknown_frames;  // newer servers may send more; never fatal
  else if (!r.ok()) malformed_frame(r.error);
  else handle_frame(r.frame, now);
}

void Engine::handle_frame(const ServerFrame& f, Millis now) {
  switch (f.type) {
    case FrameType::Update: handle_update(f, now); break;
    case FrameType::Subscribed: handle_subscribed(f, now); break;
    case FrameType::Unsubscribed: break;
    case FrameType::Resync:
      ++stats_.resyncs;
      if (ChannelState* c = registry_.find(f.channel)) c->last_seq.reset();
      rehydrate_channel(f.channel, now);
      break;
    case FrameType::Response: handle_response_frame(f, now); break;
    case FrameType::Error: handle_channel_error(f, now); break;
    case FrameType::Pong:
      connection_.on_pong(now);
      run_connection_commands(now);
      break;
    case FrameType::Event: outbox_.event(f.channel, f.event, f.data, f.from); break;
    case FrameType::Batch: break;  // read by handle_batch
  }
}

void Engine::handle_subscribed(const ServerFrame& f, Millis now) {
  ChannelState* c = registry_.find(f.channel);
  if (!c) return;  // we left it meanwhile
  bool resubscribed = c->confirmations++ > 0;
  bool had_sent_since = c->sent_since;
  c->confirmed = true;
  c->replay_to = had_sent_since && f.seq ? *f.seq : -1;
  c->unreplayed = c->replay_to < 0;
  c->unreplayed_at = f.seq.value_or(0);
  c->error.clear();
  // The server's numbering started over (new epoch, or a seq below ours): ours is void.
  bool new_epoch = !f.epoch.empty() && take_epoch(*c, f.epoch, true, now);
  bool went_back = f.seq && c->last_seq && *f.seq < *c->last_seq;
  if (new_epoch || went_back) {
    numbering_restarted(*c, f.seq, nullptr, f.epoch.empty(), now);
    c->has_seq = f.seq.has_value();
  } else {
    // Only a resubscription sent with `since` and confirmed with a seq is replayed: after
    // any other (a seed server's, one whose seq a resync cleared, one the server numbers
    // only now) what came while we were away is lost. So is what came between a snapshot
    // and a first subscription sent without `since` and confirmed past it.
    bool behind = f.seq && c->last_seq && *f.seq > *c->last_seq;
    bool lost = !(had_sent_since && f.seq) && (resubscribed || behind);
    // A first subscription starts at the server's seq; a replayed one keeps ours.
    if (f.seq && (!c->last_seq || (behind && !had_sent_since))) c->last_seq = f.seq;
    if (f.seq) c->has_seq = true;
    if (lost) rehydrate_channel(f.channel, now, nullptr, true);
  }
  reread_unordered_views(f.channel, now);
  for (auto& entry : views_) {  // live again: what a refusal put in error and nothing else
    View& v = entry.second;
    if (v.channel != f.channel || !v.refused) continue;
    v.refused = false;
    // Without rows yet, it waits for its read again (which then says ready or error).
    v.list->set_status(v.list->hydrated() ? ViewStatus::Ready : ViewStatus::Loading);
    urgent_flush_ = true;
  }
  outbox_.channel_ready(f.channel, f.data);
}

void Engine::handle_channel_error(const ServerFrame& f, Millis now) {
  outbox_.error(f.channel.empty() ? "server" : "channel", f.channel, f.error, f.request_id);
  if (!f.request_id.empty()) {
    ServerFrame as_response = f;
    as_response.type = FrameType::Response;
    handle_response_frame(as_response, 0);
  }
  if (f.channel.empty()) return;
  ChannelState* c = registry_.find(f.channel);
  bool was_pending = c && !c->confirmed;
  if (c) c->error = f.error;
  if (was_pending) list_channel_lost(f.channel, false, now);  // refused: it brings nothing
  for (auto& entry : views_) {
    View& v = entry.second;
    if (v.channel != f.channel) continue;
    if (v.list) {
      v.refused = v.refused || v.list->status() != ViewStatus::Error;  // not over a failed read
      v.list->set_status(ViewStatus::Error, f.error);
    } else if (f.code == "not_found") {
      // No such record (yet, or any more: shown, it was deleted since): its GET answers
      // null (a 404), not an error, and the model's list channel keeps it live, if it has
      // one: the record may be created later.
      follow_list_instead(entry.first, v, now);
      continue;
    } else {
      v.item_status = ViewStatus::Error;
      v.item_error = f.error;
      v.item_dirty = true;
    }
    urgent_flush_ = true;
  }
}

void Engine::on_timer(Millis now) {
  connection_.on_timer(now);
  run_connection_commands(now);
  expire_requests(now);
  retry_hydrations(now, false);
  maybe_flush(now);
}

void Engine::maybe_flush(Millis now) {
  if (urgent_flush_ || batcher_.due(now)) flush(now);
}

void Engine::flush(Millis now) {
  urgent_flush_ = false;
  batcher_.flushed();
  flush_views();
  // Views that could not place a change refetch their page (outside the flush loop);
  // one waiting to retry a failed refetch does so at its time, not at once.
  for (auto& entry : views_)
    if (entry.second.list && entry.second.list->needs_refetch() && !entry.second.hydrating &&
        !entry.second.retry_at)
      start_hydration(entry.first, entry.second, now);
}

std::optional<Millis> Engine::next_deadline() const {
  std::optional<Millis> d = connection_.next_deadline();
  auto earliest = [&d](std::optional<Millis> x) {
    if (x && (!d || *x < *d)) d = x;
  };
  earliest(batcher_.next_deadline());
  earliest(requests_.next_deadline());
  if (retries_pending_)
    for (const auto& entry : views_) earliest(entry.second.retry_at);
  return d;
}

Stats Engine::stats() const {
  Stats s = stats_;
  s.reconnects = uint64_t(connection_.reconnects());
  stores_.for_each([&s](const std::string&, const RecordStore& st) { s.records += st.size(); });
  s.views = views_.size();
  s.channels = registry_.size();
  s.retrying = retries_pending_;
  return s;
}

}  // namespace ssot
