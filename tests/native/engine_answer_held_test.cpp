// Our writes' answers and the updates views hold while they read: an update that reached
// us before our write went is older than its answer (the server sent it before it had the
// write), whatever its channel or seq, and the answer takes its place (Engine::answer_held).
#include <catch2/catch.hpp>

#include "engine_harness.h"

using namespace ssot;
using namespace ssot::test;

namespace {
// Our update (patch) or delete of record 5, sent and answered 2xx.
void write_5(Harness& h, bool remove) {
  std::string error;
  if (remove) {
    REQUIRE(h.engine->remove("Message", "5", h.now, error));
    h.step();
    h.respond(h.http("DELETE").back().http_id, 204, "");
  } else {
    REQUIRE(h.engine->update("Message", "5", R"({"text":"mine"})", true, h.now, error));
    h.step();
    h.respond(h.http("PATCH").back().http_id, 200, msg(5, "mine"));
  }
}
}  // namespace

// Record 5 is in no view's rows (the list shows room 2) and its item view is reading: the
// view holds the list's update of it (seq 11), then our write goes and is answered. The
// GET's end replayed the held update: the view showed the text our write replaced, or a
// record we deleted (the store had let the record go, as no view showed it, and had no seq
// to refuse the update with), also when the GET had read our write. The update reached us
// before our write went: the answer takes its place.
TEST_CASE("our write's answer is not undone by an older update an item view held while reading") {
  Harness h;
  ViewId item = 0;
  RequestId item_get = 0;
  ViewId list = list_and_item_reading(h, item, item_get, R"({"where":{"roomId":2}})", msg(2, "b", 2));
  h.frame(update("Message:list", "updated", msg(5, "held"), 5, 11));
  bool remove = GENERATE(false, true);
  INFO("a delete: " << remove);
  write_5(h, remove);
  bool read = GENERATE(false, true);
  INFO("the GET read our write: " << read);
  if (read) {
    h.respond(item_get, remove ? 404 : 200, remove ? R"({"error":"Not found"})" : msg(5, "mine"));
  } else {
    h.respond(item_get, 403, R"({"error":"Forbidden"})");
    CHECK(h.entries("item").back()->get("status")->as_string() == "error");
  }
  CHECK(item_text(h, item) == (remove ? "null" : "mine"));
  CHECK(h.mirrors[list].ids() == std::vector<int>{2});
}

// A review's cases of the same rule. Room 2's view is reading (a refetch) and holds the
// update that moves record 5 into it (12); our update of 5 is answered before the read
// ends. The held update is what tells the view of the record: the answer taking its place
// keeps that, and keeps the page covered (a buffer that lost it looked like a gap).
TEST_CASE("our write's answer in place of a held update still moves the record into a reading list view") {
  Harness h;
  h.open();
  h.watch("Message");
  ViewId room2 = h.watch("Message", R"({"where":{"roomId":2}})");
  h.frame(subscribed("Message:list", 10));
  for (auto& c : h.http("GET"))
    h.respond(c.http_id, 200, c.url.find("roomId") != std::string::npos
                                  ? list_body({msg(2, "b", 2)}, 10)
                                  : list_body({msg(2, "b", 2), msg(5, "old", 1)}, 10));
  h.engine->refetch(room2, h.now);
  h.step();
  RequestId get = h.http("GET").back().http_id;
  h.frame(update("Message:list", "updated", msg(7, "x", 1), 7, 11));
  h.frame(update("Message:list", "updated", msg(5, "held", 2), 5, 12));  // into room 2
  std::string error;
  REQUIRE(h.engine->update("Message", "5", R"({"text":"mine"})", true, h.now, error));
  h.step();
  h.respond(h.http("PATCH").back().http_id, 200, msg(5, "mine", 2));
  bool fails = GENERATE(false, true);
  INFO("the read fails: " << fails);
  if (fails) h.respond(get, 403, R"({"error":"Forbidden"})");
  else h.respond(get, 200, list_body({msg(2, "b", 2)}, 10));  // read before the move
  CHECK(h.http("GET").empty());  // covered: 11 and 12 held
  REQUIRE(h.mirrors[room2].ids() == std::vector<int>{2, 5});
  CHECK(text_of(h.mirrors[room2].rows[1]) == "mine");
}

