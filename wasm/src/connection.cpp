// The connection state machine. Only Connecting and Open have a socket, so
// socket events (on_open, on_frame, on_pong, on_close) in any other state
// belong to a socket we already gave up on (stopped, or closed for a missed
// heartbeat) and are ignored. That one rule makes stop() final and keeps a
// dead socket's late close from scheduling a second retry.
#include "ssot/connection.h"

#include <limits>
#include <utility>
#include "ssot/json.h"

namespace ssot {
namespace {

constexpr int kCloseNormal = 1000;
constexpr int kCloseHeartbeat = 4000;  // ours: the socket missed its pong deadline
constexpr int kCloseUnauthorized = 4401;
constexpr int kCloseForbidden = 4403;
constexpr int kCloseTooMany = 4429;
constexpr Millis kTooManyMinDelay = 5000;  // PROTOCOL.md: 4429 retries after at least 5 s

bool due(const std::optional<Millis>& at, Millis now) { return at && now >= *at; }

ConnCommand command(ConnCommand::Type type, int code = 0, std::string reason = {}, Millis ping_t = 0) {
  return ConnCommand{type, code, std::move(reason), ping_t};
}

}  // namespace

const char* to_string(ConnState state) {
  switch (state) {
    case ConnState::Idle: return "idle";
    case ConnState::Connecting: return "connecting";
    case ConnState::Open: return "open";
    case ConnState::Reconnecting: return "reconnecting";
    case ConnState::Unauthorized: return "unauthorized";
    case ConnState::Forbidden: return "forbidden";
    case ConnState::Failed: return "failed";
    case ConnState::Closed: return "closed";
  }
  return "unknown";  // a value cast from an out-of-range integer
}

Connection::Connection(ReconnectOptions reconnect, HeartbeatOptions heartbeat, RandomSource random,
                       bool can_refresh_token)
    : policy_(std::move(reconnect), std::move(random)),
      heartbeat_(heartbeat),
      can_refresh_token_(can_refresh_token) {
  // A non-positive interval would ping on every timer tick (a busy loop): no heartbeat.
  if (heartbeat_.interval_ms <= 0) heartbeat_.enabled = false;
}

void Connection::start(Millis now) {
  switch (state_) {
    case ConnState::Connecting:
    case ConnState::Open:
    case ConnState::Reconnecting:
      return;  // already trying; a second socket would fight the first
    case ConnState::Idle:
      break;
    default:  // Closed, Failed, Unauthorized, Forbidden: the user asked to try again
      policy_.reset();
      unauthorized_streak_ = 0;
      break;
  }
  open_socket(now);
}

void Connection::stop(Millis /*now*/) {
  if (state_ == ConnState::Connecting || state_ == ConnState::Open)
    commands_.push_back(command(ConnCommand::CloseSocket, kCloseNormal, "client closed"));
  state_ = ConnState::Closed;
  retry_at_.reset();
  ping_at_.reset();
  pong_deadline_.reset();
}

void Connection::on_open(Millis now) {
  if (state_ != ConnState::Connecting) return;
  state_ = ConnState::Open;
  if (heartbeat_.enabled) ping_at_ = add_saturating(now, heartbeat_.interval_ms);
}

void Connection::on_frame(Millis /*now*/) {
  if (state_ != ConnState::Open) return;
  // The server let us in and talks: the next loss starts backoff from scratch
  // and may refresh the token again.
  frame_seen_ = true;
  policy_.reset();
  unauthorized_streak_ = 0;
  pong_deadline_.reset();
}

void Connection::on_pong(Millis now) {
  if (state_ != ConnState::Open) return;
  pong_seen_ = true;  // a heartbeat-aware server: kept across reconnects (same server)
  on_frame(now);
}

void Connection::on_close(int code, Millis now) {
  if (state_ != ConnState::Connecting && state_ != ConnState::Open) return;
  ping_at_.reset();
  pong_deadline_.reset();
  switch (code) {
    case kCloseUnauthorized:
      if (can_refresh_token_ && unauthorized_streak_ == 0) {
        // One fresh token per healthy period; no timer until on_token answers.
        unauthorized_streak_ = 1;
        error_ = "unauthorized";
        state_ = ConnState::Reconnecting;
        commands_.push_back(command(ConnCommand::RefreshToken));
        return;
      }
      ++unauthorized_streak_;
      error_ = "unauthorized";
      state_ = ConnState::Unauthorized;  // no retry loop on a token the server keeps refusing
      return;
    case kCloseForbidden:
      error_ = "forbidden";
      state_ = ConnState::Forbidden;
      return;
    case kCloseTooMany:
      schedule_retry(now, kTooManyMinDelay, "too many connections");
      return;
    default:
      // 1000 too: we never get here after our own close (stop() leaves Open),
      // so a 1000 means the server went away.
      schedule_retry(now, 0, "closed " + json::integer_text(code));
      return;
  }
}

void Connection::on_token(bool ok, Millis now) {
  // Waiting for a token is the only Reconnecting without a retry timer.
  if (state_ != ConnState::Reconnecting || retry_at_) return;
  if (!ok) {
    error_ = "unauthorized";
    state_ = ConnState::Unauthorized;
    return;
  }
  ++reconnects_;
  open_socket(now);
}

void Connection::on_timer(Millis now) {
  if (state_ == ConnState::Reconnecting && due(retry_at_, now)) {
    ++reconnects_;
    open_socket(now);
    return;
  }
  if (state_ != ConnState::Open) return;
  if (due(pong_deadline_, now)) {
    // Dead socket: close it ourselves and reconnect as after any transient loss.
    // Its own on_close arrives later in Reconnecting and is ignored.
    commands_.push_back(command(ConnCommand::CloseSocket, kCloseHeartbeat, "heartbeat timeout"));
    ping_at_.reset();
    pong_deadline_.reset();
    schedule_retry(now, 0, "heartbeat timeout");
    return;
  }
  if (due(ping_at_, now)) {
    commands_.push_back(command(ConnCommand::SendPing, 0, {}, now));
    ping_at_ = add_saturating(now, heartbeat_.interval_ms);
    // Only a server that has answered a ping can be blamed for not answering;
    // a seed-only server never does. An earlier deadline still pending stands.
    if (pong_seen_ && heartbeat_.timeout_ms > 0 && !pong_deadline_)
      pong_deadline_ = add_saturating(now, heartbeat_.timeout_ms);
  }
}

std::optional<Millis> Connection::next_deadline() const {
  std::optional<Millis> earliest;
  for (const auto& at : {retry_at_, ping_at_, pong_deadline_})
    if (at && (!earliest || *at < *earliest)) earliest = at;
  return earliest;
}

std::vector<ConnCommand> Connection::take_commands() { return std::exchange(commands_, {}); }

std::optional<Millis> Connection::retry_at() const { return retry_at_; }

void Connection::schedule_retry(Millis now, Millis min_delay, const std::string& why) {
  error_ = why;
  const auto delay = policy_.next_delay(min_delay);
  if (!delay) {
    error_ = "gave up after " + json::integer_text(policy_.attempts()) + " attempts (" + why + ")";
    state_ = ConnState::Failed;
    retry_at_.reset();
    return;
  }
  state_ = ConnState::Reconnecting;
  retry_at_ = add_saturating(now, *delay);
}

void Connection::open_socket(Millis /*now*/) {
  commands_.push_back(command(ConnCommand::OpenSocket));
  state_ = ConnState::Connecting;
  frame_seen_ = false;
  retry_at_.reset();
  ping_at_.reset();
  pong_deadline_.reset();
}

}  // namespace ssot
