// Scenario tests: hydration, live updates, seq handling, reconnect catch-up.
#include <catch2/catch.hpp>

#include "engine_harness.h"

using namespace ssot;
using namespace ssot::test;

namespace {
// An open client with a hydrated, confirmed `Message:list` view of messages 1..n.
ViewId live_list(Harness& h, int n, int seq = 0, const std::string& query = "{}") {
  h.open();
  ViewId v = h.watch("Message", query);
  std::vector<std::string> recs;
  for (int i = 1; i <= n; ++i) recs.push_back(msg(i, "m" + std::to_string(i)));
  h.frame(subscribed("Message:list", seq));
  h.respond(h.http("GET").back().http_id, 200, list_body(recs, seq));
  return v;
}
}  // namespace

TEST_CASE("hydrate over HTTP, then stay live over the socket") {
  Harness h;
  h.open();
  ViewId v = h.watch("Message");
  auto gets = h.http("GET");
  REQUIRE(gets.size() == 1);
  CHECK(gets[0].url == "http://api.test/api/messages");
  CHECK(gets[0].headers.end() != std::find(gets[0].headers.begin(), gets[0].headers.end(),
                                           std::make_pair(std::string("Authorization"), std::string("Bearer t0"))));
  REQUIRE(h.sent().back() == R"({"type":"subscribe","channel":"Message:list"})");
  h.frame(subscribed("Message:list", 5));
  h.respond(gets[0].http_id, 200, list_body({msg(1, "a"), msg(2, "b")}, 5));
  CHECK(h.mirrors[v].ids() == std::vector<int>{1, 2});
  CHECK(h.mirrors[v].status == "ready");
  h.frame(update("Message:list", "created", msg(3, "c"), 3, 6));
  h.frame(update("Message:list", "updated", msg(1, "A"), 1, 7));
  h.frame(update("Message:list", "deleted", "", 2, 8));
  CHECK(h.mirrors[v].ids() == std::vector<int>{1, 3});
  CHECK(h.mirrors[v].rows[0] == Json::parse(msg(1, "A"))->dump());
  CHECK(h.mirrors[v].total == 2);
  CHECK(h.engine->stats().updates_applied == 3);
}

TEST_CASE("two overlapping views of one model share records and stay right") {
  Harness h;
  h.open();
  ViewId all = h.watch("Message");
  ViewId room2 = h.watch("Message", R"({"where":{"roomId":2},"orderBy":{"createdAt":"desc"}})");
  auto gets = h.http("GET");
  REQUIRE(gets.size() == 2);
  CHECK(gets[1].url.find("?where=%7B%22roomId%22%3A2%7D&orderBy=") != std::string::npos);
  h.frame(subscribed("Message:list", 0));
  h.respond(gets[0].http_id, 200, list_body({msg(1, "a", 1), msg(2, "b", 2), msg(3, "c", 2)}, 0));
  h.respond(gets[1].http_id, 200, list_body({msg(3, "c", 2), msg(2, "b", 2)}, 0));
  CHECK(h.mirrors[room2].ids() == std::vector<int>{3, 2});
  // Only one subscription for both views.
  auto sent = h.sent();
  CHECK(std::count(sent.begin(), sent.end(), R"({"type":"subscribe","channel":"Message:list"})") == 1);
  h.frame(update("Message:list", "updated", msg(1, "a", 2, 10), 1, 1));  // enters room 2, newest first
  h.frame(update("Message:list", "updated", msg(3, "c", 1), 3, 2));      // leaves room 2
  CHECK(h.mirrors[room2].ids() == std::vector<int>{1, 2});
  CHECK(h.mirrors[room2].total == 2);
  CHECK(h.mirrors[all].ids() == std::vector<int>{1, 2, 3});
  CHECK(h.engine->stats().records == 3);
  h.engine->close_view(room2, h.now);
  h.step();
  CHECK(h.sent().back() != R"({"type":"unsubscribe","channel":"Message:list"})");  // still used by `all`
  h.engine->close_view(all, h.now);
  h.step();
  CHECK(h.sent().back() == R"({"type":"unsubscribe","channel":"Message:list"})");
  CHECK(h.engine->stats().records == 0);
}

TEST_CASE("updates arriving during hydration are held; those in the snapshot are dropped") {
  Harness h;
  h.open();
  ViewId v = h.watch("Message");
  h.frame(subscribed("Message:list", 10));
  h.frame(update("Message:list", "created", msg(3, "c"), 3, 11));   // in the snapshot
  h.frame(update("Message:list", "updated", msg(1, "A"), 1, 12));   // after it
  h.frame(update("Message:list", "deleted", "", 2, 13));            // after it
  CHECK(h.mirrors[v].rows.empty());
  h.respond(h.http("GET").back().http_id, 200, list_body({msg(1, "a"), msg(2, "b"), msg(3, "c")}, 11));
  CHECK(h.mirrors[v].ids() == std::vector<int>{1, 3});
  CHECK(h.mirrors[v].rows[0] == Json::parse(msg(1, "A"))->dump());
  h.frame(update("Message:list", "created", msg(4, "d"), 4, 14));
  CHECK(h.mirrors[v].ids() == std::vector<int>{1, 3, 4});
  CHECK(h.engine->stats().gaps == 0);
}

TEST_CASE("a snapshot older than the subscription start is refetched") {
  Harness h;
  h.open();
  h.watch("Message");
  h.frame(subscribed("Message:list", 20));
  h.respond(h.http("GET").back().http_id, 200, list_body({msg(1, "a")}, 18));  // 19 and 20 were never seen
  REQUIRE(h.http("GET").size() == 1);  // a second hydration went out
}

TEST_CASE("a seq gap re-hydrates the channel's views; duplicates are dropped") {
  Harness h;
  ViewId v = live_list(h, 2, 5);
  h.frame(update("Message:list", "updated", msg(1, "x"), 1, 6));
  h.frame(update("Message:list", "updated", msg(1, "y"), 1, 6));  // duplicate
  CHECK(h.engine->stats().duplicates == 1);
  CHECK(h.mirrors[v].rows[0] == Json::parse(msg(1, "x"))->dump());
  CHECK(h.http("GET").empty());
  h.frame(update("Message:list", "created", msg(9, "z"), 9, 9));  // 7 and 8 lost
  CHECK(h.engine->stats().gaps == 1);
  auto gets = h.http("GET");
  REQUIRE(gets.size() == 1);
  h.respond(gets[0].http_id, 200, list_body({msg(1, "x"), msg(7, "seven"), msg(9, "z")}, 9));
  CHECK(h.mirrors[v].ids() == std::vector<int>{1, 7, 9});
  h.frame(update("Message:list", "deleted", "", 7, 10));
  CHECK(h.mirrors[v].ids() == std::vector<int>{1, 9});
}

TEST_CASE("reconnect resubscribes with since; the server's replay applies; resync re-hydrates") {
  Harness h;
  ViewId v = live_list(h, 2, 3);
  h.frame(update("Message:list", "created", msg(3, "c"), 3, 4));
  h.close(1006);
  CHECK(h.conn_state() == "reconnecting");
  h.advance(1000);  // first retry after the base delay
  h.engine->on_open(h.now);
  h.step();
  CHECK(h.sent().back() == R"({"type":"subscribe","channel":"Message:list","since":4})");
  h.frame(subscribed("Message:list", 6));
  h.frame(update("Message:list", "created", msg(5, "e"), 5, 5));
  h.frame(update("Message:list", "deleted", "", 1, 6));
  CHECK(h.mirrors[v].ids() == std::vector<int>{2, 3, 5});
  CHECK(h.http("GET").empty());  // replay was enough

  h.close(1012);
  h.advance(1000);
  h.engine->on_open(h.now);
  h.step();
  CHECK(h.sent().back() == R"({"type":"subscribe","channel":"Message:list","since":6})");
  h.frame(subscribed("Message:list", 2000));
  h.frame(R"({"type":"resync","channel":"Message:list"})");
  CHECK(h.engine->stats().resyncs == 1);
  auto gets = h.http("GET");
  REQUIRE(gets.size() == 1);
  h.respond(gets[0].http_id, 200, list_body({msg(2, "b"), msg(8, "h")}, 2000));
  CHECK(h.mirrors[v].ids() == std::vector<int>{2, 8});
  h.frame(update("Message:list", "created", msg(9, "i"), 9, 2001));
  CHECK(h.mirrors[v].ids() == std::vector<int>{2, 8, 9});
  CHECK(h.engine->stats().gaps == 0);
}

TEST_CASE("without seq (a seed-only server) every reconnect re-hydrates") {
  Harness h;
  h.open();
  ViewId v = h.watch("Message");
  h.frame(subscribed("Message:list"));
  h.respond(h.http("GET").back().http_id, 200, "[" + msg(1, "a") + "]");  // a bare array
  CHECK(h.mirrors[v].ids() == std::vector<int>{1});
  h.frame(update("Message:list", "created", msg(2, "b"), 2));
  h.close(1006);
  h.advance(1000);
  h.engine->on_open(h.now);
  h.step();
  CHECK(h.sent().back() == R"({"type":"subscribe","channel":"Message:list"})");
  h.frame(subscribed("Message:list"));
  auto gets = h.http("GET");
  REQUIRE(gets.size() == 1);
  h.respond(gets[0].http_id, 200, "[" + msg(1, "a") + "," + msg(2, "b") + "," + msg(3, "c") + "]");
  CHECK(h.mirrors[v].ids() == std::vector<int>{1, 2, 3});
}

TEST_CASE("a list answer is read as JSON.parse reads it: whitespace around it, the last duplicate, escaped keys") {
  Harness h;
  h.open();
  ViewId v = h.watch("Message");
  h.frame(subscribed("Message:list"));
  const std::string body = " \n{\"items\":[" + msg(9, "old") + "],\"total\":1,\"items\":[" + msg(1, "a") +
                           ",{\"\\u0069d\":2,\"text\":\"b\"},{\"text\":\"no id\"}],\"total\":2} \n";
  h.respond(h.http("GET").back().http_id, 200, body);
  CHECK(h.mirrors[v].ids() == std::vector<int>{1, 2});
  CHECK(h.mirrors[v].total == 2);
  CHECK(h.engine->stats().malformed == 1);  // the record without an id
  ViewId w = h.watch("Message", R"({"where":{"text":"a"}})");
  h.respond(h.http("GET").back().http_id, 200, "{\"items\":[" + msg(1, "a") + "]} x");
  CHECK(h.mirrors[w].status == "error");
  CHECK(h.mirrors[w].error == "invalid list response: expected {items, total} or an array");
}

