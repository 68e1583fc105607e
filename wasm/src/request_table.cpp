// Outstanding requests keyed by small integer ids. A WebSocket requestId comes
// back from the server as text, so it is parsed strictly: only the exact text
// we would have sent ("17") matches; "017", "+17", "17 " or "" never do.
#include "ssot/request_table.h"

#include <limits>

namespace ssot {

// Canonical decimal text of a uint32 (no sign, no leading zero, no overflow).
std::optional<RequestId> RequestTable::parse_wire_id(std::string_view text) {
  if (text.empty() || text.size() > 10) return std::nullopt;
  if (text.size() > 1 && text[0] == '0') return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  if (value > std::numeric_limits<RequestId>::max()) return std::nullopt;
  return static_cast<RequestId>(value);
}

RequestId RequestTable::answered() {
  // Ids wrap after 2^32-1; 0 is never used and ids still in flight are skipped.
  // (The table can never hold 2^32-1 entries in practice, so this terminates.)
  while (next_id_ == 0 || entries_.count(next_id_) != 0) ++next_id_;
  return next_id_++;
}

RequestId RequestTable::add(Millis now, Millis timeout_ms, Call call) {
  const RequestId id = answered();
  Entry entry;
  entry.id = id;
  entry.call = std::move(call);
  if (timeout_ms > 0) {
    entry.deadline = add_saturating(now, timeout_ms);
    // 0 means "no deadline": a clock whose now + timeout lands exactly on 0
    // gets 1 ms more rather than a request that never times out.
    if (entry.deadline == 0) entry.deadline = 1;
  }
  entries_.emplace(id, std::move(entry));
  return id;
}

std::optional<RequestTable::Entry> RequestTable::complete(RequestId id) {
  auto it = entries_.find(id);
  if (it == entries_.end()) return std::nullopt;
  Entry entry = std::move(it->second);
  entries_.erase(it);
  return entry;
}

const RequestTable::Entry* RequestTable::find(RequestId id) const {
  auto it = entries_.find(id);
  return it == entries_.end() ? nullptr : &it->second;
}

std::vector<RequestTable::Entry> RequestTable::expire(Millis now) {
  // Ids grow with time, so id order is creation order: oldest first (until
  // the ids wrap after 2^32-1 requests, when the order is by id).
  std::vector<Entry> out;
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (it->second.deadline != 0 && it->second.deadline <= now) {
      out.push_back(std::move(it->second));
      it = entries_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

std::vector<RequestTable::Entry> RequestTable::complete_socket_requests() {
  std::vector<Entry> out;
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (!it->second.call.over_socket()) {
      ++it;
      continue;
    }
    out.push_back(std::move(it->second));
    it = entries_.erase(it);
  }
  return out;
}

std::optional<Millis> RequestTable::next_deadline() const {
  // A linear scan: the table holds a handful of requests at a time.
  std::optional<Millis> earliest;
  for (const auto& kv : entries_) {
    const Millis d = kv.second.deadline;
    if (d != 0 && (!earliest || d < *earliest)) earliest = d;
  }
  return earliest;
}

}  // namespace ssot
