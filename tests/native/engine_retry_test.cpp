// Failed hydrations try again (backoff, or at once when the socket reopens), and a
// gap on a model's list channel reaches the item views that rely on it.
#include <catch2/catch.hpp>

#include "engine_harness.h"

using namespace ssot;
using namespace ssot::test;

namespace {
ViewId live_list(Harness& h, int n, int seq = 0) {
  h.open();
  ViewId v = h.watch("Message");
  std::vector<std::string> recs;
  for (int i = 1; i <= n; ++i) recs.push_back(msg(i, "m" + std::to_string(i)));
  h.frame(subscribed("Message:list", seq));
  h.respond(h.http("GET").back().http_id, 200, list_body(recs, seq));
  return v;
}
}  // namespace

TEST_CASE("a re-hydration that fails on the network is retried with backoff until it lands") {
  Harness h;  // reconnect: exponential, base 1000, max 8000, jitter 0, maxAttempts 3
  ViewId v = live_list(h, 2, 5);
  h.frame(update("Message:list", "created", msg(9, "z"), 9, 9));  // 6..8 lost: re-hydrate
  std::vector<Millis> retried_after;
  for (int i = 0; i < 5; ++i) {
    auto gets = h.http("GET");
    REQUIRE(gets.size() == 1);
    h.respond(gets[0].http_id, 0, R"({"error":"network error"})");  // the server is down
    CHECK(h.mirrors[v].status == "error");
    Millis failed = h.now;
    advance_until_get(h);
    retried_after.push_back(h.now - failed);
  }
  // Doubling up to maxDelay, and on past maxAttempts: a view never gives up on its data.
  CHECK(retried_after == std::vector<Millis>{1000, 2000, 4000, 8000, 8000});
  h.respond(h.http("GET").back().http_id, 200, list_body({msg(1, "a"), msg(7, "g"), msg(9, "z")}, 9));
  CHECK(h.mirrors[v].status == "ready");
  CHECK(h.mirrors[v].ids() == std::vector<int>{1, 7, 9});
  // A success starts the count again.
  h.frame(update("Message:list", "created", msg(12, "l"), 12, 12));
  h.respond(h.http("GET").back().http_id, 503, R"({"error":"Service Unavailable"})");
  h.advance(999);
  CHECK(h.http("GET").empty());
  h.advance(1);
  CHECK(h.http("GET").size() == 1);
}

TEST_CASE("a first hydration that times out or gets 5xx/429 is retried; other 4xx are not") {
  Harness h;
  h.open();
  ViewId v = h.watch("Message");
  h.frame(subscribed("Message:list", 0));
  h.answered[h.http("GET").back().http_id] = true;  // never answered:
  h.advance(5000);                                  // requestTimeout
  CHECK(h.mirrors[v].status == "error");
  CHECK(h.mirrors[v].error.find("timed out") != std::string::npos);
  h.advance(1000);
  REQUIRE(h.http("GET").size() == 1);
  h.respond(h.http("GET").back().http_id, 429, R"({"error":"Too Many Requests"})");
  h.advance(2000);
  REQUIRE(h.http("GET").size() == 1);
  h.respond(h.http("GET").back().http_id, 200, list_body({msg(1, "a")}, 0));
  CHECK(h.mirrors[v].status == "ready");
  CHECK(h.mirrors[v].ids() == std::vector<int>{1});

  std::string error;
  h.engine->watch_item("Message", "4", h.now, error);
  ViewId denied = h.watch("Product");
  auto gets = h.http("GET");
  REQUIRE(gets.size() == 2);
  h.respond(gets[0].http_id, 500, R"({"error":"boom"})");
  h.respond(gets[1].http_id, 403, R"({"error":"Forbidden"})");
  CHECK(h.entries("item").back()->get("status")->as_string() == "error");
  CHECK(h.mirrors[denied].status == "error");
  h.advance(1000);
  gets = h.http("GET");
  REQUIRE(gets.size() == 1);  // the item, not the forbidden list
  CHECK(gets[0].url == "http://api.test/api/messages/4");
  h.respond(gets[0].http_id, 200, msg(4, "four"));
  CHECK(h.entries("item").back()->get("status")->as_string() == "ready");
  CHECK(h.entries("item").back()->get("data")->get("text")->as_string() == "four");
  h.advance(60000);
  CHECK(h.http("GET").empty());
  h.engine->refetch(denied, h.now);  // an explicit refetch still asks again
  h.step();
  CHECK(h.http("GET").size() == 1);
}

