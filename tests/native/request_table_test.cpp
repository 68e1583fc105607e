// RequestTable: sequential ids, strict wire-id parsing, deadlines and expiry, each call kept with its request.
#include <catch2/catch.hpp>

#include <limits>

#include "ssot/request_table.h"

using namespace ssot;

TEST_CASE("ids are 1, 2, 3 and entries keep their deadline") {
  RequestTable t;
  CHECK(t.add(1000, 500) == 1);
  CHECK(t.add(1000, 0) == 2);
  CHECK(t.add(1000, 0) == 3);
  CHECK(t.size() == 3);
  const auto* e = t.find(1);
  REQUIRE(e != nullptr);
  CHECK(e->deadline == 1500);
  CHECK(t.find(2)->deadline == 0);
  CHECK(t.find(4) == nullptr);
  CHECK(t.find(0) == nullptr);
}

TEST_CASE("complete removes the entry once") {
  RequestTable t;
  t.add(0, 0);
  auto e = t.complete(RequestId{1});
  REQUIRE(e.has_value());
  CHECK(t.size() == 0);
  CHECK_FALSE(t.complete(RequestId{1}).has_value());
  CHECK(t.add(0, 0) == 2);  // ids are not reused
}

TEST_CASE("wire ids: only canonical decimal text names a request") {
  for (const char* bad : {"", "01", "1x", "x1", "-1", "+1", " 1", "1 ", "1.0", "0x1", "4294967296",
                          "4294967297" /* would wrap to 1 */, "99999999999999999999"}) {
    INFO(bad);
    CHECK_FALSE(RequestTable::parse_wire_id(bad).has_value());
  }
  CHECK(RequestTable::parse_wire_id("10") == RequestId{10});
  CHECK(RequestTable::parse_wire_id("0") == RequestId{0});  // never issued: find(0) is nullptr
  CHECK(RequestTable::parse_wire_id("4294967295") == RequestId{4294967295u});
}

TEST_CASE("expire removes timed-out requests, oldest first") {
  RequestTable t;
  t.add(0, 1000);   // id 1, deadline 1000
  t.add(10, 100);   // id 2, deadline 110 (earlier deadline, but younger)
  t.add(20, 0);     // id 3, no deadline
  t.add(30, 5000);  // id 4, deadline 5030
  CHECK(t.expire(109).empty());
  auto first = t.expire(110);
  REQUIRE(first.size() == 1);
  CHECK(first[0].id == 2);
  t.add(40, 10);    // id 5, deadline 50
  auto second = t.expire(2000);
  REQUIRE(second.size() == 2);
  CHECK(second[0].id == 1);
  CHECK(second[1].id == 5);
  CHECK(t.size() == 2);
  CHECK(t.expire(std::numeric_limits<Millis>::max()).size() == 1);  // id 4; id 3 never expires
  CHECK(t.find(3) != nullptr);
}

TEST_CASE("next_deadline is the earliest deadline, ignoring requests without one") {
  RequestTable t;
  CHECK_FALSE(t.next_deadline().has_value());
  t.add(0, 0);
  CHECK_FALSE(t.next_deadline().has_value());
  t.add(0, 300);
  t.add(0, 200);
  CHECK(t.next_deadline() == 200);
  t.complete(RequestId{3});
  CHECK(t.next_deadline() == 300);
}

TEST_CASE("odd deadlines are safe") {
  RequestTable t;
  SECTION("negative timeout means none") {
    t.add(1000, -5);
    CHECK(t.find(1)->deadline == 0);
  }
  SECTION("now + timeout saturates") {
    t.add(std::numeric_limits<Millis>::max() - 5, 100);
    CHECK(t.find(1)->deadline == std::numeric_limits<Millis>::max());
  }
  SECTION("a deadline landing on 0 (the 'none' value) becomes 1") {
    t.add(-100, 100);
    CHECK(t.find(1)->deadline == 1);
    CHECK(t.expire(0).empty());
    CHECK(t.expire(1).size() == 1);
  }
  SECTION("time going backwards expires nothing") {
    t.add(1000, 100);
    CHECK(t.expire(-5000).empty());
  }
}

TEST_CASE("each request keeps its call until it completes, times out or dies with the socket") {
  RequestTable t;
  RequestId http = t.add(0, 100, Call{CallKind::Get, "Message", "7", 0, {}});
  RequestId ws = t.add(0, 100, Call{CallKind::WsList, "Message", {}, 0, {}});
  RequestId mutation = t.add(0, 0, Call{CallKind::Update, "Message", "7", 0, "m1"});
  RequestId at_once = t.answered();  // a result from the cache: an id, no entry
  CHECK(at_once == 4);
  CHECK(t.find(at_once) == nullptr);
  CHECK(t.add(0, 0) == 5);  // not reused
  auto dead = t.complete_socket_requests();
  REQUIRE(dead.size() == 1);
  CHECK(dead[0].id == ws);
  CHECK(dead[0].call.kind == CallKind::WsList);
  auto expired = t.expire(100);
  REQUIRE(expired.size() == 1);
  CHECK(expired[0].id == http);
  CHECK(expired[0].call.id == "7");
  auto done = t.complete(mutation);
  REQUIRE(done.has_value());
  CHECK(done->call.mutation_id == "m1");
  CHECK(t.size() == 1);  // id 5
}
