// Unit tests for ssot/query.h: parsing {where, orderBy, skip, take}, matching raw
// records, ordering with id tie-breaks, and the query string sent over HTTP.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "ssot/query.h"

using namespace ssot;

namespace {

Query parse_ok(const std::string& params) {
  std::string error;
  auto q = Query::parse(params, error);
  INFO("params: " << params << "\nerror: " << error);
  REQUIRE(q.has_value());
  return *q;
}

std::string parse_error(const std::string& params) {
  std::string error;
  auto q = Query::parse(params, error);
  INFO("params: " << params);
  CHECK_FALSE(q.has_value());
  CHECK_FALSE(error.empty());
  return error;
}

bool matches(const Query& q, const std::string& record) {
  FieldValues values;
  INFO("record: " << record);
  REQUIRE(q.extract(record, values));
  return q.matches(values);
}

bool matches(const std::string& params, const std::string& record) { return matches(parse_ok(params), record); }

struct Row {
  std::string id;
  std::string json;
};

// Sorts rows the way a view would: by sort key, ties by id.
std::vector<std::string> sorted_ids(const Query& q, std::vector<Row> rows) {
  struct Keyed {
    std::string id;
    FieldValues key;
  };
  std::vector<Keyed> keyed;
  for (auto& r : rows) {
    FieldValues v;
    REQUIRE(q.extract(r.json, v));
    keyed.push_back({r.id, q.sort_key(std::move(v))});
  }
  std::sort(keyed.begin(), keyed.end(),
            [&](const Keyed& a, const Keyed& b) { return q.compare_keys(a.key, a.id, b.key, b.id) < 0; });
  std::vector<std::string> ids;
  for (auto& k : keyed) ids.push_back(k.id);
  return ids;
}

}  // namespace

TEST_CASE("query: empty params select everything", "[query]") {
  for (std::string text : {"", "{}", "null", "  {}  ", "\n{}", "{\"where\":null,\"orderBy\":null}", "{\"where\":{}}"}) {
    INFO(text);
    Query q = parse_ok(text);
    CHECK_FALSE(q.has_where());
    CHECK_FALSE(q.has_order());
    CHECK_FALSE(q.paged());
    CHECK(q.skip() == 0);
    CHECK_FALSE(q.take().has_value());
    CHECK(q.query_string().empty());
    CHECK(q.canonical() == "{}");
    CHECK(matches(q, "{\"id\":1}"));
    CHECK(matches(q, "{}"));
  }
}

TEST_CASE("query: parse errors name the culprit", "[query]") {
  CHECK(parse_error("[1]").find("object") != std::string::npos);
  CHECK(parse_error("\"x\"").find("object") != std::string::npos);
  parse_error("{\"where\":");  // invalid JSON
  parse_error("{\"where\":{}} x");

  CHECK(parse_error("{\"where\":[1]}").find("where") != std::string::npos);
  CHECK(parse_error("{\"where\":\"a=1\"}").find("where") != std::string::npos);
  CHECK(parse_error("{\"where\":5}").find("where") != std::string::npos);

  std::string op = parse_error("{\"where\":{\"age\":{\"between\":[1,2]}}}");
  CHECK(op.find("age") != std::string::npos);
  CHECK(op.find("between") != std::string::npos);
  // An unknown operator next to a known one is still an error.
  CHECK(parse_error("{\"where\":{\"age\":{\"gt\":1,\"GT\":2}}}").find("GT") != std::string::npos);

  std::string in = parse_error("{\"where\":{\"status\":{\"in\":\"open\"}}}");
  CHECK(in.find("status") != std::string::npos);
  CHECK(in.find("in") != std::string::npos);
  CHECK(parse_error("{\"where\":{\"status\":{\"in\":{\"a\":1}}}}").find("status") != std::string::npos);

  CHECK(parse_error("{\"where\":{\"meta\":{}}}").find("meta") != std::string::npos);

  std::string dir = parse_error("{\"orderBy\":{\"createdAt\":\"down\"}}");
  CHECK(dir.find("orderBy.createdAt") != std::string::npos);
  CHECK(parse_error("{\"orderBy\":{\"createdAt\":\"ASC\"}}").find("createdAt") != std::string::npos);
  CHECK(parse_error("{\"orderBy\":{\"createdAt\":1}}").find("createdAt") != std::string::npos);
  CHECK(parse_error("{\"orderBy\":[{\"a\":\"asc\"},{\"b\":true}]}").find("orderBy.b") != std::string::npos);
  CHECK(parse_error("{\"orderBy\":\"createdAt\"}").find("orderBy") != std::string::npos);
  CHECK(parse_error("{\"orderBy\":5}").find("orderBy") != std::string::npos);
  CHECK(parse_error("{\"orderBy\":[\"createdAt\"]}").find("orderBy") != std::string::npos);
  CHECK(parse_error("{\"orderBy\":{\"\":\"asc\"}}").find("orderBy") != std::string::npos);

  for (std::string bad : {"-1", "1.5", "\"10\"", "true", "[]", "1e300"}) {
    INFO(bad);
    CHECK(parse_error("{\"skip\":" + bad + "}").find("skip") != std::string::npos);
    CHECK(parse_error("{\"take\":" + bad + "}").find("take") != std::string::npos);
  }
}

