// Unit tests for ssot/value.h: scalar values read out of records, and record ids.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "ssot/value.h"

using namespace ssot;

namespace {

RecordId id_of(std::string_view raw) {
  RecordId out = "sentinel";
  REQUIRE(canonical_id(raw, out));
  return out;
}

bool rejected(std::string_view raw) {
  RecordId out;
  return !canonical_id(raw, out);
}

std::string id_json(std::string_view id) {
  std::string out;
  append_id_json(out, id);
  return out;
}

}  // namespace

TEST_CASE("value: from_raw reads every kind", "[value]") {
  Value missing = Value::from_raw("");
  CHECK(missing.missing);
  CHECK(missing.kind == JsonKind::Null);

  Value null = Value::from_raw("null");
  CHECK(null.kind == JsonKind::Null);
  CHECK_FALSE(null.missing);

  CHECK(Value::from_raw("true").kind == JsonKind::Bool);
  CHECK(Value::from_raw("true").boolean);
  CHECK_FALSE(Value::from_raw("false").boolean);

  Value n = Value::from_raw("-12.5e1");
  CHECK(n.kind == JsonKind::Number);
  CHECK(n.number == -125.0);

  Value s = Value::from_raw("\"a\\nb\\u00e9\"");
  CHECK(s.kind == JsonKind::String);
  CHECK(s.text == "a\nb\xc3\xa9");

  Value arr = Value::from_raw("[1, 2]");
  CHECK(arr.kind == JsonKind::Array);
  CHECK(arr.text == "[1, 2]");
  Value obj = Value::from_raw("{\"a\":1}");
  CHECK(obj.kind == JsonKind::Object);
  CHECK(obj.text == "{\"a\":1}");

  CHECK(Value::of_number(3).kind == JsonKind::Number);
  CHECK(Value::of_number(3).number == 3);
  CHECK(Value::of_string("x").kind == JsonKind::String);
  CHECK(Value::of_string("x").text == "x");
}

TEST_CASE("value: compare orders null < bool < number < string < array/object", "[value]") {
  std::vector<Value> ordered = {
      Value::from_raw("null"),       Value::from_raw("false"),     Value::from_raw("true"),
      Value::from_raw("-1e9"),       Value::from_raw("-1"),        Value::from_raw("0"),
      Value::from_raw("0.5"),        Value::from_raw("2"),         Value::from_raw("10"),
      Value::from_raw("\"\""),       Value::from_raw("\"10\""),    Value::from_raw("\"2\""),
      Value::from_raw("\"A\""),      Value::from_raw("\"a\""),     Value::from_raw("\"ab\""),
      Value::from_raw("\"b\""),      Value::from_raw("[1]"),
  };
  for (size_t i = 0; i < ordered.size(); ++i) {
    for (size_t j = 0; j < ordered.size(); ++j) {
      INFO("i=" << i << " j=" << j);
      int c = compare(ordered[i], ordered[j]);
      if (i < j) CHECK(c < 0);
      if (i == j) CHECK(c == 0);
      if (i > j) CHECK(c > 0);
      CHECK(equal(ordered[i], ordered[j]) == (i == j));
    }
  }
  // Arrays and objects share a rank and compare as text.
  CHECK(compare(Value::from_raw("[1]"), Value::from_raw("{}")) < 0);
  CHECK(compare(Value::from_raw("{\"a\":1}"), Value::from_raw("{\"a\":1}")) == 0);
  // A missing field sorts (and compares) like null, but before nothing else.
  CHECK(compare(Value::from_raw(""), Value::from_raw("null")) == 0);
  CHECK(equal(Value::from_raw(""), Value::from_raw("null")));
  CHECK(compare(Value::from_raw(""), Value::from_raw("false")) < 0);
  // A number never equals its text.
  CHECK_FALSE(equal(Value::from_raw("1"), Value::from_raw("\"1\"")));
  CHECK(equal(Value::from_raw("1"), Value::from_raw("1.0")));
  CHECK(equal(Value::from_raw("\"\\u0041\""), Value::from_raw("\"A\"")));
}

