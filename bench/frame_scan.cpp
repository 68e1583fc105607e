// The least work a wasm engine that takes PROTOCOL.md's text frames can do per frame,
// for bench/js/runtime_floor.js (its "+ validate" and "+ scan" clients). Built as the
// runtime ships (wasm/runtime.cmake: -Oz -flto, the wasm-opt pass), linked with the
// same core library, so the figures are the shipped scanner's.
//   ssot_frame_valid: the frame checked as JSON (json::valid), as the engine must
//     before it acts on a frame (a malformed one gets an error and changes nothing);
//   ssot_frame_scan: where the frame's strings and containers end, nothing checked: a
//     lower bound for finding the members in the text at all.
#include <cstddef>

#include "ssot/json.h"

extern "C" {

int ssot_frame_valid(const char* p, int n) { return ssot::json::valid(std::string_view(p, size_t(n))) ? 1 : 0; }

// The containers' depth at the end (0 for a whole frame), or -1 when a string is cut off.
int ssot_frame_scan(const char* p, int n) {
  const char* end = p + n;
  int depth = 0;
  while (p < end) {
    char c = *p++;
    if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      --depth;
    } else if (c == '"') {
      for (;;) {  // plain bytes a word at a time; stops at '"', '\\', control and non-ASCII bytes
        p = ssot::json::plain_run(p, end);
        if (p >= end) return -1;
        if (*p == '"') break;
        p += *p == '\\' ? 2 : 1;
      }
      ++p;
    }
  }
  return depth;
}

}  // extern "C"