TEST_CASE("query: skip and take", "[query]") {
  Query q = parse_ok("{\"skip\":20,\"take\":10}");
  CHECK(q.skip() == 20);
  REQUIRE(q.take().has_value());
  CHECK(*q.take() == 10);
  CHECK(q.paged());

  Query only_take = parse_ok("{\"take\":0}");
  REQUIRE(only_take.take().has_value());
  CHECK(*only_take.take() == 0);
  CHECK(only_take.paged());

  Query only_skip = parse_ok("{\"skip\":3}");
  CHECK(only_skip.paged());
  CHECK_FALSE(only_skip.take().has_value());

  Query zero_skip = parse_ok("{\"skip\":0,\"take\":null}");
  CHECK_FALSE(zero_skip.paged());
  CHECK(parse_ok("{\"skip\":2.0}").skip() == 2);
}

TEST_CASE("query: equality, implicit and explicit", "[query][match]") {
  CHECK(matches("{\"where\":{\"roomId\":3}}", "{\"id\":1,\"roomId\":3}"));
  CHECK_FALSE(matches("{\"where\":{\"roomId\":3}}", "{\"id\":1,\"roomId\":4}"));
  CHECK_FALSE(matches("{\"where\":{\"roomId\":3}}", "{\"id\":1,\"roomId\":\"3\"}"));  // kinds differ
  CHECK(matches("{\"where\":{\"roomId\":3}}", "{\"roomId\":3.0}"));
  CHECK(matches("{\"where\":{\"name\":\"Ann\"}}", "{\"name\":\"Ann\"}"));
  CHECK(matches("{\"where\":{\"name\":\"\\u00e9\"}}", "{\"name\":\"\xc3\xa9\"}"));  // decoded on both sides
  CHECK(matches("{\"where\":{\"done\":false}}", "{\"done\":false}"));
  CHECK_FALSE(matches("{\"where\":{\"done\":false}}", "{\"done\":0}"));
  CHECK(matches("{\"where\":{\"roomId\":{\"eq\":3}}}", "{\"roomId\":3}"));
  CHECK_FALSE(matches("{\"where\":{\"roomId\":{\"eq\":3}}}", "{\"roomId\":5}"));
  // Every condition must hold.
  CHECK(matches("{\"where\":{\"a\":1,\"b\":\"x\"}}", "{\"b\":\"x\",\"a\":1}"));
  CHECK_FALSE(matches("{\"where\":{\"a\":1,\"b\":\"x\"}}", "{\"b\":\"y\",\"a\":1}"));
  // The last duplicate field of a record wins, as in JSON.parse.
  CHECK(matches("{\"where\":{\"a\":2}}", "{\"a\":1,\"a\":2}"));
  CHECK_FALSE(matches("{\"where\":{\"a\":1}}", "{\"a\":1,\"a\":2}"));
  // Nested fields are opaque values; only top-level fields are read.
  CHECK_FALSE(matches("{\"where\":{\"a\":1}}", "{\"b\":{\"a\":1}}"));
}

