// Unit tests for ssot/protocol.h: every server frame of PROTOCOL.md decoded, every
// client frame encoded, and bad input turned into an error with a reason.
#include <catch2/catch.hpp>

#include <deque>
#include <random>
#include <string>
#include <vector>

#include "ssot/json.h"
#include "ssot/protocol.h"

using namespace ssot;

namespace {

// A decoded frame's views point into its text, so the helpers keep every text
// alive for the whole run (the texts are small).
std::deque<std::string>& kept() {
  static std::deque<std::string> texts;
  return texts;
}

const std::string& keep(const std::string& text) {
  kept().push_back(text);
  return kept().back();
}

DecodeResult ok_frame(const std::string& source) {
  const std::string& text = keep(source);
  DecodeResult r = decode_server_frame(text);
  INFO("frame: " << text << "\nerror: " << r.error);
  REQUIRE(r.ok());
  REQUIRE(r.status == DecodeResult::Ok);
  REQUIRE(r.error.empty());
  return r;
}

DecodeResult bad_frame(const std::string& source, DecodeResult::Status status = DecodeResult::Malformed) {
  const std::string& text = keep(source);
  DecodeResult r = decode_server_frame(text);
  INFO("frame: " << text);
  CHECK_FALSE(r.ok());
  CHECK(r.status == status);
  CHECK_FALSE(r.error.empty());
  return r;
}

// The view is a slice of the text last decoded by ok_frame (not a copy).
bool in_last_frame(std::string_view view) {
  const std::string& text = kept().back();
  return view.data() >= text.data() && view.data() + view.size() <= text.data() + text.size();
}

Json parsed(const std::string& text) {
  INFO(text);
  auto j = Json::parse(text);
  REQUIRE(j.has_value());
  REQUIRE(j->is_object());
  return *j;
}

}  // namespace

TEST_CASE("protocol: subscribed with seq and members", "[protocol]") {
  std::string text = "{\"type\":\"subscribed\",\"channel\":\"Message:list\",\"seq\":42,\"members\":[{\"id\":1},\"u2\"]}";
  auto r = ok_frame(text);
  CHECK(r.frame.type == FrameType::Subscribed);
  CHECK(r.frame.channel == "Message:list");
  REQUIRE(r.frame.seq.has_value());
  CHECK(*r.frame.seq == 42);
  CHECK(r.frame.data == "[{\"id\":1},\"u2\"]");
  CHECK(in_last_frame(r.frame.data));

  // The seed server sends neither seq nor members.
  auto seed = ok_frame("{\"type\":\"subscribed\",\"channel\":\"Message:item:7\"}");
  CHECK(seed.frame.type == FrameType::Subscribed);
  CHECK(seed.frame.channel == "Message:item:7");
  CHECK_FALSE(seed.frame.seq.has_value());
  CHECK(seed.frame.data.empty());

  auto zero = ok_frame("{\"type\":\"subscribed\",\"channel\":\"c\",\"seq\":0}");
  REQUIRE(zero.frame.seq.has_value());
  CHECK(*zero.frame.seq == 0);
  auto null_seq = ok_frame("{\"type\":\"subscribed\",\"channel\":\"c\",\"seq\":null}");
  CHECK_FALSE(null_seq.frame.seq.has_value());

  bad_frame("{\"type\":\"subscribed\"}");
  bad_frame("{\"type\":\"subscribed\",\"channel\":\"\"}");
  bad_frame("{\"type\":\"subscribed\",\"channel\":\"c\",\"members\":{}}");
}

TEST_CASE("protocol: subscribed epoch (ext): a string, a number as its text, or none", "[protocol]") {
  CHECK(ok_frame(R"({"type":"subscribed","channel":"c","seq":1,"epoch":"e-1"})").frame.epoch == "e-1");
  CHECK(ok_frame(R"({"type":"subscribed","channel":"c","epoch":1733300000})").frame.epoch == "1733300000");
  CHECK(ok_frame(R"({"type":"subscribed","channel":"c","epoch":null})").frame.epoch.empty());
  CHECK(ok_frame(R"({"type":"subscribed","channel":"c"})").frame.epoch.empty());
  bad_frame(R"({"type":"subscribed","channel":"c","epoch":true})");
  bad_frame(R"({"type":"subscribed","channel":"c","epoch":["x"]})");
}

TEST_CASE("protocol: unsubscribed and resync", "[protocol]") {
  auto u = ok_frame("{\"type\":\"unsubscribed\",\"channel\":\"Message:list\"}");
  CHECK(u.frame.type == FrameType::Unsubscribed);
  CHECK(u.frame.channel == "Message:list");
  bad_frame("{\"type\":\"unsubscribed\"}");

  auto s = ok_frame("{\"type\":\"resync\",\"channel\":\"Message:list\"}");
  CHECK(s.frame.type == FrameType::Resync);
  CHECK(s.frame.channel == "Message:list");
  bad_frame("{\"type\":\"resync\"}");
  bad_frame("{\"type\":\"resync\",\"channel\":5}");
}

