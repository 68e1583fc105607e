// Scenario tests: batch frames (PROTOCOL.md, "Batches"): a server that was asked with
// `?batch=1` may send many frames in one message; each is handled as if it had
// arrived alone.
#include <catch2/catch.hpp>

#include "engine_harness.h"

using namespace ssot;
using namespace ssot::test;

namespace {
// The harness's config with its socket URL's tail replaced.
std::string config_with(const std::string& url_tail) {
  std::string c = default_config();
  const std::string url = "\"ws://api.test/ws\"";
  return c.replace(c.find(url), url.size(), url_tail);
}

std::string batch(const std::vector<std::string>& frames) {
  std::string b = "{\"type\":\"batch\",\"frames\":[";
  for (size_t i = 0; i < frames.size(); ++i) b += (i ? "," : "") + frames[i];
  return b + "]}";
}

ViewId live_list(Harness& h) {
  h.open();
  ViewId v = h.watch("Message");
  h.frame(subscribed("Message:list", 0));
  h.respond(h.http("GET").back().http_id, 200, list_body({msg(1, "a"), msg(2, "b")}, 0));
  return v;
}
}  // namespace

TEST_CASE("batch: the socket URL asks for batches, before the token and after the app's own query") {
  Harness h(config_with(R"("ws://api.test/ws?v=2")"));
  h.open();
  REQUIRE(h.commands[0].type == Command::OpenSocket);
  CHECK(h.commands[0].url == "ws://api.test/ws?v=2&batch=1&token=t0");
}

TEST_CASE("batch: a client whose frame limit is below the gateway's 64 KiB batches does not ask") {
  Harness h(config_with(R"("ws://api.test/ws","maxFrameBytes":65535)"));
  h.open();
  CHECK(h.commands[0].url == "ws://api.test/ws?token=t0");
  Harness enough(config_with(R"("ws://api.test/ws","maxFrameBytes":65536)"));
  enough.open();
  CHECK(enough.commands[0].url == "ws://api.test/ws?batch=1&token=t0");
}

TEST_CASE("batch: its frames are applied in order, as if each had arrived alone") {
  Harness h;
  ViewId v = live_list(h);
  uint64_t frames_before = h.engine->stats().frames_in;
  h.frame(batch({update("Message:list", "created", msg(3, "c"), 3, 1),
                 update("Message:list", "updated", msg(3, "C"), 3, 2),  // the created record, changed
                 update("Message:list", "deleted", "", 1, 3)}));
  CHECK(h.mirrors[v].ids() == std::vector<int>{2, 3});
  CHECK(h.mirrors[v].rows[1] == Json::parse(msg(3, "C"))->dump());
  auto s = h.engine->stats();
  CHECK(s.updates_applied == 3);
  CHECK(s.frames_in - frames_before == 3);  // frames, not messages
  CHECK(s.gaps == 0);                       // seqs 1, 2, 3 follow one another inside the batch
  h.frame(update("Message:list", "created", msg(4, "d"), 4, 4));  // and after it
  CHECK(h.engine->stats().gaps == 0);
  CHECK(h.mirrors[v].ids() == std::vector<int>{2, 3, 4});
}

TEST_CASE("batch: a seq gap inside a batch is seen as in single frames") {
  Harness h;
  live_list(h);
  h.frame(batch({update("Message:list", "created", msg(3, "c"), 3, 1),
                 update("Message:list", "created", msg(4, "d"), 4, 3)}));  // seq 2 never came
  CHECK(h.engine->stats().gaps == 1);
}

TEST_CASE("batch: a bad frame inside is reported and skipped; the others still apply") {
  Harness h;
  ViewId v = live_list(h);
  h.frame(batch({update("Message:list", "created", msg(3, "c"), 3, 1),
                 R"({"type":"update","channel":"Message:list","data":{"type":"created"},"seq":2})",  // no record
                 R"({"type":"telepathy"})",                                                            // unknown type
                 "17",                                                                                 // not a frame
                 update("Message:list", "created", msg(4, "d"), 4, 2)}));
  CHECK(h.mirrors[v].ids() == std::vector<int>{1, 2, 3, 4});
  auto s = h.engine->stats();
  CHECK(s.malformed == 2);
  CHECK(s.unknown_frames == 1);
  auto errors = h.entries("error");
  REQUIRE(errors.size() == 2);
  CHECK(errors[0]->get("error")->as_string() == "update: created without a record");  // as alone
  CHECK(errors[1]->get("error")->as_string() == "invalid JSON object");
}

TEST_CASE("batch: a batch inside a batch is read as it would be alone") {
  Harness h;
  ViewId v = live_list(h);
  h.frame(batch({update("Message:list", "created", msg(3, "c"), 3, 1),
                 batch({update("Message:list", "created", msg(4, "d"), 4, 2), batch({})}),
                 update("Message:list", "created", msg(5, "e"), 5, 3)}));
  CHECK(h.mirrors[v].ids() == std::vector<int>{1, 2, 3, 4, 5});
  CHECK(h.engine->stats().malformed == 0);
  CHECK(h.engine->stats().gaps == 0);
}

TEST_CASE("batch: a batch that is not one is malformed; one damaged part way keeps the frames before") {
  Harness h;
  ViewId v = live_list(h);
  auto one = [](int id, int seq) { return update("Message:list", "created", msg(id, "c"), id, seq); };
  h.frame(R"({"type":"batch"})");
  h.frame(R"({"type":"batch","frames":{"a":1}})");
  CHECK(h.engine->stats().malformed == 2);
  h.frame(R"({"type":"batch","frames":[)" + one(3, 1) + ",]}");  // not JSON after the first
  CHECK(h.mirrors[v].ids() == std::vector<int>{1, 2, 3});
  // Read in one pass, the gateway's form takes its first `frames` (JSON.parse the last).
  h.frame(R"({"type":"batch","frames":[)" + one(4, 2) + R"(],"frames":7})");
  CHECK(h.mirrors[v].ids() == std::vector<int>{1, 2, 3, 4});
  CHECK(h.engine->stats().malformed == 3);
  auto errors = h.entries("error");
  REQUIRE(errors.size() == 3);
  CHECK(errors[0]->get("error")->as_string() == "batch: frames must be an array");
  CHECK(errors[1]->get("error")->as_string() == "batch: frames must be an array");
  CHECK(errors[2]->get("error")->as_string() == "invalid JSON object");
  h.frame(R"({"type":"batch","frames":[]})");  // empty: nothing to do, nothing wrong
  h.frame(R"( {"type":"batch","frames":[]} )");
  h.frame(R"({"type":"batch","frames":[],"note":"x"})");  // other members are ignored
  CHECK(h.engine->stats().malformed == 3);
  h.frame(R"({"frames":[)" + one(5, 3) + R"(],"type":"batch"})");  // the members in another order
  h.frame(R"({"type":"batch","frames":[)" + one(6, 4) + "]");      // no closing brace
  CHECK(h.mirrors[v].ids() == std::vector<int>{1, 2, 3, 4, 5, 6});
  CHECK(h.engine->stats().malformed == 4);
  CHECK(h.engine->stats().gaps == 0);
}

TEST_CASE("batch: the frame size limit applies to the whole message") {
  Harness h(config_with(R"("ws://api.test/ws","maxFrameBytes":1024)"));
  ViewId v = live_list(h);
  std::vector<std::string> frames;
  for (int i = 3; i < 20; ++i) frames.push_back(update("Message:list", "created", msg(i, "c"), i, i - 2));
  std::string big = batch(frames);
  REQUIRE(big.size() > 1024);
  h.frame(big);
  CHECK(h.mirrors[v].ids() == std::vector<int>{1, 2});
  CHECK(h.engine->stats().malformed == 1);
  frames.resize(3);
  h.frame(batch(frames));
  CHECK(h.mirrors[v].ids() == std::vector<int>{1, 2, 3, 4, 5});
}