TEST_CASE("query: a missing field is null", "[query][match]") {
  CHECK(matches("{\"where\":{\"deletedAt\":null}}", "{\"id\":1}"));
  CHECK(matches("{\"where\":{\"deletedAt\":null}}", "{\"id\":1,\"deletedAt\":null}"));
  CHECK_FALSE(matches("{\"where\":{\"deletedAt\":null}}", "{\"id\":1,\"deletedAt\":5}"));
  CHECK(matches("{\"where\":{\"deletedAt\":{\"ne\":null}}}", "{\"deletedAt\":5}"));
  CHECK_FALSE(matches("{\"where\":{\"deletedAt\":{\"ne\":null}}}", "{\"id\":1}"));
  CHECK(matches("{\"where\":{\"x\":{\"in\":[null,1]}}}", "{}"));
  CHECK_FALSE(matches("{\"where\":{\"x\":1}}", "{}"));
  CHECK_FALSE(matches("{\"where\":{\"x\":{\"gt\":0}}}", "{}"));
  CHECK_FALSE(matches("{\"where\":{\"x\":{\"lt\":0}}}", "{}"));
}

TEST_CASE("query: ne", "[query][match]") {
  CHECK(matches("{\"where\":{\"s\":{\"ne\":\"open\"}}}", "{\"s\":\"closed\"}"));
  CHECK_FALSE(matches("{\"where\":{\"s\":{\"ne\":\"open\"}}}", "{\"s\":\"open\"}"));
  CHECK(matches("{\"where\":{\"s\":{\"ne\":1}}}", "{\"s\":\"1\"}"));  // other kind: not equal
  CHECK(matches("{\"where\":{\"s\":{\"ne\":1}}}", "{}"));
}

TEST_CASE("query: gt gte lt lte on numbers and strings", "[query][match]") {
  const std::string rec5 = "{\"n\":5,\"s\":\"m\"}";
  CHECK(matches("{\"where\":{\"n\":{\"gt\":4}}}", rec5));
  CHECK_FALSE(matches("{\"where\":{\"n\":{\"gt\":5}}}", rec5));
  CHECK(matches("{\"where\":{\"n\":{\"gte\":5}}}", rec5));
  CHECK_FALSE(matches("{\"where\":{\"n\":{\"gte\":5.5}}}", rec5));
  CHECK(matches("{\"where\":{\"n\":{\"lt\":6}}}", rec5));
  CHECK_FALSE(matches("{\"where\":{\"n\":{\"lt\":5}}}", rec5));
  CHECK(matches("{\"where\":{\"n\":{\"lte\":5}}}", rec5));
  CHECK_FALSE(matches("{\"where\":{\"n\":{\"lte\":4.99}}}", rec5));
  CHECK(matches("{\"where\":{\"n\":{\"gt\":-10}}}", "{\"n\":-9.5}"));

  CHECK(matches("{\"where\":{\"s\":{\"gt\":\"a\"}}}", rec5));
  CHECK_FALSE(matches("{\"where\":{\"s\":{\"gt\":\"z\"}}}", rec5));
  CHECK(matches("{\"where\":{\"s\":{\"gte\":\"m\"}}}", rec5));
  CHECK(matches("{\"where\":{\"s\":{\"lt\":\"n\"}}}", rec5));
  CHECK(matches("{\"where\":{\"s\":{\"lte\":\"m\"}}}", rec5));
  // ISO dates compare as text.
  CHECK(matches("{\"where\":{\"at\":{\"gte\":\"2024-01-01\"}}}", "{\"at\":\"2024-03-05T10:00:00Z\"}"));

  // A range: both bounds apply.
  const std::string range = "{\"where\":{\"n\":{\"gt\":1,\"lt\":5}}}";
  CHECK(matches(range, "{\"n\":3}"));
  CHECK_FALSE(matches(range, "{\"n\":1}"));
  CHECK_FALSE(matches(range, "{\"n\":5}"));
}