TEST_CASE("protocol: update created with every field", "[protocol]") {
  std::string text =
      "{\"type\":\"update\",\"channel\":\"Message:list\",\"seq\":7,\"mutationId\":\"m-1\","
      "\"data\":{\"type\":\"created\",\"data\":{\"id\":5,\"text\":\"hi\"},\"timestamp\":1700000000123}}";
  auto r = ok_frame(text);
  const ServerFrame& f = r.frame;
  CHECK(f.type == FrameType::Update);
  CHECK(f.channel == "Message:list");
  CHECK(f.change == ChangeType::Created);
  CHECK(f.record == "{\"id\":5,\"text\":\"hi\"}");
  CHECK(in_last_frame(f.record));  // a slice of the frame: the record is kept as received
  CHECK(f.id == "5");
  REQUIRE(f.seq.has_value());
  CHECK(*f.seq == 7);
  CHECK(f.mutation_id == "m-1");
  CHECK(f.timestamp == 1700000000123.0);
}

// The record's members are read while the frame is validated (json::MemberList): the
// version and the views' fields come from them, not from a second walk of the record.
TEST_CASE("protocol: an update's record members are read in the same pass", "[protocol]") {
  auto r = ok_frame(R"({"type":"update","channel":"M:list","data":{"type":"created","data":{"id":1,"n":2,"n":3,"s":"x"},"id":1}})");
  const json::MemberList& m = r.frame.record_members;
  CHECK(m.describes(r.frame.record));
  CHECK(m.count == 4);
  CHECK(m.find("n") == "3");  // the last duplicate, as find_members
  CHECK(m.find("s") == "\"x\"");
  CHECK(m.find("none").data() == nullptr);
  // Without data.id the record's id is read from them: the last duplicate, as JSON.parse.
  r = ok_frame(R"({"type":"update","channel":"M:list","data":{"type":"created","data":{"id":1,"x":0,"id":2}}})");
  CHECK(r.frame.id == "2");
  r = ok_frame(R"({"type":"update","channel":"M:list","data":{"type":"created","data":{"\u0069d":3}}})");
  CHECK(r.frame.id == "3");  // an escaped key: looked up in the text
  // Past MemberList::kMax members nothing is kept (the record is walked where it is read).
  for (size_t n : {json::MemberList::kMax, json::MemberList::kMax + 1}) {
    std::string record = "{";
    for (size_t i = 0; i < n - 1; ++i) record += "\"f" + std::to_string(i) + "\":" + std::to_string(i) + ",";
    record += "\"id\":7}";
    r = ok_frame(R"({"type":"update","channel":"M:list","data":{"type":"created","data":)" + record + "}}");
    CHECK(r.frame.record_members.describes(r.frame.record) == (n <= json::MemberList::kMax));
    CHECK(r.frame.record_members.count == n);
    CHECK(r.frame.id == "7");
  }
  // Two records in data: the last one's members, as the record is the last one.
  r = ok_frame(R"({"type":"update","channel":"M:list","data":{"type":"created","data":{"id":1,"a":1},"data":{"id":1,"b":2},"id":1}})");
  CHECK(r.frame.record_members.describes(r.frame.record));
  CHECK(r.frame.record_members.find("a").empty());
  CHECK(r.frame.record_members.find("b") == "2");
  // A later object-less record, a key written with an escape: nothing to look up in.
  r = ok_frame(R"({"type":"update","channel":"M:list","data":{"type":"deleted","data":{"id":1},"data":null,"id":1}})");
  CHECK_FALSE(r.frame.record_members.describes(r.frame.record));
  r = ok_frame(R"({"type":"update","channel":"M:list","data":{"type":"created","data":{"id":1,"\u0061":1},"id":1}})");
  CHECK_FALSE(r.frame.record_members.describes(r.frame.record));
  // Another frame type clears them.
  DecodeResult kept;
  decode_server_frame(kept, R"({"type":"update","channel":"M:list","data":{"type":"created","data":{"id":1},"id":1}})");
  REQUIRE(kept.frame.record_members.count == 1);
  decode_server_frame(kept, R"({"type":"pong"})");
  CHECK(kept.frame.record_members.count == 0);
  CHECK(kept.frame.record_members.source.empty());
}

TEST_CASE("protocol: update from a seed server (no ext fields)", "[protocol]") {
  auto r = ok_frame(
      "{\"type\":\"update\",\"channel\":\"Message:list\","
      "\"data\":{\"type\":\"updated\",\"data\":{\"id\":\"abc\",\"n\":1},\"timestamp\":5}}");
  CHECK(r.frame.change == ChangeType::Updated);
  CHECK(r.frame.id == "abc");
  CHECK_FALSE(r.frame.seq.has_value());
  CHECK(r.frame.mutation_id.empty());
  CHECK(r.frame.timestamp == 5);
  // Unknown fields anywhere are ignored; a non-number timestamp is ignored.
  auto extra = ok_frame(
      "{\"type\":\"update\",\"x\":[1,{\"y\":null}],\"channel\":\"M:list\","
      "\"data\":{\"type\":\"created\",\"data\":{\"id\":1},\"timestamp\":\"2024-01-01\",\"extra\":true}}");
  CHECK(extra.frame.timestamp == 0);
  CHECK(extra.frame.id == "1");
}