TEST_CASE("malformed frames mixed into a valid stream are reported and the valid ones still apply") {
  Harness h;
  ViewId v = live_list(h, 1, 0);
  h.frame("{not json");
  h.frame(update("Message:list", "created", msg(2, "b"), 2, 1));
  h.frame(R"({"type":"update","channel":"Message:list","data":{"type":"created"},"seq":2})");  // no record
  h.frame(R"({"type":"telepathy","channel":"Message:list"})");                                 // unknown type
  h.frame(R"({"type":"update","channel":"Message:list","data":{"type":"created","data":{"id":3}},"seq":-4})");
  h.frame(update("Message:list", "created", msg(3, "c"), 3, 2));
  h.frame(std::string(2 << 20, ' '));  // oversized
  CHECK(h.mirrors[v].ids() == std::vector<int>{1, 2, 3});
  auto s = h.engine->stats();
  CHECK(s.malformed == 4);
  CHECK(s.unknown_frames == 1);
  CHECK(h.entries("error").size() == 4);
  CHECK(h.entries("error")[0]->get("error")->as_string() == "invalid JSON object");
}

TEST_CASE("a sorted, filtered view moves records and keeps total right") {
  Harness h;
  ViewId v = live_list(h, 0, 0, R"({"where":{"roomId":{"in":[1,2]}},"orderBy":[{"createdAt":"asc"}]})");
  h.frame(update("Message:list", "created", msg(1, "a", 1, 30), 1, 1));
  h.frame(update("Message:list", "created", msg(2, "b", 2, 10), 2, 2));
  h.frame(update("Message:list", "created", msg(3, "c", 3, 20), 3, 3));  // room 3: not in the view
  h.frame(update("Message:list", "created", msg(4, "d", 1, 20), 4, 4));
  CHECK(h.mirrors[v].ids() == std::vector<int>{2, 4, 1});
  h.frame(update("Message:list", "updated", msg(2, "b", 2, 40), 2, 5));  // moves to the end
  CHECK(h.mirrors[v].ids() == std::vector<int>{4, 1, 2});
  h.frame(update("Message:list", "updated", msg(3, "c", 1, 5), 3, 6));  // enters at the front
  CHECK(h.mirrors[v].ids() == std::vector<int>{3, 4, 1, 2});
  h.frame(update("Message:list", "updated", msg(4, "d", 9, 20), 4, 7));  // leaves
  CHECK(h.mirrors[v].ids() == std::vector<int>{3, 1, 2});
  CHECK(h.mirrors[v].total == 3);
}

TEST_CASE("a server page refetches when a record enters or leaves it") {
  Harness h;
  h.open();
  ViewId v = h.watch("Message", R"({"take":2})");
  h.frame(subscribed("Message:list", 0));
  h.respond(h.http("GET").back().http_id, 200, list_body({msg(1, "a"), msg(2, "b")}, 0, 5));
  CHECK(h.mirrors[v].total == 5);
  h.frame(update("Message:list", "updated", msg(2, "B"), 2, 1));  // in place: no refetch
  CHECK(h.mirrors[v].rows[1] == Json::parse(msg(2, "B"))->dump());
  CHECK(h.http("GET").empty());
  h.frame(update("Message:list", "deleted", "", 1, 2));
  auto gets = h.http("GET");
  REQUIRE(gets.size() == 1);
  CHECK(gets[0].url == "http://api.test/api/messages?take=2");
  h.respond(gets[0].http_id, 200, list_body({msg(2, "B"), msg(3, "c")}, 2, 4));
  CHECK(h.mirrors[v].ids() == std::vector<int>{2, 3});
  CHECK(h.mirrors[v].total == 4);
}

TEST_CASE("item views follow their record and become null when it is deleted") {
  Harness h;
  h.open();
  std::string error;
  ViewId item = h.engine->watch_item("Message", "\"7\"", h.now, error);
  h.step();
  CHECK(h.sent().back() == R"({"type":"subscribe","channel":"Message:item:7"})");
  auto gets = h.http("GET");
  REQUIRE(gets.size() == 1);
  CHECK(gets[0].url == "http://api.test/api/messages/7");
  h.frame(subscribed("Message:item:7", 0));
  h.respond(gets[0].http_id, 200, msg(7, "seven"));
  // That GET started before the subscription was confirmed (it may predate it): read again.
  auto again = h.http("GET");
  REQUIRE(again.size() == 1);
  CHECK(again[0].url == "http://api.test/api/messages/7");
  h.respond(again[0].http_id, 200, msg(7, "seven"));
  CHECK(h.entries("item").back()->get("data")->get("text")->as_string() == "seven");
  h.frame(update("Message:item:7", "updated", msg(7, "SEVEN"), 7, 1));
  CHECK(h.entries("item").back()->get("data")->get("text")->as_string() == "SEVEN");
  h.frame(update("Message:item:7", "deleted", "", 7, 2));
  CHECK(h.entries("item").back()->get("data")->is_null());
  CHECK(h.entries("item").back()->get("view")->as_number() == item);
}

TEST_CASE("a 404 item hydrates to null; an HTTP error surfaces on the view") {
  Harness h;
  h.open();
  std::string error;
  h.engine->watch_item("Message", "8", h.now, error);
  ViewId list = h.watch("Message");
  auto gets = h.http("GET");
  h.respond(gets[0].http_id, 404, R"({"error":"Not found"})");
  CHECK(h.entries("item").back()->get("data")->is_null());
  CHECK(h.entries("item").back()->get("status")->as_string() == "ready");
  h.respond(gets[1].http_id, 403, R"({"error":"Forbidden: admins only"})");
  CHECK(h.mirrors[list].status == "error");
  CHECK(h.mirrors[list].error == "Forbidden: admins only");
  CHECK(h.engine->watch_item("Message", "{}", h.now, error) == 0);
  CHECK(error.find("id") != std::string::npos);
}

TEST_CASE("a denied subscription puts the view in error, others keep working") {
  Harness h;
  ViewId ok = live_list(h, 1, 0);
  ViewId denied = h.watch("Product");
  h.frame(R"({"type":"error","channel":"Product:list","error":"Unauthorized"})");
  CHECK(h.mirrors[denied].status == "error");
  CHECK(h.mirrors[denied].error == "Unauthorized");
  h.frame(update("Message:list", "created", msg(2, "b"), 2, 1));
  CHECK(h.mirrors[ok].ids() == std::vector<int>{1, 2});
}

TEST_CASE("a view whose channel was refused is ready again when the next socket takes the channel") {
  // A refusal (an expired token, say) puts the view in error while it is not live; the
  // next socket's subscription, replayed from its seq, makes it live again.
  Harness h;
  ViewId v = live_list(h, 1, 0);
  reconnect(h);
  h.frame(R"({"type":"error","channel":"Message:list","error":"Unauthorized"})");
  CHECK(h.mirrors[v].status == "error");
  reconnect(h);
  h.frame(subscribed("Message:list", 1));
  h.frame(update("Message:list", "created", msg(2, "b"), 2, 1));
  CHECK(h.mirrors[v].status == "ready");
  CHECK(h.mirrors[v].ids() == std::vector<int>{1, 2});
}

TEST_CASE("a view refused before its first read is loading again when the next socket takes the channel") {
  // It showed the refusal; live again with no rows yet, it waits for its read, and says so
  // (it kept saying "Unauthorized" until the read landed).
  Harness h;
  h.open();
  ViewId v = h.watch("Message");
  h.frame(R"({"type":"error","channel":"Message:list","error":"Unauthorized"})");
  CHECK(h.mirrors[v].status == "error");
  reconnect(h);
  h.frame(subscribed("Message:list", 0));
  CHECK(h.mirrors[v].status == "loading");
  CHECK(h.mirrors[v].error.empty());
  h.respond(h.http("GET").back().http_id, 200, list_body({msg(1, "a")}, 0));
  CHECK(h.mirrors[v].status == "ready");
  CHECK(h.mirrors[v].ids() == std::vector<int>{1});
}

TEST_CASE("a view whose read failed stays in error when its refused channel is taken again") {
  Harness h;
  ViewId v = live_list(h, 1, 0);
  h.engine->refetch(v, h.now);
  h.step();
  h.respond(h.http("GET").back().http_id, 403, R"({"error":"Forbidden: admins only"})");  // not retried
  reconnect(h);
  h.frame(R"({"type":"error","channel":"Message:list","error":"Unauthorized"})");
  reconnect(h);
  h.frame(subscribed("Message:list", 0));
  CHECK(h.mirrors[v].status == "error");
}

TEST_CASE("a refused subscription keeps the view in error when its HTTP data lands") {
  Harness h;
  h.open();
  ViewId v = h.watch("Product");
  h.frame(R"({"type":"error","channel":"Product:list","error":"Unknown channel"})");
  h.respond(h.http("GET").back().http_id, 200, list_body({R"({"id":1,"name":"x"})"}, 0));
  CHECK(h.mirrors[v].status == "error");
  CHECK(h.mirrors[v].error == "Unknown channel");
  CHECK(h.mirrors[v].ids() == std::vector<int>{1});  // the data is shown, but not as live
}

TEST_CASE("a bogus far-ahead seq does not make the view reload forever") {
  Harness h;
  ViewId v = live_list(h, 1, 3);
  h.frame(update("Message:list", "created", msg(2, "b"), 2, 1000000000));  // a gap: re-hydrate
  int fetches = 0;
  for (int i = 0; i < 10 && !h.http("GET").empty(); ++i, ++fetches)
    h.respond(h.http("GET").back().http_id, 200, list_body({msg(1, "a"), msg(2, "b")}, 4));
  CHECK(fetches <= 4);  // three snapshots behind, then the server's numbering is adopted
  CHECK(h.http("GET").empty());
  CHECK(h.entries("error").back()->get("error")->as_string().find("resynchronized") != std::string::npos);
  h.frame(update("Message:list", "created", msg(3, "c"), 3, 5));  // the real stream goes on
  CHECK(h.mirrors[v].ids() == std::vector<int>{1, 2, 3});
}

