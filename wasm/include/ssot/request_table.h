#pragma once
// Outstanding requests (WebSocket `request`s and HTTP calls) with deadlines, each
// with what it is for (its Call) until it completes, times out or is cancelled.
// Ids are small integers; on the wire a WebSocket requestId is their decimal text.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include "ssot/clock.h"

namespace ssot {

using RequestId = uint32_t;

enum class CallKind { Hydrate, List, Get, Create, Update, Delete, WsList, WsGet, TimedOutWrite };

// A cancelled HTTP call may still reach the server: the web platform cannot abort a fetch
// (Emscripten 3.1.6), so it ends each this long after the engine's timeout at the latest,
// and reports its end (on_http_response) when it comes sooner.
constexpr Millis kCancelledCallEndsWithinMs = 5000;

struct Call {
  CallKind kind = CallKind::Get;
  std::string model;
  std::string id;           // the record (Get, Update, Delete; a view's item)
  uint32_t view = 0;        // Hydrate: the view
  std::string mutation_id;  // mutations (TimedOutWrite: the one whose call may still arrive)
  bool over_socket() const { return kind == CallKind::WsList || kind == CallKind::WsGet; }
};

class RequestTable {
 public:
  struct Entry {
    RequestId id = 0;
    Millis deadline = 0;     // 0 = no deadline
    Call call;
  };

  // The id a WebSocket requestId names: only the exact decimal text we send ("17").
  static std::optional<RequestId> parse_wire_id(std::string_view text);

  // timeout 0 = none; id 0 = a new one (else one just completed, kept for what ends it)
  RequestId add(Millis now, Millis timeout_ms, Call call = {}, RequestId id = 0);
  void start_clock(RequestId id, Millis now, Millis timeout_ms); // its deadline counts from now
  RequestId answered();                          // an id for a result given at once (no entry)
  std::optional<Entry> complete(RequestId id);   // removes it
  const Entry* find(RequestId id) const;
  std::vector<Entry> expire(Millis now);         // removes and returns timed-out ones, oldest first
  std::vector<Entry> complete_socket_requests(); // removes and returns those over the socket
  std::optional<Millis> next_deadline() const;
  size_t size() const { return entries_.size(); }

 private:
  Entry* entry(RequestId id);
  template <typename Pred>
  std::vector<Entry> take_if(Pred pred);

  RequestId next_id_ = 1;
  // In the order they were added (a handful at a time: a scan beats a tree's code, the
  // wasm's size). Ids grow with time, so this is id order until they wrap.
  std::vector<Entry> entries_;
};

}  // namespace ssot
