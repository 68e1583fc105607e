// Differential tests of the JSON scanner (ssot/json.h) against nlohmann/json, the
// oracle (json_oracle.h): a fixed corpus, then seeded random documents and mutations
// of them. Every check of json_oracle::check must hold for every text: accept/reject,
// kinds, numbers bit for bit, decoded strings, member order and duplicates, where a
// value ends, walk_members, scan_records, find_members and the DOM. The deliberate differences have
// their own cases below.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "json_oracle.h"
#include "ssot/json.h"

using namespace ssot;
using json_oracle::check;
using json_oracle::oracle;

namespace {

std::string S(const char* s, size_t n) { return std::string(s, n); }

std::string nested(int depth, const std::string& inner = "1") {
  return std::string(size_t(depth), '[') + inner + std::string(size_t(depth), ']');
}

std::string nested_objects(int depth, const std::string& inner = "1") {
  std::string s;
  for (int i = 0; i < depth; ++i) s += "{\"k\":";
  return s + inner + std::string(size_t(depth), '}');
}

// Hand-picked texts: the grammar's corners, strings, numbers, duplicates, depth.
std::vector<std::string> fixed_corpus() {
  std::vector<std::string> c = {
      // literals and structure
      "null", "true", "false", "nul", "tru", "fals", "nulll", "truefalse", "True", "NULL", "[]", "{}", "[ ]", "{ }",
      " \t\r\n[ \t\r\n1 \t\r\n, \t\r\n2 \t\r\n] \t\r\n", "[1,2,3]", "[1,,2]", "[,]", "[1,]", "[", "]", "{", "}",
      "[}", "{]", "[[]]", "[[],[[]],{}]", "{\"a\":1}", "{\"a\":1,}", "{\"a\"}", "{\"a\":}", "{:1}", "{1:1}",
      "{a:1}", "{'a':1}", "{\"a\" 1}", "{\"a\":1 \"b\":2}", "{\"a\":1}}", "{\"a\":1} {}", "[1] [2]", "1 2", "",
      " ", "\t", "\f1", "\v1", "1\f", "/* c */1", "1 // c", "#1", "[1]x", "x",
      // duplicates and member order
      "{\"a\":1,\"b\":2,\"a\":3}", "{\"b\":1,\"a\":2,\"b\":3,\"c\":4,\"a\":5}", "{\"a\":{\"x\":1},\"a\":{\"y\":2}}",
      "{\"a\":[1],\"a\":null,\"a\":\"s\"}", "{\"\":0,\"\":1}", "{\"\\u0061\":1,\"a\":2}", "{\"a\\u0000\":1,\"a\":2}",
      "{\"z\":1,\"y\":2,\"x\":3,\"1\":4,\"0\":5}", "{\"\\ud83d\\ude00\":1,\"\xf0\x9f\x98\x80\":2}",
      // arrays of records (scan_records: each element's "id", escaped keys and duplicates too)
      "[{\"id\":1},{\"id\":\"a\",\"id\":2},{\"\\u0069d\":3},{\"i\\u0064\":[4]},{\"x\":{\"id\":5}},[],6,\"id\",{}]",
      " [ {\"id\" : 1 } , {\"id\":2,\"x\":[{\"id\":3}]} ] ", "[{\"id\":1},]", "[{\"id\":1}{\"id\":2}]", "[{\"id\"}]",
      "[{\"id\":1,}]", "[{\"id\":1}] x", "[{\"i\\d\":1}]", "[{\"id\":\"\xff\"}]",
      // numbers
      "0", "-0", "0.0", "-0.0", "-0e0", "0e-0", "1", "-1", "01", "-01", "00", "1.", ".1", "-.1", "+1", "1.e1",
      "1e", "1e+", "1E-", "1e1.5", "1.5e", "0x10", "1_000", "- 1", "--1", "1-", "1e+-1", "1ee1", "NaN", "Infinity",
      "-Infinity", "1.0", "1.5", "-1.5e-3", "1E400", "1e400", "-1e400", "1e309", "1.7976931348623157e308",
      "1.7976931348623158e308", "1.7976931348623159e308", "-1.7976931348623159e308", "4.9e-324", "5e-324",
      "2.4703282292062327e-324", "2.4703282292062328e-324", "1e-400", "-1e-400", "2.2250738585072011e-308",
      "2.2250738585072014e-308", "0.1", "0.30000000000000004", "9007199254740991", "9007199254740992",
      "9007199254740993", "-9007199254740993", "9999999999999999", "99999999999999999", "1234567890123456789",
      "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
      "18446744073709551615", "18446744073709551616", "123456789012345678901234567890",
      "1" + std::string(308, '0'), "1" + std::string(309, '0'), "-1" + std::string(400, '0'),
      "0." + std::string(400, '0') + "1", "1" + std::string(400, '0') + "e-400", "1e99999999999999999999",
      "1e-99999999999999999999", "0e99999999999999999999", "[1e400,-1e400,1e400]", "{\"a\":1e999,\"a\":2}",
      "{\"a\":2,\"a\":-1e999}", "[-0,0,-0.0]",
      // strings and escapes
      "\"\"", "\"abc\"", "\"abc", "\"\\\"\"", "\"\\\\\"", "\"\\/\"", "\"\\b\\f\\n\\r\\t\"", "\"\\a\"", "\"\\x41\"",
      "\"\\'\"", "\"\\0\"", "\"\\\"", "\"\\", "\"\\u\"", "\"\\u1\"", "\"\\u12\"", "\"\\u123\"", "\"\\u1234\"",
      "\"\\u12G4\"", "\"\\U1234\"", "\"\\u0000\"", "\"\\u001f\"", "\"\\u007f\"", "\"\\u00e9\"", "\"\\u00E9\"",
      "\"\\u20ac\"", "\"\\uffff\"", "\"\\ufffe\"", "\"\\ufeff\"", "'a'", "\"a\"\"b\"",
      // surrogate escapes: pairs, and the lone ones of deliberate difference 1
      "\"\\ud83d\\ude00\"", "\"\\uD83D\\uDE00\"", "\"\\ud800\\udc00\"", "\"\\udbff\\udfff\"", "\"\\ud800\"",
      "\"\\udbff\"", "\"\\udc00\"", "\"\\udfff\"", "\"\\ud800x\"", "\"\\ud800\\u0041\"", "\"\\ud800\\ud800\"",
      "\"\\ud800\\ud800\\udc00\"", "\"\\udc00\\ud800\"", "\"\\ud800\\n\"", "\"\\ud800\\\"", "\"\\ud800\\u\"",
      "\"\\ud800\\uZZZZ\"", "\"\\ud800\\udc0\"", "\"\\ud800\\\\udc00\"", "\"\\ud800\\q\"", "{\"\\ud800\":1}",
      "{\"\\ud800\":1,\"\\udc00\":2}", "[\"\\ude00\\ud83d\"]", "\"\\\\ud800\"",
      // raw control characters and bytes
      S("\"\x00\"", 3), "\"\x01\"", "\"\x1f\"", "\"\x7f\"", "\"\t\"", "\"\n\"", "\"\r\"", "\x7f",
      S("\0", 1), S("1\0", 2), S("1\0x", 3), S("[1]\0", 4), S("\0[1]", 4), S("[1\0]", 4), S("{\"a\":1}\0 ", 9),
      // UTF-8: valid, and every kind of ill-formed sequence (RFC 3629)
      "\"caf\xc3\xa9\"", "\"\xe2\x82\xac\"", "\"\xf0\x9f\x98\x80\"", "\"\xef\xbf\xbd\"", "\"\xef\xbb\xbf\"",
      "\"\xdf\xbf\xe0\xa0\x80\"", "\"\xed\x9f\xbf\xee\x80\x80\"", "\"\xf4\x8f\xbf\xbf\"", "\"\xf0\x90\x80\x80\"",
      "\"\x80\"", "\"\xbf\"", "\"\xc0\x80\"", "\"\xc1\xbf\"", "\"\xc2\"", "\"\xc2\x7f\"", "\"\xc2\xc0\"",
      "\"\xe0\x80\x80\"", "\"\xe0\x9f\xbf\"", "\"\xe0\xa0\"", "\"\xe1\x80\"", "\"\xed\xa0\x80\"", "\"\xed\xbf\xbf\"",
      "\"\xed\xa0\x80\xed\xb0\x80\"", "\"\xef\xbf\"", "\"\xf0\x80\x80\x80\"", "\"\xf0\x8f\xbf\xbf\"", "\"\xf0\x9f\x98\"",
      "\"\xf4\x90\x80\x80\"", "\"\xf5\x80\x80\x80\"", "\"\xf8\x88\x80\x80\x80\"", "\"\xfe\"", "\"\xff\"",
      "\"abc\xe2\x82\"", "\"\xc3\xa9\xc3\"", "{\"\xff\":1}", "{\"a\xc3\":1}", "{\"\xc3\xa9\":1}",
      "[\"\xe2\x82\xac\",\"\xe2\x82\"]", "{\"k\":\"\xed\xa0\x80\"}", "\xc3\xa9", "[\xc3\xa9]",
      // byte order mark (deliberate difference 4)
      "\xef\xbb\xbf{}", "\xef\xbb\xbf" "1", " \xef\xbb\xbf" "1", "\xef\xbb" "1",
      // depth (deliberate difference 3)
      nested(json::kMaxDepth - 1), nested(json::kMaxDepth), nested(json::kMaxDepth + 1), nested(json::kMaxDepth, ""),
      nested(json::kMaxDepth + 1, ""), nested(json::kMaxDepth + 2, ""), nested(json::kMaxDepth, "[]"),
      nested_objects(json::kMaxDepth), nested_objects(json::kMaxDepth + 1), nested_objects(json::kMaxDepth, "{}"),
      nested_objects(json::kMaxDepth + 1, "{}"), nested(200), nested(200, "") + "x", std::string(300, '['),
      "[" + nested(json::kMaxDepth) + "]", "{\"a\":" + nested(json::kMaxDepth) + "}",
      "{\"a\":" + nested(json::kMaxDepth - 1) + "}", "[" + nested_objects(json::kMaxDepth, "{}") + "]",
      "{\"a\":1,\"b\":" + nested(json::kMaxDepth) + "}",
      // a record and a frame as the engine reads them
      "{\"id\":42,\"title\":\"caf\xc3\xa9 \\u2615\",\"tags\":[\"a\",\"b\"],\"meta\":{\"v\":1.5e3,\"ok\":true,\"n\":null}}",
      "{\"type\":\"updated\",\"seq\":17,\"data\":{\"id\":\"r-1\",\"v\":2,\"id\":\"r-2\"},\"timestamp\":1700000000000}",
  };
  return c;
}

// ---------------------------------------------------------------------------------------
// Seeded generator. Only the raw mt19937 sequence is used (its output is standardized;
// the distributions are not), so native and wasm builds test the same documents.
class Gen {
 public:
  explicit Gen(uint32_t seed) : rng_(seed) {}
  uint32_t below(uint32_t n) { return uint32_t(rng_() % n); }
  bool one_in(uint32_t n) { return below(n) == 0; }

