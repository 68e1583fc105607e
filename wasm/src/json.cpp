#include "ssot/json.h"

#include <cmath>
#include <cstring>

// Per-character helpers are inlined whatever the optimization level: the runtime
// is built -Oz, which otherwise calls them once per byte of every frame (as skip_ws).
#define SSOT_INLINE inline __attribute__((always_inline))

namespace ssot {
namespace json {

static int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static bool read_hex4(const char* p, const char* end, unsigned& out) {
  if (end - p < 4) return false;
  out = 0;
  for (int i = 0; i < 4; ++i) {
    int d = hex_digit(p[i]);
    if (d < 0) return false;
    out = out * 16 + unsigned(d);
  }
  return true;
}

static void append_utf8(std::string& out, unsigned cp) {
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xC0 | (cp >> 6));
    out += char(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += char(0xE0 | (cp >> 12));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  } else {
    out += char(0xF0 | (cp >> 18));
    out += char(0x80 | ((cp >> 12) & 0x3F));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  }
}

// Strings and numbers are scanned 8 bytes at a time (wasm has no SIMD here; 64-bit
// ops are native), and the first byte that ends a run is found from the word itself:
// a byte-at-a-time loop over each run's tail cost more than the words before it.
// The lowest flagged byte of each test below is exact (a borrow or carry only runs
// upward from a flagged byte), which is all that is used; bytes are little-endian.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the word scans read bytes little-endian");
constexpr uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;

static SSOT_INLINE uint64_t word_at(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

// The high bit of each byte a string cannot simply pass: '"', '\\', a control
// character (below 0x20) or 0x80 and up (UTF-8, validated apart).
static SSOT_INLINE uint64_t string_stops(uint64_t v) {
  uint64_t q = v ^ (kOnes * '"'), b = v ^ (kOnes * '\\');
  return (((q - kOnes) & ~q) | ((b - kOnes) & ~b) | ((v - kOnes * 0x20) & ~v) | v) & kHigh;
}

// Nonzero bits in each byte that is not an ASCII digit: a digit's high nibble is 3,
// and so is the high nibble of the digit plus 6 (a carry only leaves a non-digit).
static SSOT_INLINE uint64_t non_digits(uint64_t v) {
  constexpr uint64_t nibble = 0xF0F0F0F0F0F0F0F0ULL, three = kOnes * 0x30;
  return ((v & nibble) ^ three) | (((v + kOnes * 6) & nibble) ^ three);
}

// The first byte with any bit set in `flags` (which has one).
static SSOT_INLINE const char* first_flagged(const char* p, uint64_t flags) {
  return p + (__builtin_ctzll(flags) >> 3);
}

static SSOT_INLINE bool plain_ascii(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  return u >= 0x20 && u < 0x80 && c != '"' && c != '\\';
}

// Past a run of plain ASCII string bytes.
static SSOT_INLINE const char* plain_run_inline(const char* p, const char* end) {
  for (; end - p >= 8; p += 8)
    if (uint64_t stops = string_stops(word_at(p))) return first_flagged(p, stops);
  while (p < end && plain_ascii(*p)) ++p;
  return p;
}

const char* plain_run(const char* p, const char* end) { return plain_run_inline(p, end); }

// Past a run of digits.
static SSOT_INLINE const char* digit_run(const char* p, const char* end) {
  for (; end - p >= 8; p += 8)
    if (uint64_t stops = non_digits(word_at(p))) return first_flagged(p, stops);
  while (p < end && *p >= '0' && *p <= '9') ++p;
  return p;
}

// p points at a byte 0x80 or above: returns a pointer past the one well-formed UTF-8
// sequence it starts (RFC 3629: no overlong forms, no surrogates, nothing above
// U+10FFFF), or nullptr.
static const char* skip_utf8(const char* p, const char* end) {
  auto in = [](char c, unsigned lo, unsigned hi) {
    unsigned u = static_cast<unsigned char>(c);
    return u >= lo && u <= hi;
  };
  unsigned c = static_cast<unsigned char>(*p);
  ptrdiff_t left = end - p;
  if (c >= 0xC2 && c <= 0xDF) return left >= 2 && in(p[1], 0x80, 0xBF) ? p + 2 : nullptr;
  if (c >= 0xE0 && c <= 0xEF) {
    unsigned lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    return left >= 3 && in(p[1], lo, hi) && in(p[2], 0x80, 0xBF) ? p + 3 : nullptr;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    unsigned lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    return left >= 4 && in(p[1], lo, hi) && in(p[2], 0x80, 0xBF) && in(p[3], 0x80, 0xBF) ? p + 4 : nullptr;
  }
  return nullptr;  // a continuation byte, C0/C1 (overlong) or F5 and up
}

// Validates a string literal; when out is non-null also decodes it.
static const char* scan_string(const char* p, const char* end, std::string* out) {
  if (p >= end || *p != '"') return nullptr;
  ++p;
  while (p < end) {
    const char* run = p;
    for (;;) {  // a run of plain ASCII and well-formed UTF-8
      p = plain_run_inline(p, end);
      if (p >= end || static_cast<unsigned char>(*p) < 0x80) break;
      if (!(p = skip_utf8(p, end))) return nullptr;
    }
    if (out) out->append(run, size_t(p - run));
    if (p >= end) return nullptr;
    char c = *p;
    if (c == '"') return p + 1;
    if (c != '\\') return nullptr;  // raw control character
    if (++p >= end) return nullptr;
    char e = *p++;
    char plain = 0;
    switch (e) {
      case '"': plain = '"'; break;
      case '\\': plain = '\\'; break;
      case '/': plain = '/'; break;
      case 'b': plain = '\b'; break;
      case 'f': plain = '\f'; break;
      case 'n': plain = '\n'; break;
      case 'r': plain = '\r'; break;
      case 't': plain = '\t'; break;
      case 'u': {
        unsigned cp;
        if (!read_hex4(p, end, cp)) return nullptr;
        p += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF && end - p >= 6 && p[0] == '\\' && p[1] == 'u') {
          unsigned lo;
          if (read_hex4(p + 2, end, lo) && lo >= 0xDC00 && lo <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            p += 6;
          }
        }
        if (out) append_utf8(*out, cp >= 0xD800 && cp <= 0xDFFF ? 0xFFFD : cp);
        continue;
      }
      default: return nullptr;
    }
    if (out) *out += plain;
  }
  return nullptr;
}

const char* parse_string(const char* p, const char* end, std::string& out) {
  return scan_string(p, end, &out);
}

static const char* skip_number(const char* p, const char* end) {
  if (p < end && *p == '-') ++p;
  if (p >= end) return nullptr;
  if (*p == '0') {
    ++p;
  } else if (*p >= '1' && *p <= '9') {
    p = digit_run(p, end);
  } else {
    return nullptr;
  }
  if (p < end && *p == '.') {
    ++p;
    if (p >= end || *p < '0' || *p > '9') return nullptr;
    p = digit_run(p, end);
  }
  if (p < end && (*p == 'e' || *p == 'E')) {
    ++p;
    if (p < end && (*p == '+' || *p == '-')) ++p;
    if (p >= end || *p < '0' || *p > '9') return nullptr;
    while (p < end && *p >= '0' && *p <= '9') ++p;
  }
  return p;
}

static const char* skip_literal(const char* p, const char* end, const char* word, size_t n) {
  if (size_t(end - p) < n || std::memcmp(p, word, n) != 0) return nullptr;
  return p + n;
}

const char* skip_value(const char* p, const char* end, int depth) {
  p = skip_ws(p, end);
  if (p >= end || depth > kMaxDepth) return nullptr;
  switch (*p) {
    case '"': return scan_string(p, end, nullptr);
    case 't': return skip_literal(p, end, "true", 4);
    case 'f': return skip_literal(p, end, "false", 5);
    case 'n': return skip_literal(p, end, "null", 4);
    case '{': {
      p = skip_ws(p + 1, end);
      if (p < end && *p == '}') return p + 1;
      for (;;) {
        p = scan_string(skip_ws(p, end), end, nullptr);
        if (!p) return nullptr;
        p = skip_ws(p, end);
        if (p >= end || *p != ':') return nullptr;
        p = skip_value(p + 1, end, depth + 1);
        if (!p) return nullptr;
        p = skip_ws(p, end);
        if (p >= end) return nullptr;
        if (*p == '}') return p + 1;
        if (*p != ',') return nullptr;
        ++p;
      }
    }
    case '[': {
      p = skip_ws(p + 1, end);
      if (p < end && *p == ']') return p + 1;
      for (;;) {
        p = skip_value(p, end, depth + 1);
        if (!p) return nullptr;
        p = skip_ws(p, end);
        if (p >= end) return nullptr;
        if (*p == ']') return p + 1;
        if (*p != ',') return nullptr;
        ++p;
      }
    }
    default: return skip_number(p, end);
  }
}

const char* walk_members(const char* p, const char* end, std::string& key_buf, MemberFn member, void* context) {
  return walk_object(p, end, key_buf, [&](std::string_view key, const char* v) { return member(context, key, v); });
}

namespace {
struct Lookup {  // the keys find_members and scan_records look up, and what they found
  const char* end;
  int depth;  // of the members
  const std::string_view* keys;
  size_t n;
  std::string_view* values;
};

const char* look_up(void* context, std::string_view key, const char* v) {
  auto& l = *static_cast<Lookup*>(context);
  const char* q = skip_value(v, l.end, l.depth);
  for (size_t i = 0; q && i < l.n; ++i)
    if (same_text(l.keys[i], key)) l.values[i] = std::string_view(v, size_t(q - v));  // the last duplicate wins
  return q;
}
}  // namespace

std::string_view MemberList::find(std::string_view key) const {
  std::string_view found;
  for (size_t i = 0; i < count; ++i)
    if (same_text(members[i].key, key)) found = members[i].value;  // the last duplicate wins
  return found;
}

namespace {
struct Capture {
  const char* end;
  int depth;  // of the members
  const std::string* key_buf;
  MemberList* out;
  bool plain_keys;
};

const char* capture(void* context, std::string_view key, const char* v) {
  auto& c = *static_cast<Capture*>(context);
  const char* q = skip_value(v, c.end, c.depth);
  MemberList& out = *c.out;
  if (q && out.count < MemberList::kMax) out.members[out.count] = Member{key, std::string_view(v, size_t(q - v))};
  ++out.count;
  if (key.data() == c.key_buf->data()) c.plain_keys = false;  // decoded into the buffer
  return q;
}
}  // namespace

const char* capture_members(const char* p, const char* end, int depth, MemberList& out) {
  out.source = {};
  out.count = 0;
  if (depth > kMaxDepth) return nullptr;
  std::string key_buf;
  Capture c{end, depth + 1, &key_buf, &out, true};
  const char* q = walk_members(p, end, key_buf, capture, &c);
  if (q && c.plain_keys && out.count <= MemberList::kMax) out.source = std::string_view(p, size_t(q - p));
  return q;
}

const char* scan_records(const char* p, const char* end, int depth, std::string_view key,
                         std::vector<RecordText>& out) {
  p = skip_ws(p, end);
  if (p >= end || *p != '[' || depth > kMaxDepth) return nullptr;
  p = skip_ws(p + 1, end);
  if (p < end && *p == ']') return p + 1;
  std::string key_buf;
  for (;;) {
    const char* v = skip_ws(p, end);
    std::string_view found;
    Lookup search{end, depth + 2, &key, 1, &found};
    if (v < end && *v == '{' && depth < kMaxDepth)  // deeper, skip_value rejects it
      p = walk_members(v, end, key_buf, look_up, &search);
    else
      p = skip_value(v, end, depth + 1);
    if (!p) return nullptr;
    out.push_back(RecordText{std::string_view(v, size_t(p - v)), found});
    p = skip_ws(p, end);
    if (p >= end) return nullptr;
    if (*p == ']') return p + 1;
    if (*p != ',') return nullptr;
    ++p;
  }
}

bool scan_records(std::string_view text, std::string_view key, std::vector<RecordText>& out) {
  const char* end = text.data() + text.size();
  const char* p = scan_records(text.data(), end, 0, key, out);
  return p && skip_ws(p, end) == end;
}

bool valid(std::string_view text) {
  const char* end = text.data() + text.size();
  const char* p = skip_value(text.data(), end);
  return p && skip_ws(p, end) == end;
}

JsonKind kind_of(std::string_view raw) {
  if (raw.empty()) return JsonKind::Null;
  switch (raw[0]) {
    case '"': return JsonKind::String;
    case '{': return JsonKind::Object;
    case '[': return JsonKind::Array;
    case 't':
    case 'f': return JsonKind::Bool;
    case 'n': return JsonKind::Null;
    default: return JsonKind::Number;
  }
}

void append_string(std::string& out, std::string_view s) {
  static const char* hex = "0123456789abcdef";
  out += '"';
  const char* end = s.data() + s.size();
  size_t run = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (plain_ascii(char(c))) continue;
    if (c >= 0x80) {
      if (const char* q = skip_utf8(s.data() + i, end)) {
        i = size_t(q - s.data()) - 1;
        continue;
      }
      out.append(s.data() + run, i - run);  // not UTF-8: U+FFFD, so the text stays valid
      out += "\xEF\xBF\xBD";
      run = i + 1;
      continue;
    }
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out += hex[c >> 4];
        out += hex[c & 15];
    }
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

void append_integer(std::string& out, int64_t n) {
  char buf[20];
  char* p = buf + sizeof buf;
  uint64_t u = n < 0 ? 0 - uint64_t(n) : uint64_t(n);
  do *--p = char('0' + u % 10);
  while (u /= 10);
  if (n < 0) out += '-';
  out.append(p, size_t(buf + sizeof buf - p));
}

std::string integer_text(int64_t n) {
  std::string out;
  append_integer(out, n);
  return out;
}

void append_number(std::string& out, double n) {
  if (!std::isfinite(n)) out += "null";  // what JSON.stringify does
  else if (std::floor(n) == n && std::fabs(n) < 9007199254740992.0) append_integer(out, int64_t(n));
  else append_double(out, n);  // query strings and canonical query keys must match the JS side's
}

std::optional<double> parse_number(std::string_view raw) {
  // Plain integers (ids, seqs, timestamps) stay in wasm, without a call out; by pointer,
  // as string_view's [] and size() are calls at -Oz.
  const char* end = raw.data() + raw.size();
  if (!raw.empty() && raw.size() <= 16) {
    const char* p = raw.data();
    bool negative = *p == '-';
    if (negative) ++p;
    if (p < end && (*p != '0' || end - p == 1)) {
      int64_t n = 0;
      const char* q = p;
      for (; q < end && *q >= '0' && *q <= '9'; ++q) n = n * 10 + (*q - '0');
      if (q == end) return double(negative ? -n : n);
    }
  }
  const char* p = skip_number(raw.data(), end);
  if (!p || p != end) return std::nullopt;
  return parse_double(raw);
}

bool find_members(std::string_view text, const std::string_view* keys, size_t n, std::string_view* values) {
  for (size_t i = 0; i < n; ++i) values[i] = std::string_view();
  Lookup l{text.data() + text.size(), 1, keys, n, values};  // members: one level down, as valid() counts
  std::string key_buf;
  const char* p = walk_members(text.data(), l.end, key_buf, look_up, &l);
  return p && skip_ws(p, l.end) == l.end;
}

}  // namespace json