TEST_CASE("query: comparisons across kinds are false", "[query][match]") {
  // Under the total order a string sorts after any number; the operators must not use it.
  CHECK_FALSE(matches("{\"where\":{\"n\":{\"gt\":5}}}", "{\"n\":\"10\"}"));
  CHECK_FALSE(matches("{\"where\":{\"n\":{\"gte\":5}}}", "{\"n\":\"10\"}"));
  CHECK_FALSE(matches("{\"where\":{\"n\":{\"lt\":\"5\"}}}", "{\"n\":1}"));
  CHECK_FALSE(matches("{\"where\":{\"n\":{\"lte\":\"5\"}}}", "{\"n\":1}"));
  CHECK_FALSE(matches("{\"where\":{\"n\":{\"gt\":0}}}", "{\"n\":true}"));
  CHECK_FALSE(matches("{\"where\":{\"n\":{\"lt\":0}}}", "{\"n\":null}"));
  CHECK_FALSE(matches("{\"where\":{\"n\":{\"gt\":0}}}", "{\"n\":[1]}"));
  CHECK_FALSE(matches("{\"where\":{\"n\":{\"lt\":\"z\"}}}", "{\"n\":{}}"));
  CHECK_FALSE(matches("{\"where\":{\"n\":{\"eq\":1}}}", "{\"n\":true}"));
}

TEST_CASE("query: in", "[query][match]") {
  const std::string q = "{\"where\":{\"status\":{\"in\":[\"open\",\"pending\",3]}}}";
  CHECK(matches(q, "{\"status\":\"open\"}"));
  CHECK(matches(q, "{\"status\":\"pending\"}"));
  CHECK(matches(q, "{\"status\":3}"));
  CHECK_FALSE(matches(q, "{\"status\":\"closed\"}"));
  CHECK_FALSE(matches(q, "{\"status\":\"3\"}"));
  CHECK_FALSE(matches(q, "{}"));
  CHECK_FALSE(matches("{\"where\":{\"status\":{\"in\":[]}}}", "{\"status\":\"open\"}"));
}

TEST_CASE("query: contains on strings and arrays", "[query][match]") {
  const std::string q = "{\"where\":{\"text\":{\"contains\":\"ell\"}}}";
  CHECK(matches(q, "{\"text\":\"hello\"}"));
  CHECK(matches(q, "{\"text\":\"ell\"}"));
  CHECK_FALSE(matches(q, "{\"text\":\"help\"}"));
  CHECK_FALSE(matches(q, "{\"text\":\"ELL\"}"));  // case-sensitive
  CHECK_FALSE(matches(q, "{}"));
  CHECK_FALSE(matches(q, "{\"text\":5}"));
  CHECK(matches("{\"where\":{\"text\":{\"contains\":\"\"}}}", "{\"text\":\"x\"}"));
  CHECK(matches("{\"where\":{\"text\":{\"contains\":\"\\n\"}}}", "{\"text\":\"a\\nb\"}"));  // decoded
  CHECK_FALSE(matches("{\"where\":{\"n\":{\"contains\":1}}}", "{\"n\":123}"));            // numbers: no
  CHECK_FALSE(matches("{\"where\":{\"text\":{\"contains\":1}}}", "{\"text\":\"1\"}"));    // kinds differ

  const std::string tags = "{\"where\":{\"tags\":{\"contains\":\"red\"}}}";
  CHECK(matches(tags, "{\"tags\":[\"blue\",\"red\"]}"));
  CHECK(matches(tags, "{\"tags\":[ \"r\\u0065d\" ]}"));  // elements compared decoded
  CHECK_FALSE(matches(tags, "{\"tags\":[\"blue\",\"reddish\"]}"));  // element equality, not substring
  CHECK_FALSE(matches(tags, "{\"tags\":[]}"));
  CHECK(matches("{\"where\":{\"ids\":{\"contains\":2}}}", "{\"ids\":[1,2,3]}"));
  CHECK_FALSE(matches("{\"where\":{\"ids\":{\"contains\":2}}}", "{\"ids\":[\"2\"]}"));
  CHECK(matches("{\"where\":{\"ids\":{\"contains\":2}}}", "{\"ids\":[1, 2.0]}"));
}

