#pragma once
// Outstanding requests (WebSocket `request`s and HTTP calls) with deadlines.
// Ids are small integers; on the wire a WebSocket requestId is their decimal text.
#include <cstdint>
#include <map>
#include <optional>
#include <string_view>
#include <vector>
#include "ssot/clock.h"

namespace ssot {

using RequestId = uint32_t;

class RequestTable {
 public:
  struct Entry {
    RequestId id = 0;
    Millis deadline = 0;     // 0 = no deadline
  };

  // The id a WebSocket requestId names: only the exact decimal text we send ("17").
  static std::optional<RequestId> parse_wire_id(std::string_view text);

  RequestId add(Millis now, Millis timeout_ms);  // timeout 0 = none
  std::optional<Entry> complete(RequestId id);   // removes it
  const Entry* find(RequestId id) const;
  std::vector<Entry> expire(Millis now);         // removes and returns timed-out ones, oldest first
  std::optional<Millis> next_deadline() const;
  size_t size() const { return entries_.size(); }

 private:
  RequestId next_id_ = 1;
  std::map<RequestId, Entry> entries_;
};

}  // namespace ssot
