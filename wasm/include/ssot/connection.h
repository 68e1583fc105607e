#pragma once
// The WebSocket connection's state machine, sans-I/O: close-code rules of
// PROTOCOL.md, reconnect with backoff, token refresh on 4401, heartbeat.
// It decides; the engine carries out its commands.
#include <optional>
#include <string>
#include <vector>
#include "ssot/clock.h"
#include "ssot/reconnect_policy.h"

namespace ssot {

enum class ConnState { Idle, Connecting, Open, Reconnecting, Unauthorized, Forbidden, Failed, Closed };
const char* to_string(ConnState state);

struct HeartbeatOptions {
  bool enabled = true;
  Millis interval_ms = 25000;  // a ping after this long without sending one
  Millis timeout_ms = 10000;   // no frame within this after a ping: the socket is dead
};

struct ConnCommand {
  enum Type { OpenSocket, CloseSocket, SendPing, RefreshToken } type;
  int code = 0;            // CloseSocket
  std::string reason;      // CloseSocket
  Millis ping_t = 0;       // SendPing: the `t` to send
};

class Connection {
 public:
  Connection(ReconnectOptions reconnect, HeartbeatOptions heartbeat, RandomSource random,
             bool can_refresh_token);

  void start(Millis now);                 // Idle/Closed/Failed/Unauthorized/Forbidden -> Connecting (OpenSocket)
  void stop(Millis now);                  // -> Closed; CloseSocket 1000 if a socket is open or opening
  void on_open(Millis now);               // Connecting -> Open; heartbeat armed
  void on_frame(Millis now);              // any frame received: the server is alive and accepted us
  void on_pong(Millis now);               // a pong: from now on missing pongs count as death
  void on_close(int code, Millis now);    // applies the close-code rules
  void on_token(bool ok, Millis now);     // answer to RefreshToken: ok -> reconnect now; else Unauthorized
  void on_timer(Millis now);              // reconnect due, ping due, pong overdue

  std::optional<Millis> next_deadline() const;
  std::vector<ConnCommand> take_commands();

  ConnState state() const { return state_; }
  const std::string& error() const { return error_; }  // why the last close / failure happened
  std::optional<Millis> retry_at() const;               // when Reconnecting: when the next attempt starts
  int reconnects() const { return reconnects_; }        // attempts made after a loss (for stats)
  int attempts() const { return policy_.attempts(); }

 private:
  void schedule_retry(Millis now, Millis min_delay, const std::string& why);
  void open_socket(Millis now);

  ReconnectPolicy policy_;
  HeartbeatOptions heartbeat_;
  bool can_refresh_token_;
  ConnState state_ = ConnState::Idle;
  std::string error_;
  std::vector<ConnCommand> commands_;
  std::optional<Millis> retry_at_;
  std::optional<Millis> ping_at_;
  std::optional<Millis> pong_deadline_;
  bool pong_seen_ = false;       // the server answers pings (a seed-only server never does)
  bool frame_seen_ = false;      // a frame arrived on the current socket
  int unauthorized_streak_ = 0;  // consecutive 4401 closes with no frame in between
  int reconnects_ = 0;
};

}  // namespace ssot
