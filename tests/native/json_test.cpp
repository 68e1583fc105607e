// Unit tests for ssot/json.h: the validating scanner, the walks and the tiny DOM.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "ssot/json.h"

using namespace ssot;

namespace {

std::string decode(std::string_view literal, bool* ok = nullptr) {
  std::string out;
  const char* end = literal.data() + literal.size();
  const char* p = json::parse_string(literal.data(), end, out);
  if (ok) *ok = p == end;
  return out;
}

std::string nested_arrays(int depth) {
  return std::string(size_t(depth), '[') + "1" + std::string(size_t(depth), ']');
}

std::string nested_objects(int depth) {
  std::string s;
  for (int i = 0; i < depth; ++i) s += "{\"a\":";
  s += "1";
  s += std::string(size_t(depth), '}');
  return s;
}

using Members = std::vector<std::pair<std::string, std::string>>;

// walk_members over a whole text: its members (keys decoded, values raw), and whether
// the text is one valid object.
Members members_of(std::string_view text, bool& ok) {
  struct Context {
    const char* end;
    Members got;
  } c{text.data() + text.size(), {}};
  std::string key_buf;
  const char* p = json::walk_members(text.data(), c.end, key_buf, [](void* context, std::string_view k, const char* v) {
    auto& c = *static_cast<Context*>(context);
    const char* q = json::skip_value(v, c.end, 1);
    if (q) c.got.emplace_back(std::string(k), std::string(v, size_t(q - v)));
    return q;
  }, &c);
  ok = p && json::skip_ws(p, c.end) == c.end;
  return c.got;
}

// scan_records over a whole text: its elements, and whether it is one valid array.
std::vector<std::string> elements_of(std::string_view text, bool& ok) {
  std::vector<json::RecordText> items;
  ok = json::scan_records(text, "id", items);
  std::vector<std::string> out;
  for (const auto& item : items) out.emplace_back(item.text);
  return out;
}

}  // namespace

TEST_CASE("json: valid texts are accepted", "[json]") {
  const char* good[] = {
      "{}", "[]", " {} ", "\n\t{\r\n}\n", "null", "true", "false", "0", "-0", "1", "-1", "0.5", "-0.5",
      "1e5", "1E5", "1e+5", "1e-5", "1.25e-3", "123456789012345678901234567890", "\"\"", "\"abc\"",
      "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\u00e9\\u20AC\"", "{\"a\":1,\"b\":[1,2,{\"c\":null}],\"d\":\"x\"}",
      "[ 1 , 2 , 3 ]", "{ \"a\" : { } , \"b\" : [ ] }", "\"caf\xc3\xa9\"",
  };
  for (const char* text : good) {
    INFO(text);
    CHECK(json::valid(text));
    CHECK(Json::parse(text).has_value());
  }
}

TEST_CASE("json: invalid texts are rejected", "[json]") {
  const char* bad[] = {
      "",            // nothing
      "   ",         // only whitespace
      "{",           // unterminated object
      "[",           // unterminated array
      "{\"a\":1,}",  // trailing comma in object
      "[1,2,]",      // trailing comma in array
      "{,\"a\":1}",  // leading comma
      "[,1]",
      "{\"a\":1}x",        // trailing garbage after the object
      "{\"a\":1} {}",      // two values
      "[1] ]",             // an extra bracket
      "{\"a\" 1}",         // missing colon
      "{\"a\":1 \"b\":2}", // missing comma
      "{a:1}",             // unquoted key
      "{1:1}",             // non-string key
      "\"abc",             // unterminated string
      "{\"a\":\"abc}",     // unterminated string inside an object
      "\"a\\\"",           // escaped quote at the end: still unterminated
      "\"tab\there\"",     // raw control character (tab)
      "\"line\nbreak\"",   // raw newline
      "\"\x01\"",          // raw 0x01
      "\"\\x41\"",         // bad escape
      "\"\\a\"",           // bad escape
      "\"\\u12\"",         // short \u
      "\"\\u12G4\"",       // non-hex \u
      "\"\\",              // backslash at the end
      "01",                // leading zero
      "-01",               // leading zero after minus
      "00",                // leading zero
      "-",                 // minus alone
      "1.",                // no fraction digits
      "1.e5",              // no fraction digits
      ".5",                // no integer part
      "+1",                // plus sign
      "1e",                // no exponent digits
      "1e+",               // no exponent digits
      "1E-",               // no exponent digits
      "0x10",              // hex
      "NaN", "Infinity", "-Infinity",
      "tru", "nul", "falsey", "True", "undefined",
      "'single'",  // single quotes
      "[1 2]",     // missing comma in array
      "{\"a\":}",  // missing value
  };
  for (const char* text : bad) {
    INFO("text: " << text);
    CHECK_FALSE(json::valid(text));
    CHECK_FALSE(Json::parse(text).has_value());
  }
}