TEST_CASE("a record deleted and re-created while its view refetches stays in the view") {
  // The view skips the delete (it is refetching) and still holds the record: the store
  // must keep it, or the re-created copy is collected and the view drops it.
  Harness h;
  ViewId v = live_list(h, 2, 5);
  h.frame(update("Message:list", "created", msg(9, "z"), 9, 7));  // 6 lost: refetch
  REQUIRE(h.http("GET").size() == 1);
  h.frame(update("Message:list", "deleted", "", 1, 8));
  h.frame(update("Message:list", "created", msg(1, "again"), 1, 9));
  h.respond(h.http("GET").back().http_id, 200, list_body({msg(1, "again"), msg(2, "m2"), msg(9, "z")}, 9));
  CHECK(h.mirrors[v].ids() == std::vector<int>{1, 2, 9});
  CHECK(h.mirrors[v].rows[0] == Json::parse(msg(1, "again"))->dump());
  h.frame(update("Message:list", "updated", msg(2, "two"), 2, 10));
  CHECK(h.mirrors[v].ids() == std::vector<int>{1, 2, 9});
  h.frame(update("Message:list", "deleted", "", 1, 11));
  CHECK(h.mirrors[v].ids() == std::vector<int>{2, 9});
  h.engine->close_view(v, h.now);
  CHECK(h.engine->stats().records == 0);
}

TEST_CASE("an item view's held updates never put back an older version than the store has") {
  Harness h;
  h.open();
  ViewId list = h.watch("Message");
  std::string error;
  h.engine->watch_item("Message", "2", h.now, error);
  h.frame(subscribed("Message:list", 0));
  h.frame(subscribed("Message:item:2", 0));
  h.frame(update("Message:list", "updated", msg(2, "old"), 2, 1));  // both views hold it
  auto gets = h.http("GET");
  REQUIRE(gets.size() == 2);
  // Both answers were read after seq 2 changed the record again.
  h.respond(gets[0].http_id, 200, list_body({msg(1, "a"), msg(2, "new")}, 2));
  h.respond(gets[1].http_id, 200, msg(2, "new"));
  CHECK(h.entries("item").back()->get("data")->get("text")->as_string() == "new");
  CHECK(h.mirrors[list].rows[1] == Json::parse(msg(2, "new"))->dump());
  // The item's GET started before the channels confirmed: it reads again (same answer).
  REQUIRE(h.http("GET").size() == 1);
  h.respond(h.http("GET")[0].http_id, 200, msg(2, "new"));
  h.frame(update("Message:list", "updated", msg(2, "new"), 2, 2));  // the queued seq 2 lands: no change
  h.frame(update("Message:list", "updated", msg(2, "newer"), 2, 3));
  CHECK(h.entries("item").back()->get("data")->get("text")->as_string() == "newer");
  CHECK(h.mirrors[list].rows[1] == Json::parse(msg(2, "newer"))->dump());
}

TEST_CASE("a held update replayed for one view re-sorts every other view showing that record") {
  // A seed server (no seq): held updates are applied after each snapshot, whatever their age.
  // When one view's replay changes the stored text, a view already showing the record must
  // re-read it, or it stays sorted by text the store no longer has.
  Harness h;
  h.open();
  ViewId by_text = h.watch("Message", R"({"orderBy":{"text":"asc"}})");
  h.watch("Message");
  h.frame(subscribed("Message:list"));
  h.frame(update("Message:list", "created", msg(10, "a"), 10));  // held by both
  auto gets = h.http("GET");
  REQUIRE(gets.size() == 2);
  h.respond(gets[0].http_id, 200, list_body({msg(1, "m"), msg(10, "z")}));
  CHECK(h.mirrors[by_text].ids() == std::vector<int>{10, 1});
  h.respond(gets[1].http_id, 200, list_body({msg(1, "m"), msg(10, "z")}));  // "z", then the held "a" again
  CHECK(h.mirrors[by_text].rows[0] == Json::parse(msg(10, "a"))->dump());
  CHECK(h.mirrors[by_text].ids() == std::vector<int>{10, 1});
}

TEST_CASE("a snapshot older than the live views does not bring a deleted record back to them") {
  Harness h;
  ViewId live = live_list(h, 2, 0);
  ViewId late = h.watch("Message", R"({"orderBy":{"id":"desc"}})");  // its snapshot is read now...
  h.frame(update("Message:list", "deleted", "", 2, 1));               // ...then 2 is deleted
  CHECK(h.mirrors[live].ids() == std::vector<int>{1});
  h.respond(h.http("GET").back().http_id, 200, list_body({msg(2, "m2"), msg(1, "m1")}, 0));
  CHECK(h.mirrors[late].ids() == std::vector<int>{1});  // it replays the held delete
  CHECK(h.mirrors[live].ids() == std::vector<int>{1});  // and 2 never came back here
}

TEST_CASE("an item view's held updates for a record deleted since do not reach the list views") {
  Harness h;
  ViewId list = live_list(h, 2, 0);
  std::string error;
  h.engine->watch_item("Message", "2", h.now, error);
  h.frame(subscribed("Message:item:2", 0));
  h.respond(h.http("GET").back().http_id, 200, msg(2, "m2"));
  h.frame(update("Message:list", "updated", msg(2, "x"), 2, 2));  // 1 lost: both refetch and hold it
  h.frame(update("Message:list", "deleted", "", 2, 3));
  auto gets = h.http("GET");
  REQUIRE(gets.size() == 2);
  h.respond(gets[0].http_id, 200, list_body({msg(1, "m1")}, 3));
  h.respond(gets[1].http_id, 404, R"({"error":"Not found"})");
  CHECK(h.entries("item").back()->get("data")->is_null());
  CHECK(h.mirrors[list].ids() == std::vector<int>{1});
  CHECK(h.engine->stats().records == 1);
}

TEST_CASE("a record deleted and re-created with the same text comes back to the views that dropped it") {
  // The refetching view skips the delete and keeps the record in the store: the re-create,
  // same text, must still count as a change for the view that did drop it.
  Harness h;
  ViewId live = live_list(h, 2, 0);
  ViewId other = h.watch("Message", R"({"orderBy":{"id":"desc"}})");
  h.respond(h.http("GET").back().http_id, 200, list_body({msg(2, "m2"), msg(1, "m1")}, 0));
  h.engine->refetch(other, h.now);
  h.step();
  h.frame(update("Message:list", "deleted", "", 1, 1));
  CHECK(h.mirrors[live].ids() == std::vector<int>{2});
  h.frame(update("Message:list", "created", msg(1, "m1"), 1, 2));
  CHECK(h.mirrors[live].ids() == std::vector<int>{1, 2});
  h.respond(h.http("GET").back().http_id, 200, list_body({msg(2, "m2"), msg(1, "m1")}, 2));
  CHECK(h.mirrors[other].ids() == std::vector<int>{2, 1});
}

TEST_CASE("a view behind a newer snapshot takes the stored version when the older updates arrive") {
  Harness h;
  ViewId live = live_list(h, 2, 0);
  ViewId late = h.watch("Message", R"({"orderBy":{"id":"desc"}})");
  // Read after 1 was deleted (seq 1) and re-created (seq 2); the live view has seen neither.
  h.respond(h.http("GET").back().http_id, 200, list_body({msg(2, "m2"), msg(1, "new")}, 2));
  // The store holds 1 at seq 2: the delete is older than that text, so the live view
  // shows the record as the store does rather than dropping it until the re-create.
  h.frame(update("Message:list", "deleted", "", 1, 1));
  CHECK(h.mirrors[live].ids() == std::vector<int>{1, 2});
  CHECK(h.mirrors[live].rows[0] == Json::parse(msg(1, "new"))->dump());
  CHECK(h.mirrors[late].ids() == std::vector<int>{2, 1});  // already past it
  h.frame(update("Message:list", "created", msg(1, "new"), 1, 2));
  CHECK(h.mirrors[live].ids() == std::vector<int>{1, 2});
  CHECK(h.mirrors[live].rows[0] == Json::parse(msg(1, "new"))->dump());
  CHECK(h.mirrors[late].ids() == std::vector<int>{2, 1});
}

TEST_CASE("a snapshot behind the channel that rewrites a held record re-sorts the views holding it") {
  // The views' sort keys must follow the store's text: a snapshot behind the channel
  // still writes a record whose stored copy is not newer (here a server that sent one
  // text at seq 2 and reads another at seq 2), and every view holding it must re-place it.
  Harness h;
  ViewId sorted = live_list(h, 2, 1, R"({"orderBy":{"createdAt":"asc"}})");
  h.frame(update("Message:list", "updated", msg(1, "m1", 1, 300), 1, 2));
  h.frame(update("Message:list", "updated", msg(2, "m2", 1, 250), 2, 3));
  CHECK(h.mirrors[sorted].ids() == std::vector<int>{2, 1});
  ViewId late = h.watch("Message");
  h.respond(h.http("GET").back().http_id, 200, list_body({msg(1, "m1", 1, 100), msg(2, "m2", 1, 250)}, 2));
  CHECK(h.mirrors[late].ids().empty());  // behind: it reads again before it shows anything
  CHECK(h.mirrors[sorted].rows[0] == Json::parse(msg(1, "m1", 1, 100))->dump());
  CHECK(h.mirrors[sorted].ids() == std::vector<int>{1, 2});
}