// The rule is the order of arrival, not the list's seq: an item channel's copy (no list
// channel: the item view alone), and a list update held before a resync cleared the
// list's seq (our write then carries none), reached us before our write went too.
TEST_CASE("our write's answer takes the place of an item channel's copy, or of an update from before a resync") {
  Harness h;
  bool resync = GENERATE(false, true);
  INFO("a list update, then a resync: " << resync);
  ViewId item = 0;
  RequestId get = 0;
  std::string error;
  if (resync) {
    list_and_item_reading(h, item, get, R"({"where":{"roomId":2}})", msg(2, "b", 2));
    h.frame(update("Message:list", "updated", msg(5, "held"), 5, 11));
    h.frame(R"({"type":"resync","channel":"Message:list"})");
  } else {
    h.open();
    item = h.engine->watch_item("Message", "5", h.now, error);
    h.step();
    h.frame(subscribed("Message:item:5", 0));
    get = h.http("GET").back().http_id;
    h.frame(update("Message:item:5", "updated", msg(5, "held"), 5, 1));
  }
  write_5(h, false);
  bool read = GENERATE(false, true);
  INFO("the GET read our write: " << read);
  if (read) h.respond(get, 200, msg(5, "mine"));
  else h.respond(get, 403, R"({"error":"Forbidden"})");
  answer_item_gets(h, msg(5, "mine"));
  CHECK(item_text(h, item) == "mine");
}

// The GET was served before the held update (seq 11), our write after it. The store had no
// record 5 for the answer (no view showed it); in the update's place it reaches the view.
TEST_CASE("our write's answer reaches an item view whose GET was served before the update it held") {
  Harness h;
  ViewId item = 0;
  RequestId item_get = 0;
  list_and_item_reading(h, item, item_get, R"({"where":{"roomId":2}})", msg(2, "b", 2));
  h.frame(update("Message:list", "updated", msg(5, "held"), 5, 11));
  write_5(h, false);
  h.respond(item_get, 200, msg(5, "old"));
  answer_item_gets(h, msg(5, "old"));
  CHECK(item_text(h, item) == "mine");
}

// An item view of 5 is reading and holds the list's delete of 5 (seq 11). We create 5 again
// (our own id) on a live list channel. Not optimistic, its answer is not applied (the server
// may filter what we may see; the echo decides), so it does not take the held delete's
// place either: null until the echo. Optimistic, it shows already and the answer confirms it.
TEST_CASE("a created record that waits for its echo is not shown through a reading view's held update") {
  Harness h;
  ViewId item = 0;
  RequestId get = 0;
  list_and_item_reading(h, item, get, R"({"where":{"roomId":2}})", msg(2, "b", 2));
  h.frame(update("Message:list", "deleted", "", 5, 11));
  bool optimistic = GENERATE(false, true);
  INFO("optimistic: " << optimistic);
  std::string error;
  RequestId made = optimistic ? h.engine->create("Message", msg(5, "mine"), h.now, error, std::string_view(""))
                              : h.engine->create("Message", msg(5, "mine"), h.now, error);
  h.step();
  h.respond(made, 201, msg(5, "mine"));
  h.respond(get, 404, R"({"error":"Not found"})");
  CHECK(item_text(h, item) == (optimistic ? "mine" : "null"));  // optimistic: shown already, and confirmed
}

// Versioned records: view `all` is refetching and holds the list's update of 5 (v2, seq
// 11). The socket drops; our delete of 5 goes; someone creates 5 again (v3), which view
// `room1`'s refetch reads (seq 13). Our delete's 204 is not applied (written since: version
// 3 > 2), so it takes no held update's place either: `all`'s failed read replays v2, refused
// by version, and shows the store's v3.
TEST_CASE("a delete's answer not applied takes no held update's place") {
  Harness h;
  h.open();
  ViewId all = h.watch("Message");
  ViewId room1 = h.watch("Message", R"({"where":{"roomId":1}})");
  h.frame(subscribed("Message:list", 10));
  for (auto& c : h.http("GET")) h.respond(c.http_id, 200, list_body({vmsg(5, "v1", 1)}, 10));
  h.engine->refetch(all, h.now);
  h.step();
  RequestId get = h.http("GET").back().http_id;
  h.frame(update("Message:list", "updated", vmsg(5, "v2", 2), 5, 11));
  h.close(1006);
  std::string error;
  RequestId del = h.engine->remove("Message", "5", h.now, error);
  REQUIRE(del);
  h.step();
  h.engine->refetch(room1, h.now);
  h.step();
  h.respond(h.http("GET").back().http_id, 200, list_body({vmsg(5, "again", 3)}, 13));
  REQUIRE(h.mirrors[room1].ids() == std::vector<int>{5});
  h.respond(del, 204, "");
  REQUIRE(h.mirrors[room1].ids() == std::vector<int>{5});
  h.respond(get, 403, R"({"error":"Forbidden"})");
  CHECK(h.mirrors[all].ids() == std::vector<int>{5});
  CHECK(h.mirrors[room1].ids() == std::vector<int>{5});
}