TEST_CASE("json: Json::parse reports an error message", "[json]") {
  std::string error;
  CHECK_FALSE(Json::parse("{\"a\":1,}", &error).has_value());
  CHECK_FALSE(error.empty());
}

TEST_CASE("json: skip_value returns a pointer just past one value", "[json]") {
  std::string text = "  [1, {\"a\": \"]\"}]  , 5";
  const char* end = text.data() + text.size();
  const char* p = json::skip_value(text.data(), end);
  REQUIRE(p != nullptr);
  CHECK(std::string(text.c_str(), size_t(p - text.c_str())) == "  [1, {\"a\": \"]\"}]");
  CHECK(json::skip_ws(p, end) == text.data() + text.rfind(','));
  // A value cut short is invalid.
  std::string cut = "[1, 2";
  CHECK(json::skip_value(cut.data(), cut.data() + cut.size()) == nullptr);
  // The scanner never reads past `end`, even when the buffer continues.
  std::string whole = "\"abc\"";
  CHECK(json::skip_value(whole.data(), whole.data() + 3) == nullptr);
  std::string lit = "true";
  CHECK(json::skip_value(lit.data(), lit.data() + 3) == nullptr);
}

TEST_CASE("json: nesting deeper than kMaxDepth is rejected", "[json]") {
  CHECK(json::valid(nested_arrays(json::kMaxDepth)));
  CHECK(Json::parse(nested_arrays(json::kMaxDepth)).has_value());
  CHECK(json::valid(nested_objects(json::kMaxDepth)));
  CHECK(Json::parse(nested_objects(json::kMaxDepth)).has_value());

  CHECK_FALSE(json::valid(nested_arrays(json::kMaxDepth + 1)));
  CHECK_FALSE(Json::parse(nested_arrays(json::kMaxDepth + 1)).has_value());
  CHECK_FALSE(json::valid(nested_objects(json::kMaxDepth + 1)));
  CHECK_FALSE(Json::parse(nested_objects(json::kMaxDepth + 1)).has_value());

  // Far too deep: rejected without blowing the stack.
  std::string deep(200000, '[');
  CHECK_FALSE(json::valid(deep));
  CHECK_FALSE(Json::parse(deep).has_value());
  std::string deep_closed = nested_arrays(100000);
  CHECK_FALSE(json::valid(deep_closed));
  CHECK_FALSE(Json::parse(deep_closed).has_value());
  // The walks check the depth of each value they hand out, too.
  const std::string wrapped = "[" + nested_arrays(json::kMaxDepth + 1) + "]";
  bool ok = true;
  CHECK(elements_of(wrapped, ok).empty());
  CHECK_FALSE(ok);
}