TEST_CASE("a refetch asked while a read is in flight is made even when that read fails for good") {
  Harness h;
  h.open();
  ViewId v = h.watch("Message");
  h.frame(subscribed("Message:list", 0));
  RequestId first = h.http("GET").back().http_id;
  h.engine->refetch(v, h.now);  // say, with a token renewed since the read went
  h.step();
  REQUIRE(h.http("GET").size() == 1);  // one read at a time
  h.respond(first, 401, R"({"error":"Unauthorized"})");
  REQUIRE(h.http("GET").size() == 1);  // the refetch: the failed read may predate its cause
  h.respond(h.http("GET").back().http_id, 200, list_body({msg(1, "a")}, 0));
  CHECK(h.mirrors[v].status == "ready");
  CHECK(h.mirrors[v].ids() == std::vector<int>{1});

  std::string error;
  ViewId one = h.engine->watch_item("Message", "4", h.now, error);
  h.step();
  RequestId item = h.http("GET").back().http_id;
  h.engine->refetch(one, h.now);
  h.step();
  h.respond(item, 403, R"({"error":"Forbidden"})");
  REQUIRE(h.http("GET").size() == 1);
  h.respond(h.http("GET").back().http_id, 403, R"({"error":"Forbidden"})");
  CHECK(h.entries("item").back()->get("status")->as_string() == "error");
  h.advance(60000);
  CHECK(h.http("GET").empty());  // nothing asked again since: no more reads
}

TEST_CASE("a read refused for good is not made again for the engine's own reasons") {
  Harness h;
  h.open();
  ViewId list = h.watch("Message");
  std::string error;
  h.engine->watch_item("Message", "4", h.now, error);
  h.step();
  h.frame(subscribed("Message:list", 0));  // confirmed while the item's GET is out: it would read again
  h.respond(h.http("GET")[0].http_id, 200, list_body({msg(1, "a")}, 0));
  CHECK(h.mirrors[list].status == "ready");
  h.respond(h.http("GET").back().http_id, 403, R"({"error":"Forbidden"})");
  CHECK(h.entries("item").back()->get("status")->as_string() == "error");
  CHECK(h.http("GET").empty());  // a refusal carries no record a change could have raced
}

TEST_CASE("a read refused (401) with a token renewed while it was out is made again with the new one") {
  Harness h;
  h.open();
  ViewId v = h.watch("Message");
  h.frame(subscribed("Message:list", 0));
  std::string error;
  h.engine->watch_item("Message", "4", h.now, error);
  h.step();
  auto gets = h.http("GET");
  REQUIRE(gets.size() == 2);
  h.engine->set_token("t2", true, h.now);
  h.respond(gets[0].http_id, 401, R"({"error":"Unauthorized"})");
  h.respond(gets[1].http_id, 401, R"({"error":"Unauthorized"})");
  gets = h.http("GET");
  REQUIRE(gets.size() == 2);
  CHECK(header(gets[0], "Authorization") == "Bearer t2");
  CHECK(header(gets[1], "Authorization") == "Bearer t2");
  h.respond(gets[0].http_id, 401, R"({"error":"Unauthorized"})");  // refused with the new one too
  h.respond(gets[1].http_id, 404, "");
  CHECK(h.mirrors[v].status == "error");
  CHECK(h.entries("item").back()->get("status")->as_string() == "ready");
  h.advance(60000);
  CHECK(h.http("GET").empty());
}

// The app's token source may hand back the token it gave before (nothing to renew): a
// read refused with it would be refused again.
TEST_CASE("a read refused (401) with the same token set again while it was out is not made again") {
  Harness h;
  h.open();
  ViewId v = h.watch("Message");
  h.frame(subscribed("Message:list", 0));
  h.engine->set_token("t0", true, h.now);
  h.respond(h.http("GET").back().http_id, 401, R"({"error":"Unauthorized"})");
  CHECK(h.mirrors[v].status == "error");
  CHECK(h.http("GET").empty());
}

