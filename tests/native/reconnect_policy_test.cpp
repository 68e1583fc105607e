// ReconnectPolicy: exact delays for linear/exponential backoff, jitter, clamping
// and max attempts, with a scripted random source.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <memory>
#include <vector>

#include "ssot/reconnect_policy.h"

using namespace ssot;

namespace {

// Returns the scripted values in turn, then repeats the last one.
RandomSource scripted(std::vector<double> values) {
  auto i = std::make_shared<size_t>(0);
  return [values, i]() {
    const double v = values[std::min(*i, values.size() - 1)];
    ++*i;
    return v;
  };
}

ReconnectOptions opts(Backoff backoff, double jitter = 0, int max_attempts = 0) {
  ReconnectOptions o;
  o.backoff = backoff;
  o.base_delay_ms = 1000;
  o.max_delay_ms = 30000;
  o.max_attempts = max_attempts;
  o.jitter = jitter;
  return o;
}

std::vector<Millis> delays(ReconnectPolicy& p, int n, Millis min_delay = 0) {
  std::vector<Millis> out;
  for (int i = 0; i < n; ++i) out.push_back(p.next_delay(min_delay).value_or(-1));
  return out;
}

}  // namespace

TEST_CASE("linear backoff is base * n, capped at max_delay") {
  ReconnectPolicy p(opts(Backoff::Linear), scripted({0.5}));
  CHECK(delays(p, 4) == std::vector<Millis>{1000, 2000, 3000, 4000});
  CHECK(p.attempts() == 4);
  for (int i = 0; i < 30; ++i) p.next_delay();
  CHECK(p.next_delay() == 30000);
}

TEST_CASE("exponential backoff is base * 2^(n-1), capped at max_delay") {
  ReconnectPolicy p(opts(Backoff::Exponential), scripted({0.5}));
  CHECK(delays(p, 7) == std::vector<Millis>{1000, 2000, 4000, 8000, 16000, 30000, 30000});
}

TEST_CASE("jitter multiplies by 1 - j + 2*j*r") {
  ReconnectPolicy p(opts(Backoff::Linear, 0.2), scripted({0.0, 0.5, 0.75}));
  CHECK(delays(p, 3) == std::vector<Millis>{800, 2000, 3300});
}

TEST_CASE("jitter spreads delays that reached the cap (no lockstep at max_delay)") {
  ReconnectPolicy p(opts(Backoff::Exponential, 0.2), scripted({0.0}));
  for (int i = 0; i < 9; ++i) p.next_delay();
  CHECK(p.next_delay() == 24000);  // min(512000, 30000) * 0.8
}

TEST_CASE("jitter never pushes a delay above max_delay") {
  ReconnectPolicy p(opts(Backoff::Exponential, 0.2), scripted({0.99}));
  for (int i = 0; i < 9; ++i) p.next_delay();
  CHECK(p.next_delay() == 30000);
}

TEST_CASE("min_delay raises the delay, and wins over a smaller max_delay") {
  ReconnectPolicy p(opts(Backoff::Exponential), scripted({0.5}));
  CHECK(p.next_delay(5000) == 5000);    // 1000 raised to 5000
  CHECK(p.next_delay(5000) == 5000);    // 2000 raised
  CHECK(p.next_delay(5000) == 5000);    // 4000 raised
  CHECK(p.next_delay(5000) == 8000);    // 8000 above the minimum stays
  CHECK(p.next_delay(60000) == 60000);  // min above max_delay: max(max, min) is the ceiling
}

TEST_CASE("max_attempts gives up after that many delays; reset starts over") {
  ReconnectPolicy p(opts(Backoff::Exponential, 0, 3), scripted({0.5}));
  CHECK(delays(p, 3) == std::vector<Millis>{1000, 2000, 4000});
  CHECK_FALSE(p.next_delay().has_value());
  CHECK_FALSE(p.next_delay().has_value());
  CHECK(p.attempts() == 3);  // giving up does not count as an attempt
  p.reset();
  CHECK(p.attempts() == 0);
  CHECK(p.next_delay() == 1000);
}

TEST_CASE("max_attempts 0 (and negative) never gives up") {
  for (int max : {0, -1}) {
    ReconnectPolicy p(opts(Backoff::Exponential, 0, max), scripted({0.5}));
    for (int i = 0; i < 1000; ++i) REQUIRE(p.next_delay().has_value());
    CHECK(p.next_delay() == 30000);
    CHECK(p.attempts() == 1001);
  }
}

TEST_CASE("huge attempt numbers and delays do not overflow") {
  for (Backoff b : {Backoff::Linear, Backoff::Exponential}) {
    ReconnectOptions o = opts(b, 0.2);
    o.base_delay_ms = std::numeric_limits<Millis>::max() / 3;
    o.max_delay_ms = std::numeric_limits<Millis>::max();
    ReconnectPolicy p(o, scripted({0.99}));
    CHECK(p.next_delay() < std::numeric_limits<Millis>::max());  // max/3 * 1.196
    CHECK(p.next_delay() < std::numeric_limits<Millis>::max());  // 2 * max/3 * 1.196
    for (int i = 3; i < 200; ++i) REQUIRE(p.next_delay() == std::numeric_limits<Millis>::max());
  }
}

TEST_CASE("odd options are tolerated") {
  SECTION("negative base delay counts as 0, raised to min_delay") {
    ReconnectOptions o = opts(Backoff::Linear);
    o.base_delay_ms = -500;
    ReconnectPolicy p(o, scripted({0.5}));
    CHECK(p.next_delay() == 0);
    CHECK(p.next_delay(5000) == 5000);
  }
  SECTION("negative max_delay: the ceiling becomes min_delay") {
    ReconnectOptions o = opts(Backoff::Linear);
    o.max_delay_ms = -1;
    ReconnectPolicy p(o, scripted({0.5}));
    CHECK(p.next_delay() == 0);
    CHECK(p.next_delay(5000) == 5000);
  }
  SECTION("negative min_delay counts as 0") {
    ReconnectPolicy p(opts(Backoff::Linear), scripted({0.5}));
    CHECK(p.next_delay(-100) == 1000);
  }
  SECTION("jitter above 1 is read as 1") {
    ReconnectPolicy p(opts(Backoff::Linear, 7.0), scripted({0.0, 0.75}));
    CHECK(p.next_delay() == 0);      // 1000 * (1 - 1 + 0)
    CHECK(p.next_delay() == 3000);   // 2000 * (1 - 1 + 1.5)
  }
  SECTION("negative or NaN jitter means none") {
    ReconnectPolicy a(opts(Backoff::Linear, -0.5), scripted({0.0}));
    CHECK(a.next_delay() == 1000);
    ReconnectPolicy b(opts(Backoff::Linear, std::nan("")), scripted({0.0}));
    CHECK(b.next_delay() == 1000);
  }
  SECTION("random values outside [0, 1) are clamped, NaN is the midpoint") {
    ReconnectPolicy p(opts(Backoff::Linear, 0.2), scripted({-3.0, 9.0, std::nan("")}));
    CHECK(p.next_delay() == 800);    // r = 0
    CHECK(p.next_delay() == 2400);   // r = 1
    CHECK(p.next_delay() == 3000);   // r = 0.5
  }
  SECTION("an empty random source means no jitter") {
    ReconnectPolicy p(opts(Backoff::Linear, 0.2), RandomSource{});
    CHECK(p.next_delay() == 1000);
  }
}