TEST_CASE("json: parse_string decodes escapes", "[json]") {
  bool ok = false;
  CHECK(decode("\"plain\"", &ok) == "plain");
  CHECK(ok);
  CHECK(decode("\"\"", &ok).empty());
  CHECK(ok);
  CHECK(decode("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", &ok) == "\"\\/\b\f\n\r\t");
  CHECK(ok);
  CHECK(decode("\"\\u0041\\u0062\"") == "Ab");
  CHECK(decode("\"\\u0000\"") == std::string(1, '\0'));
  CHECK(decode("\"\\u00e9\"") == "\xc3\xa9");          // 2-byte UTF-8
  CHECK(decode("\"\\u00E9\"") == "\xc3\xa9");          // upper-case hex
  CHECK(decode("\"\\u20ac\"") == "\xe2\x82\xac");      // 3-byte UTF-8
  CHECK(decode("\"\\u07ff\\u0800\"") == "\xdf\xbf\xe0\xa0\x80");
  CHECK(decode("\"caf\xc3\xa9\"") == "caf\xc3\xa9");   // raw UTF-8 passes through
  // The closing quote: a pointer just past it.
  std::string text = "\"ab\" tail";
  std::string out;
  const char* p = json::parse_string(text.data(), text.data() + text.size(), out);
  REQUIRE(p != nullptr);
  CHECK(p == text.data() + 4);
  CHECK(out == "ab");
  // Not at a quote.
  CHECK(json::parse_string(text.data() + 1, text.data() + text.size(), out) == nullptr);
}

TEST_CASE("json: surrogate pairs decode to UTF-8, lone surrogates to U+FFFD", "[json]") {
  // U+1F600 (grinning face) as a pair.
  CHECK(decode("\"\\ud83d\\ude00\"") == "\xf0\x9f\x98\x80");
  CHECK(decode("\"\\uD834\\uDD1E\"") == "\xf0\x9d\x84\x9e");  // U+1D11E
  CHECK(decode("\"\\udbff\\udfff\"") == "\xf4\x8f\xbf\xbf");  // U+10FFFF
  CHECK(decode("\"\\ud800\\udc00\"") == "\xf0\x90\x80\x80");  // U+10000
  const std::string fffd = "\xef\xbf\xbd";
  CHECK(decode("\"\\ud83d\"") == fffd);                  // lone high at the end
  CHECK(decode("\"\\ude00\"") == fffd);                  // lone low
  CHECK(decode("\"\\ud83dx\"") == fffd + "x");           // high followed by a plain char
  CHECK(decode("\"\\ud83d\\u0041\"") == fffd + "A");     // high followed by a non-surrogate escape
  CHECK(decode("\"\\ud83d\\ud83d\\ude00\"") == fffd + "\xf0\x9f\x98\x80");  // high, then a pair
  CHECK(decode("\"\\ude00\\ud83d\"") == fffd + fffd);    // reversed pair
  CHECK(decode("\"\\ud83d\\n\"") == fffd + "\n");
  // Still validated: a bad escape after a high surrogate is an error.
  CHECK_FALSE(json::valid("\"\\ud83d\\uZZZZ\""));
  CHECK_FALSE(json::valid("\"\\ud83d\\q\""));
}