  std::string ws() {
    static const char* pads[] = {"", "", "", " ", "\n", "\t", "\r\n", "  "};
    return pads[below(8)];
  }

  std::string number() {
    static const char* fixed[] = {"0", "-0", "0.0", "-0.0", "1e400", "-1e400", "1e-400", "5e-324",
                                  "1.7976931348623157e308", "1.7976931348623159e308", "2.4703282292062328e-324",
                                  "9007199254740993", "18446744073709551616", "-9223372036854775809",
                                  "123456789012345678901234567890", "0.1", "1E+2", "1e-2"};
    if (one_in(5)) return fixed[below(sizeof fixed / sizeof *fixed)];
    std::string s;
    if (one_in(3)) s += '-';
    size_t digits = 1 + below(one_in(6) ? 25 : 8);
    s += char('1' + below(9));
    for (size_t i = 1; i < digits; ++i) s += char('0' + below(10));
    if (one_in(6)) s = s[0] == '-' ? "-0" : "0";
    if (one_in(3)) {
      s += '.';
      size_t frac = 1 + below(one_in(5) ? 30 : 6);
      for (size_t i = 0; i < frac; ++i) s += char('0' + below(10));
    }
    if (one_in(4)) {
      s += "eE"[below(2)];
      if (one_in(2)) s += "+-"[below(2)];
      size_t exp = 1 + below(3);
      for (size_t i = 0; i < exp; ++i) s += char('0' + below(10));
    }
    return s;
  }

