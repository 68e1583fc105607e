#pragma once
// A small, exception-free JSON toolkit. The hot path (update frames) only scans:
// it validates a text and hands out raw slices of its members, so a record's JSON
// is kept as received and only the fields the protocol and queries need are read.
// `Json` is a tiny DOM for config, query parameters and tests.
//
// What it accepts is RFC 8259 JSON, checked against nlohmann/json as a differential
// oracle (tests/native/json_oracle.h, tests/fuzz/fuzz_json_oracle.cpp): the same texts
// accepted, the same values read (numbers bit for bit, strings byte for byte, members
// in order with duplicates kept; where one key is looked up, the last duplicate wins,
// as in JSON.parse). Strings must be well-formed UTF-8 (RFC 3629: no overlong forms,
// no encoded surrogates, nothing above U+10FFFF): a JS client never sees anything
// else, and two ids that differ only in ill-formed bytes would be one id to JS.
//
// Deliberate differences from nlohmann/json (each has a test in json_oracle_test.cpp):
//  - A lone surrogate escape ("\ud800" without a low one after it, or "\udc00" first)
//    is accepted and decoded to U+FFFD; nlohmann rejects the text. JSON.parse accepts
//    it (and JSON.stringify writes one for a lone surrogate), so a server in JS may
//    send it. Two such strings can then read the same here and differ in JS.
//  - A number beyond the double range (1e400) is valid and reads as +-infinity, as in
//    JSON.parse (validation checks the grammar only); nlohmann rejects the text.
//    append_number writes infinity as null, as JSON.stringify does.
//  - A value inside more than kMaxDepth containers is rejected (nlohmann has no
//    limit): the scanner recurses, and no frame of the protocol nests that deep.
//  - A byte order mark is not skipped, and a NUL byte is an error wherever it is
//    (nlohmann skips a leading BOM and stops reading at a NUL).
//  - "-0" reads as +0 (an integer, as for nlohmann); JSON.parse gives -0. Nothing here
//    can tell them apart (comparisons, append_number).
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ssot {

enum class JsonKind : uint8_t { Null, Bool, Number, String, Array, Object };

namespace json {

// The most containers a value may sit inside: 64 nested arrays around a 1 are valid,
// 65 are not (65 nested empty arrays are: the innermost sits inside 64). The walks
// count the same way: the values they hand out sit one level down.
constexpr int kMaxDepth = 64;

// Validates one JSON value starting at p (leading whitespace allowed) and
// returns a pointer just past it, or nullptr when the text is not valid JSON.
// `depth`: the containers around the value.
const char* skip_value(const char* p, const char* end, int depth = 0);
// Text equality inlined: at -Oz string_view's == is three calls deep (used where
// every frame compares names).
inline __attribute__((always_inline)) bool same_text(std::string_view a, std::string_view b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0);
}

// Inlined whatever the optimization level: the runtime is built -Oz, which otherwise
// calls it between every two tokens of every frame.
inline __attribute__((always_inline)) const char* skip_ws(const char* p, const char* end) {
  while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) ++p;
  return p;
}

// Past the plain ASCII bytes of a string's content at p (none of '"', '\\', control
// characters, 0x80 and up), read a word at a time: where a key without escapes ends.
const char* plain_run(const char* p, const char* end);

// Decodes the JSON string literal at p (which must point at '"') into out.
// Returns a pointer past the closing quote, or nullptr when invalid (an ill-formed
// UTF-8 sequence included). Lone surrogate escapes decode to U+FFFD (see above).
const char* parse_string(const char* p, const char* end, std::string& out);

// Whole-text validation: exactly one value, only whitespace around it.
bool valid(std::string_view text);

JsonKind kind_of(std::string_view raw_value);  // from the first character of a valid value

// Appends s as a JSON string literal (quotes included), escaping as needed. The
// output is always valid JSON: a byte of s that does not start a well-formed UTF-8
// sequence is written as U+FFFD (every string the core holds is UTF-8 already: it
// comes from validated JSON or from JS).
void append_string(std::string& out, std::string_view s);
// Appends a number the way JSON.stringify would ("null" when not finite).
void append_number(std::string& out, double n);
// Appends an integer's digits (no printf: see number_text.cpp). Also what the core uses
// instead of std::to_string, whose libc++ code and digit table were 0.7 KB of gzip.
void append_integer(std::string& out, int64_t n);
std::string integer_text(int64_t n);

// number_text.cpp: a valid JSON number's value, and a finite double's text as
// JS String() writes it (the shortest that reads back as the same double).
double parse_double(std::string_view valid_number);
void append_double(std::string& out, double finite);

// Parses a JSON number slice; nullopt when it is not one.
std::optional<double> parse_number(std::string_view raw);

