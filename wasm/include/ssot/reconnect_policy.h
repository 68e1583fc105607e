#pragma once
// How long to wait before each reconnect attempt, and when to give up.
#include <optional>
#include "ssot/clock.h"

namespace ssot {

enum class Backoff { Linear, Exponential };

struct ReconnectOptions {
  Backoff backoff = Backoff::Exponential;
  Millis base_delay_ms = 1000;
  Millis max_delay_ms = 30000;
  int max_attempts = 5;   // 0 = never give up
  double jitter = 0.2;    // each delay is spread by +-jitter (fraction of it)
};

class ReconnectPolicy {
 public:
  ReconnectPolicy(ReconnectOptions options, RandomSource random);

  // Delay before the next attempt (attempt numbers start at 1), never below
  // `min_delay_ms` nor above max(max_delay_ms, min_delay_ms). nullopt when the
  // attempts are used up. Linear: base * n; exponential: base * 2^(n-1).
  std::optional<Millis> next_delay(Millis min_delay_ms = 0);
  // The delay of attempt `attempt` (>= 1) with a fresh jitter draw, ignoring
  // max_attempts: for retry loops that keep their own count (view hydration).
  Millis delay_for(int attempt, Millis min_delay_ms = 0) const;
  void reset();  // after a connection proved healthy
  int attempts() const { return attempts_; }
  const ReconnectOptions& options() const { return options_; }

 private:
  ReconnectOptions options_;
  RandomSource random_;
  int attempts_ = 0;
};

}  // namespace ssot