TEST_CASE("a snapshot behind the channel but covered by its buffer brings what a lost frame changed") {
  // A gap moves the channel's seq past a lost change of record 1; the view's next
  // snapshot is read before a later frame, so it is behind but its buffer covers it.
  // Its copy of 1 (seq 12) is newer than the stored one (seq 10): it is written.
  Harness h;
  ViewId v = live_list(h, 2, 10);
  h.frame(update("Message:list", "created", msg(3, "c"), 3, 12));  // 11 (1 -> "A") was lost
  auto gets = h.http("GET");
  REQUIRE(gets.size() == 1);
  h.frame(update("Message:list", "updated", msg(3, "C"), 3, 13));
  h.respond(gets[0].http_id, 200, list_body({msg(1, "A"), msg(2, "m2"), msg(3, "c")}, 12));
  CHECK(h.http("GET").empty());  // covered: frame 13 is in its buffer
  CHECK(h.mirrors[v].ids() == std::vector<int>{1, 2, 3});
  CHECK(h.mirrors[v].rows[0] == Json::parse(msg(1, "A"))->dump());
  CHECK(h.mirrors[v].rows[2] == Json::parse(msg(3, "C"))->dump());
}

TEST_CASE("an item view's answer, read before a delete, does not bring the record into list views") {
  Harness h;
  h.open();
  ViewId list = h.watch("Message");
  std::string error;
  h.engine->watch_item("Message", "2", h.now, error);
  h.frame(subscribed("Message:list", 1));
  auto gets = h.http("GET");
  REQUIRE(gets.size() == 2);
  h.respond(gets[0].http_id, 200, list_body({msg(1, "a")}, 1));  // 2 was deleted at seq 1
  h.respond(gets[1].http_id, 200, msg(2, "b"));                 // a GET read before that
  CHECK(h.mirrors[list].ids() == std::vector<int>{1});
  // A record the list views lack still reaches them through the list channel, same text or not.
  h.frame(update("Message:list", "created", msg(2, "b"), 2, 2));
  CHECK(h.mirrors[list].ids() == std::vector<int>{1, 2});
}

namespace {
// An item view of record 2, live over its own channel, showing "old".
ViewId live_item_2(Harness& h) {
  h.open();
  std::string error;
  ViewId item = h.engine->watch_item("Message", "2", h.now, error);
  h.step();
  h.frame(subscribed("Message:item:2", 0));
  h.respond(h.http("GET").back().http_id, 200, msg(2, "old", 2));
  REQUIRE(h.http("GET").size() == 1);  // read again: the first began before the channel was live
  h.respond(h.http("GET").back().http_id, 200, msg(2, "old", 2));
  return item;
}

// While the socket is down record 2 changes (list seq 1) and a filtered view reads its page
// at seq 1 without it; the list resubscribes from seq 1, so it will not bring that change.
// The server answers the list's subscription before the item channel's replay of it.
void change_unseen_by_the_list_then_list_confirmed_first(Harness& h) {
  h.close(1006);
  ViewId room1 = h.watch("Message", R"({"where":{"roomId":1}})");
  h.respond(h.http("GET").back().http_id, 200, list_body({msg(1, "a")}, 1));
  CHECK(h.mirrors[room1].ids() == std::vector<int>{1});
  h.advance(1000);
  h.engine->on_open(h.now);
  h.step();
  CHECK(h.subscribe_of("Message:list").find("\"since\":1") != std::string::npos);
  h.frame(subscribed("Message:list", 1));
  h.frame(subscribed("Message:item:2", 1));
  h.frame(update("Message:item:2", "updated", msg(2, "new", 2), 2, 1));
}
}  // namespace

TEST_CASE("an item channel's replay after the list is confirmed brings a change the list's page did not hold") {
  // Skipped as "the list brings it", the replay left the item showing the old text for good
  // (engine_stream, once the list's subscribe went first).
  Harness h;
  live_item_2(h);
  change_unseen_by_the_list_then_list_confirmed_first(h);
  for (auto& get : h.http("GET")) h.respond(get.http_id, 200, msg(2, "new", 2));  // a read again, if any
  CHECK(h.entries("item").back()->get("data")->get("text")->as_string() == "new");
}

TEST_CASE("an item channel's replay after the list is confirmed rereads an item whose read began on the lost socket") {
  // The same with the item's read in flight since before the socket dropped (begun while its
  // channel was live): it may predate the change the replay brings, and it lands after it.
  Harness h;
  ViewId item = live_item_2(h);
  h.engine->refetch(item, h.now);
  h.step();
  auto before = h.http("GET");
  REQUIRE(before.size() == 1);
  change_unseen_by_the_list_then_list_confirmed_first(h);
  h.respond(before[0].http_id, 200, msg(2, "old", 2));  // read before the change
  for (int i = 0; i < 3 && !h.http("GET").empty(); ++i) h.respond(h.http("GET").back().http_id, 200, msg(2, "new", 2));
  CHECK(h.entries("item").back()->get("data")->get("text")->as_string() == "new");
}

TEST_CASE("after a reconnect, an item channel's replay does not undo a newer list snapshot") {
  Harness h;
  ViewId list = live_list_and_item(h, 1, {msg(1, "a"), msg(2, "b")});
  h.close(1006);
  h.advance(1000);  // reconnects: both channels resubscribe with `since`
  h.engine->on_open(h.now);
  h.step();
  CHECK(h.subscribe_of("Message:list").find("\"since\":1") != std::string::npos);
  h.engine->refetch(list, h.now);  // a snapshot read after two more changes of record 2
  h.step();
  h.respond(h.http("GET").back().http_id, 200, list_body({msg(1, "a"), msg(2, "new")}, 3));
  CHECK(h.mirrors[list].rows[1] == Json::parse(msg(2, "new"))->dump());
  // The item channel's replay (its own seq 1, the list's seq 2) comes before the list's.
  h.frame(subscribed("Message:item:2", 2));
  h.frame(update("Message:item:2", "updated", msg(2, "old"), 2, 1));
  CHECK(h.mirrors[list].rows[1] == Json::parse(msg(2, "new"))->dump());
  h.frame(subscribed("Message:list", 3));
  h.frame(update("Message:list", "updated", msg(2, "old"), 2, 2));
  h.frame(update("Message:list", "updated", msg(2, "new"), 2, 3));
  h.frame(update("Message:item:2", "updated", msg(2, "new"), 2, 2));
  CHECK(h.mirrors[list].rows[1] == Json::parse(msg(2, "new"))->dump());
  CHECK(h.entries("item").back()->get("data")->get("text")->as_string() == "new");
  CHECK(h.entries("item").back()->get("view")->as_number() == list + 1);  // the item view
}

TEST_CASE("a refused list resubscription makes item views read their record again") {
  Harness h;
  live_list_and_item(h, 1, {msg(2, "b")});
  h.close(1006);
  h.advance(1000);
  h.engine->on_open(h.now);
  h.step();
  size_t before = h.http("GET").size();
  // The item channel's replay is skipped (the list channel would replay it)...
  h.frame(subscribed("Message:item:2", 1));
  h.frame(update("Message:item:2", "updated", msg(2, "changed"), 2, 1));
  // ...but the list channel is refused this time: the item view reads its record again.
  h.frame(R"({"type":"error","channel":"Message:list","error":"Too many subscriptions"})");
  auto after = h.http("GET");
  REQUIRE(after.size() == before + 1);
  CHECK(after.back().url == "http://api.test/api/messages/2");
  h.respond(after.back().http_id, 200, msg(2, "changed"));
  CHECK(h.entries("item").back()->get("data")->get("text")->as_string() == "changed");
}

namespace {
// An item view of 2 and a list of room 1, the list channel refused: the item channel's
// `copies` arrive while both GETs are in flight, then the list is read (after them) and
// the GET answers, both with the record's latest text (room 1). The copies are unordered
// against that read: the item reads again, and the list shows the record throughout.
void held_copies_then_later_read(const std::vector<std::string>& copies, int item_status = 200) {
  Harness h;
  h.open();
  std::string error;
  h.engine->watch_item("Message", "2", h.now, error);
  ViewId list = h.watch("Message", R"({"where":{"roomId":1}})");
  h.step();
  auto gets = h.http("GET");
  REQUIRE(gets.size() == 2);
  h.frame(R"({"type":"error","channel":"Message:list","error":"Forbidden"})");
  h.frame(subscribed("Message:item:2", 0));
  for (const auto& c : copies) h.frame(c);
  h.respond(gets[1].http_id, 200, list_body({msg(1, "a"), msg(2, "new")}, 2));
  h.respond(gets[0].http_id, item_status, item_status == 200 ? msg(2, "new") : R"({"error":"busy"})");
  CHECK(h.mirrors[list].ids() == std::vector<int>{1, 2});
  advance_until_get(h);  // at once; after a failure, when it tries again
  auto again = h.http("GET");
  REQUIRE(again.size() == 1);
  h.respond(again.back().http_id, 200, msg(2, "new"));
  CHECK(h.mirrors[list].ids() == std::vector<int>{1, 2});
  CHECK(h.entries("item").back()->get("data")->get("text")->as_string() == "new");
}
}  // namespace

TEST_CASE("an item copy held while the list channel is refused does not undo a list read that came after it") {
  // Found by engine_stream once its server could refuse the list (regression-held-item-
  // copy-over-list-read-while-refused). Replayed after the GET, the copy put the older text
  // back: the filtered view dropped the record, and the item's next read, which only views
  // holding it take, did not bring it back.
  held_copies_then_later_read({update("Message:item:2", "updated", msg(2, "old", 2), 2, 1)});  // room 2 then
}

TEST_CASE("item copies held while the list channel is refused are not replayed over a later one") {
  // Two copies, the list read bringing the second one's text (the store does not change
  // then): replayed after the GET, the first undid the second in the store and the filtered
  // view dropped the record (regression-held-item-copies-replayed-out-of-order).
  held_copies_then_later_read({update("Message:item:2", "updated", msg(2, "old", 2), 2, 1),
                               update("Message:item:2", "updated", msg(2, "new"), 2, 2)});
}

TEST_CASE("item copies held while the list channel is refused are not replayed when the item's read fails") {
  // The same when the GET fails: its error path replayed them all (the review of bug 52).
  held_copies_then_later_read({update("Message:item:2", "updated", msg(2, "old", 2), 2, 1),
                               update("Message:item:2", "updated", msg(2, "new"), 2, 2)},
                              500);
}

