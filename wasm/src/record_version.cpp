#include "ssot/record_version.h"

#include <cmath>
#include <string>
#include "ssot/json.h"

namespace ssot {

namespace {

// Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil).
long long days_from_civil(long long y, unsigned m, unsigned d) {
  y -= m <= 2;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = unsigned(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (long long)doe - 719468;
}

struct Cursor {
  std::string_view s;
  size_t i = 0;
  bool done() const { return i >= s.size(); }
  bool eat(char c) {
    if (done() || s[i] != c) return false;
    ++i;
    return true;
  }
  // Exactly n digits.
  bool digits(size_t n, int& out) {
    if (i + n > s.size()) return false;
    out = 0;
    for (size_t k = 0; k < n; ++k) {
      char c = s[i + k];
      if (c < '0' || c > '9') return false;
      out = out * 10 + (c - '0');
    }
    i += n;
    return true;
  }
};

unsigned days_in_month(int y, int m) {
  static const unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : days[m - 1];
}

// The zone after the time: "Z", "+HH:MM", "+HHMM", "+HH" or nothing (UTC). Minutes east.
bool zone(Cursor& c, int& offset_minutes) {
  offset_minutes = 0;
  if (c.done() || c.eat('Z') || c.eat('z')) return true;
  int sign = c.eat('+') ? 1 : c.eat('-') ? -1 : 0;
  int hh = 0, mm = 0;
  if (!sign || !c.digits(2, hh) || hh > 23) return false;
  if (!c.done()) {
    c.eat(':');
    if (!c.digits(2, mm) || mm > 59) return false;
  }
  offset_minutes = sign * (hh * 60 + mm);
  return true;
}

}  // namespace

std::optional<Version> parse_iso8601(std::string_view text) {
  Cursor c{text};
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!c.digits(4, y) || !c.eat('-') || !c.digits(2, mo) || !c.eat('-') || !c.digits(2, d)) return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || unsigned(d) > days_in_month(y, mo)) return std::nullopt;
  double fraction_ms = 0;
  int offset = 0;
  if (c.eat('T') || c.eat('t') || c.eat(' ')) {
    if (!c.digits(2, h) || !c.eat(':') || !c.digits(2, mi) || h > 23 || mi > 59) return std::nullopt;
    if (c.eat(':')) {
      if (!c.digits(2, sec) || sec > 60) return std::nullopt;  // 60: a leap second
      if (c.eat('.') || c.eat(',')) {
        double scale = 100;
        size_t start = c.i;
        for (; !c.done() && c.s[c.i] >= '0' && c.s[c.i] <= '9'; ++c.i, scale /= 10) fraction_ms += (c.s[c.i] - '0') * scale;
        if (c.i == start) return std::nullopt;
      }
    }
    if (!zone(c, offset)) return std::nullopt;
  }
  if (!c.done()) return std::nullopt;
  double days = double(days_from_civil(y, unsigned(mo), unsigned(d)));
  double minutes = days * 1440 + h * 60 + mi - offset;
  return minutes * 60000 + sec * 1000 + fraction_ms;
}

std::optional<Version> parse_version(std::string_view raw) {
  if (raw.empty()) return std::nullopt;
  JsonKind k = json::kind_of(raw);
  if (k == JsonKind::Number) {
    auto n = json::parse_number(raw);
    if (n && std::isfinite(*n)) return *n;
    return std::nullopt;
  }
  if (k != JsonKind::String) return std::nullopt;
  std::string text;
  if (!json::parse_string(raw.data(), raw.data() + raw.size(), text)) return std::nullopt;
  return parse_iso8601(text);
}

namespace {
// Whether `field` may be a key of the object text: a substring search instead of
// validating every member (on every update). A key equal to `field` is written as it
// is, or with escapes; of those only \u can spell a character other than '"', '\\',
// '/' and control characters. So for a field without those, a text with no \u escape
// holds the key only if it holds the quoted name. (Chat text is full of \" and \n: a
// backslash alone used to send every such record through find_members.)
bool may_hold_key(std::string_view text, std::string_view field) {
  bool plain = true;
  for (char c : field) plain = plain && c != '"' && c != '\\' && c != '/' && static_cast<unsigned char>(c) >= 0x20;
  for (size_t at = text.find('\\'); at != std::string_view::npos; at = text.find('\\', at + 2))
    if (!plain || (at + 1 < text.size() && text[at + 1] == 'u')) return true;
  for (size_t at = text.find(field); at != std::string_view::npos; at = text.find(field, at + 1))
    if (at > 0 && text[at - 1] == '"' && at + field.size() < text.size() && text[at + field.size()] == '"') return true;
  return false;
}
}  // namespace

std::optional<Version> record_version(std::string_view record_json, std::string_view field,
                                      const json::MemberList* members) {
  std::string_view raw;
  if (field.empty()) return std::nullopt;
  if (members && members->describes(record_json)) raw = members->find(field);
  else if (json::kind_of(record_json) != JsonKind::Object || !may_hold_key(record_json, field) ||
           !json::find_members(record_json, &field, 1, &raw))
    return std::nullopt;
  return parse_version(raw);
}

}  // namespace ssot
