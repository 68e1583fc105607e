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

RequestTable::Entry* RequestTable::entry(RequestId id) {
  for (auto& e : entries_)
    if (e.id == id) return &e;
  return nullptr;
}

RequestId RequestTable::answered() {
  // Ids wrap after 2^32-1; 0 is never used and ids still in flight are skipped.
  // (The table can never hold 2^32-1 entries in practice, so this terminates.)
  while (next_id_ == 0 || entry(next_id_)) ++next_id_;
  return next_id_++;
}

RequestId RequestTable::add(Millis now, Millis timeout_ms, Call call, RequestId id) {
  if (!id) id = answered();
  Entry entry;
  entry.id = id;
  entry.call = std::move(call);
  entries_.push_back(std::move(entry));
  start_clock(id, now, timeout_ms);
  return id;
}

void RequestTable::start_clock(RequestId id, Millis now, Millis timeout_ms) {
  Entry* e = entry(id);
  if (!e || timeout_ms <= 0) return;
  e->deadline = add_saturating(now, timeout_ms);
  // 0 means "no deadline": a clock whose now + timeout lands exactly on 0
  // gets 1 ms more rather than a request that never times out.
  if (e->deadline == 0) e->deadline = 1;
}

std::optional<RequestTable::Entry> RequestTable::complete(RequestId id) {
  Entry* e = entry(id);
  if (!e) return std::nullopt;
  Entry out = std::move(*e);
  entries_.erase(entries_.begin() + (e - entries_.data()));
  return out;
}

const RequestTable::Entry* RequestTable::find(RequestId id) const { return const_cast<RequestTable*>(this)->entry(id); }

// Removes and returns the entries pred(entry) holds for, in the table's order.
template <typename Pred>
std::vector<RequestTable::Entry> RequestTable::take_if(Pred pred) {
  std::vector<Entry> out;
  size_t kept = 0;
  for (auto& e : entries_) {
    if (pred(e)) out.push_back(std::move(e));
    else if (&e != &entries_[kept++]) entries_[kept - 1] = std::move(e);
  }
  entries_.erase(entries_.begin() + kept, entries_.end());
  return out;
}

// Oldest first: the order they were added.
std::vector<RequestTable::Entry> RequestTable::expire(Millis now) {
  return take_if([now](const Entry& e) { return e.deadline != 0 && e.deadline <= now; });
}

std::vector<RequestTable::Entry> RequestTable::complete_socket_requests() {
  return take_if([](const Entry& e) { return e.call.over_socket(); });
}

std::optional<Millis> RequestTable::next_deadline() const {
  // A linear scan: the table holds a handful of requests at a time.
  std::optional<Millis> earliest;
  for (const auto& e : entries_) {
    const Millis d = e.deadline;
    if (d != 0 && (!earliest || d < *earliest)) earliest = d;
  }
  return earliest;
}

}  // namespace ssot