TEST_CASE("a list read under our pending replace counts as a write: held item copies do not undo it") {
  // Our write hides the server's text, but the store still took a newer copy of it: the
  // item's held copy, replayed after its GET, put the older text under our write, and
  // when the write failed the views showed it (the filtered one dropped the record).
  Harness h;
  ViewId list = live_list(h, 2, 0, R"({"where":{"roomId":1}})");
  std::string error;
  RequestId put = h.engine->update("Message", "2", msg(2, "mine"), false, h.now, error, true);
  h.step();
  REQUIRE(put != 0);
  h.frame(R"({"type":"error","channel":"Message:list","error":"Forbidden"})");
  h.engine->watch_item("Message", "2", h.now, error);
  h.engine->refetch(list, h.now);
  h.step();
  auto gets = h.http("GET");
  REQUIRE(gets.size() == 2);
  h.frame(subscribed("Message:item:2", 0));
  h.frame(update("Message:item:2", "updated", msg(2, "old", 2), 2, 1));  // room 2 then
  h.respond(gets[1].http_id, 200, list_body({msg(1, "a"), msg(2, "new")}, 2));
  h.respond(gets[0].http_id, 200, msg(2, "new"));
  h.respond(put, 500, R"({"error":"boom"})");  // ours fails: the server's text shows
  CHECK(h.mirrors[list].ids() == std::vector<int>{1, 2});
  CHECK(h.entries("item").back()->get("data")->get("text")->as_string() == "new");
  auto again = h.http("GET");  // the item reads again (its copies were unordered)
  REQUIRE(again.size() == 1);
  h.respond(again[0].http_id, 200, msg(2, "new"));
  CHECK(h.mirrors[list].ids() == std::vector<int>{1, 2});
}

TEST_CASE("a failed refetch re-places rows our own mutation's answer moved meanwhile") {
  Harness h;
  ViewId v = live_list(h, 3, 0, R"({"orderBy":{"createdAt":"asc"}})");
  CHECK(h.mirrors[v].ids() == std::vector<int>{1, 2, 3});
  h.frame(R"({"type":"resync","channel":"Message:list"})");  // the view refetches
  std::string error;
  RequestId put = h.engine->update("Message", "1", R"({"createdAt":10})", false, h.now, error);
  h.step();
  REQUIRE(put != 0);
  h.respond(put, 200, msg(1, "m1", 1, 10));  // its echo is lost with the socket, say
  auto gets = h.http("GET");
  REQUIRE(gets.size() == 1);
  h.respond(gets[0].http_id, 503, R"({"error":"down"})");
  CHECK(h.mirrors[v].status == "error");
  CHECK(h.mirrors[v].ids() == std::vector<int>{2, 3, 1});
  CHECK(h.mirrors[v].rows[2] == Json::parse(msg(1, "m1", 1, 10))->dump());
}

TEST_CASE("an item channel's copy never overwrites a version the list numbered, while the list subscribes") {
  Harness h;
  ViewId list = live_list_and_item(h, 0, {msg(2, "b")});
  h.frame(R"({"type":"resync","channel":"Message:list"})");  // forgets the list's seq
  h.close(1006);
  h.advance(1000);
  h.engine->on_open(h.now);
  h.step();
  CHECK(h.subscribe_of("Message:list") == R"({"type":"subscribe","channel":"Message:list"})");  // no since to give
  // The list's re-hydration, read after two changes of record 2 (list seq 2).
  h.respond(h.http("GET")[0].http_id, 200, list_body({msg(2, "new")}, 2));
  CHECK(h.mirrors[list].rows[0] == Json::parse(msg(2, "new"))->dump());
  // The item channel replays its older copy before the list is confirmed.
  h.frame(subscribed("Message:item:2", 2));
  h.frame(update("Message:item:2", "updated", msg(2, "old"), 2, 1));
  CHECK(h.mirrors[list].rows[0] == Json::parse(msg(2, "new"))->dump());
  size_t before = h.http("GET").size();
  h.frame(subscribed("Message:list", 3));  // one change came between the snapshot and the subscription
  CHECK(h.http("GET").size() > before);     // re-hydrates
}

TEST_CASE("a snapshot's record that makes another view drop it stays in the snapshot's view") {
  Harness h;
  ViewId low = live_list(h, 2, 0, R"({"where":{"roomId":{"lt":2}}})");  // holds 1 and 2 (room 1)
  CHECK(h.mirrors[low].ids() == std::vector<int>{1, 2});
  ViewId all = h.watch("Message", R"({"orderBy":{"createdAt":"asc"}})");
  // Its snapshot is newer: record 2 moved to room 2, which the first view does not show.
  h.respond(h.http("GET").back().http_id, 200, list_body({msg(1, "m1"), msg(2, "m2", 2)}, 1));
  CHECK(h.mirrors[low].ids() == std::vector<int>{1});
  CHECK(h.mirrors[all].ids() == std::vector<int>{1, 2});
  CHECK(h.mirrors[all].total == 2);
}

TEST_CASE("a view in error that refetches again shows no new window until its answer lands") {
  Harness h;
  ViewId v = live_list(h, 3, 0, R"({"orderBy":{"createdAt":"asc"}})");
  h.frame(R"({"type":"resync","channel":"Message:list"})");
  h.respond(h.http("GET").back().http_id, 503, R"({"error":"down"})");
  CHECK(h.mirrors[v].status == "error");
  h.advance(1000);  // the retry is in flight
  REQUIRE(h.http("GET").size() == 1);
  h.frame(update("Message:list", "updated", msg(1, "m1", 1, 10), 1, 1));  // held: record 1 moves last
  h.engine->set_window(v, std::make_pair(size_t(0), size_t(3)), h.now);
  h.step();
  CHECK(h.mirrors[v].ids() == std::vector<int>{1, 2, 3});  // the old rows, not new text at old positions
  CHECK(h.mirrors[v].rows[0] == Json::parse(msg(1, "m1"))->dump());
  h.respond(h.http("GET").back().http_id, 200, list_body({msg(2, "m2"), msg(3, "m3"), msg(1, "m1", 1, 10)}, 1));
  CHECK(h.mirrors[v].ids() == std::vector<int>{2, 3, 1});
  CHECK(h.mirrors[v].status == "ready");
}

TEST_CASE("a view whose snapshot is newer than an answer still places a record it holds that the answer changed") {
  // Found by engine_stream (bug 55). The sorted view took record 1 from another view's answer
  // (no seq); that view's next answer (seq 4, below the sorted view's snapshot at 5) changed
  // it. The sorted view was not told (its snapshot "knows better"), but it shows the store's
  // text: its window sent the new text at the old place.
  Harness h;
  h.open();
  ViewId sorted = h.watch("Message", R"({"orderBy":{"createdAt":"asc"}})");
  h.frame(subscribed("Message:list", 5));
  h.respond(h.http("GET").back().http_id, 200, list_body({msg(2, "b", 1, 10), msg(3, "c", 1, 20)}, 5));
  h.engine->set_window(sorted, std::make_pair(size_t(0), size_t(3)), h.now);
  h.step();
  ViewId plain = h.watch("Message", R"({"where":{"roomId":1}})");
  h.respond(h.http("GET").back().http_id, 200, R"({"items":[{"id":1,"roomId":1}]})");
  CHECK(h.mirrors[sorted].ids() == std::vector<int>{1, 2, 3});  // without createdAt: first
  h.engine->refetch(plain, h.now);
  h.step();
  h.respond(h.http("GET").back().http_id, 200, R"({"items":[{"id":1,"roomId":1,"createdAt":127}],"seq":4})");
  h.frame(update("Message:list", "updated", msg(3, "c2", 1, 20), 3, 6));  // the next flush
  CHECK(h.mirrors[sorted].ids() == std::vector<int>{2, 3, 1});
}

TEST_CASE("an item read before its channels were live reads again once they confirm") {
  Harness h;
  std::string error;
  h.engine->connect(h.now);  // the socket is not open yet: both views read over HTTP
  h.step();
  h.engine->watch_item("Message", "2", h.now, error);
  h.step();
  h.respond(h.http("GET")[0].http_id, 200, msg(2, "old"));
  CHECK(h.entries("item").back()->get("data")->get("text")->as_string() == "old");
  // Record 2 changes (list seq 1), then a list view reads a page without it at seq 3.
  h.watch("Message", R"({"where":{"roomId":1}})");
  h.respond(h.http("GET")[0].http_id, 200, list_body({msg(1, "a")}, 3));
  h.engine->on_open(h.now);
  h.step();
  CHECK(h.subscribe_of("Message:list").find("\"since\":3") != std::string::npos);  // the change is not replayed
  h.frame(subscribed("Message:item:2", 1));
  h.frame(subscribed("Message:list", 3));
  auto gets = h.http("GET");
  REQUIRE(gets.size() == 1);
  CHECK(gets[0].url == "http://api.test/api/messages/2");
  h.respond(gets[0].http_id, 200, msg(2, "new", 2));
  CHECK(h.entries("item").back()->get("data")->get("text")->as_string() == "new");
  CHECK(h.http("GET").empty());  // read while live: once is enough
}

TEST_CASE("an item's GET older than a list snapshot that landed during it changes nothing") {
  Harness h;
  h.open();
  std::string error;
  h.engine->watch_item("Message", "2", h.now, error);  // the server reads it now: room 2, "old"
  ViewId low = h.watch("Message", R"({"where":{"roomId":{"lt":2}}})");
  h.frame(subscribed("Message:item:2", 1));
  h.frame(subscribed("Message:list", 1));
  auto gets = h.http("GET");
  REQUIRE(gets.size() == 2);
  // Record 2 moved to room 0 (list seq 1); the list read after that has it.
  h.respond(gets[1].http_id, 200, list_body({msg(2, "new", 0)}, 1));
  CHECK(h.mirrors[low].ids() == std::vector<int>{2});
  h.respond(gets[0].http_id, 200, msg(2, "old", 2));  // the GET read before
  CHECK(h.mirrors[low].ids() == std::vector<int>{2});
  CHECK(h.entries("item").back()->get("data")->get("text")->as_string() == "new");
  answer_item_gets(h, msg(2, "new", 0));  // its re-read (it started before the channels confirmed)
  CHECK(h.mirrors[low].ids() == std::vector<int>{2});
  CHECK(h.entries("item").back()->get("data")->get("text")->as_string() == "new");
}

