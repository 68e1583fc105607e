#pragma once
// When to flush applied updates to the views' listeners: after flush_interval
// since the first pending update, at max_batch_size pending updates, or at
// once when batching is disabled. Coalescing itself lives in the views.
#include <optional>
#include "ssot/clock.h"

namespace ssot {

struct BatchOptions {
  bool enabled = true;
  Millis flush_interval_ms = 100;
  int max_batch_size = 50;
};

class Batcher {
 public:
  explicit Batcher(BatchOptions options = {});
  void add(Millis now, int count = 1);   // updates applied since the last flush
  bool due(Millis now) const;            // a flush should happen now
  std::optional<Millis> next_deadline() const;
  void flushed();                        // the pending updates went out
  int pending() const { return pending_; }
  const BatchOptions& options() const { return options_; }

 private:
  BatchOptions options_;
  int pending_ = 0;
  Millis first_at_ = 0;
};

}  // namespace ssot