  std::string hex4(unsigned cp) {
    static const char* lower = "0123456789abcdef";
    static const char* upper = "0123456789ABCDEF";
    const char* h = one_in(3) ? upper : lower;
    std::string s = "\\u";
    for (int shift = 12; shift >= 0; shift -= 4) s += h[(cp >> shift) & 15];
    return s;
  }

  std::string string_body() {
    static const char* escapes[] = {"\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t"};
    static const char* utf8[] = {"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xdf\xbf", "\xe0\xa0\x80",
                                 "\xed\x9f\xbf", "\xee\x80\x80", "\xef\xbf\xbd", "\xf4\x8f\xbf\xbf", "\xf0\x90\x80\x80"};
    static const char* bad_utf8[] = {"\x80", "\xc0\x80", "\xc2", "\xe0\x80\x80", "\xed\xa0\x80", "\xf0\x8f\xbf\xbf",
                                     "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xff", "\xe2\x82", "\xc3\x28"};
    std::string s;
    size_t parts = below(8);
    for (size_t i = 0; i < parts; ++i) {
      switch (below(12)) {
        case 0: s += escapes[below(8)]; break;
        case 1: s += hex4(below(0x10000)); break;
        case 2: s += hex4(0xD800 + below(0x400)) + hex4(0xDC00 + below(0x400)); break;  // a pair
        case 3: s += hex4(0xD800 + below(0x800)); break;                                // lone (usually)
        case 4: s += utf8[below(10)]; break;
        case 5:
          if (one_in(6)) s += bad_utf8[below(11)];
          else s += utf8[below(10)];
          break;
        case 6:
          if (one_in(10)) s += char(below(0x20));  // a raw control character: invalid
          else s += "x";
          break;
        default: {
          size_t n = 1 + below(6);
          for (size_t k = 0; k < n; ++k) s += char(0x20 + below(0x5f));
          s.erase(std::remove_if(s.begin(), s.end(), [](char c) { return c == '"' || c == '\\'; }), s.end());
        }
      }
    }
    return s;
  }