TEST_CASE("value: canonical ids unify numbers and their decimal text", "[value][id]") {
  CHECK(id_of("1") == "1");
  CHECK(id_of("\"1\"") == "1");
  CHECK(id_of("1") == id_of("\"1\""));
  CHECK(id_of("1.0") == "1");
  CHECK(id_of("1e2") == "100");
  CHECK(id_of("1E0") == "1");
  CHECK(id_of("-7") == "-7");
  CHECK(id_of("-0") == "0");
  CHECK(id_of("0") == "0");
  CHECK(id_of("9007199254740991") == "9007199254740991");
  CHECK(id_of("\"abc\"") == "abc");
  CHECK(id_of("\"a\\\"b\"") == "a\"b");
  CHECK(id_of("\"clx0123abc\"") == "clx0123abc");
  CHECK(id_of("\"550e8400-e29b-41d4-a716-446655440000\"") == "550e8400-e29b-41d4-a716-446655440000");
  // Strings that are not canonical integers stay as they are and never meet a number.
  CHECK(id_of("\"007\"") == "007");
  CHECK(id_of("\"007\"") != id_of("7"));
  CHECK(id_of("\"1.0\"") == "1.0");
  CHECK(id_of("\"1.0\"") != id_of("1"));
  CHECK(id_of("\" 1\"") == " 1");
  CHECK(id_of("\"-0\"") == "-0");
  // Fractional numbers are kept as their text.
  CHECK(id_of("1.5") == "1.5");
  CHECK(id_of("-2.25") == "-2.25");
  CHECK_FALSE(is_numeric_id(id_of("1.5")));
  // The output is replaced, not appended to.
  RecordId out = "old";
  REQUIRE(canonical_id("5", out));
  CHECK(out == "5");
}

TEST_CASE("value: canonical_id rejects what cannot be an id", "[value][id]") {
  CHECK(rejected(""));
  CHECK(rejected("\"\""));
  CHECK(rejected("null"));
  CHECK(rejected("true"));
  CHECK(rejected("false"));
  CHECK(rejected("{}"));
  CHECK(rejected("{\"id\":1}"));
  CHECK(rejected("[1]"));
  CHECK(rejected("1e400"));     // not finite
  CHECK(rejected("-1e400"));
  CHECK(rejected("\"abc"));     // broken string
  CHECK(rejected("01"));        // not a JSON number
  CHECK(rejected("1."));
  RecordId out = "old";
  CHECK_FALSE(canonical_id("null", out));
  CHECK(out.empty());
}

TEST_CASE("value: ids beyond 2^53 are kept as text and are not numeric", "[value][id]") {
  // 2^53 + 1 has no exact double: kept as its digits, not rounded.
  CHECK(id_of("9007199254740993") == "9007199254740993");
  CHECK(id_of("12345678901234567890") == "12345678901234567890");
  CHECK(id_of("\"12345678901234567890\"") == "12345678901234567890");
  CHECK(id_of("1" + std::string(80, '0')) == "1" + std::string(80, '0'));

  CHECK_FALSE(is_numeric_id("9007199254740992"));
  CHECK_FALSE(is_numeric_id("9007199254740993"));
  CHECK_FALSE(is_numeric_id("-9007199254740993"));
  CHECK_FALSE(is_numeric_id("99999999999999999"));
  CHECK_FALSE(is_numeric_id("12345678901234567890"));
  CHECK(is_numeric_id("9007199254740991"));
  CHECK(is_numeric_id("-9007199254740991"));
  CHECK(is_numeric_id("8999999999999999"));
  // ...so they go out as strings: a JS number would round them.
  CHECK(id_json("9007199254740993") == "\"9007199254740993\"");
  CHECK(id_json("99999999999999999") == "\"99999999999999999\"");
  CHECK(id_json("9007199254740991") == "9007199254740991");
  // ...and sort after every numeric id.
  CHECK(compare_ids("9007199254740991", "9007199254740993") < 0);
  CHECK(compare_ids("99999999999999999", "5") > 0);
}