TEST_CASE("json: strings must be well-formed UTF-8 (found by the nlohmann oracle)", "[json]") {
  // Every boundary of RFC 3629's table, inside and outside.
  const char* good[] = {"\xc2\x80", "\xdf\xbf", "\xe0\xa0\x80", "\xe0\xbf\xbf", "\xe1\x80\x80", "\xec\xbf\xbf",
                        "\xed\x80\x80", "\xed\x9f\xbf", "\xee\x80\x80", "\xef\xbf\xbf", "\xf0\x90\x80\x80",
                        "\xf0\xbf\xbf\xbf", "\xf1\x80\x80\x80", "\xf3\xbf\xbf\xbf", "\xf4\x80\x80\x80", "\xf4\x8f\xbf\xbf",
                        "\x7f"};
  const char* bad[] = {"\x80", "\xbf", "\xc0\x80", "\xc1\xbf", "\xc2", "\xc2\x7f", "\xc2\xc0", "\xe0\x80\x80",
                       "\xe0\x9f\xbf", "\xe0\xa0", "\xe1\x80", "\xed\xa0\x80", "\xed\xbf\xbf", "\xef\xbf",
                       "\xf0\x80\x80\x80", "\xf0\x8f\xbf\xbf", "\xf0\x90\x80", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80",
                       "\xf8\x88\x80\x80\x80", "\xfe", "\xff", "\xc3\x28", "\xe2\x82\x28"};
  // At every offset of the 8-byte scan (word loop and byte loop), as a value and a key.
  for (size_t pad = 0; pad < 10; ++pad) {
    std::string before(pad, 'a'), after(9 - pad, 'b');
    for (const char* seq : good) {
      std::string lit = "\"" + before + seq + after + "\"";
      INFO("good " << lit);
      CHECK(json::valid(lit));
      CHECK(decode(lit) == before + seq + after);
      const std::string object = "{" + lit + ":1}";  // a key: the walk's own fast path
      bool ok = false;
      Members m = members_of(object, ok);
      CHECK(ok);
      REQUIRE(m.size() == 1);
      CHECK(m[0].first == before + seq + after);
    }
    for (const char* seq : bad) {
      std::string lit = "\"" + before + seq + after + "\"";
      INFO("bad " << lit);
      CHECK_FALSE(json::valid(lit));
      CHECK_FALSE(Json::parse(lit).has_value());
      bool ok = true;
      decode(lit, &ok);
      CHECK_FALSE(ok);
      std::string object = "{" + lit + ":1}";  // a key: the walk's own fast path
      CHECK_FALSE(json::valid(object));
      CHECK(members_of(object, ok).empty());
      CHECK_FALSE(ok);
      const std::string_view key = "a";
      std::string_view value;
      CHECK_FALSE(json::find_members(object, &key, 1, &value));
    }
  }
  // A sequence cut by the end of the text (or of the slice) is ill-formed too.
  std::string cut = "\"\xe2\x82\xac\"";
  CHECK(json::skip_value(cut.data(), cut.data() + 3) == nullptr);
}

TEST_CASE("json: the walks count depth as valid() does (found by the nlohmann oracle)", "[json]") {
  // A member of the outer container sits one level down: 63 arrays inside it are the
  // most (the 1 then sits inside 64). The readers before the walks allowed one level more.
  for (bool object : {false, true}) {
    for (int inner : {json::kMaxDepth - 1, json::kMaxDepth}) {
      std::string text = object ? "{\"a\":" + nested_arrays(inner) + "}" : "[" + nested_arrays(inner) + "]";
      bool expect = inner < json::kMaxDepth;
      INFO(text);
      CHECK(json::valid(text) == expect);
      bool walk_ok;
      if (object) {
        members_of(text, walk_ok);
        const std::string_view key = "a";
        std::string_view value;
        CHECK(json::find_members(text, &key, 1, &value) == expect);
      } else {
        elements_of(text, walk_ok);
      }
      CHECK(walk_ok == expect);
    }
  }
  // In an array of records: the member's value sits two levels down.
  for (int inner : {json::kMaxDepth - 3, json::kMaxDepth - 2}) {
    std::string text = "[{\"a\":[" + nested_arrays(inner) + "]}]";
    INFO(text);
    std::vector<json::RecordText> records;
    CHECK(json::valid(text) == (inner == json::kMaxDepth - 3));
    CHECK(json::scan_records(text, "a", records) == json::valid(text));
  }
}

