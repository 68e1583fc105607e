// Doubles to and from text where the integer fast paths do not apply. In wasm
// the JS engine does it (Number(), String()): strtod and printf would bring
// musl's formatting and 128-bit soft float into the binary, a fifth of its size.
// Natively the C library does it, written out the way String() writes numbers,
// so both builds give the same text.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "ssot/json.h"

#ifdef __EMSCRIPTEN__
#include <emscripten.h>

// The text is a validated JSON number: ASCII.
EM_JS(double, ssot_js_number, (const char* p, int n), {
  return Number(String.fromCharCode.apply(null, HEAPU8.subarray(p, p + n)));
});
// Writes String(x) (ASCII, at most 25 bytes) to `out`; returns its length.
EM_JS(int, ssot_js_string, (double x, char* out), {
  var s = String(x);
  for (var i = 0; i < s.length; i++) HEAPU8[out + i] = s.charCodeAt(i);
  return s.length;
});
#endif

namespace ssot {
namespace json {

double parse_double(std::string_view text) {
#ifdef __EMSCRIPTEN__
  return ssot_js_number(text.data(), int(text.size()));
#else
  return std::strtod(std::string(text).c_str(), nullptr);
#endif
}

void append_double(std::string& out, double x) {
  char buf[32];
#ifdef __EMSCRIPTEN__
  out.append(buf, size_t(ssot_js_string(x, buf)));
#else
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
    out += std::to_string(n - 1 < 0 ? 1 - n : n - 1);
  }
#endif
}

}  // namespace json
}  // namespace ssot
