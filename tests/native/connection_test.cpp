// Connection: the close-code rules of PROTOCOL.md, reconnect with backoff,
// token refresh on 4401, heartbeat, stop(). Times are plain Millis values
// (a fake clock); jitter is off unless a test turns it on.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "ssot/connection.h"

using namespace ssot;

namespace {

ReconnectOptions backoff(int max_attempts = 3, double jitter = 0) {
  ReconnectOptions o;
  o.backoff = Backoff::Exponential;
  o.base_delay_ms = 1000;
  o.max_delay_ms = 30000;
  o.max_attempts = max_attempts;
  o.jitter = jitter;
  return o;
}

HeartbeatOptions heartbeat(bool enabled = true, Millis interval = 25000, Millis timeout = 10000) {
  HeartbeatOptions h;
  h.enabled = enabled;
  h.interval_ms = interval;
  h.timeout_ms = timeout;
  return h;
}

Connection make(bool can_refresh = true, ReconnectOptions r = backoff(),
                HeartbeatOptions h = heartbeat(), RandomSource random = [] { return 0.5; }) {
  return Connection(r, h, random, can_refresh);
}

// The pending commands as one line, e.g. "open; close 1000 client closed; ping 5".
std::string cmds(Connection& c) {
  std::string out;
  for (const auto& cmd : c.take_commands()) {
    if (!out.empty()) out += "; ";
    switch (cmd.type) {
      case ConnCommand::OpenSocket: out += "open"; break;
      case ConnCommand::CloseSocket: out += "close " + std::to_string(cmd.code) + " " + cmd.reason; break;
      case ConnCommand::SendPing: out += "ping " + std::to_string(cmd.ping_t); break;
      case ConnCommand::RefreshToken: out += "refresh"; break;
    }
  }
  return out;
}

// Started and open at `now`, commands drained.
Connection open_at(Millis now, bool can_refresh = true, ReconnectOptions r = backoff(),
                   HeartbeatOptions h = heartbeat()) {
  Connection c = make(can_refresh, r, h);
  c.start(now);
  c.on_open(now);
  c.take_commands();
  return c;
}

}  // namespace

TEST_CASE("to_string names every state") {
  CHECK(std::string(to_string(ConnState::Idle)) == "idle");
  CHECK(std::string(to_string(ConnState::Connecting)) == "connecting");
  CHECK(std::string(to_string(ConnState::Open)) == "open");
  CHECK(std::string(to_string(ConnState::Reconnecting)) == "reconnecting");
  CHECK(std::string(to_string(ConnState::Unauthorized)) == "unauthorized");
  CHECK(std::string(to_string(ConnState::Forbidden)) == "forbidden");
  CHECK(std::string(to_string(ConnState::Failed)) == "failed");
  CHECK(std::string(to_string(ConnState::Closed)) == "closed");
  CHECK(std::string(to_string(static_cast<ConnState>(99))) == "unknown");
}

TEST_CASE("start opens a socket; start while connecting does nothing") {
  Connection c = make();
  CHECK(c.state() == ConnState::Idle);
  CHECK_FALSE(c.next_deadline().has_value());
  c.start(0);
  CHECK(cmds(c) == "open");
  CHECK(c.state() == ConnState::Connecting);
  c.start(1);
  CHECK(cmds(c) == "");
  CHECK(c.reconnects() == 0);  // the first connection is not a reconnect
}

TEST_CASE("on_open: Connecting -> Open, ping armed one interval later") {
  Connection c = make();
  c.start(0);
  c.on_open(100);
  CHECK(c.state() == ConnState::Open);
  CHECK(c.next_deadline() == 25100);
  c.on_open(200);  // a second open changes nothing
  CHECK(c.next_deadline() == 25100);
}

TEST_CASE("on_open outside Connecting is ignored") {
  Connection c = make();
  c.on_open(0);
  CHECK(c.state() == ConnState::Idle);
  CHECK_FALSE(c.next_deadline().has_value());
}

