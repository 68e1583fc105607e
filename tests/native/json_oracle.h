#pragma once
// The differential oracle of the hand-written JSON scanner (ssot/json.h): nlohmann/json
// (Debian's 3.11.2) reads the same text, and every answer of the scanner must agree
// with it: accept or reject, kinds, numbers (bit for bit), decoded strings, member
// order and duplicates, where a value ends. Test-only: nlohmann never reaches the
// shipped runtime (tests/native/json_oracle_test.cpp and tests/fuzz/fuzz_json_oracle.cpp
// include this header; the core does not).
//
// Where the two differ on purpose (ssot/json.h, "Deliberate differences"), the oracle
// applies the scanner's rule on its own side before it compares:
//  1. lone surrogate escapes (\ud800 alone, \udc00 first): nlohmann rejects the text;
//     the scanner accepts it and decodes each to U+FFFD. The oracle rewrites each lone
//     surrogate escape to \ufffd (same length, same validity otherwise) for nlohmann.
//  2. numbers beyond the double range (1e400, a 400-digit integer): nlohmann rejects
//     ("number overflow"); the scanner validates the grammar only and reads them as
//     +-infinity, as JSON.parse does. The oracle gives nlohmann "0" in their place and
//     expects +-inf at that position (the n-th number of the text).
//  3. nesting: nlohmann has no depth limit; the scanner rejects a value inside more than
//     json::kMaxDepth containers. The oracle measures the depth and expects a reject.
//  4. nlohmann skips a UTF-8 byte order mark at the start and stops reading at a NUL
//     byte (so "1\0x" is accepted as 1); JSON allows neither and the scanner rejects both.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ssot/json.h"
#include "ssot/protocol.h"

namespace json_oracle {

using ssot::JsonKind;

// A value as nlohmann's SAX events describe it: document order, duplicate keys kept.
struct Node {
  JsonKind kind = JsonKind::Null;
  bool boolean = false;
  double number = 0;
  bool overflow = false;  // deliberate difference 2: nlohmann saw the placeholder 0
  std::string text;
  std::vector<Node> items;
  std::vector<std::pair<std::string, Node>> members;
};

struct Verdict {
  bool accept = false;
  std::string why;        // when rejected: nlohmann's message or the scanner's rule that applies
  std::string prepared;   // the text nlohmann read (differences 1 and 2 applied)
  Node root;
  int depth = 0;          // the most containers around one value
};

// ---------------------------------------------------------------------------------------
// Small helpers.

inline std::string show(std::string_view s, size_t max = 240) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < s.size() && out.size() < max; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += char(c);
    } else {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  if (out.size() >= max) out += "...";
  return out;
}

inline bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

inline std::string num_text(double d) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", d);
  return buf;
}

inline const char* kind_name(JsonKind k) {
  switch (k) {
    case JsonKind::Null: return "null";
    case JsonKind::Bool: return "bool";
    case JsonKind::Number: return "number";
    case JsonKind::String: return "string";
    case JsonKind::Array: return "array";
    case JsonKind::Object: return "object";
  }
  return "?";
}

inline bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

inline std::string_view trim(std::string_view s) {
  while (!s.empty() && is_ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ws(s.back())) s.remove_suffix(1);
  return s;
}

// The JSON number grammar, written apart from the scanner's.
inline bool is_number_token(std::string_view t) {
  size_t i = 0, n = t.size();
  auto digit = [&](size_t k) { return k < n && t[k] >= '0' && t[k] <= '9'; };
  if (i < n && t[i] == '-') ++i;
  if (!digit(i)) return false;
  if (t[i] == '0') ++i;
  else
    while (digit(i)) ++i;
  if (i < n && t[i] == '.') {
    ++i;
    if (!digit(i)) return false;
    while (digit(i)) ++i;
  }
  if (i < n && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < n && (t[i] == '+' || t[i] == '-')) ++i;
    if (!digit(i)) return false;
    while (digit(i)) ++i;
  }
  return i == n;
}

