// Unit tests for ssot/record_version.h: numbers and ISO-8601 times as versions.
#include <catch2/catch.hpp>

#include "ssot/json.h"
#include "ssot/record_version.h"

using namespace ssot;

TEST_CASE("version: numbers compare numerically", "[version]") {
  CHECK(*parse_version("7") < *parse_version("10"));
  CHECK(*parse_version("9007199254740991") < *parse_version("9007199254740992"));
  CHECK(*parse_version("1.5") > *parse_version("1"));
  CHECK_FALSE(parse_version("true"));
  CHECK_FALSE(parse_version("null"));
  CHECK_FALSE(parse_version("[1]"));
  CHECK_FALSE(parse_version(""));
}

TEST_CASE("version: ISO-8601 strings compare as points in time", "[version]") {
  CHECK(*parse_iso8601("1970-01-01T00:00:00Z") == 0);
  CHECK(*parse_iso8601("1970-01-02") == 86400000);
  CHECK(*parse_iso8601("2026-12-04T14:19:17.123Z") == *parse_iso8601("2026-12-04T14:19:17.123"));
  CHECK(*parse_iso8601("2026-12-04T15:00:00+01:00") == *parse_iso8601("2026-12-04T14:00:00Z"));
  CHECK(*parse_iso8601("2026-12-04T08:30:00-0530") == *parse_iso8601("2026-12-04T14:00:00Z"));
  // Text order and time order differ here; time wins.
  CHECK(*parse_iso8601("2026-12-04T10:00:00+05:00") < *parse_iso8601("2026-12-04T06:00:00Z"));
  // Microseconds (Postgres) still order.
  CHECK(*parse_iso8601("2026-12-04T14:19:17.000001Z") > *parse_iso8601("2026-12-04T14:19:17Z"));
  CHECK(*parse_iso8601("2024-02-29T00:00:00Z") - *parse_iso8601("2024-02-28T00:00:00Z") == 86400000);
  CHECK(*parse_iso8601("1969-12-31T23:59:59Z") == -1000);
  CHECK(*parse_version("\"2026-12-04T14:19:17Z\"") == *parse_iso8601("2026-12-04T14:19:17Z"));
}

TEST_CASE("version: malformed times are no version", "[version]") {
  for (const char* bad : {"2026-13-01", "2026-02-30", "2023-02-29", "2026-12-04T25:00", "2026-12-04T14:61",
                          "2026-12-04T14:00:00+", "2026-12-04T14:00:00.", "26-12-04", "yesterday", "2026-12-04x",
                          "2026-12-04T14:00:00Zjunk", ""})
    CHECK_FALSE(parse_iso8601(bad));
  CHECK_FALSE(parse_version("\"soon\""));
}

TEST_CASE("version: read from a record's field", "[version]") {
  CHECK(*record_version(R"({"id":1,"version":3,"text":"a"})", "version") == 3);
  CHECK(*record_version(R"({"id":1,"updatedAt":"2026-12-04T00:00:00Z"})", "updatedAt") ==
        *parse_iso8601("2026-12-04"));
  CHECK_FALSE(record_version(R"({"id":1})", "version"));
  CHECK_FALSE(record_version("[1]", "version"));
  CHECK_FALSE(record_version(R"({"version":3})", ""));
}

// The field's quoted name is looked for before the members are read: a key written
// with escapes, the name as a value or inside another key, and a last duplicate.
TEST_CASE("version: the field found however the key is written", "[version]") {
  CHECK(*record_version(R"({"id":1,"\u0076ersion":4})", "version") == 4);
  CHECK(*record_version(R"({"t":"a \"b\"","version":5})", "version") == 5);
  CHECK_FALSE(record_version(R"({"id":1,"text":"version"})", "version"));
  CHECK_FALSE(record_version(R"({"id":1,"xversion":2,"versionx":3})", "version"));
  CHECK(*record_version(R"({"text":"\"version\"","version":6})", "version") == 6);
  CHECK(*record_version(R"({"version":1,"version":7})", "version") == 7);
  CHECK(*record_version(R"({"v\u00e9r":8})", "vér") == 8);
  CHECK(*record_version(R"({"vér":9})", "vér") == 9);
  CHECK_FALSE(record_version(R"({"a":"version"})", "version"));
  CHECK(*record_version(R"({"a":"version","version":10})", "version") == 10);
  // Escapes other than \u cannot spell a plain name; they can spell '/', '"' and '\\'.
  CHECK_FALSE(record_version(R"({"t":"a \"b\"\n","id":1})", "version"));
  CHECK(*record_version(R"({"t":"a\\u","version":11})", "version") == 11);
  CHECK_FALSE(record_version(R"({"t":"\\u0076ersion"})", "version"));
  CHECK(*record_version(R"({"v\/x":12})", "v/x") == 12);
  CHECK(*record_version(R"({"q\"":13})", "q\"") == 13);
}

// From the members the decoder read (json::MemberList), the same version as from the
// text; members of another text are not used.
TEST_CASE("version: from the record's members when they describe its text", "[version]") {
  for (std::string text : {R"({"id":1,"version":3,"version":4})", R"({"id":1})", R"({"version":"2026-12-04"})",
                           R"({"v\u0065rsion":5})", R"({"version":"x"})"}) {
    INFO(text);
    json::MemberList m;
    REQUIRE(json::capture_members(text.data(), text.data() + text.size(), 0, m) == text.data() + text.size());
    CHECK(record_version(text, "version", &m) == record_version(text, "version"));
    CHECK(record_version(text, "", &m) == std::nullopt);
  }
  std::string a = R"({"version":1})", b = R"({"version":2})";
  json::MemberList m;
  json::capture_members(a.data(), a.data() + a.size(), 0, m);
  CHECK(*record_version(b, "version", &m) == 2);  // a's members do not describe b
  m.members[0].value = "9";  // they are what is read when they describe the text
  CHECK(*record_version(a, "version", &m) == 9);
}