TEST_CASE("a failed hydration is retried as soon as the socket reopens") {
  Harness h;
  ViewId v = live_list(h, 1, 3);
  h.frame(R"({"type":"resync","channel":"Message:list"})");
  h.respond(h.http("GET").back().http_id, 0, R"({"error":"network error"})");  // the server died
  h.close(1006);
  h.advance(500);
  CHECK(h.http("GET").empty());  // its retry is not due yet (1000 ms)...
  h.advance(500);                // ...but the socket's reconnect is
  h.engine->on_open(h.now);
  h.step();
  REQUIRE(h.http("GET").size() == 1);  // the server is back: no need to wait
  h.frame(subscribed("Message:list", 4));
  h.respond(h.http("GET").back().http_id, 200, list_body({msg(1, "a"), msg(2, "b")}, 4));
  CHECK(h.mirrors[v].status == "ready");
  CHECK(h.mirrors[v].ids() == std::vector<int>{1, 2});
  h.advance(20000);
  CHECK(h.http("GET").empty());  // the old retry was cancelled by the new hydration
}

TEST_CASE("closing a view drops its pending retry") {
  Harness h;
  h.open();
  ViewId v = h.watch("Message");
  h.respond(h.http("GET").back().http_id, 502, R"({"error":"Bad Gateway"})");
  REQUIRE(h.engine->next_deadline());
  h.engine->close_view(v, h.now);
  h.step();
  h.advance(60000);
  CHECK(h.http("GET").empty());
}

TEST_CASE("a gap on the list channel re-hydrates item views of that model outside the list") {
  // Message subscribes list and item: an item view skips its own channel's copies
  // while Message:list is live, so what the list channel lost, the item view lost.
  Harness h;
  h.open();
  ViewId list = h.watch("Message", R"({"where":{"roomId":1}})");
  h.frame(subscribed("Message:list", 0));
  h.respond(h.http("GET").back().http_id, 200, list_body({msg(1, "a")}, 0));
  std::string error;
  h.engine->watch_item("Message", "7", h.now, error);
  h.frame(subscribed("Message:item:7", 0));
  h.respond(h.http("GET").back().http_id, 200, msg(7, "seven", 2));  // room 2: not in the list view
  h.frame(update("Message:list", "updated", msg(7, "SEVEN", 2), 7, 1));
  CHECK(h.entries("item").back()->get("data")->get("text")->as_string() == "SEVEN");
  // Seq 2 (7 edited again) is lost on the list channel; the item channel's copy is skipped.
  h.frame(update("Message:item:7", "updated", msg(7, "edited", 2), 7, 1));
  h.frame(update("Message:list", "created", msg(8, "h"), 8, 3));  // the gap shows
  auto gets = h.http("GET");
  REQUIRE(gets.size() == 2);
  CHECK(gets[0].url.find("/messages?") != std::string::npos);
  CHECK(gets[1].url == "http://api.test/api/messages/7");
  h.respond(gets[0].http_id, 200, list_body({msg(1, "a"), msg(8, "h")}, 3));
  h.respond(gets[1].http_id, 200, msg(7, "edited", 2));
  CHECK(h.entries("item").back()->get("data")->get("text")->as_string() == "edited");
  CHECK(h.mirrors[list].ids() == std::vector<int>{1, 8});

  // A resync of the list channel reaches it too.
  h.frame(R"({"type":"resync","channel":"Message:list"})");
  gets = h.http("GET");
  REQUIRE(gets.size() == 2);
  h.respond(gets[1].http_id, 404, R"({"error":"Not found"})");
  CHECK(h.entries("item").back()->get("data")->is_null());
}