inline bool hex4_at(std::string_view s, size_t i, unsigned& cp) {
  if (i + 4 > s.size()) return false;
  cp = 0;
  for (size_t k = i; k < i + 4; ++k) {
    char c = s[k];
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (d < 0) return false;
    cp = cp * 16 + unsigned(d);
  }
  return true;
}

// ---------------------------------------------------------------------------------------
// Deliberate differences 1 and 2, applied to the text nlohmann reads. Strings are
// found the way any JSON reader finds them (exactly, for a valid text; for an invalid
// one the rewrite keeps it invalid: a 6-byte escape becomes another, a number token
// another number token).

struct Prepared {
  std::string text;
  std::vector<std::pair<size_t, bool>> overflow;  // (index among the text's numbers, negative)
};

inline Prepared prepare(std::string_view in) {
  Prepared out;
  out.text.reserve(in.size());
  size_t numbers = 0, i = 0, n = in.size();
  while (i < n) {
    char c = in[i];
    if (c == '"') {
      out.text += c;
      ++i;
      while (i < n) {
        char d = in[i];
        if (d == '"') {
          out.text += d;
          ++i;
          break;
        }
        if (d != '\\' || i + 1 >= n) {
          out.text += d;
          ++i;
          continue;
        }
        unsigned cp, lo;
        if (in[i + 1] == 'u' && hex4_at(in, i + 2, cp) && cp >= 0xD800 && cp <= 0xDFFF) {
          // A high surrogate escape followed by a low one is a pair (kept); any other
          // surrogate escape is alone: the scanner reads U+FFFD.
          if (cp <= 0xDBFF && i + 12 <= n && in[i + 6] == '\\' && in[i + 7] == 'u' && hex4_at(in, i + 8, lo) &&
              lo >= 0xDC00 && lo <= 0xDFFF) {
            out.text.append(in.substr(i, 12));
            i += 12;
          } else {
            out.text += "\\ufffd";
            i += 6;
          }
          continue;
        }
        out.text.append(in.substr(i, 2));  // any other escape (or a bad one: left for nlohmann)
        i += 2;
      }
      continue;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      size_t j = i;
      while (j < n && ((in[j] >= '0' && in[j] <= '9') || in[j] == '-' || in[j] == '+' || in[j] == '.' ||
                       in[j] == 'e' || in[j] == 'E'))
        ++j;
      std::string_view tok = in.substr(i, j - i);
      if (is_number_token(tok)) {
        double d = std::strtod(std::string(tok).c_str(), nullptr);
        if (std::isinf(d)) {
          out.overflow.emplace_back(numbers, tok[0] == '-');
          out.text += '0';
        } else {
          out.text.append(tok);
        }
        ++numbers;
      } else {
        out.text.append(tok);
      }
      i = j;
      continue;
    }
    out.text += c;
    ++i;
  }
  return out;
}