  std::string string() { return "\"" + string_body() + "\""; }

  std::string key() {
    static const char* pool[] = {"a", "b", "id", "", "\\u0061", "\xc3\xa9", "\\u00e9", "k\\n", "\\ud800"};
    return one_in(2) ? "\"" + std::string(pool[below(9)]) + "\"" : string();
  }

  std::string value(int depth) {
    uint32_t k = depth > 6 ? below(6) : below(9);
    switch (k) {
      case 0: return "null";
      case 1: return one_in(2) ? "true" : "false";
      case 2:
      case 3: return number();
      case 4:
      case 5: return string();
      case 6:
      case 7: {
        std::string s = "[" + ws();
        size_t n = below(5);
        for (size_t i = 0; i < n; ++i) s += (i ? "," + ws() : "") + value(depth + 1) + ws();
        return s + "]";
      }
      default: {
        std::string s = "{" + ws();
        size_t n = below(5);
        for (size_t i = 0; i < n; ++i) s += (i ? "," + ws() : "") + key() + ws() + ":" + ws() + value(depth + 1) + ws();
        return s + "}";
      }
    }
  }

  std::string document() {
    if (one_in(25)) {  // around the depth limit
      int d = json::kMaxDepth - 2 + int(below(5));
      std::string inner = one_in(2) ? value(7) : "";
      return one_in(2) ? nested(d, inner) : nested_objects(d, inner.empty() ? "{}" : inner);
    }
    return ws() + value(0) + ws();
  }

  // 1 to 4 edits: flip, delete, insert, duplicate a run, truncate.
  std::string mutate(std::string s) {
    static const char interesting[] = "{}[],:\"\\u0123456789abcdefABCDEF-+.eE tnrfl \x00\x01\x1f\x7f\x80\xbf\xc3\xed\xef\xf0\xf4\xff";
    size_t edits = 1 + below(4);
    for (size_t e = 0; e < edits; ++e) {
      size_t at = s.empty() ? 0 : below(uint32_t(s.size()));
      switch (below(5)) {
        case 0:
          if (!s.empty()) s[at] = char(s[at] ^ (1u << below(8)));
          break;
        case 1:
          if (!s.empty()) s.erase(at, 1 + below(3));
          break;
        case 2: s.insert(at, 1, interesting[below(sizeof interesting - 1)]); break;
        case 3:
          if (!s.empty()) {
            size_t len = 1 + below(8);
            s.insert(below(uint32_t(s.size())), s.substr(at, len));
          }
          break;
        default: s.resize(at); break;
      }
    }
    return s;
  }

 private:
  std::mt19937 rng_;
};

}  // namespace