std::optional<Json> Json::parse(std::string_view text, std::string* error) {
  Json out;
  const char* end = text.data() + text.size();
  const char* p = parse_value(text.data(), end, out, 0);
  if (!p || json::skip_ws(p, end) != end) {
    if (error) *error = "invalid JSON";
    return std::nullopt;
  }
  return out;
}

Json Json::from_raw_value(std::string_view raw) {
  Json out;
  parse_value(raw.data(), raw.data() + raw.size(), out, 0);
  return out;
}

const char* Json::parse_value(const char* p, const char* end, Json& out, int depth) {
  p = json::skip_ws(p, end);
  if (p >= end || depth > json::kMaxDepth) return nullptr;
  switch (*p) {
    case '"':
      out.kind_ = JsonKind::String;
      return json::parse_string(p, end, out.string_);
    case '{': {
      out.kind_ = JsonKind::Object;
      struct Context {
        const char* end;
        Json* object;
        int depth;
      } c{end, &out, depth + 1};
      std::string key_buf;
      return json::walk_members(p, end, key_buf, [](void* context, std::string_view key, const char* v) {
        auto& c = *static_cast<Context*>(context);
        c.object->members_.emplace_back(std::string(key), Json());
        return parse_value(v, c.end, c.object->members_.back().second, c.depth);
      }, &c);
    }
    case '[': {
      out.kind_ = JsonKind::Array;
      std::vector<json::RecordText> items;
      const char* q = json::scan_records(p, end, depth, {}, items);
      for (const auto& item : items) {
        out.items_.emplace_back();
        if (q && !parse_value(item.text.data(), item.text.data() + item.text.size(), out.items_.back(), depth + 1)) q = nullptr;
      }
      return q;
    }
    case 't':
    case 'f':
    case 'n': {
      const char* q = json::skip_value(p, end, depth);
      if (!q) return nullptr;
      out.kind_ = *p == 'n' ? JsonKind::Null : JsonKind::Bool;
      out.bool_ = *p == 't';
      return q;
    }
    default: {
      const char* q = json::skip_value(p, end, depth);
      if (!q) return nullptr;
      auto n = json::parse_number(std::string_view(p, size_t(q - p)));
      if (!n) return nullptr;
      out.kind_ = JsonKind::Number;
      out.number_ = *n;
      return q;
    }
  }
}

const Json* Json::get(std::string_view key) const {
  if (kind_ != JsonKind::Object) return nullptr;
  const Json* found = nullptr;
  for (const auto& m : members_)
    if (m.first == key) found = &m.second;  // last duplicate wins
  return found;
}

void Json::dump_to(std::string& out) const {
  switch (kind_) {
    case JsonKind::Null: out += "null"; break;
    case JsonKind::Bool: out += bool_ ? "true" : "false"; break;
    case JsonKind::Number: json::append_number(out, number_); break;
    case JsonKind::String: json::append_string(out, string_); break;
    case JsonKind::Array:
      out += '[';
      for (size_t i = 0; i < items_.size(); ++i) {
        if (i) out += ',';
        items_[i].dump_to(out);
      }
      out += ']';
      break;
    case JsonKind::Object:
      out += '{';
      for (size_t i = 0; i < members_.size(); ++i) {
        if (i) out += ',';
        json::append_string(out, members_[i].first);
        out += ':';
        members_[i].second.dump_to(out);
      }
      out += '}';
      break;
  }
}

std::string Json::dump() const {
  std::string out;
  dump_to(out);
  return out;
}

}  // namespace ssot