// The same text with every object key replaced by "a" or "b" (by the parity of its
// literal's length): duplicates, and which one wins, for texts that had none. Keys are
// the string literals followed by ':' (exact for a valid text; any text will do).
inline std::string fold_keys(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  size_t i = 0, n = in.size();
  while (i < n) {
    if (in[i] != '"') {
      out += in[i++];
      continue;
    }
    size_t j = i + 1;
    while (j < n && in[j] != '"') j += in[j] == '\\' ? 2 : 1;
    if (j >= n) {
      out.append(in.substr(i));
      break;
    }
    size_t k = j + 1;
    while (k < n && is_ws(in[k])) ++k;
    if (k < n && in[k] == ':') out += (j - i) % 2 ? "\"a\"" : "\"b\"";
    else out.append(in.substr(i, j + 1 - i));
    i = j + 1;
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// nlohmann's SAX events into a Node tree (duplicates kept; nothing built below the
// depth the scanner accepts, so deep texts cost no recursion here).

class Builder {
 public:
  using json = nlohmann::json;
  explicit Builder(const Prepared& p) : prep_(p) {}

  Node root;
  int max_depth = 0;
  std::string error;

  bool null() { return scalar([](Node&) {}, JsonKind::Null); }
  bool boolean(bool b) { return scalar([b](Node& n) { n.boolean = b; }, JsonKind::Bool); }
  bool number_integer(json::number_integer_t v) { return number(double(v)); }
  bool number_unsigned(json::number_unsigned_t v) { return number(double(v)); }
  bool number_float(json::number_float_t v, const json::string_t&) { return number(v); }
  bool string(json::string_t& s) { return scalar([&s](Node& n) { n.text = std::move(s); }, JsonKind::String); }
  bool binary(json::binary_t&) { return false; }
  bool start_object(std::size_t) { return open(JsonKind::Object); }
  bool key(json::string_t& k) {
    key_ = std::move(k);
    return true;
  }
  bool end_object() { return close(); }
  bool start_array(std::size_t) { return open(JsonKind::Array); }
  bool end_array() { return close(); }
  bool parse_error(std::size_t pos, const std::string&, const nlohmann::detail::exception& e) {
    error = "nlohmann: " + std::string(e.what()) + " (byte " + std::to_string(pos) + ")";
    return false;
  }

 private:
  static constexpr int kBuildDepth = ssot::json::kMaxDepth + 1;

  // The slot of the next value, or nullptr below the built depth.
  Node* slot() {
    int depth = int(stack_.size()) + skipped_;
    if (depth > max_depth) max_depth = depth;
    if (skipped_ > 0) return nullptr;
    if (stack_.empty()) return &root;
    Node* top = stack_.back();
    if (top->kind == JsonKind::Array) {
      top->items.emplace_back();
      return &top->items.back();
    }
    top->members.emplace_back(std::move(key_), Node());
    return &top->members.back().second;
  }
  template <typename F>
  bool scalar(F&& set, JsonKind kind) {
    if (Node* n = slot()) {
      n->kind = kind;
      set(*n);
    }
    return true;
  }
  bool number(double v) {
    size_t index = numbers_++;
    bool overflow = false, negative = false;
    while (next_overflow_ < prep_.overflow.size() && prep_.overflow[next_overflow_].first <= index) {
      if (prep_.overflow[next_overflow_].first == index) overflow = true, negative = prep_.overflow[next_overflow_].second;
      ++next_overflow_;
    }
    if (Node* n = slot()) {
      n->kind = JsonKind::Number;
      n->overflow = overflow;
      n->number = overflow ? (negative ? -HUGE_VAL : HUGE_VAL) : v;
    }
    return true;
  }
  bool open(JsonKind kind) {
    Node* n = slot();
    if (n && int(stack_.size()) < kBuildDepth) {
      n->kind = kind;
      stack_.push_back(n);
    } else {
      if (n) n->kind = kind;
      ++skipped_;
    }
    return true;
  }
  bool close() {
    if (skipped_ > 0) --skipped_;
    else stack_.pop_back();
    return true;
  }

  const Prepared& prep_;
  std::vector<Node*> stack_;  // open containers: their parents do not grow meanwhile
  int skipped_ = 0;
  std::string key_;
  size_t numbers_ = 0, next_overflow_ = 0;
};

// What the scanner must answer for `text`, by nlohmann and the deliberate differences.
inline Verdict oracle(std::string_view text) {
  Verdict v;
  if (text.find('\0') != std::string_view::npos) {
    v.why = "a NUL byte (difference 4)";
    return v;
  }
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") {
    v.why = "a byte order mark (difference 4)";
    return v;
  }
  Prepared p = prepare(text);
  Builder b(p);
  bool ok = nlohmann::json::sax_parse(p.text, &b, nlohmann::json::input_format_t::json, true, false);
  v.prepared = std::move(p.text);
  v.depth = b.max_depth;
  if (!ok) {
    v.why = b.error.empty() ? "nlohmann: rejected" : b.error;
    return v;
  }
  if (b.max_depth > ssot::json::kMaxDepth) {
    v.why = "a value inside " + std::to_string(b.max_depth) + " containers (difference 3)";
    return v;
  }
  v.accept = true;
  v.root = std::move(b.root);
  return v;
}

// ---------------------------------------------------------------------------------------
// Comparisons. Each returns "" when they agree, else where and how they differ.

// Member index per distinct key, first-occurrence order, the last duplicate's value.
template <typename Members>
std::vector<std::pair<std::string_view, size_t>> last_wins(const Members& members) {
  std::vector<std::pair<std::string_view, size_t>> out;
  for (size_t i = 0; i < members.size(); ++i) {
    bool seen = false;
    for (auto& o : out)
      if (o.first == members[i].first) o.second = i, seen = true;
    if (!seen) out.emplace_back(members[i].first, i);
  }
  return out;
}

// nlohmann's own DOM (ordered_json: last duplicate wins, first position kept) against the
// Node tree's last-wins view: which duplicate wins, and member order, by nlohmann itself.
inline std::string compare_dom(const nlohmann::ordered_json& j, const Node& n, const std::string& path) {
  auto bad = [&](const std::string& what) { return path + ": nlohmann's DOM " + what; };
  switch (n.kind) {
    case JsonKind::Null: return j.is_null() ? "" : bad("is not null");
    case JsonKind::Bool: return j.is_boolean() && j.get<bool>() == n.boolean ? "" : bad("differs (bool)");
    case JsonKind::Number:
      if (!j.is_number()) return bad("is not a number");
      if (n.overflow) return j.get<double>() == 0 ? "" : bad("lacks the overflow placeholder");
      return same_bits(j.get<double>(), n.number) ? "" : bad("number " + num_text(j.get<double>()));
    case JsonKind::String:
      return j.is_string() && j.get_ref<const std::string&>() == n.text ? "" : bad("differs (string)");
    case JsonKind::Array: {
      if (!j.is_array() || j.size() != n.items.size()) return bad("differs (array size)");
      for (size_t i = 0; i < n.items.size(); ++i) {
        std::string d = compare_dom(j[i], n.items[i], path + "[" + std::to_string(i) + "]");
        if (!d.empty()) return d;
      }
      return "";
    }
    case JsonKind::Object: {
      auto view = last_wins(n.members);
      if (!j.is_object() || j.size() != view.size()) return bad("differs (object size)");
      size_t i = 0;
      for (auto it = j.begin(); it != j.end(); ++it, ++i) {
        if (it.key() != view[i].first) return bad("member " + std::to_string(i) + " is " + show(it.key()));
        std::string d = compare_dom(it.value(), n.members[view[i].second].second, path + "." + show(it.key()));
        if (!d.empty()) return d;
      }
      return "";
    }
  }
  return "";
}

// The scanner's DOM against the Node tree: everything, duplicates and order included.
// `dumped`: n was read back from the scanner's dump(), where +-inf became null and -0
// became 0 (JSON.stringify's rules).
inline std::string compare_json(const ssot::Json& j, const Node& n, const std::string& path, bool dumped = false) {
  auto bad = [&](const std::string& what) { return path + ": Json " + what; };
  if (dumped && j.kind() == JsonKind::Number && std::isinf(j.as_number()))
    return n.kind == JsonKind::Null ? "" : bad("+-inf was not dumped as null");
  if (j.kind() != n.kind) return bad(std::string("is ") + kind_name(j.kind()) + ", oracle " + kind_name(n.kind));
  switch (n.kind) {
    case JsonKind::Null: return "";
    case JsonKind::Bool: return j.as_bool() == n.boolean ? "" : bad("bool differs");
    case JsonKind::Number:
      if (dumped ? j.as_number() == n.number : same_bits(j.as_number(), n.number)) return "";
      return bad("number " + num_text(j.as_number()) + ", oracle " + num_text(n.number));
    case JsonKind::String:
      return j.as_string() == n.text ? "" : bad("string \"" + show(j.as_string()) + "\", oracle \"" + show(n.text) + "\"");
    case JsonKind::Array: {
      if (j.items().size() != n.items.size())
        return bad("array of " + std::to_string(j.items().size()) + ", oracle " + std::to_string(n.items.size()));
      for (size_t i = 0; i < n.items.size(); ++i) {
        std::string d = compare_json(j.items()[i], n.items[i], path + "[" + std::to_string(i) + "]", dumped);
        if (!d.empty()) return d;
      }
      return "";
    }
    case JsonKind::Object: {
      const auto& m = j.members();
      if (m.size() != n.members.size())
        return bad("object of " + std::to_string(m.size()) + ", oracle " + std::to_string(n.members.size()));
      for (size_t i = 0; i < m.size(); ++i) {
        if (m[i].first != n.members[i].first)
          return bad("key " + std::to_string(i) + " \"" + show(m[i].first) + "\", oracle \"" + show(n.members[i].first) + "\"");
        std::string d = compare_json(m[i].second, n.members[i].second, path + "." + show(m[i].first), dumped);
        if (!d.empty()) return d;
      }
      // get(): the last duplicate; nullptr for a key that is not there.
      std::string absent = "absent";
      for (const auto& [key, index] : last_wins(m)) {
        if (j.get(key) != &m[index].second) return bad("get(\"" + show(key) + "\") is not the last duplicate");
        if (key == absent) absent += "!";
      }
      if (j.get(absent) != nullptr) return bad("get() of an absent key is not nullptr");
      return "";
    }
  }
  return "";
}

// walk_members over one object text: its members (keys decoded, values raw slices), and
// whether the text is one valid object.
inline std::vector<std::pair<std::string, std::string_view>> walked_members(std::string_view text, bool& ok) {
  struct Context {
    const char* end;
    std::vector<std::pair<std::string, std::string_view>> got;
  } c{text.data() + text.size(), {}};
  std::string key_buf;
  const char* p = ssot::json::walk_members(text.data(), c.end, key_buf, [](void* context, std::string_view k, const char* v) {
    auto& c = *static_cast<Context*>(context);
    const char* q = ssot::json::skip_value(v, c.end, 1);
    if (q) c.got.emplace_back(std::string(k), std::string_view(v, size_t(q - v)));
    return q;
  }, &c);
  ok = p && ssot::json::skip_ws(p, c.end) == c.end;
  return c.got;
}

// capture_members over a valid object: walk_members' members, as slices of the text, and
// find() as find_members; or no source, when a key was not plain ASCII or there are too many.
template <typename Bad>
std::string check_capture(std::string_view raw, const std::vector<std::pair<std::string, std::string_view>>& got,
                          const std::vector<std::string_view>& keys, const std::vector<std::string_view>& values,
                          const Bad& bad) {
  using namespace ssot;
  const char* end = raw.data() + raw.size();
  json::MemberList list;
  if (json::capture_members(raw.data(), end, 0, list) != end) return bad("capture_members does not end at the slice's end");
  if (list.count != got.size()) return bad("capture_members counts " + std::to_string(list.count) + " members");
  if (list.source.empty()) {
    // walk_object decodes a key into its buffer unless it is plain ASCII (a decoded key
    // cannot tell whether it was written with escapes: any backslash in the text may be one)
    auto high = [](unsigned char c) { return c >= 0x80; };
    bool decoded = raw.find('\\') != std::string_view::npos ||
                   std::any_of(got.begin(), got.end(), [&](const auto& kv) { return std::any_of(kv.first.begin(), kv.first.end(), high); });
    bool may = got.size() > json::MemberList::kMax || decoded;
    return may ? "" : bad("capture_members keeps no source for plain keys");
  }
  if (list.source != raw || !list.describes(raw)) return bad("capture_members' source is not the object");
  for (size_t i = 0; i < got.size(); ++i) {
    const json::Member& m = list.members[i];
    if (m.key.data() < raw.data() || m.key.data() + m.key.size() > end) return bad("a captured key is not in the text");
    if (m.key != got[i].first) return bad("capture_members key \"" + show(m.key) + "\"");
    if (m.value.data() != got[i].second.data() || m.value.size() != got[i].second.size())
      return bad("capture_members' value of \"" + show(m.key) + "\" is not walk_members'");
  }
  for (size_t x = 0; x < keys.size(); ++x) {
    std::string_view found = list.find(keys[x]);
    if (found.data() != values[x].data() || found.size() != values[x].size())
      return bad("MemberList::find(\"" + show(keys[x]) + "\") is not find_members'");
  }
  return "";
}

// scan_records over an array slice, with "id" and with the first key of its first object:
// each element (checked against its Node, recursively) with find_members' value of the key.
template <typename Bad>
std::string check_records(std::string_view raw, const Node& n, const std::string& path, const Bad& bad);

// A raw slice the scanner handed out (or the whole text, trimmed) against its Node:
// kind_of, valid, skip_value, from_raw_value, parse_number, parse_string, the walks
// and find_members, recursively.
inline std::string check_raw(std::string_view raw, const Node& n, const std::string& path) {
  using namespace ssot;
  auto bad = [&](const std::string& what) { return path + ": " + what + " (slice " + show(raw, 80) + ")"; };
  const char* end = raw.data() + raw.size();
  if (json::kind_of(raw) != n.kind) return bad(std::string("kind_of is ") + kind_name(json::kind_of(raw)));
  if (!json::valid(raw)) return bad("valid() rejects a slice of a valid text");
  if (json::skip_value(raw.data(), end) != end) return bad("skip_value does not end at the slice's end");
  {
    std::string d = compare_json(Json::from_raw_value(raw), n, path + " (from_raw_value)");
    if (!d.empty()) return d;
  }
  auto num = json::parse_number(raw);
  if (n.kind == JsonKind::Number) {
    if (!num) return bad("parse_number rejects a number");
    if (!same_bits(*num, n.number)) return bad("parse_number " + num_text(*num) + ", oracle " + num_text(n.number));
  } else if (num) {
    return bad("parse_number accepts a " + std::string(kind_name(n.kind)));
  }
  switch (n.kind) {
    case JsonKind::String: {
      std::string s;
      if (json::parse_string(raw.data(), end, s) != end) return bad("parse_string does not end at the closing quote");
      if (s != n.text) return bad("parse_string \"" + show(s) + "\", oracle \"" + show(n.text) + "\"");
      return "";
    }
    case JsonKind::Array: return check_records(raw, n, path, bad);
    case JsonKind::Object: {
      bool ok = false;
      auto got = walked_members(raw, ok);
      if (!ok) return bad("walk_members rejects it");
      if (got.size() != n.members.size()) return bad("walk_members hands out " + std::to_string(got.size()) + " members");
      for (size_t i = 0; i < got.size(); ++i) {
        const std::string& k = got[i].first;
        if (k != n.members[i].first) return bad("walk_members key \"" + show(k) + "\", oracle \"" + show(n.members[i].first) + "\"");
        std::string d = check_raw(got[i].second, n.members[i].second, path + "." + show(k));
        if (!d.empty()) return d;
      }
      // find_members over every distinct key (and one absent): the last duplicate's slice.
      auto view = last_wins(got);
      std::vector<std::string_view> keys;
      for (const auto& kv : view) keys.push_back(kv.first);
      std::string absent = "absent";
      while (std::find(keys.begin(), keys.end(), std::string_view(absent)) != keys.end()) absent += "!";
      keys.push_back(absent);
      std::vector<std::string_view> values(keys.size(), std::string_view("stale"));
      if (!json::find_members(raw, keys.data(), keys.size(), values.data())) return bad("find_members rejects it");
      for (size_t x = 0; x < view.size(); ++x) {
        std::string_view want = got[view[x].second].second;
        if (values[x].data() != want.data() || values[x].size() != want.size())
          return bad("find_members(\"" + show(keys[x]) + "\") is not the last duplicate's value");
      }
      if (values.back().data() != nullptr) return bad("find_members fills an absent key");
      return check_capture(raw, got, keys, values, bad);
    }
    default: return "";
  }
}

template <typename Bad>
std::string check_records(std::string_view raw, const Node& n, const std::string& path, const Bad& bad) {
  using namespace ssot;
  std::vector<std::string> keys = {"id"};
  for (const auto& item : n.items)
    if (item.kind == JsonKind::Object && !item.members.empty()) {
      keys.push_back(item.members[0].first);
      break;
    }
  for (size_t k = 0; k < keys.size(); ++k) {
    std::vector<json::RecordText> got;
    if (!json::scan_records(raw, keys[k], got)) return bad("scan_records rejects it");
    if (got.size() != n.items.size()) return bad("scan_records hands out " + std::to_string(got.size()) + " elements");
    for (size_t i = 0; i < got.size(); ++i) {
      std::string_view v = got[i].text;
      if (k == 0) {  // each element against its Node, once
        std::string d = check_raw(v, n.items[i], path + "[" + std::to_string(i) + "]");
        if (!d.empty()) return d;
      }
      std::string_view want, name = keys[k];
      if (json::kind_of(v) == JsonKind::Object) json::find_members(v, &name, 1, &want);
      if (got[i].member.data() != want.data() || got[i].member.size() != want.size())
        return bad("scan_records' \"" + show(name) + "\" is not find_members' value");
    }
  }
  return "";
}

// Everything the scanner answers about `text`, against the oracle. "" when they agree.
inline std::string check(std::string_view text) {
  using namespace ssot;
  Verdict v = oracle(text);
  const char* begin = text.data();
  const char* end = begin + text.size();
  std::string where = "text \"" + show(text) + "\": ";
  auto bad = [&](const std::string& what) {
    return where + what + (v.accept ? std::string(" [oracle accepts]") : " [oracle rejects: " + v.why + "]");
  };

  bool scanner_valid = json::valid(text);
  if (scanner_valid != v.accept) return bad(scanner_valid ? "valid() accepts" : "valid() rejects");
  std::string error;
  auto dom = Json::parse(text, &error);
  if (dom.has_value() != v.accept) return bad(dom ? "Json::parse accepts" : "Json::parse rejects");
  if (!dom && error.empty()) return bad("Json::parse rejects without a message");

  // skip_value: just past the value, or (on an invalid text) past a valid prefix, if any.
  const char* after = json::skip_value(begin, end);
  if (v.accept) {
    if (!after || json::skip_ws(after, end) != end) return bad("skip_value does not end at the value's end");
  } else if (after) {
    if (json::skip_ws(after, end) == end) return bad("skip_value takes all of an invalid text");
    Verdict prefix = oracle(std::string_view(begin, size_t(after - begin)));
    if (!prefix.accept) return bad("skip_value accepts the prefix \"" + show({begin, size_t(after - begin)}) + "\": " + prefix.why);
  }

  // parse_number on the whole text: a number token alone (no whitespace) or nothing.
  auto num = json::parse_number(text);
  bool bare = !text.empty() && !is_ws(text.front()) && !is_ws(text.back());
  bool want_num = v.accept && v.root.kind == JsonKind::Number && bare;
  if (num.has_value() != want_num) return bad(num ? "parse_number accepts" : "parse_number rejects");

  // parse_string at the first byte: the literal it validates must be one for the oracle.
  if (!text.empty() && text[0] == '"') {
    std::string s;
    const char* q = json::parse_string(begin, end, s);
    if (q) {
      Verdict lit = oracle(std::string_view(begin, size_t(q - begin)));
      if (!lit.accept || lit.root.kind != JsonKind::String)
        return bad("parse_string accepts the literal \"" + show({begin, size_t(q - begin)}) + "\": " + lit.why);
      if (s != lit.root.text) return bad("parse_string decodes \"" + show(s) + "\", oracle \"" + show(lit.root.text) + "\"");
    } else if (v.accept && v.root.kind == JsonKind::String) {
      return bad("parse_string rejects the string");
    }
  }

  // walk_members and find_members agree with valid() on any text of their kind.
  const char* first = json::skip_ws(begin, end);
  if (!v.accept && first < end && (*first == '{' || *first == '[')) {
    if (*first == '{') {
      bool ok = false;
      walked_members(text, ok);
      if (ok) return bad("walk_members accepts");
      std::string_view key = "a", value;
      if (json::find_members(text, &key, 1, &value)) return bad("find_members accepts");
      json::MemberList list;
      const char* q = json::capture_members(first, end, 0, list);
      if (q && json::skip_ws(q, end) == end) return bad("capture_members accepts");
    }
  }
  // scan_records takes exactly the valid arrays, whitespace around them included.
  {
    std::vector<json::RecordText> records;
    bool array = v.accept && v.root.kind == JsonKind::Array;
    if (json::scan_records(text, "id", records) != array) return bad(array ? "scan_records rejects" : "scan_records accepts");
    if (array && records.size() != v.root.items.size()) return bad("scan_records miscounts the elements");
  }
  // The frame decoder's own walk over a frame object (protocol.cpp) validates as valid() does.
  auto frame = decode_server_frame(text);
  bool frame_json = !(frame.status == DecodeResult::Malformed && frame.error == "invalid JSON object");
  if (frame_json != (v.accept && v.root.kind == JsonKind::Object))
    return bad(frame_json ? "decode_server_frame takes it for a JSON object" : "decode_server_frame: invalid JSON object");
  if (!v.accept) return "";

  // Values: the DOM, every slice the walks hand out, nlohmann's DOM (which duplicate
  // wins), and the scanner's dump() read back.
  std::string d = compare_json(*dom, v.root, "$");
  if (d.empty()) d = check_raw(trim(text), v.root, "$");
  if (d.empty()) {
    auto ndom = nlohmann::ordered_json::parse(v.prepared, nullptr, false);
    d = ndom.is_discarded() ? "$: nlohmann's DOM rejects what its SAX accepted" : compare_dom(ndom, v.root, "$");
  }
  if (d.empty()) {
    std::string out = dom->dump();
    Verdict back = oracle(out);
    if (!back.accept) d = "$: dump() \"" + show(out) + "\" is rejected: " + back.why;
    else d = compare_json(*dom, back.root, "$ (dump)", true);
  }
  return d.empty() ? "" : bad(d);
}

// append_string on any bytes: a literal both nlohmann and the scanner read back, to s
// itself when s is well-formed UTF-8 (nlohmann says whether it is, from a literal
// escaped here), else to something else (each offending byte is U+FFFD).
inline std::string check_append_string(std::string_view s) {
  std::string lit;
  ssot::json::append_string(lit, s);
  std::string where = "append_string(\"" + show(s) + "\") = " + show(lit) + ": ";
  auto j = nlohmann::json::parse(lit, nullptr, false);
  if (j.is_discarded() || !j.is_string()) return where + "not a JSON string for nlohmann";
  std::string plain = "\"";
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      plain += '\\';
      plain += c;
    } else if (u < 0x20) {
      char esc[8];
      std::snprintf(esc, sizeof esc, "\\u%04x", u);
      plain += esc;
    } else {
      plain += c;
    }
  }
  plain += '"';
  bool utf8 = !nlohmann::json::parse(plain, nullptr, false).is_discarded();
  const std::string& back = j.get_ref<const std::string&>();
  if (utf8 && back != s) return where + "nlohmann reads back \"" + show(back) + "\"";
  if (!utf8 && back == s) return where + "ill-formed UTF-8 written as is";
  std::string mine;
  const char* end = lit.data() + lit.size();
  if (ssot::json::parse_string(lit.data(), end, mine) != end) return where + "parse_string rejects it";
  if (mine != back) return where + "parse_string reads back \"" + show(mine) + "\", nlohmann \"" + show(back) + "\"";
  return "";
}

}  // namespace json_oracle