TEST_CASE("protocol: update id comes from `id`, else `data.id`", "[protocol]") {
  // `id` wins over data.id (the seeds' routes put the URL's string id there).
  auto both = ok_frame(
      "{\"type\":\"update\",\"channel\":\"M:list\",\"data\":{\"type\":\"updated\",\"id\":\"9\","
      "\"data\":{\"id\":8}}}");
  CHECK(both.frame.id == "9");
  // `id` as a string and data.id as a number name the same record.
  auto str = ok_frame(
      "{\"type\":\"update\",\"channel\":\"M:list\",\"data\":{\"type\":\"updated\",\"id\":\"5\","
      "\"data\":{\"id\":5}}}");
  auto num = ok_frame("{\"type\":\"update\",\"channel\":\"M:list\",\"data\":{\"type\":\"updated\",\"data\":{\"id\":5}}}");
  CHECK(str.frame.id == num.frame.id);
  // `id: null` falls back to data.id.
  auto null_id = ok_frame(
      "{\"type\":\"update\",\"channel\":\"M:list\",\"data\":{\"type\":\"updated\",\"id\":null,"
      "\"data\":{\"id\":\"k\"}}}");
  CHECK(null_id.frame.id == "k");
  // A deleted with only `id` and no record.
  auto del = ok_frame("{\"type\":\"update\",\"channel\":\"M:list\",\"data\":{\"type\":\"deleted\",\"id\":\"12\",\"timestamp\":3}}");
  CHECK(del.frame.change == ChangeType::Deleted);
  CHECK(del.frame.id == "12");
  CHECK(del.frame.record.empty());
  auto del_null_data = ok_frame(
      "{\"type\":\"update\",\"channel\":\"M:list\",\"data\":{\"type\":\"deleted\",\"id\":3,\"data\":null}}");
  CHECK(del_null_data.frame.id == "3");
  CHECK(del_null_data.frame.record.empty());
  // A deleted carrying the record: the id is read from it, and the record is kept.
  auto del_rec = ok_frame(
      "{\"type\":\"update\",\"channel\":\"M:list\",\"data\":{\"type\":\"deleted\",\"data\":{\"id\":4,\"a\":1}}}");
  CHECK(del_rec.frame.id == "4");
  CHECK(del_rec.frame.record == "{\"id\":4,\"a\":1}");
  // Escaped string ids are decoded.
  auto esc = ok_frame(
      "{\"type\":\"update\",\"channel\":\"M:list\",\"data\":{\"type\":\"created\",\"data\":{\"id\":\"a\\u0062c\"}}}");
  CHECK(esc.frame.id == "abc");
}

TEST_CASE("protocol: bad update frames", "[protocol]") {
  auto why = [](const std::string& text) { return decode_server_frame(text).error; };
  // No channel.
  bad_frame("{\"type\":\"update\",\"data\":{\"type\":\"created\",\"data\":{\"id\":1}}}");
  CHECK(why("{\"type\":\"update\",\"data\":{\"type\":\"created\",\"data\":{\"id\":1}}}").find("channel") !=
        std::string::npos);
  // No data, or data not an object.
  bad_frame("{\"type\":\"update\",\"channel\":\"M:list\"}");
  CHECK(why("{\"type\":\"update\",\"channel\":\"M:list\"}").find("data") != std::string::npos);
  bad_frame("{\"type\":\"update\",\"channel\":\"M:list\",\"data\":[1]}");
  bad_frame("{\"type\":\"update\",\"channel\":\"M:list\",\"data\":\"created\"}");
  // Created/updated without a record.
  bad_frame("{\"type\":\"update\",\"channel\":\"M:list\",\"data\":{\"type\":\"created\",\"id\":1}}");
  bad_frame("{\"type\":\"update\",\"channel\":\"M:list\",\"data\":{\"type\":\"updated\",\"id\":1,\"data\":null}}");
  CHECK(why("{\"type\":\"update\",\"channel\":\"M:list\",\"data\":{\"type\":\"created\",\"id\":1}}").find("record") !=
        std::string::npos);
  // The record must be an object.
  bad_frame("{\"type\":\"update\",\"channel\":\"M:list\",\"data\":{\"type\":\"created\",\"data\":[1]}}");
  bad_frame("{\"type\":\"update\",\"channel\":\"M:list\",\"data\":{\"type\":\"created\",\"data\":5}}");
  // No id anywhere, or an id that is not one.
  bad_frame("{\"type\":\"update\",\"channel\":\"M:list\",\"data\":{\"type\":\"deleted\"}}");
  bad_frame("{\"type\":\"update\",\"channel\":\"M:list\",\"data\":{\"type\":\"created\",\"data\":{\"a\":1}}}");
  CHECK(why("{\"type\":\"update\",\"channel\":\"M:list\",\"data\":{\"type\":\"deleted\"}}").find("id") !=
        std::string::npos);
  bad_frame("{\"type\":\"update\",\"channel\":\"M:list\",\"data\":{\"type\":\"deleted\",\"id\":true}}");
  bad_frame("{\"type\":\"update\",\"channel\":\"M:list\",\"data\":{\"type\":\"deleted\",\"id\":\"\"}}");
  bad_frame("{\"type\":\"update\",\"channel\":\"M:list\",\"data\":{\"type\":\"created\",\"data\":{\"id\":{}}}}");
  // Change type missing, not a string, or unknown.
  bad_frame("{\"type\":\"update\",\"channel\":\"M:list\",\"data\":{\"data\":{\"id\":1}}}");
  bad_frame("{\"type\":\"update\",\"channel\":\"M:list\",\"data\":{\"type\":3,\"data\":{\"id\":1}}}");
  auto unknown = bad_frame("{\"type\":\"update\",\"channel\":\"M:list\",\"data\":{\"type\":\"moved\",\"data\":{\"id\":1}}}");
  CHECK(unknown.error.find("moved") != std::string::npos);
  // mutationId must be a string.
  auto mid = bad_frame(
      "{\"type\":\"update\",\"channel\":\"M:list\",\"mutationId\":7,\"data\":{\"type\":\"created\",\"data\":{\"id\":1}}}");
  CHECK(mid.error.find("mutationId") != std::string::npos);
  bad_frame(
      "{\"type\":\"update\",\"channel\":\"M:list\",\"mutationId\":{},\"data\":{\"type\":\"created\",\"data\":{\"id\":1}}}");
  // channel must be a string.
  bad_frame("{\"type\":\"update\",\"channel\":1,\"data\":{\"type\":\"created\",\"data\":{\"id\":1}}}");
}