TEST_CASE("json oracle: the fixed corpus agrees with nlohmann/json", "[json][oracle]") {
  size_t accepted = 0;
  for (const auto& text : fixed_corpus()) {
    std::string diff = check(text);
    if (diff.empty()) diff = json_oracle::check_append_string(text);
    INFO(diff);
    CHECK(diff.empty());
    accepted += json::valid(text);
  }
  CHECK(accepted > 100);  // the corpus is not all rejects
}

// The scanner reads strings and digit runs 8 bytes at a time and finds the byte that
// ends a run inside the word: every such byte at every offset, and runs that end at the
// text's end, inside a document and as the whole text.
TEST_CASE("json oracle: a run's end at every byte of a word agrees", "[json][oracle]") {
  const std::vector<std::string> string_stops = {"\"", "\\n", "\\u00e9", "\x01", "\x1f", "\x7f", "\xc3\xa9",
                                                 "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\x80", "\xc3", "\xed\xa0\x80"};
  const std::vector<std::string> number_ends = {"", ",", "]", ".5", ".123456789012345", ".0e", "e3", "E+2",
                                                "e-1234567890123", "x", "/", ":", " ", "0", "\xff"};
  size_t checked = 0;
  for (size_t before = 0; before <= 17; ++before) {
    for (size_t after = 0; after <= 9; after += 3) {
      for (const auto& stop : string_stops) {
        std::string body = std::string(before, 'a') + stop + std::string(after, 'b');
        for (const std::string& text : {"\"" + body + "\"", "[\"" + body + "\",1]", "\"" + body}) {
          std::string diff = check(text);
          INFO(diff);
          CHECK(diff.empty());
          ++checked;
        }
      }
    }
    std::string digits = "1" + std::string(before, '7');
    for (const auto& end : number_ends)
      for (const std::string& text : {digits + end, "[" + digits + end + "]", "-" + digits + end}) {
        std::string diff = check(text);
        INFO(diff);
        CHECK(diff.empty());
        ++checked;
      }
  }
  CHECK(checked > 1000);
}

TEST_CASE("json oracle: seeded random documents agree", "[json][oracle]") {
  Gen gen(20240516);
  size_t accepted = 0, total = 3000, failures = 0;
  for (size_t i = 0; i < total && failures < 5; ++i) {
    std::string text = gen.document();
    std::string diff = check(text);
    if (diff.empty()) diff = check(json_oracle::fold_keys(text));  // every key "a" or "b": duplicates
    if (!diff.empty()) ++failures;
    INFO("document " << i << ": " << diff);
    CHECK(diff.empty());
    accepted += json::valid(text);
  }
  // Most are valid (the generator adds an invalid byte now and then).
  CHECK(accepted > total / 2);
}

TEST_CASE("json oracle: seeded mutations agree", "[json][oracle]") {
  Gen gen(7);
  auto corpus = fixed_corpus();
  size_t accepted = 0, total = 4000, failures = 0;
  for (size_t i = 0; i < total && failures < 5; ++i) {
    std::string base = gen.one_in(3) ? corpus[gen.below(uint32_t(corpus.size()))] : gen.document();
    std::string text = gen.mutate(base);
    std::string diff = check(text);
    if (diff.empty()) diff = json_oracle::check_append_string(text);
    if (!diff.empty()) ++failures;
    INFO("mutation " << i << ": " << diff);
    CHECK(diff.empty());
    accepted += json::valid(text);
  }
  CHECK(accepted > total / 20);  // some mutations stay valid
  CHECK(accepted < total);
}

// ---------------------------------------------------------------------------------------
// The deliberate differences (ssot/json.h), each shown on both sides.

TEST_CASE("json oracle: lone surrogate escapes are U+FFFD for the scanner, an error for nlohmann",
          "[json][oracle]") {
  const std::string fffd = "\xef\xbf\xbd";
  for (const char* text : {"\"\\ud800\"", "\"\\udc00\"", "\"\\ud83dx\"", "\"\\ude00\\ud83d\""}) {
    INFO(text);
    CHECK(nlohmann::json::parse(text, nullptr, false).is_discarded());
    REQUIRE(json::valid(text));
    CHECK(check(text).empty());
  }
  CHECK(Json::parse("\"\\ud800\"")->as_string() == fffd);
  CHECK(Json::parse("\"a\\udc00b\"")->as_string() == "a" + fffd + "b");
  // A pair is a pair for both.
  CHECK(nlohmann::json::parse("\"\\ud83d\\ude00\"").get<std::string>() == Json::parse("\"\\ud83d\\ude00\"")->as_string());
  // The oracle's rewrite: lone escapes only, pairs and escaped backslashes kept.
  CHECK(json_oracle::prepare("[\"\\ud800\",\"\\ud83d\\ude00\",\"\\\\ud800\",\"\\udc00\\ud800\"]").text ==
        "[\"\\ufffd\",\"\\ud83d\\ude00\",\"\\\\ud800\",\"\\ufffd\\ufffd\"]");
}

