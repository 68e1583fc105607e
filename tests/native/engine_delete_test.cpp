// A numbered delete against the text the store holds: a text read or written at or past
// the delete's seq is newer and stays (Engine::apply_change); one the delete's own seq was
// left on, brought back by an unnumbered copy read before it, is not.
#include <catch2/catch.hpp>

#include "engine_harness.h"

using namespace ssot;
using namespace ssot::test;

TEST_CASE("a page without a seq, read before a delete the refetching view held, does not bring the record back") {
  Harness h;
  h.open();
  ViewId v = h.watch("Message");
  h.frame(subscribed("Message:list", 10));
  h.respond(h.http("GET").back().http_id, 200, list_body({msg(1, "a"), msg(2, "b")}));
  REQUIRE(h.mirrors[v].ids() == std::vector<int>{1, 2});
  h.engine->refetch(v, h.now);
  h.step();
  h.frame(update("Message:list", "deleted", "", 1, 11));
  h.respond(h.http("GET").back().http_id, 200, list_body({msg(1, "a"), msg(2, "b")}));  // read before it
  CHECK(h.mirrors[v].ids() == std::vector<int>{2});
}

TEST_CASE("an item's GET read before a delete it held, the list channel ended meanwhile, shows the delete") {
  Harness h;
  ViewId list = live_list_and_item(h, 10, {msg(1, "a"), msg(2, "b")});
  ViewId item = 2;  // live_list_and_item's item view
  REQUIRE(item_text(h, item) == "b");
  h.engine->refetch(item, h.now);
  h.step();
  RequestId get = h.http("GET").back().http_id;
  h.frame(update("Message:list", "deleted", "", 2, 11));
  CHECK(h.mirrors[list].ids() == std::vector<int>{1});
  h.frame(R"({"type":"error","channel":"Message:list","error":"Forbidden"})");
  h.respond(get, 200, msg(2, "b"));  // read before the delete
  CHECK(item_text(h, item) == "null");
}