TEST_CASE("query: extract reads the needed fields of an object only", "[query]") {
  Query q = parse_ok("{\"where\":{\"a\":1},\"orderBy\":{\"b\":\"asc\"}}");
  FieldValues v;
  CHECK_FALSE(q.extract("[1]", v));
  CHECK_FALSE(q.extract("{\"a\":1,}", v));
  CHECK_FALSE(q.extract("", v));
  REQUIRE(q.extract("{\"a\":1,\"zzz\":[1,2,3],\"b\":\"x\"}", v));
  REQUIRE(v.size() == 2);
  // orderBy fields come first.
  CHECK(v[0].kind == JsonKind::String);
  CHECK(v[0].text == "x");
  CHECK(v[1].kind == JsonKind::Number);
  REQUIRE(q.extract("{}", v));
  CHECK(v[0].missing);
  CHECK(v[1].missing);

  Query all = parse_ok("{}");
  CHECK(all.extract("{\"a\":1}", v));
  CHECK_FALSE(all.extract("[1]", v));
}

TEST_CASE("query: orderBy with several keys, desc, and ties by id ascending", "[query][order]") {
  Query q = parse_ok("{\"orderBy\":[{\"room\":\"asc\"},{\"score\":\"desc\"}]}");
  CHECK(q.has_order());
  std::vector<Row> rows = {
      {"1", "{\"room\":2,\"score\":5}"},  {"2", "{\"room\":1,\"score\":1}"}, {"3", "{\"room\":1,\"score\":9}"},
      {"4", "{\"room\":2,\"score\":5}"},  {"10", "{\"room\":1,\"score\":9}"}, {"a", "{\"room\":1,\"score\":9}"},
      {"-3", "{\"room\":2,\"score\":7}"}, {"5", "{\"score\":100}"},
  };
  // Missing room sorts first (like null); inside room 1: score desc; ties: id ascending
  // (numeric ids before text ids, numerically: 3 < 10 < "a").
  CHECK(sorted_ids(q, rows) == std::vector<std::string>{"5", "3", "10", "a", "2", "-3", "1", "4"});

  // The object form keeps the key order.
  Query obj = parse_ok("{\"orderBy\":{\"room\":\"asc\",\"score\":\"desc\"}}");
  CHECK(sorted_ids(obj, rows) == sorted_ids(q, rows));

  // desc on the first key; ties still by id ascending (not reversed).
  Query desc = parse_ok("{\"orderBy\":{\"room\":\"desc\"}}");
  CHECK(sorted_ids(desc, rows) == std::vector<std::string>{"-3", "1", "4", "2", "3", "10", "a", "5"});

  // Without orderBy: id ascending.
  Query none = parse_ok("{}");
  CHECK(sorted_ids(none, rows) == std::vector<std::string>{"-3", "1", "2", "3", "4", "5", "10", "a"});
}

TEST_CASE("query: a field repeated in orderBy orders once, where the server orders by it", "[query][order]") {
  // Rows tied on t are tied on any later key of t too: only the ids break the tie, as in
  // SQL's ORDER BY t ASC, t DESC. (Each orderBy key used to read the value at its own
  // position, so after a repeat the next key read the wrong field.)
  std::vector<Row> rows = {{"1", "{\"t\":1,\"x\":1}"}, {"2", "{\"t\":1,\"x\":2}"}, {"3", "{\"t\":0,\"x\":1}"}};
  Query q = parse_ok("{\"where\":{\"x\":{\"gt\":0}},\"orderBy\":[{\"t\":\"asc\"},{\"t\":\"desc\"}]}");
  CHECK(sorted_ids(q, rows) == std::vector<std::string>{"3", "1", "2"});  // was 3,2,1: x desc
  Query then_x = parse_ok("{\"orderBy\":[{\"t\":\"asc\"},{\"t\":\"desc\"},{\"x\":\"asc\"}]}");
  CHECK(sorted_ids(then_x, rows) == std::vector<std::string>{"3", "1", "2"});  // was 3,2,1: x desc
  // The server is asked with the orderBy as given.
  CHECK(q.query_string().find("orderBy=%5B%7B%22t%22%3A%22asc%22%7D%2C%7B%22t%22%3A%22desc%22%7D%5D") != std::string::npos);
  // A key repeated inside one object: the server's JSON.parse keeps the last value at the
  // first key's place, so the view does too.
  Query dup = parse_ok("{\"orderBy\":{\"t\":\"asc\",\"x\":\"desc\",\"t\":\"desc\"}}");
  CHECK(sorted_ids(dup, rows) == std::vector<std::string>{"2", "1", "3"});
  Query across = parse_ok("{\"orderBy\":[{\"t\":\"desc\"},{\"x\":\"asc\",\"t\":\"asc\"}]}");
  CHECK(sorted_ids(across, rows) == std::vector<std::string>{"1", "2", "3"});
}

