// Unit tests for ssot/outbox.h: every entry the engine gives the JS side is one
// well-formed JSON object, and a drain is one array.
#include <catch2/catch.hpp>

#include "ssot/json.h"
#include "ssot/outbox.h"

using namespace ssot;

namespace {
Json drained(Outbox& o) {
  std::string out;
  o.drain(out);
  auto j = Json::parse(out);
  REQUIRE(j);
  return *j;
}
}  // namespace

TEST_CASE("outbox: entries are JSON objects with their fields; drain empties it", "[outbox]") {
  Outbox o;
  CHECK(o.empty());
  o.conn("reconnecting", "closed 1006", 1500);
  o.conn("open", "", std::nullopt);
  o.token();
  o.error("channel", "Message:list", "Unauthorized \"x\"", "7");
  o.event("chat:room:1", "typing", R"({"on":true})", "2");
  o.channel_ready("chat:room:1", R"([{"userId":1}])");
  o.result_ok(3, 201, R"({"id":1})");
  o.result_error(4, 0, "request timed out");
  o.update("Message:list", "deleted", "5", "", 1.5);
  o.item(9, "ready", "", R"({"id":"a"})", "a");
  CHECK_FALSE(o.empty());
  Json all = drained(o);
  REQUIRE(all.items().size() == 10);
  CHECK(all.items()[0].get("retryAt")->as_number() == 1500);
  CHECK(all.items()[1].get("error")->is_null());
  CHECK(all.items()[3].get("error")->as_string() == "Unauthorized \"x\"");
  CHECK(all.items()[3].get("requestId")->as_string() == "7");
  CHECK(all.items()[4].get("data")->get("on")->as_bool());
  CHECK(all.items()[6].get("data")->get("id")->as_number() == 1);
  CHECK(all.items()[7].get("ok")->as_bool() == false);
  CHECK(all.items()[8].get("data")->get("id")->as_number() == 5);
  CHECK(all.items()[8].get("data")->get("data") == nullptr);
  CHECK(all.items()[9].get("pending")->items()[0].as_string() == "a");
  CHECK(o.empty());
  CHECK(drained(o).items().empty());
}

TEST_CASE("outbox: an entry written in place is dropped when nothing was written", "[outbox]") {
  Outbox o;
  o.token();
  size_t mark = 0;
  std::string& out = o.begin(mark);
  CHECK_FALSE(o.end(mark, out.size()));
  std::string& again = o.begin(mark);
  size_t start = again.size();
  again += R"({"k":"view","view":1})";
  CHECK(o.end(mark, start));
  Json all = drained(o);
  REQUIRE(all.items().size() == 2);
  CHECK(all.items()[1].get("k")->as_string() == "view");
}

TEST_CASE("outbox: a drain into an empty string takes the batch, into text appends it; the next batch starts afresh",
          "[outbox]") {
  Outbox o;
  o.token();
  std::string first;
  o.drain(first);
  CHECK(first == R"([{"k":"token"}])");
  CHECK(o.empty());
  o.conn("open", "", std::nullopt);
  std::string second = "x";
  o.drain(second);
  CHECK(second == R"(x[{"k":"conn","state":"open","error":null,"retryAt":null}])");
  first.clear();
  o.token();
  o.drain(first);  // swapped with the old string: nothing of the earlier batches left in it
  CHECK(first == R"([{"k":"token"}])");
}

TEST_CASE("outbox: a large drained buffer goes back to the allocator, a small one is kept", "[outbox]") {
  Outbox o;
  std::string big(Outbox::kKeepBytes * 4, 'a');
  o.event("c", "e", "\"" + big + "\"", "null");
  std::string out;
  o.drain(out);  // out holds the large batch; the outbox took out's small buffer
  CHECK(out.size() > big.size());
  out.clear();  // as the runtime does before its next drain: the large buffer is empty, not freed
  o.token();
  o.drain(out);
  CHECK(out == R"([{"k":"token"}])");
  CHECK(o.reserved() < Outbox::kKeepBytes);  // the large buffer came back in the swap and was freed
  std::string small(1000, 'b');
  o.event("c", "e", "\"" + small + "\"", "null");
  out.clear();
  o.drain(out);
  out.clear();
  o.token();
  o.drain(out);
  CHECK(o.reserved() >= small.size());  // small buffers stay for the next batch
}
