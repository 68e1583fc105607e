// Unit tests for ssot/subscription_registry.h: channels by full wire name, reference
// counts, last seq, resubscribe frames, and the seq check behind gap detection.
#include <catch2/catch.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ssot/json.h"
#include "ssot/subscription_registry.h"

using namespace ssot;

namespace {

// channel -> since (nullopt when the frame has none), decoded from subscribe frames.
std::map<std::string, std::optional<int64_t>> decode(const std::vector<std::string>& frames) {
  std::map<std::string, std::optional<int64_t>> out;
  for (const auto& f : frames) {
    auto j = Json::parse(f);
    INFO(f);
    REQUIRE(j.has_value());
    REQUIRE(j->get("type"));
    CHECK(j->get("type")->as_string() == "subscribe");
    REQUIRE(j->get("channel"));
    std::optional<int64_t> since;
    if (const Json* s = j->get("since")) since = int64_t(s->as_number());
    CHECK(out.count(j->get("channel")->as_string()) == 0);  // each channel once
    out[j->get("channel")->as_string()] = since;
  }
  return out;
}

using Pending = std::map<std::string, std::optional<int64_t>>;

}  // namespace

TEST_CASE("subscription_registry: reference counts per channel", "[subscriptions]") {
  SubscriptionRegistry reg;
  CHECK(reg.add("Message:list"));         // first reference: subscribe
  CHECK_FALSE(reg.add("Message:list"));   // second view of the same channel
  CHECK(reg.add("Message:item:5"));
  REQUIRE(reg.find("Message:list"));
  CHECK(reg.find("Message:list")->refs == 2);
  CHECK(reg.find("Message:list")->name == "Message:list");
  CHECK(reg.size() == 2);

  CHECK_FALSE(reg.remove("Message:list"));  // one reference left
  REQUIRE(reg.find("Message:list"));
  CHECK(reg.find("Message:list")->refs == 1);
  CHECK(reg.remove("Message:list"));        // the last: unsubscribe
  CHECK(reg.find("Message:list") == nullptr);
  CHECK(reg.size() == 1);

  CHECK_FALSE(reg.remove("Message:list"));  // unknown: nothing to do
  CHECK_FALSE(reg.remove("never"));
  CHECK(reg.find("never") == nullptr);

  // Names are full and exact: no aliasing between similar channels.
  CHECK(reg.add("message:list"));
  CHECK(reg.add("Message:item:50"));
  CHECK(reg.find("Message:item:5")->refs == 1);
}

TEST_CASE("subscription_registry: a channel added again after its last removal starts fresh", "[subscriptions]") {
  SubscriptionRegistry reg;
  reg.add("M:list");
  ChannelState* c = reg.find("M:list");
  REQUIRE(c);
  CHECK(reg.check(*c, 5) == SeqCheck::Apply);
  reg.pending_subscribes();
  reg.remove("M:list");
  CHECK(reg.add("M:list"));
  c = reg.find("M:list");
  REQUIRE(c);
  CHECK(c->refs == 1);
  CHECK_FALSE(c->last_seq.has_value());
  CHECK_FALSE(c->has_seq);
  CHECK_FALSE(c->sent);
  CHECK(decode(reg.pending_subscribes()) == Pending{{"M:list", std::nullopt}});
}

TEST_CASE("subscription_registry: pending_subscribes sends each channel once per socket", "[subscriptions]") {
  SubscriptionRegistry reg;
  CHECK(reg.pending_subscribes().empty());
  reg.add("Message:list");
  reg.add("Message:list");  // two references, one subscribe
  reg.add("Message:item:1");
  CHECK(decode(reg.pending_subscribes()) == Pending{{"Message:list", std::nullopt}, {"Message:item:1", std::nullopt}});
  CHECK(reg.find("Message:list")->sent);
  CHECK(reg.pending_subscribes().empty());  // already sent on this socket

  reg.add("chat:room:7");
  CHECK(decode(reg.pending_subscribes()) == Pending{{"chat:room:7", std::nullopt}});
  CHECK(reg.pending_subscribes().empty());
}