TEST_CASE("query: compare_keys and sort_key", "[query][order]") {
  Query q = parse_ok("{\"where\":{\"x\":1},\"orderBy\":{\"t\":\"desc\"}}");
  FieldValues v;
  REQUIRE(q.extract("{\"x\":1,\"t\":\"b\"}", v));
  FieldValues kb = q.sort_key(std::move(v));
  REQUIRE(kb.size() == 1);  // only the orderBy fields
  REQUIRE(q.extract("{\"x\":1,\"t\":\"a\"}", v));
  FieldValues ka = q.sort_key(std::move(v));
  CHECK(q.compare_keys(kb, "9", ka, "1") < 0);  // desc: "b" first
  CHECK(q.compare_keys(ka, "1", kb, "9") > 0);
  CHECK(q.compare_keys(ka, "1", ka, "2") < 0);  // tie: ids
  CHECK(q.compare_keys(ka, "2", ka, "10") < 0);  // numerically
  CHECK(q.compare_keys(ka, "7", ka, "7") == 0);
  // Mixed kinds order by the total order (null < bool < number < string).
  Query n = parse_ok("{\"orderBy\":{\"v\":\"asc\"}}");
  std::vector<Row> rows = {{"1", "{\"v\":\"s\"}"}, {"2", "{\"v\":3}"}, {"3", "{\"v\":true}"}, {"4", "{}"},
                           {"5", "{\"v\":null}"}, {"6", "{\"v\":-1}"}};
  CHECK(sorted_ids(n, rows) == std::vector<std::string>{"4", "5", "3", "6", "2", "1"});
}

TEST_CASE("query: query_string encodes like encodeURIComponent(JSON.stringify(...))", "[query][url]") {
  // Expected strings produced by node with encodeURIComponent(JSON.stringify(x)).
  Query q = parse_ok(
      "{\"where\": {\"roomId\": 3, \"text\": {\"contains\": \"a b&c/\\u00e9?\"}},"
      " \"orderBy\": [{\"createdAt\": \"desc\"}, {\"name\": \"asc\"}], \"skip\": 20, \"take\": 10}");
  CHECK(q.query_string() ==
        "?where=%7B%22roomId%22%3A3%2C%22text%22%3A%7B%22contains%22%3A%22a%20b%26c%2F%C3%A9%3F%22%7D%7D"
        "&orderBy=%5B%7B%22createdAt%22%3A%22desc%22%7D%2C%7B%22name%22%3A%22asc%22%7D%5D&skip=20&take=10");

  Query p = parse_ok("{\"where\":{\"price\":{\"gt\":9.99},\"tag\":\"it's (ok)!*~\"}}");
  CHECK(p.query_string() == "?where=%7B%22price%22%3A%7B%22gt%22%3A9.99%7D%2C%22tag%22%3A%22it's%20(ok)!*~%22%7D");

  CHECK(parse_ok("{\"take\":5}").query_string() == "?take=5");
  CHECK(parse_ok("{\"skip\":5}").query_string() == "?skip=5");
  CHECK(parse_ok("{\"orderBy\":{\"a\":\"asc\"}}").query_string() == "?orderBy=%7B%22a%22%3A%22asc%22%7D");
}

TEST_CASE("query: append_uri_component", "[query][url]") {
  std::string out;
  append_uri_component(out, "AZaz09-_.!~*'() \"#$%&+,/:;=?@[]{}\n\xc3\xa9");
  CHECK(out == "AZaz09-_.!~*'()%20%22%23%24%25%26%2B%2C%2F%3A%3B%3D%3F%40%5B%5D%7B%7D%0A%C3%A9");
  std::string prefix = "x=";
  append_uri_component(prefix, "a b");
  CHECK(prefix == "x=a%20b");
}