TEST_CASE("heartbeat disabled (or a non-positive interval): no ping timer") {
  Connection a = open_at(0, true, backoff(), heartbeat(false));
  CHECK_FALSE(a.next_deadline().has_value());
  Connection b = open_at(0, true, backoff(), heartbeat(true, 0));
  CHECK_FALSE(b.next_deadline().has_value());
  b.on_timer(0);
  CHECK(cmds(b) == "");
}

TEST_CASE("ping at the interval, then every interval") {
  Connection c = open_at(0);
  c.on_timer(24999);
  CHECK(cmds(c) == "");
  c.on_timer(25000);
  CHECK(cmds(c) == "ping 25000");
  CHECK(c.next_deadline() == 50000);
  c.on_timer(50003);  // a late timer: the ping carries the real time
  CHECK(cmds(c) == "ping 50003");
  CHECK(c.next_deadline() == 75003);
}

TEST_CASE("before any pong, missing pongs never kill the connection (seed-only server)") {
  Connection c = open_at(0);
  for (Millis t = 25000; t <= 500000; t += 25000) {
    c.on_timer(t);
    REQUIRE(cmds(c) == "ping " + std::to_string(t));
    REQUIRE(c.next_deadline() == t + 25000);  // no pong deadline in between
  }
  CHECK(c.state() == ConnState::Open);
}

TEST_CASE("after a pong, a ping arms a pong deadline; missing it closes 4000 and retries") {
  Connection c = open_at(0);
  c.on_pong(1000);
  c.on_timer(25000);
  CHECK(cmds(c) == "ping 25000");
  CHECK(c.next_deadline() == 35000);
  c.on_timer(34999);
  CHECK(cmds(c) == "");
  c.on_timer(35000);
  CHECK(cmds(c) == "close 4000 heartbeat timeout");
  CHECK(c.state() == ConnState::Reconnecting);
  CHECK(c.error() == "heartbeat timeout");
  CHECK(c.retry_at() == 36000);
  CHECK(c.attempts() == 1);

  SECTION("the dead socket's later close is ignored: no second retry") {
    c.on_close(1006, 35500);
    CHECK(cmds(c) == "");
    CHECK(c.retry_at() == 36000);
    CHECK(c.attempts() == 1);
    CHECK(c.error() == "heartbeat timeout");
  }
  SECTION("the retry opens a new socket") {
    c.on_timer(36000);
    CHECK(cmds(c) == "open");
    CHECK(c.state() == ConnState::Connecting);
    CHECK(c.reconnects() == 1);
  }
}

TEST_CASE("any frame clears the pong deadline") {
  Connection c = open_at(0);
  c.on_pong(1000);
  c.on_timer(25000);
  c.take_commands();
  c.on_frame(30000);
  CHECK(c.next_deadline() == 50000);  // only the next ping
  c.on_timer(35000);
  CHECK(cmds(c) == "");
  CHECK(c.state() == ConnState::Open);
}

TEST_CASE("a later ping does not push a pending pong deadline back") {
  Connection c = open_at(0, true, backoff(), heartbeat(true, 5000, 10000));
  c.on_pong(0);
  c.on_timer(5000);   // deadline 15000
  c.on_timer(10000);  // another ping; the deadline stays 15000
  c.on_timer(15000);
  CHECK(cmds(c) == "ping 5000; ping 10000; close 4000 heartbeat timeout");
}

TEST_CASE("a non-positive pong timeout pings without a deadline") {
  Connection c = open_at(0, true, backoff(), heartbeat(true, 25000, 0));
  c.on_pong(0);
  c.on_timer(25000);
  CHECK(cmds(c) == "ping 25000");
  CHECK(c.next_deadline() == 50000);
}

