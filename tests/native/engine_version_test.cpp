// Record versions (PROTOCOL ext) in the engine: which copy of a record is newer is
// decided by its version, whatever order the copies arrive in and whatever path
// they take (list answer, item GET, update frame, delete frame).
#include <catch2/catch.hpp>

#include "engine_harness.h"

using namespace ssot;
using namespace ssot::test;

namespace {
std::string deleted(int id, int version) {
  return R"({"type":"update","channel":"Message:list","data":{"type":"deleted","id":)" + std::to_string(id) +
         R"(,"version":)" + std::to_string(version) + "}}";
}
}  // namespace

// A server with versions but no sequence numbers: nothing but versions orders the copies.
TEST_CASE("versions: an older list answer does not bring back a record deleted since") {
  Harness h;
  h.open();
  ViewId v = h.watch("Message");
  h.frame(subscribed("Message:list"));
  h.respond(h.http("GET").back().http_id, 200, "[" + vmsg(1, "a", 1) + "," + vmsg(2, "b", 1) + "]");
  h.engine->refetch(v, h.now);
  h.step();
  auto refetch = h.http("GET").back();
  h.frame(deleted(2, 2));  // while the refetch (read before the delete) is in flight
  h.respond(refetch.http_id, 200, "[" + vmsg(1, "a", 1) + "," + vmsg(2, "b", 1) + "]");
  CHECK(h.mirrors[v].ids() == std::vector<int>{1});
}

TEST_CASE("versions: an item GET older than a live update does not undo it") {
  Harness h;
  h.open();
  std::string error;
  ViewId item = h.engine->watch_item("Message", "2", h.now, error);
  h.step();
  ViewId list = h.watch("Message");
  h.frame(subscribed("Message:item:2"));
  h.frame(subscribed("Message:list"));
  for (const auto& c : h.http("GET"))
    if (c.url.find("/messages/2") == std::string::npos) h.respond(c.http_id, 200, "[" + vmsg(2, "b", 1) + "]");
  h.frame(update("Message:list", "updated", vmsg(2, "newer", 3), 2));
  for (const auto& c : h.http("GET")) h.respond(c.http_id, 200, vmsg(2, "older", 2));  // read before the update
  auto items = h.entries("item");
  REQUIRE(!items.empty());
  CHECK(items.back()->get("data")->get("text")->as_string() == "newer");
  CHECK(h.mirrors[list].rows[0].find("newer") != std::string::npos);
  (void)item;
}

TEST_CASE("versions: a delete older than the copy held is ignored; equal versions change nothing") {
  Harness h;
  h.open();
  ViewId v = h.watch("Message");
  h.frame(subscribed("Message:list"));
  h.respond(h.http("GET").back().http_id, 200, "[" + vmsg(1, "a", 4) + "]");
  h.frame(deleted(1, 3));
  CHECK(h.mirrors[v].ids() == std::vector<int>{1});
  int changes = h.mirrors[v].changes;
  h.frame(update("Message:list", "updated", vmsg(1, "a again", 4), 1));
  CHECK(h.mirrors[v].changes == changes);
  h.frame(deleted(1, 5));
  CHECK(h.mirrors[v].ids().empty());
  h.frame(update("Message:list", "updated", vmsg(1, "late copy", 4), 1));
  CHECK(h.mirrors[v].ids().empty());
}

namespace {
// The default config with Message's versions in updatedAt.
std::string updated_at_config() {
  std::string config = default_config();
  config.replace(config.find("\"token\""), 0, R"("models":{"Message":{"versionField":"updatedAt"}},)");
  return config;
}

// A list view reads record 1 as of 10:00; a copy as of 09:00 must not replace it.
void older_copy_refused(Harness& h) {
  ViewId v = h.watch("Message");
  h.frame(subscribed("Message:list", 0));
  h.respond(h.http("GET").back().http_id, 200, R"([{"id":1,"text":"a","updatedAt":"2026-12-04T10:00:00Z"}])");
  h.frame(update("Message:list", "updated", R"({"id":1,"text":"stale","updatedAt":"2026-12-04T09:00:00Z"})", 1, 1));
  CHECK(h.mirrors[v].rows[0].find("stale") == std::string::npos);
}
}  // namespace

TEST_CASE("versions: versionField names the field, ISO-8601 times compare as times") {
  Harness h(updated_at_config());
  h.open();
  ViewId v = h.watch("Message");
  h.frame(subscribed("Message:list"));
  h.respond(h.http("GET").back().http_id, 200, R"([{"id":1,"text":"a","updatedAt":"2026-12-04T10:00:00Z"}])");
  h.frame(update("Message:list", "updated", R"({"id":1,"text":"stale","updatedAt":"2026-12-04T10:30:00+01:00"})", 1));
  CHECK(h.mirrors[v].rows[0].find("stale") == std::string::npos);
  h.frame(update("Message:list", "updated", R"({"id":1,"text":"fresh","updatedAt":"2026-12-04T10:00:01Z"})", 1));
  CHECK(h.mirrors[v].rows[0].find("fresh") != std::string::npos);
}

TEST_CASE("versions: a get() before any view leaves the model's versionField in force") {
  // The cache's check for a live record made the model's store with the default field
  // ("version") when no view had made it yet; the configured one was then never read.
  Harness h(updated_at_config());
  h.open();
  std::string error;
  REQUIRE(h.engine->get("Message", "1", h.now, error) != 0);
  h.step();
  older_copy_refused(h);
}

TEST_CASE("versions: a list channel listened to and left before any view leaves the versionField in force") {
  // Leaving the channel forgot its model's seqs in a store it made with the default field.
  Harness h(updated_at_config());
  h.open();
  std::string error;
  REQUIRE(h.engine->listen("Message:list", true, h.now, error));
  h.frame(subscribed("Message:list", 0));
  REQUIRE(h.engine->listen("Message:list", false, h.now, error));
  older_copy_refused(h);
}