TEST_CASE("json: kind_of and parse_number", "[json]") {
  CHECK(json::kind_of("null") == JsonKind::Null);
  CHECK(json::kind_of("") == JsonKind::Null);
  CHECK(json::kind_of("true") == JsonKind::Bool);
  CHECK(json::kind_of("false") == JsonKind::Bool);
  CHECK(json::kind_of("-1") == JsonKind::Number);
  CHECK(json::kind_of("3") == JsonKind::Number);
  CHECK(json::kind_of("\"x\"") == JsonKind::String);
  CHECK(json::kind_of("[1]") == JsonKind::Array);
  CHECK(json::kind_of("{}") == JsonKind::Object);

  CHECK(json::parse_number("0") == 0.0);
  CHECK(json::parse_number("-12") == -12.0);
  CHECK(json::parse_number("1.5e2") == 150.0);
  CHECK(json::parse_number("2E-1") == 0.2);
  CHECK_FALSE(json::parse_number("").has_value());
  CHECK_FALSE(json::parse_number("01").has_value());
  CHECK_FALSE(json::parse_number("1.").has_value());
  CHECK_FALSE(json::parse_number("1e").has_value());
  CHECK_FALSE(json::parse_number("-").has_value());
  CHECK_FALSE(json::parse_number("1 ").has_value());
  CHECK_FALSE(json::parse_number(" 1").has_value());
  CHECK_FALSE(json::parse_number("\"1\"").has_value());
  CHECK_FALSE(json::parse_number("0x1").has_value());
  // Long (valid) numbers still parse: JSON puts no limit on digits.
  std::string big = "1" + std::string(80, '0');
  auto n = json::parse_number(big);
  REQUIRE(n.has_value());
  CHECK(*n == Approx(1e80));
  std::string long_fraction = "0." + std::string(100, '3');
  REQUIRE(json::parse_number(long_fraction).has_value());
  CHECK(*json::parse_number(long_fraction) == Approx(1.0 / 3));
  auto parsed = Json::parse("[" + big + "]");
  REQUIRE(parsed.has_value());
  CHECK(parsed->items().at(0).as_number() == Approx(1e80));
}

TEST_CASE("json: append_number writes what JS String() writes", "[json]") {
  // The wasm build asks the JS engine and the native one formats by hand: the same
  // suite runs in both, so these pin them to each other and to JSON.stringify.
  auto text = [](double n) {
    std::string out;
    json::append_number(out, n);
    return out;
  };
  CHECK(text(0) == "0");
  CHECK(text(-0.0) == "0");
  CHECK(text(42) == "42");
  CHECK(text(-1700000000123) == "-1700000000123");
  CHECK(text(9007199254740992.0) == "9007199254740992");
  CHECK(text(1152921504606846976.0) == "1152921504606847000");  // 2^60: shortest digits, then zeros
  CHECK(text(1e20) == "100000000000000000000");
  CHECK(text(1e21) == "1e+21");
  CHECK(text(1.2345e25) == "1.2345e+25");
  CHECK(text(0.1) == "0.1");
  CHECK(text(-2.25) == "-2.25");
  CHECK(text(0.1 + 0.2) == "0.30000000000000004");
  CHECK(text(123456789.123) == "123456789.123");
  CHECK(text(0.000001) == "0.000001");
  CHECK(text(1e-7) == "1e-7");
  CHECK(text(-1.5e-7) == "-1.5e-7");
  CHECK(text(5e-324) == "5e-324");
  CHECK(text(1.7976931348623157e308) == "1.7976931348623157e+308");
  CHECK(text(std::nan("")) == "null");
  CHECK(text(HUGE_VAL) == "null");
  CHECK(json::parse_number("-1.5e-7") == -1.5e-7);
  CHECK(json::parse_number("0.30000000000000004") == 0.1 + 0.2);
  CHECK(json::parse_number("1e400") == HUGE_VAL);
  CHECK(json::parse_number("12345678901234567890") == 12345678901234567890.0);
}

TEST_CASE("json: walk_members hands out decoded keys and raw values", "[json]") {
  bool ok = false;
  Members got = members_of(" {\"a\" : 1, \"b\\nc\":\"x\\ty\", \"\\u00e9t\\u00e9\": [1, 2], \"d\":{\"e\":null}} ", ok);
  CHECK(ok);
  REQUIRE(got.size() == 4);
  CHECK(got[0] == std::make_pair(std::string("a"), std::string("1")));
  CHECK(got[1] == std::make_pair(std::string("b\nc"), std::string("\"x\\ty\"")));
  CHECK(got[2] == std::make_pair(std::string("\xc3\xa9t\xc3\xa9"), std::string("[1, 2]")));
  CHECK(got[3] == std::make_pair(std::string("d"), std::string("{\"e\":null}")));
  CHECK(members_of("{ }", ok).empty());
  CHECK(ok);
}

