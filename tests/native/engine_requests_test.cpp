// Scenario tests: routing of reads, mutations and their echoes, timeouts, channels.
#include <catch2/catch.hpp>

#include <set>

#include "engine_harness.h"

using namespace ssot;
using namespace ssot::test;

namespace {
const Json* result(Harness& h, RequestId id) {
  for (auto* r : h.entries("result"))
    if (r->get("req")->as_number() == id) return r;
  return nullptr;
}
}  // namespace

TEST_CASE("bad config is refused with a clear error") {
  std::string error;
  CHECK(!Engine::create("{", nullptr, error));
  CHECK(error == "config must be a JSON object");
  CHECK(!Engine::create(R"({"baseUrl":"http://x","websockets":{"enabled":true,"url":"http://x"}})", nullptr, error));
  CHECK(error.find("websockets.url") != std::string::npos);
  CHECK(!Engine::create(R"({"baseUrl":"http://x","websockets":{"reconnect":{"backoff":"fibonacci"}}})", nullptr,
                        error));
  CHECK(error.find("backoff") != std::string::npos);
}

TEST_CASE("mutations go over HTTP with a mutation id; our echo changes nothing visible") {
  Harness h;
  h.open();
  ViewId v = h.watch("Message");
  h.frame(subscribed("Message:list", 0));
  h.respond(h.http("GET").back().http_id, 200, list_body({msg(1, "a")}, 0));
  std::string error;
  RequestId r = h.engine->create("Message", R"({"text":"hi","roomId":1})", h.now, error);
  h.step();
  auto posts = h.http("POST");
  REQUIRE(posts.size() == 1);
  CHECK(posts[0].url == "http://api.test/api/messages");
  CHECK(posts[0].body == R"({"text":"hi","roomId":1})");
  CHECK(header(posts[0], "Content-Type") == "application/json");
  std::string mid = header(posts[0], "X-Client-Mutation-Id");
  REQUIRE(mid.size() > 9);
  // On a live channel a created record waits for its echo: the server may filter the list.
  h.respond(posts[0].http_id, 201, msg(2, "hi"));
  CHECK(h.mirrors[v].ids() == std::vector<int>{1});
  CHECK(result(h, r)->get("data")->get("id")->as_number() == 2);
  h.frame(update("Message:list", "created", msg(2, "hi"), 2, 1, mid));
  CHECK(h.mirrors[v].ids() == std::vector<int>{1, 2});
  // An update of a record we show appears with the answer; its echo then changes nothing.
  h.engine->update("Message", "1", R"({"text":"A"})", false, h.now, error);
  h.step();
  auto put = h.http("PUT")[0];
  h.respond(put.http_id, 200, msg(1, "A"));
  CHECK(h.mirrors[v].rows[0] == Json::parse(msg(1, "A"))->dump());
  int changes = h.mirrors[v].changes;
  h.frame(update("Message:list", "updated", msg(1, "A"), 1, 2, header(put, "X-Client-Mutation-Id")));
  CHECK(h.mirrors[v].changes == changes);
  CHECK(h.engine->stats().echoes == 0);  // it came after the answer: applied as a no-op
}

TEST_CASE("an HTTP-only model shows our own create from the answer") {
  Harness h;
  h.open();
  ViewId v = h.watch("User");  // not in pubsub.models: no channel, no echo
  h.respond(h.http("GET").back().http_id, 200, list_body({R"({"id":1,"name":"alice"})"}));
  std::string error;
  h.engine->create("User", R"({"name":"carol"})", h.now, error);
  h.step();
  h.respond(h.http("POST")[0].http_id, 201, R"({"id":2,"name":"carol"})");
  CHECK(h.mirrors[v].ids() == std::vector<int>{1, 2});
}

TEST_CASE("an echo arriving before the HTTP answer is not applied twice") {
  Harness h;
  h.open();
  ViewId v = h.watch("Message");
  h.frame(subscribed("Message:list", 0));
  h.respond(h.http("GET").back().http_id, 200, list_body({msg(1, "a")}, 0));
  std::string error;
  h.engine->update("Message", "1", R"({"text":"b"})", false, h.now, error);
  h.step();
  auto puts = h.http("PUT");
  REQUIRE(puts.size() == 1);
  CHECK(puts[0].url == "http://api.test/api/messages/1");
  std::string mid = header(puts[0], "X-Client-Mutation-Id");
  h.frame(update("Message:list", "updated", msg(1, "b"), 1, 1, mid));
  CHECK(h.engine->stats().echoes == 1);
  h.frame(update("Message:list", "updated", msg(1, "c"), 1, 2));  // someone else, later
  h.respond(puts[0].http_id, 200, msg(1, "b"));                    // our stale answer
  CHECK(h.mirrors[v].rows[0] == Json::parse(msg(1, "c"))->dump());
}

TEST_CASE("mutation ids: 128 bits from the injected random bytes, as 32 hex digits, a new one per mutation") {
  uint8_t next = 0;  // a deterministic source: 00 01 02 ...
  RandomBytes counting = [&next](uint8_t* out, size_t size) {
    for (size_t i = 0; i < size; ++i) out[i] = next++;
  };
  Harness h;
  std::string error;
  h.engine = Engine::create(default_config(), [] { return 0.5; }, error, counting);
  REQUIRE(h.engine);
  h.engine->create("Message", "{}", 0, error);
  h.engine->update("Message", "1", "{}", true, 0, error);
  h.engine->remove("Message", "2", 0, error);
  h.engine->create("Message", "{}", 0, error);
  h.step();
  std::vector<std::string> ids;
  for (const auto& c : h.http()) ids.push_back(header(c, "X-Client-Mutation-Id"));
  REQUIRE(ids.size() == 4);
  CHECK(ids[0] == "000102030405060708090a0b0c0d0e0f");
  CHECK(ids[1] == "101112131415161718191a1b1c1d1e1f");
  for (const auto& id : ids) {
    CHECK(id.size() == 32);
    CHECK(id.find_first_not_of("0123456789abcdef") == std::string::npos);
  }
  CHECK(std::set<std::string>(ids.begin(), ids.end()).size() == ids.size());
}

TEST_CASE("without a random source (tests only) ids are still 32 hex digits and differ between clients") {
  Harness a, b;
  std::string error;
  a.engine->create("Message", "{}", 0, error);
  a.engine->create("Message", "{}", 0, error);
  a.step();
  b.engine = Engine::create(default_config(), [] { return 0.25; }, error);
  b.engine->create("Message", "{}", 0, error);
  b.step();
  std::string a1 = header(a.http("POST")[0], "X-Client-Mutation-Id"), a2 = header(a.http("POST")[1], "X-Client-Mutation-Id");
  CHECK(a1.size() == 32);
  CHECK(a1 != a2);
  CHECK(a1 != header(b.http("POST")[0], "X-Client-Mutation-Id"));
}

TEST_CASE("delete and get map 404 to false and null; errors carry status and the server's message") {
  Harness h;  // not connected: everything goes over HTTP
  std::string error;
  RequestId d = h.engine->remove("Message", "5", h.now, error);
  RequestId g = h.engine->get("Message", "\"5\"", h.now, error);
  RequestId u = h.engine->update("Message", "6", R"({"text":"x"})", true, h.now, error);
  RequestId l = h.engine->list("Message", R"({"where":{"roomId":1}})", h.now, error);
  h.step();
  auto reqs = h.http();
  REQUIRE(reqs.size() == 4);
  CHECK(reqs[1].url == "http://api.test/api/messages/5");
  CHECK(reqs[2].method == "PATCH");
  h.respond(reqs[0].http_id, 404, R"({"error":"Not found"})");
  h.respond(reqs[1].http_id, 404, "");
  h.respond(reqs[2].http_id, 403, R"({"error":"You can only edit your own messages"})");
  h.respond(reqs[3].http_id, 502, "<html><body>Bad gateway</body></html>");
  CHECK(result(h, d)->get("data")->as_bool() == false);
  CHECK(result(h, g)->get("data")->is_null());
  CHECK(result(h, u)->get("ok")->as_bool() == false);
  CHECK(result(h, u)->get("status")->as_number() == 403);
  CHECK(result(h, u)->get("error")->as_string() == "You can only edit your own messages");
  CHECK(result(h, l)->get("error")->as_string() == "HTTP 502");
  CHECK(h.engine->update("Message", "5", "[1]", false, h.now, error) == 0);
  CHECK(error == "update: data must be an object");
}

TEST_CASE("reads are served from a live, hydrated view; else over the socket; HTTP-only models over HTTP") {
  Harness h;
  h.open();
  h.watch("Message");
  h.frame(subscribed("Message:list", 0));
  h.respond(h.http("GET").back().http_id, 200, list_body({msg(1, "a"), msg(2, "b")}, 0));
  size_t http_before = h.http().size() + h.answered.size();
  std::string error;
  RequestId cached = h.engine->list("Message", "{}", h.now, error);
  RequestId one = h.engine->get("Message", "2", h.now, error);
  h.step();
  CHECK(h.http().size() + h.answered.size() == http_before);
  CHECK(result(h, cached)->get("data")->get("items")->items().size() == 2);
  CHECK(result(h, cached)->get("data")->get("total")->as_number() == 2);
  CHECK(result(h, one)->get("data")->get("text")->as_string() == "b");
  // A different query of a realtime model: a socket request.
  RequestId ws = h.engine->list("Message", R"({"take":1})", h.now, error);
  h.step();
  CHECK(h.sent().back() == "{\"type\":\"request\",\"requestId\":\"" + std::to_string(ws) +
                               R"(","model":"Message","action":"list","params":{"take":1}})");
  h.frame("{\"type\":\"response\",\"requestId\":\"" + std::to_string(ws) + "\",\"data\":{\"items\":[],\"total\":0}}");
  CHECK(result(h, ws)->get("ok")->as_bool());
  // A model outside pubsub.models is HTTP-only.
  h.engine->list("User", "{}", h.now, error);
  h.step();
  CHECK(h.http("GET").back().url == "http://api.test/api/users");
}

TEST_CASE("requests time out with an error; late answers are ignored") {
  Harness h;
  h.open();
  std::string error;
  RequestId ws = h.engine->get("Message", "3", h.now, error);
  RequestId http = h.engine->get("Notification", "3", h.now, error);
  h.step();
  h.advance(4999);
  CHECK(h.entries("result").empty());
  h.advance(1);
  REQUIRE(h.entries("result").size() == 2);
  CHECK(result(h, ws)->get("error")->as_string() == "request timed out");
  CHECK(result(h, http)->get("error")->as_string() == "request timed out");
  CHECK(h.count(Command::HttpCancel) == 1);
  CHECK(h.engine->stats().timeouts == 2);
  h.frame("{\"type\":\"response\",\"requestId\":\"" + std::to_string(ws) + "\",\"data\":null}");
  h.respond(http, 200, "{}");
  CHECK(h.entries("result").size() == 2);
}

TEST_CASE("custom channels: join, events, presence members, publish, unknown channels") {
  Harness h;
  h.open();
  std::string error;
  REQUIRE(h.engine->join("chat:room:1", h.now, error));
  h.step();
  CHECK(h.sent().back() == R"({"type":"subscribe","channel":"chat:room:1"})");
  h.frame(R"({"type":"subscribed","channel":"chat:room:1","members":[{"userId":1,"name":"alice"}]})");
  CHECK(h.entries("channel").back()->get("members")->items().size() == 1);
  h.frame(R"({"type":"event","channel":"chat:room:1","event":"typing","data":{"on":true},"from":2})");
  auto ev = h.entries("event").back();
  CHECK(ev->get("event")->as_string() == "typing");
  CHECK(ev->get("from")->as_number() == 2);
  REQUIRE(h.engine->publish("chat:room:1", "typing", R"({"on":false})", h.now, error));
  h.step();
  CHECK(h.sent().back() == R"({"type":"publish","channel":"chat:room:1","event":"typing","data":{"on":false}})");
  CHECK(!h.engine->publish("chat:room:1", "dance", "{}", h.now, error));
  CHECK(error.find("not configured") != std::string::npos);
  CHECK(!h.engine->join("lobby", h.now, error));
  CHECK(error.find("unknown channel") != std::string::npos);
  h.frame(R"({"type":"error","channel":"chat:room:1","error":"Unauthorized"})");
  CHECK(h.entries("error").back()->get("channel")->as_string() == "chat:room:1");
  h.engine->leave("chat:room:1", h.now);
  h.step();
  CHECK(h.sent().back() == R"({"type":"unsubscribe","channel":"chat:room:1"})");
}

TEST_CASE("raw listeners receive the seeds' update messages") {
  Harness h;
  h.open();
  std::string error;
  REQUIRE(h.engine->listen("Message:list", true, h.now, error));
  h.step();
  h.frame(update("Message:list", "deleted", "", 4, 1));
  auto u = h.entries("update");
  REQUIRE(u.size() == 1);
  CHECK(u[0]->get("data")->get("type")->as_string() == "deleted");
  CHECK(u[0]->get("data")->get("id")->as_number() == 4);
  CHECK(!h.engine->listen("nonsense", true, h.now, error));
}

TEST_CASE("a mutation's answer flushes the views its echo changed, whatever the batching window") {
  Harness h(default_config(R"({"enabled":true,"flushInterval":10000,"maxBatchSize":1000})"));
  h.open();
  ViewId v = h.watch("Message");
  h.frame(subscribed("Message:list", 0));
  h.respond(h.http("GET").back().http_id, 200, list_body({}, 0));
  std::string error;
  h.engine->create("Message", R"({"text":"hi"})", h.now, error);
  h.step();
  auto post = h.http("POST")[0];
  h.frame(update("Message:list", "created", msg(1, "hi"), 1, 1, header(post, "X-Client-Mutation-Id")));
  CHECK(h.mirrors[v].rows.empty());  // held by the batching window
  h.respond(post.http_id, 201, msg(1, "hi"));
  CHECK(h.mirrors[v].ids() == std::vector<int>{1});  // shown by the time the call resolves
}

TEST_CASE("get is not served from the cache for a record deleted since, or one no live channel covers") {
  Harness h;
  h.open();
  ViewId a = h.watch("Message");
  h.watch("Message", R"({"where":{"roomId":1}})");
  h.frame(subscribed("Message:list", 0));
  for (const auto& c : h.http("GET")) h.respond(c.http_id, 200, list_body({msg(1, "a"), msg(2, "b")}, 0));
  h.engine->refetch(a, h.now);  // a holds record 2 while it refetches: the delete skips it
  h.step();
  h.frame(update("Message:list", "deleted", "", 2, 1));
  std::string error;
  RequestId deleted = h.engine->get("Message", "2", h.now, error);
  h.step();
  CHECK(result(h, deleted) == nullptr);  // asked over the socket, not answered from a deleted copy
  CHECK(h.sent().back().find(R"("action":"get","params":{"id":2})") != std::string::npos);

  // A confirmed item channel covers its own record only; a refused list channel nothing.
  Harness u;
  u.open();
  std::string err;
  u.engine->watch_item("Message", "5", u.now, err);
  u.step();
  u.frame(subscribed("Message:item:5", 0));
  while (!u.http("GET").empty()) u.respond(u.http("GET").back().http_id, 200, msg(5, "e"));  // and its re-read
  u.watch("Message");
  u.frame(R"({"type":"error","channel":"Message:list","error":"Unauthorized"})");
  u.respond(u.http("GET").back().http_id, 200, list_body({msg(7, "g")}, 0));
  RequestId uncovered = u.engine->get("Message", "7", u.now, err);
  RequestId covered = u.engine->get("Message", "5", u.now, err);
  u.step();
  CHECK(result(u, uncovered) == nullptr);
  CHECK(result(u, covered) != nullptr);
}

TEST_CASE("an item channel refused as not_found shows null, not an error, while its GET answers 404") {
  Harness h;
  h.open();
  std::string error;
  ViewId v = h.engine->watch_item("Message", "999", h.now, error);
  h.step();
  h.frame(R"({"type":"error","channel":"Message:item:999","error":"Not found","code":"not_found"})");
  for (auto* e : h.entries("item"))
    if (ViewId(e->get("view")->as_number()) == v) CHECK(e->get("status")->as_string() != "error");
  h.respond(h.http("GET").back().http_id, 404, R"({"error":"Message 999 not found"})");
  auto items = h.entries("item");
  REQUIRE(!items.empty());
  CHECK(items.back()->get("status")->as_string() == "ready");
  CHECK(items.back()->get("data")->is_null());
}
