#pragma once
// Channels this client wants, by full wire name (`Message:list`), with reference
// counts, the last `seq` applied on each, and what to resend after a reconnect.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>
#include "ssot/string_map.h"

namespace ssot {

struct ChannelState {
  std::string name;
  int refs = 0;
  std::optional<int64_t> last_seq;  // last update seq applied (or the snapshot seq)
  bool sent = false;                // subscribe sent on the current socket
  bool confirmed = false;           // `subscribed` received on the current socket
  bool sent_since = false;          // the subscribe on the current socket carried `since`
  int confirmations = 0;            // `subscribed` frames over the channel's life
  bool has_seq = false;             // the server numbers this channel (PROTOCOL ext)
  std::string epoch;                // the server's numbering (ext); "" = not told
  uint32_t restarts = 0;            // times that numbering started over under us
  std::string error;                // a refusal of the subscription sent on this socket (`Unauthorized`)
  int64_t replay_to = -1;           // confirmed with `since`: the seq up to which it replays what we missed
  // Confirmed with no replay (at seq `unreplayed_at`; unnumbered: until its first update):
  // what changed before it, it never brings (an item channel's copy of such a change may
  // still come, behind the confirmation or a later frame of another record).
  bool unreplayed = false;
  int64_t unreplayed_at = 0;
  // Numbered, but a resync (or a restart) cleared its seq: it orders nothing until a page
  // or its next frame gives it one again.
  bool awaiting_seq() const { return has_seq && !last_seq; }
};

enum class SeqCheck { Apply, Duplicate, Gap };

class SubscriptionRegistry {
 public:
  SubscriptionRegistry() = default;
  SubscriptionRegistry(const SubscriptionRegistry&) = delete;  // last_ points into channels_
  SubscriptionRegistry& operator=(const SubscriptionRegistry&) = delete;
  bool add(const std::string& channel);     // true on the first reference: send subscribe
  bool remove(const std::string& channel);  // true when the last reference went: send unsubscribe
  ChannelState* find(const std::string& channel);
  size_t size() const { return channels_.size(); }
  // Subscribe frames for every channel not yet sent on this socket, `since` = last seq.
  std::vector<std::string> pending_subscribes();
  void on_disconnect();  // nothing is sent or confirmed on the next socket yet
  // Classifies an update's seq against the channel: next in line, already seen, or a gap.
  // Apply records it. Without a seq (seed server) every update applies.
  SeqCheck check(ChannelState& channel, std::optional<int64_t> seq);

 private:
  // In no particular order: the subscribes after a reconnect go out in it (the server may
  // answer them in any order anyway).
  StringMap<ChannelState> channels_;
  // The channel found last (every update frame looks its channel up: a compare instead of
  // a hash). Cleared when that channel goes.
  ChannelState* last_ = nullptr;
};

}  // namespace ssot