TEST_CASE("a failed re-hydration applies the updates the view held, so its rows stay in order") {
  Harness h;
  h.open();
  ViewId v = h.watch("Message", R"({"orderBy":{"text":"asc"}})");
  h.frame(subscribed("Message:list", 0));
  h.respond(h.http("GET").back().http_id, 200, list_body({msg(1, "a"), msg(2, "b")}, 0));
  h.frame(update("Message:list", "updated", msg(1, "c"), 1, 2));  // 1 lost: refetch, held
  h.respond(h.http("GET").back().http_id, 503, R"({"error":"Service Unavailable"})");
  CHECK(h.mirrors[v].status == "error");
  CHECK(h.mirrors[v].ids() == std::vector<int>{2, 1});
  CHECK(h.mirrors[v].rows[1] == Json::parse(msg(1, "c"))->dump());
}

TEST_CASE("a page whose answers stay older than a live update refetches with backoff, not in a busy loop") {
  // A REST read replica that lags the update feed: every page it answers holds an older
  // version of record 1 than the update did, so no answer settles the page.
  Harness h;  // reconnect: exponential, base 1000, max 8000, jitter 0
  h.open();
  ViewId v = h.watch("Message", R"({"orderBy":{"text":"asc"},"take":2})");
  h.frame(subscribed("Message:list", 0));
  h.respond(h.http("GET").back().http_id, 200, list_body({vmsg(1, "a", 1), vmsg(2, "b", 1)}, 0, 3));
  h.frame(update("Message:list", "updated", vmsg(1, "z", 2), 1, 1));  // moves out of the page: refetch
  auto stale_answer = [&] {
    auto gets = h.http("GET");
    REQUIRE(gets.size() == 1);
    h.respond(gets[0].http_id, 200, list_body({vmsg(1, "a", 1), vmsg(2, "b", 1)}, 1, 3));
  };
  stale_answer();  // the first refetch it asks for goes at once: usually a change raced it
  stale_answer();
  CHECK(h.http("GET").empty());  // then the hydration backoff
  CHECK(h.engine->stats().retrying == 1);
  CHECK(h.mirrors[v].status == "ready");
  std::vector<Millis> asked_after;
  for (int i = 0; i < 4; ++i) {
    Millis answered = h.now;
    advance_until_get(h);
    asked_after.push_back(h.now - answered);
    stale_answer();
  }
  CHECK(asked_after == std::vector<Millis>{1000, 2000, 4000, 8000});
  // The replica catches up: the page settles, and the count starts again.
  advance_until_get(h);
  h.respond(h.http("GET").back().http_id, 200, list_body({vmsg(2, "b", 1), vmsg(3, "c", 1)}, 1, 3));
  CHECK(h.mirrors[v].ids() == std::vector<int>{2, 3});
  CHECK(h.engine->stats().retrying == 0);
  h.advance(60000);
  CHECK(h.http("GET").empty());
  h.frame(update("Message:list", "updated", vmsg(3, "zz", 2), 3, 2));
  stale_answer();  // an older page again: one refetch at once
  CHECK(h.http("GET").size() == 1);
}

TEST_CASE("an item view whose reads keep being overtaken reads again with backoff; refetch() goes at once") {
  // A server in a resync storm: a resync overtakes each item GET in flight.
  Harness h;
  live_list_and_item(h, 1, {msg(1, "a"), msg(2, "b")});
  const std::string resync = R"({"type":"resync","channel":"Message:list"})";
  auto item_gets = [&] {
    std::vector<Command> out;
    for (const auto& c : h.http("GET"))
      if (c.url == "http://api.test/api/messages/2") out.push_back(c);
    return out;
  };
  auto overtaken_read = [&] {  // a resync overtakes the item's GET, which is then answered
    REQUIRE(item_gets().size() == 1);
    h.frame(resync);
    h.respond(item_gets()[0].http_id, 200, msg(2, "b"));
  };
  h.frame(resync);
  overtaken_read();
  overtaken_read();
  CHECK(item_gets().empty());  // once at once, then the backoff
  h.advance(999);
  CHECK(item_gets().empty());
  h.advance(1);
  overtaken_read();
  h.advance(1999);
  CHECK(item_gets().empty());  // 2000 ms now
  h.advance(1);
  overtaken_read();
  ViewId item = 0;
  for (const auto& e : h.entries("item")) item = ViewId(e->get("view")->as_number());
  h.engine->refetch(item, h.now);  // the app asks: at once, and its answer may refetch at once
  h.step();
  overtaken_read();
  CHECK(item_gets().size() == 1);
}