TEST_CASE("a view that never hydrated but took rows from others holds them while it refetches") {
  Harness h;
  h.open();
  ViewId sorted = h.watch("Message", R"({"orderBy":{"createdAt":"asc"}})");
  ViewId all = h.watch("Message");
  h.frame(subscribed("Message:list", 0));
  auto gets = h.http("GET");
  h.respond(gets[0].http_id, 500, "oops");  // the sorted view fails: error, no rows
  h.respond(gets[1].http_id, 200, list_body({msg(1, "a"), msg(2, "b"), msg(3, "c")}, 0));
  CHECK(h.mirrors[all].ids() == std::vector<int>{1, 2, 3});
  CHECK(h.mirrors[sorted].ids() == std::vector<int>{1, 2, 3});  // it took them from the other snapshot
  h.frame(R"({"type":"resync","channel":"Message:list"})");      // both refetch
  h.frame(update("Message:list", "updated", msg(1, "a", 1, 10), 1, 1));  // held: record 1 moves last
  h.engine->set_window(sorted, std::nullopt, h.now);
  h.step();
  const auto& rows = h.mirrors[sorted].rows;
  CHECK(h.mirrors[sorted].ids() == std::vector<int>{1, 2, 3});
  CHECK(rows[0] == Json::parse(msg(1, "a"))->dump());  // not the new text at the old position
}

TEST_CASE("a page whose refetch failed waits for its retry, however its rows moved") {
  Harness h;
  h.open();
  ViewId page = h.watch("Message", R"({"orderBy":{"createdAt":"asc"},"take":2})");
  h.frame(subscribed("Message:list", 0));
  h.respond(h.http("GET").back().http_id, 200, list_body({msg(1, "a"), msg(2, "b")}, 0, 5));
  h.frame(R"({"type":"resync","channel":"Message:list"})");
  h.frame(update("Message:list", "updated", msg(1, "a", 1, 10), 1, 1));  // held: it moves out of the page
  h.respond(h.http("GET").back().http_id, 503, R"({"error":"down"})");
  CHECK(h.mirrors[page].status == "error");
  CHECK(h.http("GET").empty());  // no refetch at once, and none again and again
  h.advance(999);
  CHECK(h.http("GET").empty());
  h.advance(1);
  CHECK(h.http("GET").size() == 1);  // the retry
}

TEST_CASE("closing the last list view makes item views read their record again") {
  Harness h;
  ViewId list = live_list_and_item(h, 5, {msg(2, "b")});
  // An item-channel copy is skipped (the list channel brings changes)...
  h.frame(update("Message:item:2", "updated", msg(2, "changed"), 2, 1));
  // ...but the list view closes before the list's copy arrives.
  h.engine->close_view(list, h.now);
  h.step();
  auto again = h.http("GET");
  REQUIRE(again.size() == 1);
  CHECK(again[0].url == "http://api.test/api/messages/2");
  h.respond(again[0].http_id, 200, msg(2, "changed"));
  CHECK(h.entries("item").back()->get("data")->get("text")->as_string() == "changed");
  // The list's numbering went with it: the item channel's copies apply again.
  h.frame(update("Message:item:2", "updated", msg(2, "again"), 2, 2));
  CHECK(h.entries("item").back()->get("data")->get("text")->as_string() == "again");
}

TEST_CASE("item-channel copies held during a GET are not replayed over the list's numbered version") {
  Harness h;
  h.open();
  std::string error;
  h.engine->watch_item("Message", "2", h.now, error);
  ViewId low = h.watch("Message", R"({"where":{"roomId":{"lt":2}}})");
  h.frame(subscribed("Message:item:2", 0));
  h.frame(subscribed("Message:list", 0));
  h.frame(R"({"type":"resync","channel":"Message:list"})");  // the list forgets its seq
  h.close(1006);
  h.advance(1000);
  h.engine->on_open(h.now);  // item:2 resubscribes with since 0, the list without since
  h.step();
  // The item channel replays two changes of record 2 while the GETs are in flight.
  h.frame(subscribed("Message:item:2", 2));
  h.frame(update("Message:item:2", "updated", msg(2, "x", 2), 2, 1));
  h.frame(update("Message:item:2", "updated", msg(2, "y", 0), 2, 2));
  h.frame(subscribed("Message:list", 2));
  for (int round = 0; round < 3; ++round)  // the list's refetches after the resync
    for (const auto& c : h.http("GET"))
      if (c.url.find("/messages/") == std::string::npos) h.respond(c.http_id, 200, list_body({msg(2, "y", 0)}, 2));
  CHECK(h.mirrors[low].ids() == std::vector<int>{2});
  answer_item_gets(h, msg(2, "y", 0));
  CHECK(h.mirrors[low].ids() == std::vector<int>{2});  // the old copy (room 2) did not pass through
  for (int round = 0; round < 3; ++round) answer_item_gets(h, msg(2, "y", 0));  // re-reads, with the list live
  CHECK(h.mirrors[low].ids() == std::vector<int>{2});
  CHECK(h.entries("item").back()->get("data")->get("text")->as_string() == "y");
  CHECK(h.http("GET").empty());
}

TEST_CASE("an older snapshot does not bring a deleted record back to a view with a newer one") {
  Harness h;
  h.open();
  ViewId all = h.watch("Message");
  ViewId low = h.watch("Message", R"({"where":{"roomId":{"lt":2}}})");
  h.frame(subscribed("Message:list", 2));
  auto gets = h.http("GET");
  REQUIRE(gets.size() == 2);
  // The filtered view's snapshot was read at seq 2, before record 4 was deleted (seq 3);
  // the other view's after.
  h.respond(gets[0].http_id, 200, list_body({msg(1, "a")}, 3));
  h.respond(gets[1].http_id, 200, list_body({msg(1, "a"), msg(4, "d")}, 2));
  CHECK(h.mirrors[all].ids() == std::vector<int>{1});
  CHECK(h.mirrors[low].ids() == std::vector<int>{1, 4});
  h.frame(update("Message:list", "deleted", "", 4, 3));  // the delete reaches the older one
  CHECK(h.mirrors[low].ids() == std::vector<int>{1});
  CHECK(h.mirrors[all].ids() == std::vector<int>{1});
}

TEST_CASE("an item-channel copy reaches no list view that lacks the record while the list subscribes") {
  Harness h;
  h.open();
  std::string error;
  h.engine->watch_item("Message", "2", h.now, error);
  h.frame(subscribed("Message:item:2", 0));
  answer_item_gets(h, msg(2, "b"));
  answer_item_gets(h, msg(2, "b"));
  ViewId list = h.watch("Message");  // Message:list is subscribed now, not yet confirmed
  // Its snapshot: record 2 was changed (seq 1), then deleted (seq 2).
  h.respond(h.http("GET").back().http_id, 200, list_body({msg(1, "a")}, 2));
  h.frame(update("Message:item:2", "updated", msg(2, "x"), 2, 1));  // the item channel's older copy
  CHECK(h.mirrors[list].ids() == std::vector<int>{1});
  // The copy is unordered against the item's GET too: once the list confirms, it reads again.
  h.frame(subscribed("Message:list", 2));
  auto gets = h.http("GET");
  REQUIRE(gets.size() == 1);
  CHECK(gets[0].url == "http://api.test/api/messages/2");
  h.respond(gets[0].http_id, 404, R"({"error":"Message 2 not found"})");
  CHECK(h.entries("item").back()->get("data")->is_null());
  CHECK(h.mirrors[list].ids() == std::vector<int>{1});
}

// Fuzz bug 33: the page's answer was read before an update that the store already holds
// (another view applied it), so the page shows the newer copy at the place the older one
// had, and replaying that update changes nothing any more. The page must read again.
TEST_CASE("a page answered from an older copy of a member than the store holds reads again") {
  Harness h;
  h.open();
  ViewId all = h.watch("Message");
  ViewId page = h.watch("Message", R"({"orderBy":{"text":"desc"},"skip":1,"take":2})");
  h.frame(subscribed("Message:list", 0));
  auto gets = h.http("GET");
  REQUIRE(gets.size() == 2);
  auto is_page = [](const Command& c) { return c.url.find("skip=1") != std::string::npos; };
  for (const auto& g : gets) {
    h.respond(g.http_id, 200, is_page(g) ? list_body({msg(2, "c"), msg(3, "b")}, 0, 4)
                                         : list_body({msg(1, "d"), msg(2, "c"), msg(3, "b"), msg(4, "a")}, 0));
  }
  CHECK(h.mirrors[page].ids() == std::vector<int>{2, 3});
  h.frame(update("Message:list", "updated", msg(2, "cc"), 2, 1));  // a member changed: the page refetches
  auto refetch = h.http("GET");
  REQUIRE(refetch.size() == 1);
  // Record 2 sorts last now; the complete view (and so the store) has it before the
  // page's answer, read before it, lands.
  h.frame(update("Message:list", "updated", msg(2, "0"), 2, 2));
  CHECK(h.mirrors[all].ids() == std::vector<int>{1, 2, 3, 4});
  h.respond(refetch[0].http_id, 200, list_body({msg(2, "cc"), msg(3, "b")}, 1, 4));
  auto again = h.http("GET");
  REQUIRE(again.size() == 1);  // not the page [2, 3] for good
  CHECK(is_page(again[0]));
  h.respond(again[0].http_id, 200, list_body({msg(3, "b"), msg(4, "a")}, 2, 4));
  CHECK(h.mirrors[page].ids() == std::vector<int>{3, 4});
}

