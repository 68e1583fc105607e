// Batcher: flush at once when disabled, after flush_interval from the first
// pending update, or at max_batch_size.
#include <catch2/catch.hpp>

#include <climits>
#include <limits>

#include "ssot/batcher.h"

using namespace ssot;

namespace {
BatchOptions opts(bool enabled, Millis interval = 100, int max_size = 3) {
  BatchOptions o;
  o.enabled = enabled;
  o.flush_interval_ms = interval;
  o.max_batch_size = max_size;
  return o;
}
}  // namespace

TEST_CASE("nothing pending: never due, no deadline") {
  Batcher b(opts(true));
  CHECK_FALSE(b.due(0));
  CHECK_FALSE(b.due(1000000));
  CHECK_FALSE(b.next_deadline().has_value());
  Batcher off(opts(false));
  CHECK_FALSE(off.due(0));
}

TEST_CASE("batching disabled: due at once, no timer") {
  Batcher b(opts(false));
  b.add(1000);
  CHECK(b.due(1000));
  CHECK(b.pending() == 1);
  CHECK_FALSE(b.next_deadline().has_value());
}

TEST_CASE("enabled: due flush_interval after the first pending update") {
  Batcher b(opts(true, 100, 50));
  b.add(1000);
  CHECK(b.next_deadline() == 1100);
  CHECK_FALSE(b.due(1099));
  b.add(1050);  // a later update does not push the window back
  CHECK(b.next_deadline() == 1100);
  CHECK_FALSE(b.due(1099));
  CHECK(b.due(1100));
  CHECK(b.pending() == 2);
}

TEST_CASE("enabled: due at max_batch_size pending updates") {
  Batcher b(opts(true, 100, 3));
  b.add(0, 2);
  CHECK_FALSE(b.due(0));
  b.add(0);
  CHECK(b.due(0));
  Batcher c(opts(true, 100, 3));
  c.add(0, 5);  // one large add
  CHECK(c.due(0));
}

TEST_CASE("flushed clears, and the next add opens a new window") {
  Batcher b(opts(true, 100, 50));
  b.add(1000);
  b.flushed();
  CHECK(b.pending() == 0);
  CHECK_FALSE(b.due(5000));
  CHECK_FALSE(b.next_deadline().has_value());
  b.add(5000);
  CHECK(b.next_deadline() == 5100);
  CHECK_FALSE(b.due(5050));
}

TEST_CASE("add with a count of 0 or less opens no window") {
  Batcher b(opts(true));
  b.add(1000, 0);
  b.add(1000, -4);
  CHECK(b.pending() == 0);
  CHECK_FALSE(b.next_deadline().has_value());
}

TEST_CASE("odd inputs are safe") {
  SECTION("time going backwards is simply not due yet") {
    Batcher b(opts(true, 100, 50));
    b.add(1000);
    b.add(500);
    CHECK(b.next_deadline() == 1100);
    CHECK_FALSE(b.due(500));
  }
  SECTION("a huge interval saturates instead of overflowing") {
    Batcher b(opts(true, std::numeric_limits<Millis>::max(), 50));
    b.add(1000);
    CHECK(b.next_deadline() == std::numeric_limits<Millis>::max());
    CHECK_FALSE(b.due(1000000000));
  }
  SECTION("a negative interval is due at once") {
    Batcher b(opts(true, -10, 50));
    b.add(1000);
    CHECK(b.due(1000));
  }
  SECTION("max_batch_size 0 or less makes every add due") {
    Batcher b(opts(true, 100, 0));
    b.add(1000);
    CHECK(b.due(1000));
  }
  SECTION("the pending count saturates") {
    Batcher b(opts(true, 100, INT_MAX));
    b.add(0, INT_MAX);
    b.add(0, INT_MAX);
    CHECK(b.pending() == INT_MAX);
    CHECK(b.due(0));
  }
}