TEST_CASE("protocol: seq must be a non-negative integer up to 2^53", "[protocol]") {
  auto frame = [](const std::string& seq) {
    return "{\"type\":\"update\",\"channel\":\"M:list\",\"seq\":" + seq +
           ",\"data\":{\"type\":\"created\",\"data\":{\"id\":1}}}";
  };
  for (std::string bad : {"-1", "1.5", "0.1", "\"3\"", "true", "[]", "{}", "9007199254740994", "1e20", "1e400"}) {
    INFO("seq " << bad);
    auto r = bad_frame(frame(bad));
    CHECK(r.error.find("seq") != std::string::npos);
  }
  CHECK(*ok_frame(frame("0")).frame.seq == 0);
  CHECK(*ok_frame(frame("9007199254740991")).frame.seq == 9007199254740991LL);
  CHECK(*ok_frame(frame("3.0")).frame.seq == 3);
  CHECK(*ok_frame(frame("1e3")).frame.seq == 1000);
  CHECK_FALSE(ok_frame(frame("null")).frame.seq.has_value());
  // The same rule on subscribed.
  bad_frame("{\"type\":\"subscribed\",\"channel\":\"c\",\"seq\":-3}");
}

TEST_CASE("protocol: response with data and with error", "[protocol]") {
  std::string text = "{\"type\":\"response\",\"requestId\":\"r-1\",\"data\":{\"items\":[{\"id\":1}],\"total\":1}}";
  auto r = ok_frame(text);
  CHECK(r.frame.type == FrameType::Response);
  CHECK(r.frame.request_id == "r-1");
  CHECK(r.frame.data == "{\"items\":[{\"id\":1}],\"total\":1}");
  CHECK(in_last_frame(r.frame.data));
  CHECK_FALSE(r.frame.has_error);
  CHECK(r.frame.error.empty());

  auto null_data = ok_frame("{\"type\":\"response\",\"requestId\":\"r-2\",\"data\":null}");
  CHECK(null_data.frame.data == "null");
  auto no_data = ok_frame("{\"type\":\"response\",\"requestId\":\"r-3\"}");
  CHECK(no_data.frame.data == "null");
  CHECK_FALSE(no_data.frame.has_error);

  auto err = ok_frame("{\"type\":\"response\",\"requestId\":\"r-4\",\"error\":\"Not found\"}");
  CHECK(err.frame.has_error);
  CHECK(err.frame.error == "Not found");
  CHECK(err.frame.request_id == "r-4");
  // A non-string error is kept as its JSON text, never lost.
  auto obj_err = ok_frame("{\"type\":\"response\",\"requestId\":\"r-5\",\"error\":{\"message\":\"x\"}}");
  CHECK(obj_err.frame.has_error);
  CHECK(obj_err.frame.error == "{\"message\":\"x\"}");
  auto null_err = ok_frame("{\"type\":\"response\",\"requestId\":\"r-6\",\"error\":null,\"data\":[]}");
  CHECK_FALSE(null_err.frame.has_error);
  CHECK(null_err.frame.data == "[]");

  bad_frame("{\"type\":\"response\",\"data\":1}");                  // no requestId
  bad_frame("{\"type\":\"response\",\"requestId\":7,\"data\":1}");  // not a string
}