TEST_CASE("json: walk_members rejects what is not one object", "[json]") {
  auto rejects = [](std::string_view text) {
    bool ok = true;
    members_of(text, ok);
    return !ok;
  };
  for (const char* text : {"[1]", "", "\"{}\"", "{\"a\":1,}", "{\"a\":1", "{\"a\":1 \"b\":2}", "{\"a\" 1}", "{\"a\":}",
                           "{\"a\":01}", "{\"a\\x\":1}", "{\"a\x01\":1}", "{\"a", "{\"a\":1} x", "{}}"}) {
    INFO(text);
    CHECK(rejects(text));
  }
  CHECK_FALSE(rejects("{\"a\":1}  \n"));
}

TEST_CASE("json: scan_records hands out elements, each with its member", "[json]") {
  std::vector<json::RecordText> got;
  REQUIRE(json::scan_records(" [1, \"two\" ,{\"id\":3}, [4], null , {\"x\":{\"id\":0},\"id\":\"a\",\"\\u0069d\":5}, {}] ", "id", got));
  std::vector<std::pair<std::string, std::string>> seen;
  for (const auto& g : got) seen.emplace_back(g.text, g.member);
  CHECK(seen == std::vector<std::pair<std::string, std::string>>{
                    {"1", ""}, {"\"two\"", ""}, {"{\"id\":3}", "3"}, {"[4]", ""}, {"null", ""},
                    {"{\"x\":{\"id\":0},\"id\":\"a\",\"\\u0069d\":5}", "5"}, {"{}", ""}});
  got.clear();
  CHECK(json::scan_records("[]", "id", got));
  CHECK(got.empty());
  for (const char* text : {"{}", "[1,]", "[1 2]", "[1", "[1] 2", "[,]", "[\"a]", "1", "[{\"id\":1,}]", "[{\"id\"}]"}) {
    INFO(text);
    CHECK_FALSE(json::scan_records(text, "id", got));
  }
  // Inside a text, it ends at the closing bracket.
  const std::string text = "{\"items\":[{\"id\":1}],\"total\":1}";
  const char* at = text.data() + text.find('[');
  got.clear();
  const char* past = json::scan_records(at, text.data() + text.size(), 1, "id", got);
  CHECK(past == text.data() + text.find(','));
  REQUIRE(got.size() == 1);
  CHECK(got[0].member == "1");
}

TEST_CASE("json: find_members looks up several keys, last duplicate wins", "[json]") {
  const std::string_view keys[] = {"a", "b", "missing", "k\"q"};
  std::string_view values[4];
  REQUIRE(json::find_members("{\"a\":1,\"b\":\"x\",\"a\":[2],\"k\\\"q\":true}", keys, 4, values));
  CHECK(values[0] == "[2]");
  CHECK(values[1] == "\"x\"");
  CHECK(values[2].data() == nullptr);
  CHECK(values[2].empty());
  CHECK(values[3] == "true");  // escaped key matched decoded

  // Invalid objects: false, and stale slots are cleared.
  values[0] = "stale";
  CHECK_FALSE(json::find_members("{\"a\":1,}", keys, 4, values));
  CHECK_FALSE(json::find_members("[1]", keys, 4, values));
  CHECK_FALSE(json::find_members("{\"a\":1} trailing", keys, 4, values));
  CHECK_FALSE(json::find_members("{\"a\":1,\"b\":tru}", keys, 4, values));
  CHECK(json::find_members("{}", keys, 4, values));
  CHECK(values[0].data() == nullptr);
}