TEST_CASE("an item read again on a resync reads once more when the list's snapshot numbers past its read") {
  Harness h;
  ViewId list = live_list_and_item(h, 1, {msg(1, "a"), msg(2, "b")});
  h.frame(R"({"type":"resync","channel":"Message:list"})");  // the list view and the item read again
  auto gets = h.http("GET");
  REQUIRE(gets.size() == 2);
  REQUIRE(gets[1].url == "http://api.test/api/messages/2");
  // The item's GET is read before record 2 is deleted (list seq 2), the list's page after.
  h.respond(gets[1].http_id, 200, msg(2, "b"));
  h.respond(gets[0].http_id, 200, list_body({msg(1, "a")}, 2));
  // The delete's frame comes after the page: to the channel it is old news (seq 2).
  h.frame(update("Message:list", "deleted", "", 2, 2));
  auto again = h.http("GET");
  REQUIRE(again.size() == 1);
  CHECK(again[0].url == "http://api.test/api/messages/2");
  h.respond(again[0].http_id, 404, R"({"error":"Not found"})");
  CHECK(h.entries("item").back()->get("data")->is_null());
  CHECK(h.mirrors[list].ids() == std::vector<int>{1});
}

TEST_CASE("between a resync and the list's next seq, an item view takes its own channel's copies and reads again") {
  // Found by engine_stream: the list's page failed (500), another client's update of
  // record 2 was lost on the list channel, and the item channel's copy was skipped
  // because the list was confirmed: the item view kept the old text.
  Harness h;
  ViewId list = live_list_and_item(h, 1, {msg(1, "a"), msg(2, "b")});
  h.frame(R"({"type":"resync","channel":"Message:list"})");
  auto gets = h.http("GET");
  REQUIRE(gets.size() == 2);
  h.respond(gets[0].http_id, 500, R"({"error":"down"})");  // the list's page: retried later
  h.respond(gets[1].http_id, 200, msg(2, "b"));
  h.frame(update("Message:item:2", "updated", msg(2, "B"), 2, 1));  // its list copy is lost
  CHECK(h.entries("item").back()->get("data")->dump() == Json::parse(msg(2, "B"))->dump());
  // The list's next frame gives the channel a seq again; the item may have missed a
  // change before it (its GET and copies are unordered against the list): it reads again.
  h.frame(update("Message:list", "created", msg(3, "c"), 3, 3));
  auto again = h.http("GET");
  REQUIRE(again.size() == 1);
  CHECK(again[0].url == "http://api.test/api/messages/2");
  h.respond(again[0].http_id, 200, msg(2, "B"));
  CHECK(h.entries("item").back()->get("data")->dump() == Json::parse(msg(2, "B"))->dump());
  CHECK(h.mirrors[list].status == "error");
}

TEST_CASE("a snapshot behind the channel does not write an older copy over a record the views show") {
  // The item's GET (unnumbered: stored under the record's old seq) has the newer text;
  // a list page read before it lands behind the channel. It must not bring the older
  // text back to the item view: the list leaves the record, so nothing would read it again.
  Harness h;
  h.open();
  ViewId list = h.watch("Message", R"({"where":{"roomId":{"lt":2}}})");
  std::string error;
  ViewId item = h.engine->watch_item("Message", "2", h.now, error);
  h.frame(subscribed("Message:list", 1));
  h.frame(subscribed("Message:item:2", 0));
  auto gets = h.http("GET");
  h.respond(gets[0].http_id, 200, list_body({msg(1, "a"), msg(2, "b")}, 1));
  h.respond(gets[1].http_id, 200, msg(2, "b"));
  answer_item_gets(h, msg(2, "b"));
  h.engine->refetch(list, h.now);
  h.step();
  REQUIRE(h.http("GET").size() == 1);
  RequestId page = h.http("GET").back().http_id;  // read now: 2 is still "b"
  h.frame(update("Message:item:2", "updated", msg(2, "B", 2), 2, 1));  // its list copy (seq 2) is lost
  h.frame(update("Message:list", "created", msg(3, "c"), 3, 3));        // a gap: the item reads again
  answer_item_gets(h, msg(2, "B", 2));
  CHECK(h.entries("item").back()->get("data")->dump() == Json::parse(msg(2, "B", 2))->dump());
  h.respond(page, 200, list_body({msg(1, "a"), msg(2, "b")}, 1));  // behind the channel (3)
  CHECK(h.entries("item").back()->get("data")->dump() == Json::parse(msg(2, "B", 2))->dump());
  auto again = h.http("GET");
  REQUIRE(again.size() == 1);  // not covered: the list reads again
  h.respond(again[0].http_id, 200, list_body({msg(1, "a"), msg(3, "c")}, 3));
  CHECK(h.mirrors[list].ids() == std::vector<int>{1, 3});
  CHECK(h.entries("item").back()->get("data")->dump() == Json::parse(msg(2, "B", 2))->dump());
  CHECK(item != 0);
  CHECK(h.http("GET").empty());
}

TEST_CASE("an item view whose record is gone at a resubscription follows the list channel and sees it created again") {
  // Found by engine_stream: the item channel, refused as not_found after a reconnect
  // while the view still showed the record, left the view with no live channel once the
  // list views closed; the record created again never reached it.
  Harness h;
  ViewId list = live_list_and_item(h, 1, {msg(1, "a"), msg(2, "b")});
  h.close(1006);
  h.advance(1000);
  h.engine->on_open(h.now);
  h.step();
  h.frame(R"({"type":"error","channel":"Message:item:2","error":"Not found","code":"not_found"})");
  h.frame(subscribed("Message:list", 2));
  h.frame(update("Message:list", "deleted", "", 2, 2));
  for (int i = 0; i < 4 && !h.http("GET").empty(); ++i)  // it reads again once the list is live
    h.respond(h.http("GET").front().http_id, 404, R"({"error":"Not found"})");
  CHECK(h.http("GET").empty());
  CHECK(h.entries("item").back()->get("data")->is_null());
  CHECK(h.entries("item").back()->get("status")->as_string() == "ready");
  size_t sent = h.sent().size();
  h.engine->close_view(list, h.now);
  h.step();
  CHECK(h.sent().size() == sent);  // no unsubscribe: the item view keeps the list channel
  h.frame(update("Message:list", "created", msg(2, "again"), 2, 3));
  CHECK(h.entries("item").back()->get("data")->get("text")->as_string() == "again");
}

TEST_CASE("a list channel's refusal on the last socket does not make item-channel replays overwrite its numbered records") {
  // Found by engine_stream: an error frame on the list channel, then a reconnect. While
  // the list resubscribed, the old refusal still counted: the item channel's replay of
  // an older change overwrote the text a newer list page had numbered, and the list's
  // own frames, no newer than that page, left it so.
  Harness h;
  ViewId list = live_list_and_item(h, 0, {msg(1, "a"), msg(2, "b")});
  h.frame(R"({"type":"error","channel":"Message:list","error":"Try again"})");
  CHECK(h.mirrors[list].status == "error");
  h.close(1006);
  h.advance(1000);
  h.engine->on_open(h.now);
  h.step();
  h.engine->refetch(list, h.now);
  h.step();
  REQUIRE(h.http("GET").size() == 1);
  h.respond(h.http("GET").back().http_id, 200, list_body({msg(1, "a"), msg(2, "new")}, 2));
  h.frame(subscribed("Message:item:2", 1));  // its replay: an older change of record 2
  h.frame(update("Message:item:2", "updated", msg(2, "old"), 2, 1));
  h.frame(subscribed("Message:list", 2));
  h.frame(update("Message:list", "updated", msg(2, "old"), 2, 1));
  h.frame(update("Message:list", "updated", msg(2, "new"), 2, 2));
  for (int i = 0; i < 4 && !h.http("GET").empty(); ++i) answer_item_gets(h, msg(2, "new"));
  CHECK(h.entries("item").back()->get("data")->get("text")->as_string() == "new");
  CHECK(h.mirrors[list].rows[1] == Json::parse(msg(2, "new"))->dump());
  CHECK(h.mirrors[list].status == "ready");
}

TEST_CASE("a page whose answer holds a record we know was deleted since reads again") {
  // Found by engine_stream: a record of a page was deleted (versioned delete) while its
  // answer was in flight. The answer listed it, the store refused it (its tombstone is
  // newer), and the page showed one row short, with no refetch to bring the next one in.
  Harness h;
  h.open();
  ViewId page = h.watch("Message", R"({"orderBy":{"text":"desc"},"skip":1,"take":2})");
  h.frame(subscribed("Message:list", 1));
  RequestId get = h.http("GET").back().http_id;
  h.frame(R"({"type":"update","channel":"Message:list","data":{"type":"deleted","version":3,"id":2,"timestamp":3},"seq":2})");
  h.respond(get, 200, list_body({vmsg(6, "b", 1), vmsg(2, "ab", 1)}, 1, 7));  // read before the delete
  auto again = h.http("GET");
  REQUIRE(again.size() == 1);
  h.respond(again[0].http_id, 200, list_body({vmsg(6, "b", 1), vmsg(7, "ab", 1)}, 2, 6));
  CHECK(h.mirrors[page].ids() == std::vector<int>{6, 7});
}

TEST_CASE("a view that turns from complete to a page and back keeps the JS side's rows in step") {
  // Found by engine_stream: an answer with fewer rows than its total made a complete view
  // a page. Its first page flush, an empty window, compared equal to the (empty) last
  // window and was dropped, while the JS side still held the complete view's rows; the
  // next complete answer then inserted them a second time.
  Harness h;
  h.open();
  ViewId v = h.watch("Message");
  h.frame(subscribed("Message:list", 1));
  h.respond(h.http("GET").back().http_id, 200, list_body({msg(1, "a"), msg(2, "b"), msg(3, "c")}, 1));
  h.engine->refetch(v, h.now);
  h.step();
  h.respond(h.http("GET").back().http_id, 200, R"({"items":[],"total":3})");  // a page: none of its rows
  CHECK(h.mirrors[v].rows.empty());
  CHECK(h.mirrors[v].total == 3);
  h.frame(update("Message:list", "created", msg(4, "d"), 4, 2));  // a page cannot place it: it reads again
  for (int i = 0; i < 4 && !h.http("GET").empty(); ++i)
    h.respond(h.http("GET").back().http_id, 200, list_body({msg(1, "a"), msg(2, "b"), msg(3, "c"), msg(4, "d")}, 2));
  CHECK(h.mirrors[v].ids() == std::vector<int>{1, 2, 3, 4});
  CHECK(h.mirrors[v].total == 4);
}