TEST_CASE("subscription_registry: since is the last seq, only for channels with seq", "[subscriptions]") {
  SubscriptionRegistry reg;
  reg.add("Message:list");
  reg.add("Message:item:1");
  reg.add("Seedonly:list");
  REQUIRE(decode(reg.pending_subscribes()).size() == 3);

  ChannelState* list = reg.find("Message:list");
  ChannelState* item = reg.find("Message:item:1");
  ChannelState* seed = reg.find("Seedonly:list");
  REQUIRE((list && item && seed));
  CHECK(reg.check(*list, 10) == SeqCheck::Apply);
  CHECK(reg.check(*list, 11) == SeqCheck::Apply);
  CHECK(reg.check(*item, 0) == SeqCheck::Apply);
  CHECK(reg.check(*seed, std::nullopt) == SeqCheck::Apply);  // a seed server numbers nothing
  CHECK_FALSE(seed->has_seq);

  reg.on_disconnect();
  CHECK(decode(reg.pending_subscribes()) ==
        Pending{{"Message:list", 11}, {"Message:item:1", 0}, {"Seedonly:list", std::nullopt}});

  // A last_seq known without the server numbering the channel is not sent.
  reg.on_disconnect();
  seed->last_seq = 99;
  CHECK(decode(reg.pending_subscribes())["Seedonly:list"] == std::nullopt);
  reg.on_disconnect();
  seed->has_seq = true;
  CHECK(decode(reg.pending_subscribes())["Seedonly:list"] == std::optional<int64_t>(99));
  // has_seq without a last seq: no since.
  reg.on_disconnect();
  seed->last_seq.reset();
  CHECK(decode(reg.pending_subscribes())["Seedonly:list"] == std::nullopt);
}

TEST_CASE("subscription_registry: on_disconnect resets sent and confirmed, keeps the rest", "[subscriptions]") {
  SubscriptionRegistry reg;
  reg.add("A:list");
  reg.add("A:list");
  reg.pending_subscribes();
  ChannelState* c = reg.find("A:list");
  REQUIRE(c);
  c->confirmed = true;
  REQUIRE(reg.check(*c, 3) == SeqCheck::Apply);

  reg.on_disconnect();
  CHECK_FALSE(c->sent);
  CHECK_FALSE(c->confirmed);
  CHECK(c->refs == 2);
  CHECK(c->has_seq);
  REQUIRE(c->last_seq.has_value());
  CHECK(*c->last_seq == 3);
  // The next socket gets every channel again, once.
  CHECK(decode(reg.pending_subscribes()) == Pending{{"A:list", 3}});
  CHECK(reg.pending_subscribes().empty());
  // Disconnecting twice in a row is harmless.
  reg.on_disconnect();
  reg.on_disconnect();
  CHECK(reg.pending_subscribes().size() == 1);
}

TEST_CASE("subscription_registry: check classifies seqs as Apply, Duplicate or Gap", "[subscriptions]") {
  SubscriptionRegistry reg;
  reg.add("M:list");
  ChannelState& c = *reg.find("M:list");

  // The first seq is accepted whatever it is (we join a channel mid-stream).
  CHECK(reg.check(c, 100) == SeqCheck::Apply);
  CHECK(c.has_seq);
  CHECK(*c.last_seq == 100);
  CHECK(reg.check(c, 101) == SeqCheck::Apply);
  CHECK(*c.last_seq == 101);

  // Replays of what we already applied.
  CHECK(reg.check(c, 101) == SeqCheck::Duplicate);
  CHECK(reg.check(c, 50) == SeqCheck::Duplicate);
  CHECK(reg.check(c, 0) == SeqCheck::Duplicate);
  CHECK(*c.last_seq == 101);

  // A jump: something was lost; last_seq does not move.
  CHECK(reg.check(c, 103) == SeqCheck::Gap);
  CHECK(*c.last_seq == 101);
  CHECK(reg.check(c, 1000) == SeqCheck::Gap);
  CHECK(*c.last_seq == 101);
  CHECK(reg.check(c, 102) == SeqCheck::Apply);
  CHECK(*c.last_seq == 102);

  // Without a seq every update applies and nothing is recorded.
  CHECK(reg.check(c, std::nullopt) == SeqCheck::Apply);
  CHECK(*c.last_seq == 102);

  // A snapshot seq set by hydration is the base for the next update.
  reg.add("N:list");
  ChannelState& n = *reg.find("N:list");
  n.last_seq = 40;
  CHECK(reg.check(n, 40) == SeqCheck::Duplicate);
  CHECK(reg.check(n, 42) == SeqCheck::Gap);
  CHECK(reg.check(n, 41) == SeqCheck::Apply);
  CHECK(n.has_seq);

  // First seq of zero.
  reg.add("Z:list");
  ChannelState& z = *reg.find("Z:list");
  CHECK(reg.check(z, 0) == SeqCheck::Apply);
  CHECK(reg.check(z, 1) == SeqCheck::Apply);
  CHECK(reg.check(z, 0) == SeqCheck::Duplicate);
}

TEST_CASE("subscriptions: the channel found last is forgotten when it goes", "[subscriptions]") {
  SubscriptionRegistry r;
  r.add("A:list");
  r.add("B:list");
  ChannelState* a = r.find("A:list");
  REQUIRE(a);
  a->last_seq = 5;
  r.remove("A:list");
  CHECK(r.find("A:list") == nullptr);
  r.add("A:list");
  ChannelState* again = r.find("A:list");
  REQUIRE(again);
  CHECK_FALSE(again->last_seq);  // a new channel, not the one that went
  CHECK(r.find("B:list") != nullptr);
  r.remove("B:list");
  CHECK(r.find("B:list") == nullptr);
  CHECK(r.find("A:list") == again);
}