TEST_CASE("transient closes retry with exponential backoff until attempts run out") {
  Connection c = open_at(0);
  c.on_close(1006, 1000);
  CHECK(c.state() == ConnState::Reconnecting);
  CHECK(c.error() == "closed 1006");
  CHECK(c.retry_at() == 2000);
  CHECK(c.next_deadline() == 2000);
  c.on_timer(1999);
  CHECK(cmds(c) == "");
  c.on_timer(2000);
  CHECK(cmds(c) == "open");
  CHECK(c.state() == ConnState::Connecting);
  CHECK(c.reconnects() == 1);
  c.on_close(1006, 2500);  // never opened: still transient
  CHECK(c.retry_at() == 4500);
  c.on_timer(4500);
  c.on_close(1011, 5000);
  CHECK(c.retry_at() == 9000);
  c.on_timer(9000);
  CHECK(cmds(c) == "open; open");
  c.on_close(1006, 10000);  // a fourth loss with max_attempts 3
  CHECK(c.state() == ConnState::Failed);
  CHECK(c.error() == "gave up after 3 attempts (closed 1006)");
  CHECK_FALSE(c.retry_at().has_value());
  CHECK_FALSE(c.next_deadline().has_value());
  c.on_timer(100000);
  CHECK(cmds(c) == "");
}

TEST_CASE("every other close code is transient") {
  for (int code : {1000, 1001, 1006, 1008, 1009, 1011, 1012, 1013, 4000, 4999, 0, -1}) {
    INFO(code);
    Connection c = open_at(0);
    c.on_close(code, 0);
    CHECK(c.state() == ConnState::Reconnecting);
    CHECK(c.retry_at() == 1000);
    CHECK(c.error() == "closed " + std::to_string(code));
    CHECK(cmds(c) == "");
  }
}

TEST_CASE("jitter from the random source reaches the retry delay") {
  Connection c = Connection(backoff(3, 0.2), heartbeat(), [] { return 0.0; }, true);
  c.start(0);
  c.on_close(1006, 0);
  CHECK(c.retry_at() == 800);
}

TEST_CASE("a frame resets the backoff; an open alone does not") {
  Connection c = open_at(0);
  c.on_close(1006, 0);
  c.on_timer(1000);
  c.on_open(1000);  // accepted, then dropped before any frame
  c.on_close(1006, 1000);
  CHECK(c.attempts() == 2);
  CHECK(c.retry_at() == 3000);
  c.on_timer(3000);
  c.on_open(3000);
  c.on_frame(3100);
  CHECK(c.attempts() == 0);
  c.on_close(1006, 4000);
  CHECK(c.retry_at() == 5000);  // base delay again
}

TEST_CASE("a pong counts as a frame") {
  Connection c = open_at(0);
  c.on_close(1006, 0);
  c.on_timer(1000);
  c.on_open(1000);
  c.on_pong(1100);
  CHECK(c.attempts() == 0);
}

TEST_CASE("4401 -> refresh token -> 4401 again -> unauthorized, no retry loop") {
  Connection c = open_at(0);
  c.on_close(4401, 100);
  CHECK(cmds(c) == "refresh");
  CHECK(c.state() == ConnState::Reconnecting);
  CHECK_FALSE(c.retry_at().has_value());
  CHECK_FALSE(c.next_deadline().has_value());  // waits for on_token, not a timer
  c.on_token(true, 200);
  CHECK(cmds(c) == "open");
  CHECK(c.state() == ConnState::Connecting);
  CHECK(c.reconnects() == 1);
  c.on_open(300);
  c.on_close(4401, 400);
  CHECK(c.state() == ConnState::Unauthorized);
  CHECK(c.error() == "unauthorized");
  CHECK_FALSE(c.next_deadline().has_value());
  c.on_timer(1000000);
  c.on_token(true, 1000000);
  CHECK(cmds(c) == "");
  CHECK(c.state() == ConnState::Unauthorized);
}

TEST_CASE("4401 without a way to refresh the token: unauthorized at once") {
  Connection c = open_at(0, false);
  c.on_close(4401, 100);
  CHECK(cmds(c) == "");
  CHECK(c.state() == ConnState::Unauthorized);
  CHECK(c.error() == "unauthorized");
}

TEST_CASE("a failed token refresh ends in unauthorized") {
  Connection c = open_at(0);
  c.on_close(4401, 100);
  c.take_commands();
  c.on_token(false, 200);
  CHECK(cmds(c) == "");
  CHECK(c.state() == ConnState::Unauthorized);
  CHECK(c.error() == "unauthorized");
}

