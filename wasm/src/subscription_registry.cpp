#include "ssot/subscription_registry.h"

#include "ssot/json.h"
#include "ssot/protocol.h"

namespace ssot {

bool SubscriptionRegistry::add(const std::string& channel) {
  bool fresh = false;
  ChannelState& c = channels_.emplace(channel, fresh);
  c.name = channel;
  return ++c.refs == 1;
}

bool SubscriptionRegistry::remove(const std::string& channel) {
  ChannelState* c = channels_.find(channel);
  if (!c || --c->refs > 0) return false;
  if (c == last_) last_ = nullptr;
  channels_.erase(channel);
  return true;
}

ChannelState* SubscriptionRegistry::find(const std::string& channel) {
  if (last_ && json::same_text(last_->name, channel)) return last_;
  ChannelState* c = channels_.find(channel);
  return c ? last_ = c : nullptr;
}

std::vector<std::string> SubscriptionRegistry::pending_subscribes() {
  std::vector<std::string> frames;
  channels_.for_each([&frames](const std::string&, ChannelState& c) {
    if (c.sent) return;
    c.sent = true;
    c.sent_since = c.has_seq && c.last_seq;
    c.error.clear();  // a new subscription: the last one's refusal says nothing of it
    frames.push_back(encode_subscribe(c.name, c.has_seq ? c.last_seq : std::nullopt));
  });
  return frames;
}

void SubscriptionRegistry::on_disconnect() {
  channels_.for_each([](const std::string&, ChannelState& c) {
    c.sent = c.confirmed = false;
    c.replay_to = -1;  // the next socket's confirmation says what it replays
  });
}

SeqCheck SubscriptionRegistry::check(ChannelState& c, std::optional<int64_t> seq) {
  if (!seq) return SeqCheck::Apply;
  c.has_seq = true;
  if (!c.last_seq) {
    c.last_seq = seq;
    return SeqCheck::Apply;
  }
  if (*seq <= *c.last_seq) return SeqCheck::Duplicate;
  if (*seq != *c.last_seq + 1) return SeqCheck::Gap;
  c.last_seq = seq;
  return SeqCheck::Apply;
}

}  // namespace ssot
