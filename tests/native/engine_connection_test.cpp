// Scenario tests: close codes, token refresh, backoff, heartbeat, batching and coalescing.
#include <catch2/catch.hpp>

#include "engine_harness.h"

using namespace ssot;
using namespace ssot::test;

TEST_CASE("the socket URL carries the token; 4401 asks for a fresh token once, then gives up") {
  Harness h;
  h.open();
  REQUIRE(h.commands[0].type == Command::OpenSocket);
  CHECK(h.commands[0].url == "ws://api.test/ws?batch=1&token=t0");
  h.close(4401);
  REQUIRE(h.entries("token").size() == 1);
  CHECK(h.count(Command::OpenSocket) == 1);  // waits for the token, no blind retry
  h.engine->set_token("t1", true, h.now);
  h.step();
  REQUIRE(h.count(Command::OpenSocket) == 2);
  CHECK(h.commands.back().url == "ws://api.test/ws?batch=1&token=t1");
  h.engine->on_open(h.now);
  h.step();
  h.close(4401);  // the fresh token is refused too
  CHECK(h.conn_state() == "unauthorized");
  h.advance(60000);
  CHECK(h.count(Command::OpenSocket) == 2);  // no retry loop
  CHECK(h.entries("token").size() == 1);
}

TEST_CASE("4403 stops for good") {
  Harness h;
  h.open();
  h.close(4403);
  CHECK(h.conn_state() == "forbidden");
  h.advance(60000);
  CHECK(h.count(Command::OpenSocket) == 1);
}

TEST_CASE("4429 backs off at least 5 seconds; transient closes back off exponentially, then fail") {
  Harness h;
  h.open();
  h.close(4429);
  CHECK(h.conn_state() == "reconnecting");
  h.advance(4999);
  CHECK(h.count(Command::OpenSocket) == 1);
  h.advance(1);
  CHECK(h.count(Command::OpenSocket) == 2);
  h.close(1006);  // attempt 2 failed: 2 s
  h.advance(1999);
  CHECK(h.count(Command::OpenSocket) == 2);
  h.advance(1);
  CHECK(h.count(Command::OpenSocket) == 3);
  h.close(1006);  // attempt 3: 4 s
  h.advance(4000);
  CHECK(h.count(Command::OpenSocket) == 4);
  h.close(1006);  // maxAttempts 3 used up
  CHECK(h.conn_state() == "failed");
  h.advance(60000);
  CHECK(h.count(Command::OpenSocket) == 4);
}

TEST_CASE("the connection state reaches the outbox with the next retry time") {
  Harness h;
  h.open();
  CHECK(h.conn_state() == "open");
  h.close(1006);
  auto last = h.entries("conn").back();
  CHECK(last->get("state")->as_string() == "reconnecting");
  CHECK(last->get("retryAt")->as_number() == 1000);
  CHECK(last->get("error")->as_string() == "closed 1006");
}

TEST_CASE("heartbeat: pings, and a missing pong after the server proved it answers means dead") {
  Harness h;
  h.open();
  h.advance(20000);
  REQUIRE(h.sent().back() == R"({"type":"ping","t":20000})");
  h.frame(R"({"type":"pong","t":20000})");
  h.advance(20000);
  REQUIRE(h.sent().back() == R"({"type":"ping","t":40000})");
  h.advance(5000);  // no pong
  CHECK(h.count(Command::CloseSocket) == 1);
  CHECK(h.conn_state() == "reconnecting");
  h.close(4000);  // the dead socket's late close changes nothing
  h.advance(1000);
  CHECK(h.count(Command::OpenSocket) == 2);
}

TEST_CASE("a seed-only server never answers pings: the connection stays up") {
  Harness h;
  h.open();
  h.advance(200000);
  CHECK(h.count(Command::CloseSocket) == 0);
  CHECK(h.conn_state() == "open");
}

TEST_CASE("disconnect() closes with 1000, fails socket requests and stays closed") {
  Harness h;
  h.open();
  std::string error;
  RequestId r = h.engine->list("Message", "{}", h.now, error);  // goes over the socket
  h.step();
  REQUIRE(h.sent().back().find("\"type\":\"request\"") != std::string::npos);
  h.engine->disconnect(h.now);
  h.step();
  REQUIRE(h.count(Command::CloseSocket) == 1);
  CHECK(h.commands.back().code == 1000);
  auto results = h.entries("result");
  REQUIRE(results.size() == 1);
  CHECK(results[0]->get("req")->as_number() == r);
  CHECK(results[0]->get("ok")->as_bool() == false);
  CHECK(h.conn_state() == "closed");
  h.close(1000);
  h.advance(60000);
  CHECK(h.count(Command::OpenSocket) == 1);
}