TEST_CASE("protocol: an error without text still says something", "[protocol]") {
  // An empty message would put a view in status error with no error to show (found by
  // engine_stream: {"type":"error","error":"","channel":"Message:list"}).
  auto bare = ok_frame(R"({"type":"error","error":"","channel":"Message:list"})");
  CHECK(bare.frame.error == "error without a message");
  auto coded = ok_frame(R"({"type":"error","error":"","code":"not_found","channel":"Message:item:2"})");
  CHECK(coded.frame.error == "error without a message");
  CHECK(coded.frame.code == "not_found");
  auto response = ok_frame(R"({"type":"response","requestId":"r1","error":""})");
  CHECK(response.frame.has_error);
  CHECK(response.frame.error == "error without a message");
}

TEST_CASE("protocol: error frames with channel, requestId and code", "[protocol]") {
  auto plain = ok_frame("{\"type\":\"error\",\"error\":\"Internal error\"}");
  CHECK(plain.frame.type == FrameType::Error);
  CHECK(plain.frame.has_error);
  CHECK(plain.frame.error == "Internal error");
  CHECK(plain.frame.channel.empty());
  CHECK(plain.frame.request_id.empty());
  CHECK(plain.frame.code.empty());

  auto sub = ok_frame("{\"type\":\"error\",\"channel\":\"Message:list\",\"error\":\"Unauthorized\"}");
  CHECK(sub.frame.channel == "Message:list");
  CHECK(sub.frame.error == "Unauthorized");

  auto full = ok_frame(
      "{\"type\":\"error\",\"channel\":\"Message:list\",\"requestId\":\"q9\",\"code\":\"TOO_MANY\","
      "\"error\":\"Too many subscriptions\"}");
  CHECK(full.frame.request_id == "q9");
  CHECK(full.frame.code == "TOO_MANY");
  CHECK(full.frame.error == "Too many subscriptions");

  auto num_code = ok_frame("{\"type\":\"error\",\"code\":4290,\"error\":\"slow down\"}");
  CHECK(num_code.frame.code == "4290");
  auto null_code = ok_frame("{\"type\":\"error\",\"code\":null,\"error\":\"x\"}");
  CHECK(null_code.frame.code.empty());

  bad_frame("{\"type\":\"error\"}");                                    // no error text
  bad_frame("{\"type\":\"error\",\"error\":42}");                       // not a string
  bad_frame("{\"type\":\"error\",\"error\":\"x\",\"code\":true}");      // code neither string nor number
  bad_frame("{\"type\":\"error\",\"error\":\"x\",\"code\":[1]}");
  bad_frame("{\"type\":\"error\",\"error\":\"x\",\"requestId\":1}");    // requestId not a string
  bad_frame("{\"type\":\"error\",\"error\":\"x\",\"channel\":{}}");     // channel not a string
}

TEST_CASE("protocol: event with data and from", "[protocol]") {
  std::string text =
      "{\"type\":\"event\",\"channel\":\"chat:room:42\",\"event\":\"typing\",\"data\":{\"on\":true},"
      "\"from\":{\"userId\":\"u1\"}}";
  auto r = ok_frame(text);
  CHECK(r.frame.type == FrameType::Event);
  CHECK(r.frame.channel == "chat:room:42");
  CHECK(r.frame.event == "typing");
  CHECK(r.frame.data == "{\"on\":true}");
  CHECK(r.frame.from == "{\"userId\":\"u1\"}");
  CHECK(in_last_frame(r.frame.data));
  CHECK(in_last_frame(r.frame.from));

  auto bare = ok_frame("{\"type\":\"event\",\"channel\":\"c\",\"event\":\"join\"}");
  CHECK(bare.frame.data == "null");
  CHECK(bare.frame.from == "null");

  bad_frame("{\"type\":\"event\",\"event\":\"join\"}");                    // no channel
  bad_frame("{\"type\":\"event\",\"channel\":\"c\"}");                     // no event
  bad_frame("{\"type\":\"event\",\"channel\":\"c\",\"event\":\"\"}");      // empty event
  bad_frame("{\"type\":\"event\",\"channel\":\"c\",\"event\":1}");         // not a string
}

TEST_CASE("protocol: pong", "[protocol]") {
  auto r = ok_frame("{\"type\":\"pong\",\"t\":123456}");
  CHECK(r.frame.type == FrameType::Pong);
  CHECK(r.frame.t == 123456);
  CHECK(ok_frame("{\"type\":\"pong\"}").frame.t == 0);
  bad_frame("{\"type\":\"pong\",\"t\":\"123\"}");
}