TEST_CASE("json oracle: numbers beyond the double range are +-inf for the scanner, an error for nlohmann",
          "[json][oracle]") {
  CHECK(nlohmann::json::parse("1e400", nullptr, false).is_discarded());
  CHECK(nlohmann::json::parse("[1" + std::string(400, '0') + "]", nullptr, false).is_discarded());
  auto j = Json::parse("[1e400,-1e400,1e-400,-1e-400]");
  REQUIRE(j);
  CHECK(j->items()[0].as_number() == HUGE_VAL);
  CHECK(j->items()[1].as_number() == -HUGE_VAL);
  CHECK(j->items()[2].as_number() == 0);  // underflow is 0 for both (nlohmann accepts it)
  CHECK(std::signbit(j->items()[3].as_number()));
  CHECK(nlohmann::json::parse("-1e-400").get<double>() == 0);
  CHECK(j->dump() == "[null,null,0,0]");  // as JSON.stringify writes them
  auto v = oracle("{\"a\":1e400,\"b\":[2,-1e999]}");
  REQUIRE(v.accept);
  CHECK(v.prepared == "{\"a\":0,\"b\":[2,0]}");
  CHECK(check("{\"a\":1e400,\"b\":[2,-1e999]}").empty());
}

TEST_CASE("json oracle: fold_keys makes every key \"a\" or \"b\"", "[json][oracle]") {
  CHECK(json_oracle::fold_keys("{\"x\":1, \"yy\" :{\"z\\\"\":\"v\"},\"w\":[\"s\",\"t\"]}") ==
        "{\"b\":1, \"a\" :{\"b\":\"v\"},\"b\":[\"s\",\"t\"]}");
  CHECK(json_oracle::fold_keys("[\"x\"]") == "[\"x\"]");
  CHECK(json_oracle::fold_keys("{\"x") == "{\"x");
}

TEST_CASE("json oracle: huge integers and -0 read the same on both sides", "[json][oracle]") {
  // nlohmann keeps integers that fit 64 bits exactly; the scanner reads doubles. Converted
  // (round to nearest), they agree bit for bit; past 64 bits both use strtod.
  for (const char* text : {"9007199254740993", "18446744073709551615", "18446744073709551616", "-9223372036854775809",
                           "123456789012345678901234567890"}) {
    INFO(text);
    CHECK(nlohmann::json::parse(text).get<double>() == *json::parse_number(text));
    CHECK(check(text).empty());
  }
  // "-0" is an integer to nlohmann (0) and to the scanner's integer path (+0); JSON.parse
  // reads -0, which no caller here can tell from 0 (comparisons, dump()).
  CHECK_FALSE(std::signbit(*json::parse_number("-0")));
  CHECK(std::signbit(*json::parse_number("-0.0")));
  CHECK(check("[-0,-0.0,0]").empty());
}

TEST_CASE("json oracle: nesting past kMaxDepth, a BOM and a NUL byte are rejected by the scanner only",
          "[json][oracle]") {
  std::string deep = nested(json::kMaxDepth + 1);
  CHECK_FALSE(nlohmann::json::parse(deep, nullptr, false).is_discarded());
  CHECK_FALSE(json::valid(deep));
  CHECK(oracle(deep).depth == json::kMaxDepth + 1);
  CHECK(check(deep).empty());
  CHECK(oracle(nested(json::kMaxDepth)).accept);

  CHECK_FALSE(nlohmann::json::parse("\xef\xbb\xbf[1]", nullptr, false).is_discarded());
  CHECK_FALSE(json::valid("\xef\xbb\xbf[1]"));
  CHECK(check("\xef\xbb\xbf[1]").empty());

  const std::string nul = S("[1]\0junk", 8);
  CHECK(nlohmann::json::parse(nul, nullptr, false) == nlohmann::json::array({1}));
  CHECK_FALSE(json::valid(nul));
  CHECK(check(nul).empty());
}
