#pragma once
// The core never reads a clock: every call that depends on time takes `now`
// (milliseconds on any monotonic scale) from the caller. Tests use a fake clock.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>

namespace ssot {
using Millis = int64_t;
// Returns a number in [0, 1). Injected so jitter is deterministic in tests.
using RandomSource = std::function<double()>;
// Fills `out` with `size` unpredictable bytes (Web Crypto at the platform edge),
// for ids others must not guess. Injected so the core stays pure; tests pass a
// deterministic one.
using RandomBytes = std::function<void(uint8_t* out, size_t size)>;

// now + delta without signed overflow (a huge configured delay means "practically never").
inline Millis add_saturating(Millis now, Millis delta) {
  constexpr Millis kMax = std::numeric_limits<Millis>::max();
  constexpr Millis kMin = std::numeric_limits<Millis>::min();
  if (delta > 0 && now > kMax - delta) return kMax;
  if (delta < 0 && now < kMin - delta) return kMin;
  return now + delta;
}
}  // namespace ssot