TEST_CASE("protocol: batch (ext): its frames, raw, to be decoded one by one", "[protocol]") {
  auto r = ok_frame(R"({"type":"batch","frames":[{"type":"pong","t":1} , {"type":"x"},"not a frame"]})");
  CHECK(r.frame.type == FrameType::Batch);
  CHECK(r.frame.data == R"([{"type":"pong","t":1} , {"type":"x"},"not a frame"])");
  CHECK(in_last_frame(r.frame.data));
  CHECK(ok_frame(R"({"type":"batch","frames":[]})").frame.data == "[]");
  CHECK(ok_frame(R"({"frames":[1],"type":"batch","frames":[2,3]})").frame.data == "[2,3]");  // the last wins
  CHECK(bad_frame(R"({"type":"batch"})").error == "batch: frames must be an array");
  CHECK(bad_frame(R"({"type":"batch","frames":[1],"frames":{}})").error == "batch: frames must be an array");
  bad_frame(R"({"type":"batch","frames":[1,]})");
  // Another frame's `frames` member is none of its business.
  CHECK(ok_frame(R"({"type":"pong","frames":[1]})").frame.type == FrameType::Pong);
}

// The engine decodes every frame into one result it keeps (decode_server_frame(out, ...)):
// nothing of an earlier frame may show through, whatever the order of kinds.
TEST_CASE("protocol: a result decoded into again equals a fresh one", "[protocol]") {
  const std::vector<std::string> texts = {
      R"({"type":"error","channel":"Message:list","requestId":"r1","error":"no","code":"E1"})",
      R"({"type":"update","channel":"Message:list","seq":4,"mutationId":"m1","data":{"type":"deleted","id":7,"timestamp":5,"version":3}})",
      R"({"type":"subscribed","channel":"Message:list","seq":2,"epoch":"e","members":[1]})",
      R"({"type":"response","requestId":"r2","data":{"a":1}})",
      R"({"type":"event","channel":"Room:1","event":"typing","data":1,"from":{"id":2}})",
      R"({"type":"pong","t":12})",
      R"({"type":"batch","frames":[]})",
      R"({"type":"update","channel":"Message:list","data":{"type":"created","data":{"id":"a\"b","x":1}}})",
      R"({"type":"upd\u0061te","channel":"M\u0065ssage:list","data":{"type":"upd\u0061ted","data":{"id":1}}})",
      R"({"type":"update","channel":"Message:list","data":{"type":"moved","data":{"id":1}}})",
      R"({"type":"nope"})",
      R"({"type":"pong"} trailing)",
      R"({"type":"update","channel":"Message:list","data":{"type":"created","data":{"id":1}}})",
  };
  DecodeResult reused;
  for (int round = 0; round < 2; ++round)
    for (size_t i = 0; i < texts.size(); ++i) {
      const std::string& text = texts[round ? texts.size() - 1 - i : i];
      decode_server_frame(reused, text);
      DecodeResult fresh = decode_server_frame(text);
      INFO(text);
      CHECK(reused.status == fresh.status);
      CHECK(reused.error == fresh.error);
      CHECK(reused.frame == fresh.frame);
    }
  // The frame after an error frame has no error text or code of it.
  decode_server_frame(reused, texts[0]);
  decode_server_frame(reused, texts[5]);
  CHECK(reused.frame.error.empty());
  CHECK(reused.frame.code.empty());
  CHECK_FALSE(reused.frame.has_error);
}

TEST_CASE("protocol: frames that are not JSON objects, or have no usable type", "[protocol]") {
  for (std::string text : {"", "not json", "{", "{\"type\":\"pong\",}", "{\"type\":\"pong\"} x",
                           "[{\"type\":\"pong\"}]", "\"pong\"", "42", "null", "{\"type\":\"pong\",\"t\":01}"}) {
    bad_frame(text);
  }
  auto missing = bad_frame("{\"channel\":\"c\"}");
  CHECK(missing.error.find("type") != std::string::npos);
  auto not_string = bad_frame("{\"type\":5,\"channel\":\"c\"}");
  CHECK(not_string.error.find("type") != std::string::npos);
  bad_frame("{\"type\":null}");
  bad_frame("{\"type\":[\"update\"]}");
}

TEST_CASE("protocol: a frame is valid JSON by json::valid's rules (found by the nlohmann oracle)", "[protocol]") {
  // Depth: the frame's own walk counted its members (and data's) one level too high up.
  auto deep = [](int n) { return std::string(size_t(n), '[') + "1" + std::string(size_t(n), ']'); };
  std::string ok_event = "{\"type\":\"event\",\"channel\":\"c\",\"event\":\"e\",\"data\":" + deep(json::kMaxDepth - 1) + "}";
  std::string deep_event = "{\"type\":\"event\",\"channel\":\"c\",\"event\":\"e\",\"data\":" + deep(json::kMaxDepth) + "}";
  CHECK(json::valid(ok_event));
  CHECK(decode_server_frame(ok_event).ok());
  CHECK_FALSE(json::valid(deep_event));
  CHECK(bad_frame(deep_event).error == "invalid JSON object");
  // An update's record sits two levels down (frame, data, record): its field x one more.
  std::string update = "{\"type\":\"update\",\"channel\":\"M:list\",\"data\":{\"type\":\"created\",\"data\":{\"id\":1,\"x\":";
  CHECK(decode_server_frame(update + deep(json::kMaxDepth - 3) + "}}}").ok());
  CHECK(bad_frame(update + deep(json::kMaxDepth - 2) + "}}}").error == "invalid JSON object");
  // Ill-formed UTF-8 in a key (the walk's own fast path for keys) or in a value.
  CHECK(bad_frame("{\"type\":\"pong\",\"\xff\":1}").error == "invalid JSON object");
  CHECK(bad_frame("{\"type\":\"pong\",\"x\":\"\xed\xa0\x80\"}").error == "invalid JSON object");
  CHECK(bad_frame(update + "\"\xc0\xaf\"}}}").error == "invalid JSON object");
  CHECK(decode_server_frame("{\"type\":\"pong\",\"caf\xc3\xa9\":\"\xe2\x82\xac\"}").ok());
}