TEST_CASE("json: append_string escapes and round-trips through parse_string", "[json]") {
  std::string out;
  json::append_string(out, "a\"b\\c\nd\re\tf\x01g/");
  CHECK(out == "\"a\\\"b\\\\c\\nd\\re\\tf\\u0001g/\"");
  CHECK(json::valid(out));

  // Every byte 0..127, plus UTF-8 sequences and an embedded NUL.
  std::string all;
  for (int c = 0; c < 128; ++c) all += char(c);
  all += "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80";
  std::string lit;
  json::append_string(lit, all);
  INFO(lit);
  REQUIRE(json::valid(lit));
  for (unsigned char c : lit.substr(1, lit.size() - 2)) CHECK(c >= 0x20);  // no raw control chars
  bool ok = false;
  CHECK(decode(lit, &ok) == all);
  CHECK(ok);

  std::string empty;
  json::append_string(empty, "");
  CHECK(empty == "\"\"");
  // Appends: existing content stays.
  std::string prefix = "x=";
  json::append_string(prefix, "y");
  CHECK(prefix == "x=\"y\"");
}

TEST_CASE("json: append_string writes bytes that are not UTF-8 as U+FFFD, so its output stays valid", "[json]") {
  // Found when the scanner started to reject ill-formed UTF-8 (the frame fuzz target:
  // an encoder given arbitrary bytes wrote a literal the scanner now refuses).
  const std::string fffd = "\xef\xbf\xbd";
  std::string out;
  json::append_string(out, "a\xff" "b\xc3\xa9" "c\xed\xa0\x80" "d\xe2\x82");
  CHECK(out == "\"a" + fffd + "b\xc3\xa9" "c" + fffd + fffd + fffd + "d" + fffd + fffd + "\"");
  CHECK(json::valid(out));
  // Well-formed UTF-8 is written as is.
  std::string ok;
  json::append_string(ok, "\xc2\x80\xf4\x8f\xbf\xbf\xe2\x82\xac");
  CHECK(ok == "\"\xc2\x80\xf4\x8f\xbf\xbf\xe2\x82\xac\"");
}

TEST_CASE("json: append_number writes integers plainly and fractions exactly", "[json]") {
  auto num = [](double n) {
    std::string out;
    json::append_number(out, n);
    return out;
  };
  CHECK(num(0) == "0");
  CHECK(num(-0.0) == "0");
  CHECK(num(1) == "1");
  CHECK(num(-42) == "-42");
  CHECK(num(1e15) == "1000000000000000");
  CHECK(num(9007199254740991.0) == "9007199254740991");
  CHECK(num(1.0) == "1");
  CHECK(num(150.0) == "150");
  // Fractions: the shortest text that reads back as the same double (JSON.stringify's digits).
  CHECK(num(0.5) == "0.5");
  CHECK(num(-2.25) == "-2.25");
  CHECK(num(0.1) == "0.1");
  CHECK(num(9.99) == "9.99");
  CHECK(num(1.0 / 3) == "0.3333333333333333");
  // Non-finite numbers are not JSON: null, as JSON.stringify does.
  CHECK(num(std::nan("")) == "null");
  CHECK(num(INFINITY) == "null");
  CHECK(num(-INFINITY) == "null");
  // Whatever the form, the text is valid JSON and reads back exactly.
  const double samples[] = {0.1, 0.2, 0.30000000000000004, 1e-7, 123.456, -1e300, 5e-324, 1e21, 2e53,
                            9007199254740993.0, 1.7976931348623157e308, 12345.6789, 3.14159};
  for (double d : samples) {
    std::string text = num(d);
    INFO(text);
    REQUIRE(json::valid(text));
    CHECK(*json::parse_number(text) == d);
  }
}

