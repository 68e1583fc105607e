#pragma once
// The core never reads a clock: every call that depends on time takes `now`
// (milliseconds on any monotonic scale) from the caller. Tests use a fake clock.
#include <cstdint>
#include <functional>

namespace ssot {
using Millis = int64_t;
// Returns a number in [0, 1). Injected so jitter is deterministic in tests.
using RandomSource = std::function<double()>;
}  // namespace ssot