TEST_CASE("batching: one flush per window, or at maxBatchSize") {
  Harness h(default_config(R"({"enabled":true,"flushInterval":100,"maxBatchSize":3})"));
  h.open();
  ViewId v = h.watch("Message");
  h.frame(subscribed("Message:list", 0));
  h.respond(h.http("GET").back().http_id, 200, list_body({}, 0));
  int before = h.mirrors[v].changes;
  h.frame(update("Message:list", "created", msg(1, "a"), 1, 1));
  h.now += 50;
  h.frame(update("Message:list", "created", msg(2, "b"), 2, 2));
  CHECK(h.mirrors[v].changes == before);  // still inside the window
  REQUIRE(h.engine->next_deadline() == Millis(100));
  h.advance(50);
  CHECK(h.mirrors[v].changes == before + 1);
  CHECK(h.mirrors[v].ids() == std::vector<int>{1, 2});
  for (int i = 3; i <= 5; ++i) h.frame(update("Message:list", "created", msg(i, "x"), i, i));
  CHECK(h.mirrors[v].changes == before + 2);  // the third update filled the batch
  CHECK(h.mirrors[v].ids() == std::vector<int>{1, 2, 3, 4, 5});
}

TEST_CASE("coalescing: many updates to one record in a window are one change") {
  Harness h(default_config(R"({"enabled":true,"flushInterval":100,"maxBatchSize":1000})"));
  h.open();
  ViewId v = h.watch("Message");
  h.frame(subscribed("Message:list", 0));
  h.respond(h.http("GET").back().http_id, 200, list_body({msg(1, "a"), msg(2, "b")}, 0));
  size_t entries_before = h.entries("view").size();
  for (int i = 1; i <= 10; ++i) h.frame(update("Message:list", "updated", msg(1, "v" + std::to_string(i)), 1, i));
  h.advance(100);
  auto views = h.entries("view");
  REQUIRE(views.size() == entries_before + 1);
  CHECK(views.back()->get("updated")->items().size() == 1);
  CHECK(h.mirrors[v].rows[0] == Json::parse(msg(1, "v10"))->dump());
  CHECK(h.engine->stats().coalesced == 9);
}

TEST_CASE("batching disabled flushes every update at once") {
  Harness h;  // default config: batching disabled
  h.open();
  ViewId v = h.watch("Message");
  h.frame(subscribed("Message:list", 0));
  h.respond(h.http("GET").back().http_id, 200, list_body({}, 0));
  int before = h.mirrors[v].changes;
  h.frame(update("Message:list", "created", msg(1, "a"), 1, 1));
  h.frame(update("Message:list", "created", msg(2, "b"), 2, 2));
  CHECK(h.mirrors[v].changes == before + 2);
}

TEST_CASE("a view with a window materializes only its rows") {
  Harness h;
  h.open();
  ViewId v = h.watch("Message");
  std::vector<std::string> recs;
  for (int i = 1; i <= 1000; ++i) recs.push_back(msg(i, "m"));
  h.frame(subscribed("Message:list", 0));
  h.respond(h.http("GET").back().http_id, 200, list_body(recs, 0));
  h.engine->set_window(v, std::make_pair(size_t(10), size_t(5)), h.now);
  h.step();
  auto last = h.entries("view").back();
  CHECK(last->get("start")->as_number() == 10);
  CHECK(last->get("ids")->dump() == "[11,12,13,14,15]");
  CHECK(last->get("rows")->items().size() == 5);
  CHECK(h.mirrors[v].total == 1000);
  // A change outside the window emits nothing; one inside sends just that row.
  size_t n = h.entries("view").size();
  h.frame(update("Message:list", "updated", msg(500, "far"), 500, 1));
  CHECK(h.entries("view").size() == n);
  h.frame(update("Message:list", "updated", msg(12, "near"), 12, 2));
  last = h.entries("view").back();
  CHECK(last->get("rows")->items().size() == 1);
  CHECK(h.mirrors[v].rows[1] == Json::parse(msg(12, "near"))->dump());
  h.frame(update("Message:list", "deleted", "", 1, 3));  // everything shifts by one
  CHECK(h.mirrors[v].ids() == std::vector<int>{12, 13, 14, 15, 16});
  CHECK(h.mirrors[v].total == 999);
}