TEST_CASE("json: Json DOM parses, looks up and dumps", "[json]") {
  auto j = Json::parse(" {\"s\":\"a\\\"b\",\"n\":-1.5,\"i\":3,\"t\":true,\"f\":false,\"z\":null,"
                       "\"arr\":[1,\"x\",[],{}],\"o\":{\"k\":\"v\"}} ");
  REQUIRE(j.has_value());
  CHECK(j->is_object());
  CHECK(j->kind() == JsonKind::Object);
  REQUIRE(j->get("s"));
  CHECK(j->get("s")->is_string());
  CHECK(j->get("s")->as_string() == "a\"b");
  CHECK(j->get("n")->as_number() == -1.5);
  CHECK(j->get("i")->is_number());
  CHECK(j->get("t")->is_bool());
  CHECK(j->get("t")->as_bool());
  CHECK_FALSE(j->get("f")->as_bool());
  CHECK(j->get("z")->is_null());
  CHECK(j->get("arr")->is_array());
  CHECK(j->get("arr")->items().size() == 4);
  CHECK(j->get("arr")->items()[1].as_string() == "x");
  CHECK(j->get("o")->get("k")->as_string() == "v");
  CHECK(j->get("nope") == nullptr);
  CHECK(j->get("s")->get("x") == nullptr);  // not an object
  CHECK(j->members().size() == 8);
  CHECK(j->members()[0].first == "s");
  CHECK(j->members()[7].first == "o");  // member order kept
  CHECK(j->dump() ==
        "{\"s\":\"a\\\"b\",\"n\":-1.5,\"i\":3,\"t\":true,\"f\":false,\"z\":null,"
        "\"arr\":[1,\"x\",[],{}],\"o\":{\"k\":\"v\"}}");

  Json def;
  CHECK(def.is_null());
  CHECK(def.dump() == "null");
}

TEST_CASE("json: Json::get returns the last duplicate key", "[json]") {
  auto j = Json::parse("{\"a\":1,\"b\":2,\"a\":3}");
  REQUIRE(j.has_value());
  REQUIRE(j->get("a"));
  CHECK(j->get("a")->as_number() == 3);
  CHECK(j->get("b")->as_number() == 2);
}

TEST_CASE("json: parse/dump round trip is stable", "[json]") {
  const char* texts[] = {
      "{\"a\":[1,2.5,-3,true,false,null,\"s\\n\\u0001\"],\"b\":{\"c\":{\"d\":[]}},\"\\u00e9\":\"\\ud83d\\ude00\"}",
      "[]", "{}", "\"\"", "0", "[[[[]]]]", "[0.1,1e-7,1e+21,-0]",
  };
  for (const char* text : texts) {
    INFO(text);
    auto a = Json::parse(text);
    REQUIRE(a.has_value());
    std::string once = a->dump();
    REQUIRE(json::valid(once));
    auto b = Json::parse(once);
    REQUIRE(b.has_value());
    CHECK(b->dump() == once);
  }
  auto j = Json::parse("{\"e\":\"\\u00e9\\ud83d\\ude00\"}");
  REQUIRE(j);
  CHECK(j->get("e")->as_string() == "\xc3\xa9\xf0\x9f\x98\x80");
  CHECK(j->dump() == "{\"e\":\"\xc3\xa9\xf0\x9f\x98\x80\"}");
}

TEST_CASE("json: from_raw_value builds a DOM from a valid slice", "[json]") {
  Json j = Json::from_raw_value("[1,{\"a\":\"b\"}]");
  REQUIRE(j.is_array());
  CHECK(j.items()[1].get("a")->as_string() == "b");
  CHECK(Json::from_raw_value("\"x\"").as_string() == "x");
  CHECK(Json::from_raw_value("42").as_number() == 42);
}

// The 8-byte scan against a byte loop, on short buffers of mostly plain text.
TEST_CASE("json: plain_run stops where a byte-by-byte scan does", "[json]") {
  auto plain = [](unsigned char c) { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\'; };
  std::mt19937 rng(3);
  for (int it = 0; it < 100000; ++it) {
    std::string s(rng() % 40, 'a');
    for (auto& c : s) c = rng() % 4 == 0 ? char(rng()) : char('a' + rng() % 26);
    const char* p = s.data();
    const char* end = p + s.size();
    const char* q = p;
    while (q < end && plain(static_cast<unsigned char>(*q))) ++q;
    REQUIRE(json::plain_run(p, end) == q);
  }
}
