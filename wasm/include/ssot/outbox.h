#pragma once
// What the engine tells the JS side, in one place: every entry format of the
// outbox (one JSON array per drain). Raw arguments must already be valid JSON.
//   {"k":"conn"|"token"|"error"|"event"|"channel"|"result"|"update"|"item"|"view", ...}
// List views write their own diff body into a `view` entry (ListView::flush).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ssot {

class Outbox {
 public:
  // A drained buffer larger than this goes back to the allocator: a hydration's
  // batch (15 MB at 100k records) would otherwise stay reserved for good.
  static constexpr size_t kKeepBytes = 1 << 16;

  bool empty() const { return buf_.size() <= 1; }
  // Appends the entries as a JSON array and clears them. Into an empty `out` they
  // move, and `out`'s old buffer is kept for the next entries (or freed if large).
  void drain(std::string& out);
  size_t reserved() const { return buf_.capacity(); }

  void conn(std::string_view state, std::string_view error, std::optional<int64_t> retry_at);
  void token();
  // scope: "frame" | "server" | "channel"; channel and request_id may be empty.
  void error(std::string_view scope, std::string_view channel, std::string_view error,
             std::string_view request_id = {});
  void event(std::string_view channel, std::string_view event, std::string_view data_raw, std::string_view from_raw);
  void channel_ready(std::string_view channel, std::string_view members_raw);
  void result_ok(uint32_t req, int status, std::string_view data_raw);
  void result_error(uint32_t req, int status, std::string_view message);
  void update(std::string_view channel, std::string_view change, std::string_view id, std::string_view record_raw,
              double timestamp);
  void item(uint32_t view, std::string_view status, std::string_view error, std::string_view data_raw,
            std::string_view pending_id);

  // A list view's entry written in place: begin() opens it; end() drops it when
  // nothing was written after the mark.
  std::string& begin(size_t& mark);
  bool end(size_t mark, size_t start);

 private:
  std::string& open();
  std::string buf_ = "[";
};

}  // namespace ssot