TEST_CASE("on_token without a pending refresh is ignored") {
  Connection idle = make();
  idle.on_token(true, 0);
  CHECK(cmds(idle) == "");
  CHECK(idle.state() == ConnState::Idle);

  Connection open = open_at(0);
  open.on_token(false, 0);
  CHECK(open.state() == ConnState::Open);

  Connection retrying = open_at(0);
  retrying.on_close(1006, 0);
  retrying.on_token(true, 10);
  CHECK(cmds(retrying) == "");
  CHECK(retrying.retry_at() == 1000);
}

TEST_CASE("a frame resets the 4401 streak: the next 4401 refreshes again") {
  Connection c = open_at(0);
  c.on_close(4401, 0);
  c.on_token(true, 0);
  c.on_open(0);
  c.on_frame(10);
  c.on_close(4401, 20);
  CHECK(cmds(c) == "refresh; open; refresh");
  CHECK(c.state() == ConnState::Reconnecting);
}

TEST_CASE("the 4401 streak survives a transient close without frames") {
  Connection c = open_at(0);
  c.on_close(4401, 0);
  c.on_token(true, 0);
  c.on_close(1006, 10);  // never got a frame
  c.on_timer(1010);
  c.on_open(1010);
  c.on_close(4401, 1020);
  CHECK(cmds(c) == "refresh; open; open");
  CHECK(c.state() == ConnState::Unauthorized);
}

TEST_CASE("4403: forbidden, no retry") {
  Connection c = open_at(0);
  c.on_close(4403, 100);
  CHECK(cmds(c) == "");
  CHECK(c.state() == ConnState::Forbidden);
  CHECK(c.error() == "forbidden");
  CHECK_FALSE(c.next_deadline().has_value());
  c.on_timer(1000000);
  CHECK(cmds(c) == "");
}

TEST_CASE("4429: retry after at least 5 s") {
  Connection c = open_at(0);
  c.on_close(4429, 100);
  CHECK(c.state() == ConnState::Reconnecting);
  CHECK(c.error() == "too many connections");
  CHECK(c.retry_at() == 5100);  // backoff says 1000, the minimum is 5000

  ReconnectOptions slow = backoff(5);
  slow.base_delay_ms = 4000;
  Connection d = open_at(0, true, slow);
  d.on_close(1006, 0);  // 4000
  d.on_timer(4000);
  d.on_close(4429, 4000);  // backoff 8000 is above the minimum
  CHECK(d.retry_at() == 12000);

  ReconnectOptions low_cap = backoff();
  low_cap.max_delay_ms = 2000;
  Connection e = open_at(0, true, low_cap);
  e.on_close(4429, 0);
  CHECK(e.retry_at() == 5000);  // the minimum wins over a smaller max_delay
}

TEST_CASE("stop closes the socket with 1000 and silences everything after") {
  Connection c = open_at(0);
  c.on_pong(0);
  c.on_timer(25000);
  c.take_commands();
  c.stop(26000);
  CHECK(cmds(c) == "close 1000 client closed");
  CHECK(c.state() == ConnState::Closed);
  CHECK_FALSE(c.next_deadline().has_value());
  c.on_close(1000, 26100);
  c.on_close(1006, 26100);
  c.on_open(26200);
  c.on_frame(26300);
  c.on_pong(26300);
  c.on_token(true, 26400);
  c.on_timer(1000000);
  CHECK(cmds(c) == "");
  CHECK(c.state() == ConnState::Closed);
  CHECK_FALSE(c.next_deadline().has_value());
}

TEST_CASE("stop while connecting closes the opening socket") {
  Connection c = make();
  c.start(0);
  c.take_commands();
  c.stop(10);
  CHECK(cmds(c) == "close 1000 client closed");
}