// Validates the object at p (as skip_value would) and hands each member to
// `member(key, value_start)`, which validates the value and returns the pointer past it
// (nullptr when invalid): a caller reads what it needs in the pass that validates.
// Keys without escapes are slices of the text; the others are decoded into key_buf.
template <typename F>
const char* walk_object(const char* p, const char* end, std::string& key_buf, F&& member) {
  p = skip_ws(p, end);
  if (p >= end || *p != '{') return nullptr;
  p = skip_ws(p + 1, end);
  if (p < end && *p == '}') return p + 1;
  for (;;) {
    if (p >= end || *p != '"') return nullptr;
    const char* q = plain_run(p + 1, end);
    std::string_view key;
    if (q < end && *q == '"') {
      key = std::string_view(p + 1, size_t(q - p - 1));
      p = q + 1;
    } else {
      key_buf.clear();
      if (!(p = parse_string(p, end, key_buf))) return nullptr;
      key = key_buf;
    }
    p = skip_ws(p, end);
    if (p >= end || *p != ':') return nullptr;
    if (!(p = member(key, skip_ws(p + 1, end)))) return nullptr;
    p = skip_ws(p, end);
    if (p >= end) return nullptr;
    if (*p == '}') return p + 1;
    if (*p != ',') return nullptr;
    p = skip_ws(p + 1, end);
  }
}

// walk_object with a plain callback: one copy of the walk for every caller but the
// frame decoder (protocol.cpp keeps its two inlined; each instantiation is about 1 KB
// of wasm).
using MemberFn = const char* (*)(void* context, std::string_view key, const char* value);
const char* walk_members(const char* p, const char* end, std::string& key_buf, MemberFn member, void* context);

// One element of an array of records (scan_records): its text, and the raw value of
// the member looked up (empty when the element is not an object or has no such member).
struct RecordText {
  std::string_view text;
  std::string_view member;
};

// Validates the array at p (`depth` containers around it) as skip_value does and
// appends each element with its member `key` (the last duplicate wins), in one pass:
// a list answer of 100k records was validated, split and searched for ids in four.
// Returns the pointer past the array, or nullptr (`out` then holds a prefix).
const char* scan_records(const char* p, const char* end, int depth, std::string_view key,
                         std::vector<RecordText>& out);
// The same for a whole text: only whitespace around the array.
bool scan_records(std::string_view array_text, std::string_view key, std::vector<RecordText>& out);

// An object's members as read while validating it (the frame decoder does it for an
// update's record), so that the version and a view's query fields are looked up in
// them instead of walking the record again. Views into `source`, valid while it is.
struct Member {
  std::string_view key, value;  // the key as written (plain ASCII), the raw value
};
struct MemberList {
  // A fixed array: no allocation, and no vector code in the wasm. A record with more
  // members is walked again where it is read.
  static constexpr size_t kMax = 32;
  std::string_view source;  // the object read; empty when nothing was captured
  Member members[kMax];     // in text order, duplicates kept
  size_t count = 0;
  // Whether these are the members of `text` (the same bytes at the same address).
  bool describes(std::string_view text) const {
    return !source.empty() && source.data() == text.data() && source.size() == text.size();
  }
  // The value of the last member named `key` (as find_members), or an empty view. Only
  // where describes() holds (past kMax the members were not kept).
  std::string_view find(std::string_view key) const;
};
// Validates the object at p (`depth` containers around it) as skip_value does and
// captures its members in `out`; `out.source` stays empty when a key is not plain
// ASCII (walk_object decodes it into a buffer: no view of the object) or there are
// more than kMax.
// Returns the pointer past it.
const char* capture_members(const char* p, const char* end, int depth, MemberList& out);

// Looks up top-level keys of an object in one pass. Returns false when the text
// is not a valid object. Missing keys leave their slot empty (data() == nullptr).
bool find_members(std::string_view object_text, const std::string_view* keys, size_t n,
                  std::string_view* values);

}  // namespace json

// A tiny DOM. Objects keep member order; lookups are linear (objects here are small).
class Json {
 public:
  Json() = default;
  static std::optional<Json> parse(std::string_view text, std::string* error = nullptr);
  static Json from_raw_value(std::string_view raw);  // raw must be valid

  JsonKind kind() const { return kind_; }
  bool is_null() const { return kind_ == JsonKind::Null; }
  bool is_bool() const { return kind_ == JsonKind::Bool; }
  bool is_number() const { return kind_ == JsonKind::Number; }
  bool is_string() const { return kind_ == JsonKind::String; }
  bool is_array() const { return kind_ == JsonKind::Array; }
  bool is_object() const { return kind_ == JsonKind::Object; }

  bool as_bool() const { return bool_; }
  double as_number() const { return number_; }
  const std::string& as_string() const { return string_; }
  const std::vector<Json>& items() const { return items_; }
  const std::vector<std::pair<std::string, Json>>& members() const { return members_; }
  const Json* get(std::string_view key) const;  // nullptr when absent or not an object

  std::string dump() const;
  void dump_to(std::string& out) const;

 private:
  static const char* parse_value(const char* p, const char* end, Json& out, int depth);
  JsonKind kind_ = JsonKind::Null;
  bool bool_ = false;
  double number_ = 0;
  std::string string_;
  std::vector<Json> items_;
  std::vector<std::pair<std::string, Json>> members_;
};

}  // namespace ssot
