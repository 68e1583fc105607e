// Backoff delays for reconnect attempts. Every input is tolerated: negative
// delays count as 0, a jitter outside [0, 1] is clamped, a random source that
// is empty or returns garbage means "no jitter", and huge attempt numbers
// never overflow (the base delay is capped at the maximum before it grows).
#include "ssot/reconnect_policy.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <utility>

namespace ssot {
namespace {

// base * n (linear) or base * 2^(n-1) (exponential), at most `cap`. Both
// operands are >= 0; the checks divide instead of multiplying so nothing overflows.
Millis base_delay(Backoff backoff, Millis base, int n, Millis cap) {
  if (base <= 0) return 0;
  if (backoff == Backoff::Linear) {
    if (n > cap / base) return cap;
    return std::min(cap, base * n);
  }
  const int shift = n - 1;
  if (shift >= 62 || base > (cap >> shift)) return cap;
  return std::min(cap, base << shift);
}

// The jitter factor 1 - j + 2*j*r, with r the random draw in [0, 1).
double jitter_factor(double jitter, const RandomSource& random) {
  if (!(jitter > 0)) return 1.0;  // also catches NaN
  const double j = std::min(jitter, 1.0);
  double r = random ? random() : 0.5;
  if (std::isnan(r)) r = 0.5;
  r = std::clamp(r, 0.0, 1.0);
  return 1.0 - j + 2.0 * j * r;
}

}  // namespace

ReconnectPolicy::ReconnectPolicy(ReconnectOptions options, RandomSource random)
    : options_(std::move(options)), random_(std::move(random)) {}

std::optional<Millis> ReconnectPolicy::next_delay(Millis min_delay_ms) {
  // max_attempts <= 0 means unlimited (0 is documented; negatives are read the same way).
  if (options_.max_attempts > 0 && attempts_ >= options_.max_attempts) return std::nullopt;
  if (attempts_ < INT_MAX) ++attempts_;  // saturate: unlimited retries must not overflow
  return delay_for(attempts_, min_delay_ms);
}

Millis ReconnectPolicy::delay_for(int attempt, Millis min_delay_ms) const {
  const Millis lower = std::max<Millis>(min_delay_ms, 0);
  const Millis upper = std::max(options_.max_delay_ms, lower);
  const Millis base = base_delay(options_.backoff, options_.base_delay_ms, std::max(attempt, 1), upper);
  // Jitter is applied after the cap, so clients that all reached the maximum
  // still spread out instead of reconnecting in lockstep.
  const double d = static_cast<double>(base) * jitter_factor(options_.jitter, random_);
  // Clamp in double before converting back: the conversion of an out-of-range double is UB.
  if (!(d < static_cast<double>(upper))) return upper;
  if (d <= static_cast<double>(lower)) return lower;
  return std::clamp<Millis>(std::llround(d), lower, upper);
}

void ReconnectPolicy::reset() { attempts_ = 0; }

}  // namespace ssot