TEST_CASE("protocol: unknown types are reported as UnknownType", "[protocol]") {
  auto r = bad_frame("{\"type\":\"presence\",\"channel\":\"c\",\"whatever\":[1,2]}", DecodeResult::UnknownType);
  CHECK(r.error.find("presence") != std::string::npos);
  // Client-frame types are not server frames.
  bad_frame("{\"type\":\"subscribe\",\"channel\":\"c\"}", DecodeResult::UnknownType);
  bad_frame("{\"type\":\"ping\",\"t\":1}", DecodeResult::UnknownType);
  bad_frame("{\"type\":\"\"}", DecodeResult::UnknownType);
  bad_frame("{\"type\":\"Update\",\"channel\":\"c\"}", DecodeResult::UnknownType);  // case-sensitive
}

TEST_CASE("protocol: oversized frames are rejected with the sizes", "[protocol]") {
  std::string text = "{\"type\":\"pong\",\"t\":1,\"pad\":\"" + std::string(100, 'x') + "\"}";
  auto r = decode_server_frame(text, 64);
  CHECK(r.status == DecodeResult::TooLarge);
  CHECK_FALSE(r.ok());
  CHECK(r.error.find(std::to_string(text.size())) != std::string::npos);
  CHECK(r.error.find("64") != std::string::npos);
  // Exactly at the limit is fine.
  CHECK(decode_server_frame(text, text.size()).ok());
  CHECK(decode_server_frame(text, text.size() - 1).status == DecodeResult::TooLarge);
  // The default limit is 1 MiB.
  std::string big = "{\"type\":\"pong\",\"pad\":\"" + std::string(kDefaultMaxFrameBytes, 'x') + "\"}";
  CHECK(decode_server_frame(big).status == DecodeResult::TooLarge);
  std::string fits = "{\"type\":\"pong\",\"pad\":\"" + std::string(kDefaultMaxFrameBytes - 100, 'x') + "\"}";
  CHECK(decode_server_frame(fits).ok());
}

TEST_CASE("protocol: damaged frames never crash and never decode", "[protocol]") {
  std::string good =
      "{\"type\":\"update\",\"channel\":\"Message:list\",\"seq\":7,\"mutationId\":\"m-1\","
      "\"data\":{\"type\":\"created\",\"data\":{\"id\":5,\"text\":\"h\\u00e9\",\"tags\":[1,2]},\"timestamp\":17}}";
  REQUIRE(decode_server_frame(good).ok());
  // Every strict prefix is invalid JSON.
  for (size_t n = 0; n < good.size(); ++n) {
    INFO(n);
    auto r = decode_server_frame(std::string_view(good.data(), n));
    CHECK(r.status == DecodeResult::Malformed);
  }
  // Random byte flips: whatever the result, it is a clean value.
  std::mt19937 rng(1234);
  for (int i = 0; i < 3000; ++i) {
    std::string t = good;
    int flips = 1 + int(rng() % 3);
    for (int k = 0; k < flips; ++k) t[rng() % t.size()] = char(rng() % 256);
    auto r = decode_server_frame(t);
    if (!r.ok()) CHECK_FALSE(r.error.empty());
  }
}

TEST_CASE("protocol: to_string(ChangeType)", "[protocol]") {
  CHECK(std::string(to_string(ChangeType::Created)) == "created");
  CHECK(std::string(to_string(ChangeType::Updated)) == "updated");
  CHECK(std::string(to_string(ChangeType::Deleted)) == "deleted");
}

TEST_CASE("protocol: encode_subscribe with and without since", "[protocol][encode]") {
  Json a = parsed(encode_subscribe("Message:list"));
  CHECK(a.get("type")->as_string() == "subscribe");
  CHECK(a.get("channel")->as_string() == "Message:list");
  CHECK(a.get("since") == nullptr);
  CHECK(a.members().size() == 2);

  Json b = parsed(encode_subscribe("Message:item:5", 41));
  CHECK(b.get("channel")->as_string() == "Message:item:5");
  REQUIRE(b.get("since"));
  CHECK(b.get("since")->as_number() == 41);

  Json zero = parsed(encode_subscribe("c", 0));
  REQUIRE(zero.get("since"));
  CHECK(zero.get("since")->as_number() == 0);

  Json big = parsed(encode_subscribe("c", 9007199254740991LL));
  CHECK(big.get("since")->as_number() == 9007199254740991.0);
}