TEST_CASE("value: is_numeric_id accepts canonical integers only", "[value][id]") {
  CHECK(is_numeric_id("0"));
  CHECK(is_numeric_id("7"));
  CHECK(is_numeric_id("-7"));
  CHECK(is_numeric_id("1234567890"));
  CHECK_FALSE(is_numeric_id(""));
  CHECK_FALSE(is_numeric_id("-"));
  CHECK_FALSE(is_numeric_id("-0"));
  CHECK_FALSE(is_numeric_id("007"));
  CHECK_FALSE(is_numeric_id("00"));
  CHECK_FALSE(is_numeric_id("-01"));
  CHECK_FALSE(is_numeric_id("1.5"));
  CHECK_FALSE(is_numeric_id("1e3"));
  CHECK_FALSE(is_numeric_id("+1"));
  CHECK_FALSE(is_numeric_id(" 1"));
  CHECK_FALSE(is_numeric_id("1a"));
  CHECK_FALSE(is_numeric_id("abc"));
}

TEST_CASE("value: compare_ids puts numeric ids first, in numeric order", "[value][id]") {
  CHECK(compare_ids("2", "10") < 0);
  CHECK(compare_ids("10", "2") > 0);
  CHECK(compare_ids("10", "10") == 0);
  CHECK(compare_ids("-10", "-5") < 0);
  CHECK(compare_ids("-5", "-10") > 0);
  CHECK(compare_ids("-5", "2") < 0);
  CHECK(compare_ids("2", "-5") > 0);
  CHECK(compare_ids("0", "-1") > 0);
  CHECK(compare_ids("-1", "0") < 0);
  CHECK(compare_ids("99", "a") < 0);  // numbers before strings
  CHECK(compare_ids("a", "99") > 0);
  CHECK(compare_ids("999999", "007") < 0);
  CHECK(compare_ids("007", "7") > 0);
  CHECK(compare_ids("a", "b") < 0);
  CHECK(compare_ids("b", "a") > 0);
  CHECK(compare_ids("abc", "abc") == 0);
  CHECK(compare_ids("ab", "abc") < 0);
  CHECK(compare_ids("1.5", "10") > 0);  // 1.5 is a text id

  std::vector<std::string> ids = {"b", "10", "-5", "a", "2", "-10", "007", "0", "1.5", "100"};
  std::sort(ids.begin(), ids.end(), [](const std::string& x, const std::string& y) { return compare_ids(x, y) < 0; });
  CHECK(ids == std::vector<std::string>{"-10", "-5", "0", "2", "10", "100", "007", "1.5", "a", "b"});
  // The result is a sign, -1/0/1.
  CHECK(compare_ids("a", "zzz") == -1);
  CHECK(compare_ids("zzz", "a") == 1);
}

TEST_CASE("value: append_id_json writes numbers as numbers, the rest as strings", "[value][id]") {
  CHECK(id_json("1") == "1");
  CHECK(id_json("-5") == "-5");
  CHECK(id_json("0") == "0");
  CHECK(id_json("007") == "\"007\"");
  CHECK(id_json("1.5") == "\"1.5\"");
  CHECK(id_json("abc") == "\"abc\"");
  CHECK(id_json("a\"b\\c") == "\"a\\\"b\\\\c\"");
  // Appends to what is there.
  std::string out = "[";
  append_id_json(out, "3");
  out += ",";
  append_id_json(out, "x");
  out += "]";
  CHECK(out == "[3,\"x\"]");
  // Round trip: the JSON written reads back as the same canonical id.
  for (std::string id : {"1", "-5", "007", "1.5", "abc", "a\"b", "9007199254740993"}) {
    INFO(id);
    CHECK(id_of(id_json(id)) == id);
  }
}
