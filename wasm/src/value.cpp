#include "ssot/value.h"

#include <cmath>
#include <cstring>

namespace ssot {

Value Value::from_raw(std::string_view raw) {
  Value v;
  if (raw.empty()) {
    v.missing = true;
    return v;
  }
  v.kind = json::kind_of(raw);
  switch (v.kind) {
    case JsonKind::Null: break;
    case JsonKind::Bool: v.boolean = raw[0] == 't'; break;
    case JsonKind::Number: v.number = json::parse_number(raw).value_or(0); break;
    case JsonKind::String:
      if (!json::parse_string(raw.data(), raw.data() + raw.size(), v.text)) v.kind = JsonKind::Null;
      break;
    case JsonKind::Array:
    case JsonKind::Object: v.text.assign(raw.data(), raw.size()); break;
  }
  return v;
}

Value Value::of_number(double n) {
  Value v;
  v.kind = JsonKind::Number;
  v.number = n;
  return v;
}

Value Value::of_string(std::string s) {
  Value v;
  v.kind = JsonKind::String;
  v.text = std::move(s);
  return v;
}

static int rank(JsonKind k) {
  switch (k) {
    case JsonKind::Null: return 0;
    case JsonKind::Bool: return 1;
    case JsonKind::Number: return 2;
    case JsonKind::String: return 3;
    default: return 4;
  }
}

int compare(const Value& a, const Value& b) {
  int ra = rank(a.kind), rb = rank(b.kind);
  if (ra != rb) return ra < rb ? -1 : 1;
  switch (a.kind) {
    case JsonKind::Null: return 0;
    case JsonKind::Bool: return int(a.boolean) - int(b.boolean);
    case JsonKind::Number: return a.number < b.number ? -1 : (a.number > b.number ? 1 : 0);
    default: return a.text.compare(b.text) < 0 ? -1 : (a.text == b.text ? 0 : 1);
  }
}

bool equal(const Value& a, const Value& b) { return compare(a, b) == 0; }

// By pointer: string_view's substr, [] and compare are calls at -Oz, and every id
// placed in a view or written out asks.
bool is_numeric_id(std::string_view id) {
  const char* p = id.data();
  const char* end = p + id.size();
  if (p < end && *p == '-') ++p;
  size_t n = size_t(end - p);
  if (n == 0 || (*p == '0' && (n > 1 || p != id.data()))) return false;  // "007", "-0"
  for (const char* q = p; q < end; ++q)
    if (*q < '0' || *q > '9') return false;
  // Beyond 2^53 - 1 ids are kept as text (canonical_id never writes them as digits
  // of a number): a JS number would round them.
  static constexpr char kMaxSafe[] = "9007199254740991";
  constexpr size_t kMaxDigits = sizeof kMaxSafe - 1;
  return n < kMaxDigits || (n == kMaxDigits && std::memcmp(p, kMaxSafe, n) <= 0);
}

bool record_id(std::string_view record_json, RecordId& out) {
  static const std::string_view id_key[] = {"id"};
  std::string_view raw;
  return json::kind_of(record_json) == JsonKind::Object && json::find_members(record_json, id_key, 1, &raw) &&
         canonical_id(raw, out);
}

bool canonical_id(std::string_view raw, RecordId& out) {
  out.clear();
  if (raw.empty()) return false;
  JsonKind kind = json::kind_of(raw);
  if (kind == JsonKind::String) {
    if (!json::parse_string(raw.data(), raw.data() + raw.size(), out)) return false;
    if (out.empty()) return false;
    // "007" and "1.0" stay distinct strings; "7" equals the number 7 by construction.
    return true;
  }
  if (kind != JsonKind::Number) return false;
  if (is_numeric_id(raw)) {  // already canonical integer text (JSON forbids leading zeros)
    out.assign(raw.data(), raw.size());
    return true;
  }
  auto n = json::parse_number(raw);
  if (!n || !std::isfinite(*n)) return false;
  if (std::floor(*n) == *n && std::fabs(*n) < 9007199254740992.0) {
    out.clear();
    json::append_integer(out, int64_t(*n));
    return true;
  }
  out.assign(raw.data(), raw.size());  // a fractional id: keep its text
  return true;
}

int compare_ids(std::string_view a, std::string_view b) {
  bool na = is_numeric_id(a), nb = is_numeric_id(b);
  if (na != nb) return na ? -1 : 1;
  if (na) {
    bool nega = a[0] == '-', negb = b[0] == '-';
    if (nega != negb) return nega ? -1 : 1;
    int mag = a.size() != b.size() ? (a.size() < b.size() ? -1 : 1) : a.compare(b) < 0 ? -1 : (a == b ? 0 : 1);
    return nega ? -mag : mag;
  }
  int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

void append_id_json(std::string& out, std::string_view id) {
  if (is_numeric_id(id)) out.append(id.data(), id.size());
  else json::append_string(out, id);
}

}  // namespace ssot
