// Flush timing for applied updates. The window opens at the first pending
// update and is never pushed back by later ones, so a steady stream still
// flushes every flush_interval instead of starving the listeners.
#include "ssot/batcher.h"

#include <climits>
#include <limits>

namespace ssot {

Batcher::Batcher(BatchOptions options) : options_(options) {}

void Batcher::add(Millis now, int count) {
  if (count <= 0) return;  // nothing was applied: no window opens
  if (pending_ == 0) first_at_ = now;
  pending_ = (pending_ > INT_MAX - count) ? INT_MAX : pending_ + count;
}

bool Batcher::due(Millis now) const {
  if (pending_ == 0) return false;
  if (!options_.enabled) return true;
  // A max_batch_size <= 0 makes every add due at once (the formula, taken literally).
  if (pending_ >= options_.max_batch_size) return true;
  // A clock that goes backwards simply is not due yet; it never underflows.
  return now >= add_saturating(first_at_, options_.flush_interval_ms);
}

std::optional<Millis> Batcher::next_deadline() const {
  // Disabled batching flushes inside the call that added, so it needs no timer.
  if (pending_ == 0 || !options_.enabled) return std::nullopt;
  return add_saturating(first_at_, options_.flush_interval_ms);
}

void Batcher::flushed() {
  pending_ = 0;
  first_at_ = 0;
}

}  // namespace ssot
