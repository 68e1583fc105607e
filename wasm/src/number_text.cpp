// Doubles to and from text where the integer fast paths do not apply, natively: the
// C library, written out the way JS String() writes numbers. The runtime's wasm uses
// wasm/platform/number_text_js.cpp instead (the JS engine's Number() and String()):
// strtod and printf would bring musl's formatting and 128-bit soft float into the
// binary, a fifth of its size. Both give the same text.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "ssot/json.h"

namespace ssot {
namespace json {

double parse_double(std::string_view text) { return std::strtod(std::string(text).c_str(), nullptr); }

void append_double(std::string& out, double x) {
  char buf[32];
  // The shortest digits that read back as x (%.*e rounds correctly, so it is also
  // the closest of that length), then String()'s layout of them (ECMA-262 Number::toString).
  int k = 1;
  for (; k < 17; ++k) {
    std::snprintf(buf, sizeof buf, "%.*e", k - 1, x);
    if (std::strtod(buf, nullptr) == x) break;
  }
  std::snprintf(buf, sizeof buf, "%.*e", k - 1, x);
  const char* p = buf;
  if (*p == '-') {
    out += '-';
    ++p;
  }
  std::string digits(1, *p);
  if (k > 1) digits.append(p + 2, size_t(k - 1));
  int n = std::atoi(std::strchr(p, 'e') + 1) + 1;  // x = 0.digits * 10^n
  if (k <= n && n <= 21) {
    out += digits;
    out.append(size_t(n - k), '0');
  } else if (0 < n && n <= 21) {
    out.append(digits, 0, size_t(n));
    out += '.';
    out.append(digits, size_t(n), std::string::npos);
  } else if (-6 < n && n <= 0) {
    out += "0.";
    out.append(size_t(-n), '0');
    out += digits;
  } else {
    out += digits[0];
    if (k > 1) {
      out += '.';
      out.append(digits, 1, std::string::npos);
    }
    out += n - 1 < 0 ? "e-" : "e+";
    json::append_integer(out, int64_t(n - 1 < 0 ? 1 - n : n - 1));
  }
}

}  // namespace json
}  // namespace ssot