TEST_CASE("protocol: encoders escape odd channel names", "[protocol][encode]") {
  const std::string odd[] = {"chat:room:\"quoted\"", "back\\slash", "new\nline", "tab\t", "ctl\x01\x1f",
                             "caf\xc3\xa9 \xf0\x9f\x98\x80", "</script>", ""};
  for (const std::string& name : odd) {
    INFO(name);
    CHECK(parsed(encode_subscribe(name)).get("channel")->as_string() == name);
    CHECK(parsed(encode_subscribe(name, 3)).get("channel")->as_string() == name);
    CHECK(parsed(encode_unsubscribe(name)).get("channel")->as_string() == name);
    Json pub = parsed(encode_publish(name, name, "{\"x\":1}"));
    CHECK(pub.get("channel")->as_string() == name);
    CHECK(pub.get("event")->as_string() == name);
    Json req = parsed(encode_request(name, name, name, "{}"));
    CHECK(req.get("requestId")->as_string() == name);
    CHECK(req.get("model")->as_string() == name);
    CHECK(req.get("action")->as_string() == name);
  }
}

TEST_CASE("protocol: encode_unsubscribe", "[protocol][encode]") {
  Json u = parsed(encode_unsubscribe("Message:list"));
  CHECK(u.get("type")->as_string() == "unsubscribe");
  CHECK(u.get("channel")->as_string() == "Message:list");
  CHECK(u.members().size() == 2);
}

TEST_CASE("protocol: encode_request", "[protocol][encode]") {
  Json r = parsed(encode_request("r-17", "Message", "list", "{\"where\":{\"roomId\":3},\"take\":10}"));
  CHECK(r.get("type")->as_string() == "request");
  CHECK(r.get("requestId")->as_string() == "r-17");
  CHECK(r.get("model")->as_string() == "Message");
  CHECK(r.get("action")->as_string() == "list");
  REQUIRE(r.get("params"));
  CHECK(r.get("params")->get("where")->get("roomId")->as_number() == 3);
  CHECK(r.get("params")->get("take")->as_number() == 10);

  Json get = parsed(encode_request("r-18", "Message", "get", "{\"id\":5}"));
  CHECK(get.get("action")->as_string() == "get");
  CHECK(get.get("params")->get("id")->as_number() == 5);

  // Empty params become {}.
  Json empty = parsed(encode_request("r-19", "M", "list", ""));
  REQUIRE(empty.get("params"));
  CHECK(empty.get("params")->is_object());
  CHECK(empty.get("params")->members().empty());
}

TEST_CASE("protocol: encode_publish", "[protocol][encode]") {
  Json p = parsed(encode_publish("chat:room:1", "typing", "{\"on\":true,\"who\":[1,2]}"));
  CHECK(p.get("type")->as_string() == "publish");
  CHECK(p.get("channel")->as_string() == "chat:room:1");
  CHECK(p.get("event")->as_string() == "typing");
  CHECK(p.get("data")->get("on")->as_bool());
  CHECK(p.get("data")->get("who")->items().size() == 2);

  Json scalar = parsed(encode_publish("c", "e", "\"hi\""));
  CHECK(scalar.get("data")->as_string() == "hi");
  Json none = parsed(encode_publish("c", "e", ""));
  REQUIRE(none.get("data"));
  CHECK(none.get("data")->is_null());
}

TEST_CASE("protocol: encode_ping", "[protocol][encode]") {
  Json p = parsed(encode_ping(1700000000123LL));
  CHECK(p.get("type")->as_string() == "ping");
  CHECK(p.get("t")->as_number() == 1700000000123.0);
  CHECK(parsed(encode_ping(0)).get("t")->as_number() == 0);
  // Round trip with the pong the server echoes.
  auto pong = decode_server_frame("{\"type\":\"pong\",\"t\":1700000000123}");
  REQUIRE(pong.ok());
  CHECK(pong.frame.t == 1700000000123.0);
}

TEST_CASE("protocol: channel_model names the model of list and item channels only", "[protocol]") {
  bool is_list = false;
  CHECK(channel_model("Message:list", is_list) == "Message");
  CHECK(is_list);
  CHECK(channel_model("Message:item:7", is_list) == "Message");
  CHECK_FALSE(is_list);
  for (const char* other : {"chat:room:1", "Message:item:", ":list", "Message", "Message:lists", ""}) {
    INFO(other);
    CHECK(channel_model(other, is_list).empty());
  }
}

TEST_CASE("protocol: read_epoch rejects a string that is not valid JSON", "[protocol]") {
  std::string out;
  CHECK_FALSE(read_epoch("\"ab", out));        // unterminated
  CHECK_FALSE(read_epoch("\"\xff\"", out));    // not UTF-8
  CHECK_FALSE(read_epoch("\"a\"b\"", out));    // more after the string
  CHECK_FALSE(read_epoch("\"", out));          // a lone quote
  CHECK(read_epoch("\"e1\"", out));
  CHECK(out == "e1");
}