TEST_CASE("stop without a socket sends no close") {
  SECTION("idle") {
    Connection c = make();
    c.stop(0);
    CHECK(cmds(c) == "");
    CHECK(c.state() == ConnState::Closed);
  }
  SECTION("waiting for a retry: the retry is cancelled") {
    Connection c = open_at(0);
    c.on_close(1006, 0);
    c.stop(10);
    CHECK(cmds(c) == "");
    CHECK_FALSE(c.retry_at().has_value());
    c.on_timer(1000);
    CHECK(cmds(c) == "");
  }
  SECTION("waiting for a token: the late token is ignored") {
    Connection c = open_at(0);
    c.on_close(4401, 0);
    c.take_commands();
    c.stop(10);
    c.on_token(true, 20);
    CHECK(cmds(c) == "");
    CHECK(c.state() == ConnState::Closed);
  }
  SECTION("twice") {
    Connection c = open_at(0);
    c.stop(10);
    c.stop(20);
    CHECK(cmds(c) == "close 1000 client closed");
  }
}

TEST_CASE("start after a final state is a manual retry: backoff and 4401 streak reset") {
  SECTION("from failed") {
    Connection c = open_at(0, true, backoff(1));
    c.on_close(1006, 0);
    c.on_timer(1000);
    c.on_close(1006, 1000);
    REQUIRE(c.state() == ConnState::Failed);
    c.take_commands();
    c.start(5000);
    CHECK(cmds(c) == "open");
    CHECK(c.state() == ConnState::Connecting);
    CHECK(c.attempts() == 0);
    c.on_close(1006, 5000);
    CHECK(c.retry_at() == 6000);
  }
  SECTION("from unauthorized: a 4401 refreshes again") {
    Connection c = open_at(0);
    c.on_close(4401, 0);
    c.on_token(true, 0);
    c.on_close(4401, 0);
    REQUIRE(c.state() == ConnState::Unauthorized);
    c.take_commands();
    c.start(100);
    c.on_close(4401, 200);
    CHECK(cmds(c) == "open; refresh");
  }
  SECTION("from forbidden and closed") {
    Connection f = open_at(0);
    f.on_close(4403, 0);
    f.start(10);
    CHECK(cmds(f) == "open");
    Connection s = open_at(0);
    s.stop(0);
    s.take_commands();
    s.start(10);
    CHECK(cmds(s) == "open");
    CHECK(s.state() == ConnState::Connecting);
  }
}

TEST_CASE("start while open or reconnecting does nothing") {
  Connection c = open_at(0);
  c.start(1);
  CHECK(cmds(c) == "");
  CHECK(c.state() == ConnState::Open);
  c.on_close(1006, 0);
  c.start(2);
  CHECK(cmds(c) == "");
  CHECK(c.retry_at() == 1000);
}

TEST_CASE("socket events without a socket are ignored") {
  Connection c = make();
  c.on_close(1006, 0);
  c.on_frame(0);
  c.on_pong(0);
  c.on_timer(0);
  CHECK(cmds(c) == "");
  CHECK(c.state() == ConnState::Idle);
  CHECK_FALSE(c.next_deadline().has_value());
}

TEST_CASE("a frame while connecting is ignored (no open yet)") {
  Connection c = open_at(0);
  c.on_close(1006, 0);
  c.on_timer(1000);
  c.on_frame(1000);
  CHECK(c.attempts() == 1);
}

TEST_CASE("next_deadline is the earliest of ping and pong deadline") {
  Connection c = open_at(0, true, backoff(), heartbeat(true, 5000, 20000));
  c.on_pong(0);
  c.on_timer(5000);
  CHECK(c.next_deadline() == 10000);  // ping before the pong deadline at 25000
  c.on_timer(10000);
  c.on_timer(15000);
  c.on_timer(20000);
  CHECK(c.next_deadline() == 25000);  // ping 25000 and pong deadline 25000
  c.on_timer(25000);                  // the deadline wins over the ping
  CHECK(cmds(c) == "ping 5000; ping 10000; ping 15000; ping 20000; close 4000 heartbeat timeout");
}

TEST_CASE("a clock going backwards fires nothing early") {
  Connection c = open_at(1000);
  c.on_timer(-50000);
  CHECK(cmds(c) == "");
  c.on_close(1006, 500);  // earlier than the open
  CHECK(c.retry_at() == 1500);
  c.on_timer(0);
  CHECK(cmds(c) == "");
  CHECK(c.state() == ConnState::Reconnecting);
}