TEST_CASE("our delete's answer landing after the record was created again does not hide it from its item view") {
  // Found by engine_stream: our delete's 204 (no version) came after the record's re-create
  // (version 3) and marked that version deleted; the item's GET of it was then refused.
  Harness h;
  ViewId list = live_list_and_item(h, 1, {vmsg(1, "a", 1), vmsg(2, "b", 1)}, vmsg(2, "b", 1));
  std::string error;
  h.engine->remove("Message", "2", h.now, error, false);
  h.step();
  // The server deletes it (version 2, seq 2: that frame is lost), another client creates it again.
  h.frame(update("Message:list", "created", vmsg(2, "again", 3), 2, 3));  // a gap: both read again
  h.frame(update("Message:item:2", "created", vmsg(2, "again", 3), 2, 2));
  RequestId del_http = 0;
  for (const auto& c : h.commands)
    if (c.type == Command::HttpStart && c.method == "DELETE") del_http = c.http_id;
  REQUIRE(del_http != 0);
  h.respond(del_http, 204, "");
  for (int i = 0; i < 6 && !h.http("GET").empty(); ++i)
    for (const auto& c : h.http("GET")) {
      if (c.url.find("/messages/") != std::string::npos) h.respond(c.http_id, 200, vmsg(2, "again", 3));
      else h.respond(c.http_id, 200, list_body({vmsg(1, "a", 1), vmsg(2, "again", 3)}, 3));
    }
  CHECK(h.entries("item").back()->get("data")->dump() == Json::parse(vmsg(2, "again", 3))->dump());
  CHECK(h.mirrors[list].ids() == std::vector<int>{1, 2});
}

TEST_CASE("a view that took a record from an unnumbered answer re-places it when an older-numbered frame changes its text") {
  // Found by engine_stream: an unnumbered answer of another view put record 1 without its
  // sort field into a sorted view; a frame numbered below that view's snapshot then changed
  // the stored text, and the view, taking the frame as already in its snapshot, showed the
  // new text at the old place.
  Harness h;
  h.open();
  ViewId sorted = h.watch("Message", R"({"orderBy":{"createdAt":"asc"}})");
  ViewId plain = h.watch("Message");
  h.frame(subscribed("Message:list", 0));  // frames 1-3 in flight; the pages read after them
  for (const auto& c : h.http("GET")) h.respond(c.http_id, 200, list_body({msg(2, "b", 1, 2), msg(3, "c", 1, 3)}, 3));
  h.engine->refetch(plain, h.now);
  h.step();
  h.respond(h.http("GET").back().http_id, 200, R"({"items":[{"id":1}]})");  // a server's answer without seq or fields
  h.frame(update("Message:list", "updated", msg(1, "a", 1, 5), 1, 1));   // numbered below the sorted view's snapshot
  CHECK(h.mirrors[sorted].ids() == std::vector<int>{2, 3, 1});
}

TEST_CASE("an item copy applied while the list is refused is read over when the list returns to a newer page") {
  // Found by engine_stream (bug 63): a page read at list seq 2 holds record 2, deleted and
  // created again since seq 0; the socket has not brought those changes yet. The list is
  // refused, and the item channel's old delete (its seq 1), which nothing can order
  // against that page, took the record out. The list's replay on the next socket brought
  // the delete and the re-create, both at or below the page's seq, so the view skipped them
  // and lacked the record for good.
  Harness h;
  ViewId list = live_list_and_item(h, 0, {msg(1, "a"), msg(2, "b")});
  h.engine->refetch(list, h.now);
  h.step();
  h.respond(h.http("GET").back().http_id, 200, list_body({msg(1, "a"), msg(2, "again")}, 2));
  REQUIRE(h.mirrors[list].ids() == std::vector<int>{1, 2});
  h.frame(R"({"type":"error","channel":"Message:list","error":"Unauthorized"})");
  h.frame(update("Message:item:2", "deleted", "", 2, 1));
  CHECK(h.mirrors[list].ids() == std::vector<int>{1});  // all the list can tell while refused
  reconnect(h);
  h.frame(subscribed("Message:list", 2));
  h.frame(update("Message:list", "deleted", "", 2, 1));
  h.frame(update("Message:list", "created", msg(2, "again"), 2, 2));
  h.frame(subscribed("Message:item:2", 2));
  answer_gets(h, msg(2, "again"), list_body({msg(1, "a"), msg(2, "again")}, 2));
  CHECK(h.mirrors[list].ids() == std::vector<int>{1, 2});
  CHECK(h.mirrors[list].status == "ready");
}

TEST_CASE("an item copy applied while the list is refused is read over when a page numbered the list") {
  // The review of bug 63's fix: the page (seq 2) gave the refused list its seq, so the view's
  // page was no newer than the channel's seq and the old delete left it unmarked; the list
  // then subscribed with since 2 and replayed nothing.
  Harness h;
  h.open();
  ViewId list = h.watch("Message");
  std::string error;
  h.engine->watch_item("Message", "2", h.now, error);
  h.frame(subscribed("Message:item:2", 0));
  h.frame(R"({"type":"error","channel":"Message:list","error":"Unauthorized"})");
  std::string page = list_body({msg(1, "a"), msg(2, "again")}, 2);
  answer_gets(h, msg(2, "again"), page);
  REQUIRE(h.mirrors[list].ids() == std::vector<int>{1, 2});
  h.frame(update("Message:item:2", "deleted", "", 2, 1));
  CHECK(h.mirrors[list].ids() == std::vector<int>{1});
  reconnect(h);
  CHECK(h.subscribe_of("Message:list").find("\"since\":2") != std::string::npos);
  h.frame(subscribed("Message:list", 2));  // nothing to replay
  h.frame(subscribed("Message:item:2", 2));
  h.frame(update("Message:item:2", "created", msg(2, "again"), 2, 2));  // the item's replay
  answer_gets(h, msg(2, "again"), page);
  CHECK(h.mirrors[list].ids() == std::vector<int>{1, 2});
  CHECK(h.mirrors[list].status == "ready");
}

TEST_CASE("an item copy that came while a list view read, its read then failing, is read over when the list returns") {
  // The second review of bug 63's fix: a view reading takes no copy, so it was not marked;
  // its read failed for good, and the store's text, which the older copy (room 2) had set,
  // moved record 2 out of the filtered view. The list's replay skipped it (at or below
  // the view's page) and nothing read the view again.
  Harness h;
  h.open();
  ViewId list = h.watch("Message", R"({"where":{"roomId":1}})");
  std::string error;
  h.engine->watch_item("Message", "2", h.now, error);
  h.frame(subscribed("Message:list", 0));
  h.frame(subscribed("Message:item:2", 0));
  answer_gets(h, msg(2, "b"), list_body({msg(1, "a"), msg(2, "b")}, 0));
  h.engine->refetch(list, h.now);
  h.step();
  h.respond(h.http("GET").back().http_id, 200, list_body({msg(1, "a"), msg(2, "new")}, 2));
  h.frame(R"({"type":"error","channel":"Message:list","error":"Unauthorized"})");
  answer_item_gets(h, msg(2, "new"));
  h.engine->refetch(list, h.now);
  h.step();
  auto get = h.http("GET").back();
  h.frame(update("Message:item:2", "updated", msg(2, "old", 2), 2, 1));  // room 2: older than the page
  h.respond(get.http_id, 403, R"({"error":"Forbidden"})");
  reconnect(h);
  h.frame(subscribed("Message:list", 2));
  h.frame(update("Message:list", "updated", msg(2, "old", 2), 2, 1));
  h.frame(update("Message:list", "updated", msg(2, "new"), 2, 2));
  h.frame(subscribed("Message:item:2", 2));
  answer_gets(h, msg(2, "new"), list_body({msg(1, "a"), msg(2, "new")}, 2));
  CHECK(h.mirrors[list].ids() == std::vector<int>{1, 2});
  CHECK(h.mirrors[list].status == "ready");
}

namespace {
bool room2_read(const Command& c) { return c.url.find("%22roomId%22%3A2") != std::string::npos; }
}  // namespace

// Room 2's view B took a page at a bogus seq (1e9): its floor. Room 1's view A reads
// three pages behind (seq 4): the list resyncs to 4 (forget_seqs) and B reads again
// (5457daa), but that read fails (503, a retry later). B keeps its floor of the abandoned
// numbering (numbering_restarted resets floors, the resync does not): the new numbering's
// create at seq 5 is "in its snapshot" for B and is skipped, though the store has it.
TEST_CASE("a list resync leaves no other view's floor of the numbering it gave up") {
  Harness h;
  h.open();
  ViewId a = h.watch("Message", R"({"where":{"roomId":1}})");
  ViewId b = h.watch("Message", R"({"where":{"roomId":2}})");
  h.frame(subscribed("Message:list", 3));
  for (auto& c : h.http("GET")) h.respond(c.http_id, 200, list_body(room2_read(c) ? std::vector<std::string>{} : std::vector<std::string>{msg(1, "a")}, 3));
  h.frame(update("Message:list", "created", msg(20, "x", 2), 20, 1000000000));  // a gap: both read again
  for (auto& c : h.http("GET"))
    if (room2_read(c)) h.respond(c.http_id, 200, list_body({msg(20, "x", 2)}, 1000000000));
  REQUIRE(h.mirrors[b].ids() == std::vector<int>{20});
  for (int i = 0; i < 3; ++i)
    for (auto& c : h.http("GET"))
      if (!room2_read(c)) h.respond(c.http_id, 200, list_body({msg(1, "a")}, 4));
  bool resynced = false;
  for (auto* e : h.entries("error")) resynced |= e->dump().find("behind ours") != std::string::npos;
  REQUIRE(resynced);
  for (auto& c : h.http("GET"))
    if (room2_read(c)) h.respond(c.http_id, 503, R"({"error":"busy"})");
  for (auto& c : h.http("GET"))
    if (!room2_read(c)) h.respond(c.http_id, 200, list_body({msg(1, "a")}, 4));
  REQUIRE(h.http("GET").empty());
  h.frame(update("Message:list", "created", msg(21, "y", 2), 21, 5));  // the stream goes on
  CHECK(h.mirrors[a].ids() == std::vector<int>{1});
  CHECK(h.mirrors[b].ids() == std::vector<int>{20, 21});
}
