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
    uint64_t tag = 0;        // the caller's meaning of the request (opaque here)
    Millis deadline = 0;     // 0 = no deadline
  };

  RequestId add(Millis now, Millis timeout_ms, uint64_t tag);  // timeout 0 = none
  std::optional<Entry> complete(RequestId id);                 // removes it
  std::optional<Entry> complete(std::string_view wire_id);     // decimal text; anything else -> nullopt
  const Entry* find(RequestId id) const;
  std::vector<Entry> expire(Millis now);                       // removes and returns timed-out ones, oldest first
  std::vector<Entry> take_all();                               // removes everything (disconnect, close)
  std::optional<Millis> next_deadline() const;
  size_t size() const { return entries_.size(); }

 private:
  RequestId next_id_ = 1;
  std::map<RequestId, Entry> entries_;
};

}  // namespace ssot
