// The runtime's numbers to and from text: the JS engine does it (Number(), String()),
// so the wasm carries no strtod or printf. wasm/src/number_text.cpp is the native
// twin (tests, benchmarks); both give the same text.
#include <emscripten.h>

#include <string>

#include "ssot/json.h"

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

namespace ssot {
namespace json {

double parse_double(std::string_view text) { return ssot_js_number(text.data(), int(text.size())); }

void append_double(std::string& out, double x) {
  char buf[32];
  out.append(buf, size_t(ssot_js_string(x, buf)));
}

}  // namespace json
}  // namespace ssot