TEST_CASE("query: canonical() is equal for equal queries", "[query]") {
  const std::string base = "{\"where\":{\"roomId\":3},\"orderBy\":{\"createdAt\":\"desc\"},\"take\":10}";
  Query a = parse_ok(base);
  // Whitespace, zero skip, null/empty parts, and key order of the params do not matter.
  Query b = parse_ok(" { \"take\" : 10 , \"skip\":0, \"orderBy\" : { \"createdAt\" : \"desc\" },"
                     " \"where\" : { \"roomId\" : 3.0 }, \"extra\": null } ");
  CHECK(a.canonical() == b.canonical());
  CHECK(parse_ok("{\"where\":{},\"orderBy\":[],\"take\":null}").canonical() == parse_ok("{}").canonical());
  CHECK(json::valid(a.canonical()));

  // Anything that changes the result changes the key.
  CHECK(parse_ok("{\"where\":{\"roomId\":4},\"orderBy\":{\"createdAt\":\"desc\"},\"take\":10}").canonical() !=
        a.canonical());
  CHECK(parse_ok("{\"where\":{\"roomId\":\"3\"},\"orderBy\":{\"createdAt\":\"desc\"},\"take\":10}").canonical() !=
        a.canonical());
  CHECK(parse_ok("{\"where\":{\"roomId\":3},\"orderBy\":{\"createdAt\":\"asc\"},\"take\":10}").canonical() !=
        a.canonical());
  CHECK(parse_ok("{\"where\":{\"roomId\":3},\"orderBy\":{\"createdAt\":\"desc\"},\"take\":11}").canonical() !=
        a.canonical());
  CHECK(parse_ok("{\"where\":{\"roomId\":3},\"orderBy\":{\"createdAt\":\"desc\"},\"take\":10,\"skip\":1}")
            .canonical() != a.canonical());
  CHECK(parse_ok("{\"where\":{\"roomId\":3},\"orderBy\":{\"createdAt\":\"desc\"}}").canonical() != a.canonical());
  CHECK(parse_ok("{\"take\":0}").canonical() != parse_ok("{}").canonical());
}

// From members (the decoder's, of a copy of the text) a query reads what it reads from
// the text itself.
TEST_CASE("query: extract from the record's members reads what the walk reads", "[query]") {
  Query q = parse_ok(R"({"where":{"roomId":1,"tags":{"contains":"x"}},"orderBy":{"text":"asc"}})");
  for (std::string record : {R"({"id":1,"roomId":1,"text":"b","text":"a","tags":["x"]})", R"({"id":2})",
                             R"({"id":3,"roomId":"1","text":null,"extra":{"roomId":2}})"}) {
    INFO(record);
    json::MemberList m;
    REQUIRE(json::capture_members(record.data(), record.data() + record.size(), 0, m));
    std::string copy = record;  // the store's copy of the frame's text
    FieldValues walked, read;
    REQUIRE(q.extract(copy, walked));
    REQUIRE(q.extract(copy, read, &m));
    REQUIRE(walked.size() == read.size());
    for (size_t i = 0; i < walked.size(); ++i) {
      CHECK(walked[i].missing == read[i].missing);
      CHECK(walked[i].kind == read[i].kind);
      CHECK(walked[i].text == read[i].text);
      CHECK(compare(walked[i], read[i]) == 0);
    }
    CHECK(q.matches(walked) == q.matches(read));
  }
  // With members the text is not walked: they are read (the caller vouches for them).
  std::string a = R"({"roomId":1,"text":"a","tags":["x"]})", b = R"({"roomId":2,"text":"b","tags":["y"]})";
  json::MemberList m;
  REQUIRE(json::capture_members(a.data(), a.data() + a.size(), 0, m));
  FieldValues read;
  REQUIRE(q.extract(b, read, &m));
  CHECK(q.matches(read));
  CHECK(read[0].text == "a");
}
