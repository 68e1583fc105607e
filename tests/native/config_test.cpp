// Unit tests for ssot/config.h: the seeds' `websockets` config shape, defaults,
// validation errors that name the offending path, and custom channel patterns.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "ssot/config.h"

using namespace ssot;

namespace {

// The seeds' ssot.config.ts (examples 1, 2 and 4) in JSON, with every option set,
// plus the seed fields the client does not use (port, path, broadcast, permissions).
const char* kFullConfig = R"({
  "baseUrl": "https://api.example.com/api/",
  "token": "tok-123",
  "getToken": true,
  "requestTimeout": 5000,
  "models": {
    "Person": { "path": "people" },
    "Message": { "path": "chat-messages" }
  },
  "websockets": {
    "enabled": true,
    "url": "wss://api.example.com/ws",
    "port": 3001,
    "path": "/ws",
    "pubsub": {
      "models": {
        "Message": {
          "subscribe": ["list", "item"],
          "broadcast": ["created", "updated", "deleted"],
          "permissions": { "list": "authenticated", "item": "isParticipant || isAdmin" }
        },
        "TypingIndicator": {
          "subscribe": ["list"],
          "broadcast": ["created", "deleted"],
          "permissions": { "list": "isParticipant" }
        },
        "Product": { "subscribe": ["item"], "broadcast": ["updated"], "permissions": { "item": "true" } },
        "Presence": {}
      },
      "channels": {
        "chat:room:{roomId}": { "events": ["message", "typing", "join", "leave"], "permission": "isParticipant" },
        "user:{userId}:notifications": { "events": ["new", "read", "deleted"], "permission": "isOwner" }
      }
    },
    "reconnect": { "maxAttempts": 10, "backoff": "linear", "baseDelay": 500, "maxDelay": 8000, "jitter": 0.1 },
    "batching": { "enabled": false, "flushInterval": 50, "maxBatchSize": 20 },
    "heartbeat": { "enabled": true, "interval": 15000, "timeout": 5000 },
    "maxFrameBytes": 65536
  }
})";

Config parse_ok(const std::string& text) {
  std::string error;
  auto c = Config::parse(text, error);
  INFO("config: " << text << "\nerror: " << error);
  REQUIRE(c.has_value());
  return *c;
}

std::string parse_error(const std::string& text) {
  std::string error;
  auto c = Config::parse(text, error);
  INFO("config: " << text);
  CHECK_FALSE(c.has_value());
  CHECK_FALSE(error.empty());
  return error;
}

// A config with a websockets section: `ws_body` is spliced into it.
std::string with_ws(const std::string& ws_body) {
  return "{\"baseUrl\":\"http://h\",\"websockets\":{\"enabled\":true,\"url\":\"ws://h/ws\"" +
         (ws_body.empty() ? std::string() : "," + ws_body) + "}}";
}

}  // namespace

TEST_CASE("config: a full seed-shaped config", "[config]") {
  Config c = parse_ok(kFullConfig);
  CHECK(c.base_url == "https://api.example.com/api");  // trailing slash trimmed
  CHECK(c.token == "tok-123");
  CHECK(c.can_refresh_token);
  CHECK(c.request_timeout_ms == 5000);
  CHECK(c.ws_enabled);
  CHECK(c.ws_url == "wss://api.example.com/ws");

  // Realtime models with their subscribe lists.
  ModelConfig msg = c.model("Message");
  CHECK(msg.name == "Message");
  CHECK(msg.realtime);
  CHECK(msg.subscribe_list);
  CHECK(msg.subscribe_item);
  CHECK(msg.path == "chat-messages");  // top-level models.Message.path overrides

  ModelConfig typing = c.model("TypingIndicator");
  CHECK(typing.realtime);
  CHECK(typing.subscribe_list);
  CHECK_FALSE(typing.subscribe_item);
  CHECK(typing.path == "typingindicators");

  ModelConfig product = c.model("Product");
  CHECK(product.realtime);
  CHECK_FALSE(product.subscribe_list);
  CHECK(product.subscribe_item);

  ModelConfig presence = c.model("Presence");  // no subscribe list: both
  CHECK(presence.realtime);
  CHECK(presence.subscribe_list);
  CHECK(presence.subscribe_item);

  // Models outside pubsub are HTTP-only.
  ModelConfig person = c.model("Person");
  CHECK_FALSE(person.realtime);
  CHECK(person.path == "people");
  ModelConfig order = c.model("Order");  // not configured at all
  CHECK(order.name == "Order");
  CHECK_FALSE(order.realtime);
  CHECK(order.path == "orders");
  CHECK(c.configured("Order") == nullptr);

  // Custom channels.
  REQUIRE(c.channels.size() == 2);
  const ChannelConfig* room = c.channel_for("chat:room:42");
  REQUIRE(room);
  CHECK(room->pattern == "chat:room:{roomId}");
  CHECK(room->events == std::vector<std::string>{"message", "typing", "join", "leave"});
  const ChannelConfig* notes = c.channel_for("user:7:notifications");
  REQUIRE(notes);
  CHECK(notes->events == std::vector<std::string>{"new", "read", "deleted"});
  CHECK(c.channel_for("chat:lobby") == nullptr);
  CHECK(c.channel_for("Message:list") == nullptr);

  // Reconnect, batching, heartbeat, frame size.
  CHECK(c.reconnect.backoff == Backoff::Linear);
  CHECK(c.reconnect.base_delay_ms == 500);
  CHECK(c.reconnect.max_delay_ms == 8000);
  CHECK(c.reconnect.max_attempts == 10);
  CHECK(c.reconnect.jitter == 0.1);
  CHECK_FALSE(c.batching.enabled);
  CHECK(c.batching.flush_interval_ms == 50);
  CHECK(c.batching.max_batch_size == 20);
  CHECK(c.heartbeat.enabled);
  CHECK(c.heartbeat.interval_ms == 15000);
  CHECK(c.heartbeat.timeout_ms == 5000);
  CHECK(c.max_frame_bytes == 65536);
}

TEST_CASE("config: defaults", "[config]") {
  Config c = parse_ok("{\"baseUrl\":\"http://localhost:3000/api\"}");
  CHECK(c.base_url == "http://localhost:3000/api");
  CHECK(c.token.empty());
  CHECK_FALSE(c.can_refresh_token);
  CHECK(c.request_timeout_ms == 30000);
  CHECK_FALSE(c.ws_enabled);
  CHECK(c.ws_url.empty());
  CHECK(c.models.empty());
  CHECK(c.channels.empty());
  CHECK(c.reconnect.backoff == Backoff::Exponential);
  CHECK(c.reconnect.base_delay_ms == 1000);
  CHECK(c.reconnect.max_delay_ms == 30000);
  CHECK(c.reconnect.max_attempts == 5);
  CHECK(c.reconnect.jitter == 0.2);
  CHECK(c.batching.enabled);
  CHECK(c.batching.flush_interval_ms == 100);
  CHECK(c.batching.max_batch_size == 50);
  CHECK(c.heartbeat.enabled);
  CHECK(c.heartbeat.interval_ms == 25000);
  CHECK(c.heartbeat.timeout_ms == 10000);
  CHECK(c.max_frame_bytes == size_t(1) << 20);
  CHECK_FALSE(c.model("Message").realtime);
  CHECK(c.model("Message").path == "messages");

  // Seed defaults also when the sections are present but empty, or null.
  Config e = parse_ok(with_ws("\"pubsub\":{},\"reconnect\":{},\"batching\":{},\"heartbeat\":{}"));
  CHECK(e.ws_enabled);
  CHECK(e.reconnect.backoff == Backoff::Exponential);
  CHECK(e.reconnect.max_attempts == 5);
  CHECK(e.batching.max_batch_size == 50);
  CHECK(e.heartbeat.interval_ms == 25000);
  Config n = parse_ok("{\"baseUrl\":\"http://h\",\"token\":null,\"models\":null,\"websockets\":null}");
  CHECK_FALSE(n.ws_enabled);
  CHECK(n.token.empty());
  // Only the fields given change.
  Config partial = parse_ok(with_ws("\"reconnect\":{\"baseDelay\":250}"));
  CHECK(partial.reconnect.base_delay_ms == 250);
  CHECK(partial.reconnect.max_delay_ms == 30000);
  CHECK(partial.reconnect.max_attempts == 5);
  CHECK(partial.reconnect.backoff == Backoff::Exponential);
}

TEST_CASE("config: baseUrl is required, trailing slashes trimmed", "[config]") {
  CHECK(parse_error("{}").find("baseUrl") != std::string::npos);
  CHECK(parse_error("{\"baseUrl\":\"\"}").find("baseUrl") != std::string::npos);
  CHECK(parse_error("{\"baseUrl\":null}").find("baseUrl") != std::string::npos);
  CHECK(parse_error("{\"baseUrl\":5}").find("config.baseUrl") != std::string::npos);
  CHECK(parse_error(R"({"websockets":{"enabled":true,"url":"ws://h"}})").find("baseUrl") != std::string::npos);
  CHECK(parse_ok("{\"baseUrl\":\"http://h/api/\"}").base_url == "http://h/api");
  CHECK(parse_ok("{\"baseUrl\":\"http://h/api//\"}").base_url == "http://h/api");
  CHECK(parse_ok("{\"baseUrl\":\"http://h/api\"}").base_url == "http://h/api");
  CHECK(parse_ok("{\"baseUrl\":\"/api/\"}").base_url == "/api");
}

TEST_CASE("config: not a JSON object", "[config]") {
  for (std::string bad : {"", "[]", "null", "\"http://h\"", "{\"baseUrl\":\"http://h\",}", "{baseUrl: 'x'}"}) {
    INFO(bad);
    CHECK(parse_error(bad).find("object") != std::string::npos);
  }
}

TEST_CASE("config: each invalid field is named by its path", "[config]") {
  struct Case {
    std::string config;
    std::string path;
  };
  const std::vector<Case> cases = {
      {"{\"baseUrl\":\"http://h\",\"token\":5}", "config.token"},
      {"{\"baseUrl\":\"http://h\",\"getToken\":\"yes\"}", "config.getToken"},
      {"{\"baseUrl\":\"http://h\",\"requestTimeout\":\"5000\"}", "config.requestTimeout"},
      {"{\"baseUrl\":\"http://h\",\"requestTimeout\":0}", "config.requestTimeout"},
      {"{\"baseUrl\":\"http://h\",\"requestTimeout\":-1}", "config.requestTimeout"},
      {"{\"baseUrl\":\"http://h\",\"models\":[]}", "config.models"},
      {"{\"baseUrl\":\"http://h\",\"models\":{\"Message\":5}}", "config.models.Message"},
      {"{\"baseUrl\":\"http://h\",\"models\":{\"Message\":{\"path\":5}}}", "config.models.Message.path"},
      {"{\"baseUrl\":\"http://h\",\"models\":{\"bad-name\":{}}}", "config.models.bad-name"},
      {"{\"baseUrl\":\"http://h\",\"models\":{\"\":{}}}", "config.models."},
      {"{\"baseUrl\":\"http://h\",\"websockets\":true}", "websockets"},
      {"{\"baseUrl\":\"http://h\",\"websockets\":{\"enabled\":\"true\"}}", "websockets.enabled"},
      {"{\"baseUrl\":\"http://h\",\"websockets\":{\"enabled\":false,\"url\":5}}", "websockets.url"},
      {with_ws("\"pubsub\":[]"), "websockets.pubsub"},
      {with_ws("\"pubsub\":{\"models\":[\"Message\"]}"), "websockets.pubsub.models"},
      {with_ws("\"pubsub\":{\"models\":{\"Message\":true}}"), "websockets.pubsub.models.Message"},
      {with_ws("\"pubsub\":{\"models\":{\"Message\":{\"subscribe\":\"list\"}}}"),
       "websockets.pubsub.models.Message.subscribe"},
      {with_ws("\"pubsub\":{\"models\":{\"Message\":{\"subscribe\":[\"list\",\"all\"]}}}"),
       "websockets.pubsub.models.Message.subscribe"},
      {with_ws("\"pubsub\":{\"models\":{\"Message\":{\"subscribe\":[1]}}}"),
       "websockets.pubsub.models.Message.subscribe"},
      {with_ws("\"pubsub\":{\"models\":{\"my model\":{}}}"), "websockets.pubsub.models.my model"},
      {with_ws("\"pubsub\":{\"channels\":[]}"), "websockets.pubsub.channels"},
      {with_ws("\"pubsub\":{\"channels\":{\"chat:{id}\":5}}"), "websockets.pubsub.channels.chat:{id}"},
      {with_ws("\"pubsub\":{\"channels\":{\"chat:{id}\":{\"events\":\"message\"}}}"),
       "websockets.pubsub.channels.chat:{id}.events"},
      {with_ws("\"pubsub\":{\"channels\":{\"chat:{id}\":{\"events\":[\"a\",2]}}}"),
       "websockets.pubsub.channels.chat:{id}.events"},
      {with_ws("\"reconnect\":5"), "websockets.reconnect"},
      {with_ws("\"reconnect\":{\"backoff\":\"fibonacci\"}"), "websockets.reconnect.backoff"},
      {with_ws("\"reconnect\":{\"backoff\":1}"), "websockets.reconnect.backoff"},
      {with_ws("\"reconnect\":{\"baseDelay\":0}"), "websockets.reconnect.baseDelay"},
      {with_ws("\"reconnect\":{\"baseDelay\":\"1s\"}"), "websockets.reconnect.baseDelay"},
      {with_ws("\"reconnect\":{\"maxDelay\":-5}"), "websockets.reconnect.maxDelay"},
      {with_ws("\"reconnect\":{\"maxAttempts\":-1}"), "websockets.reconnect.maxAttempts"},
      {with_ws("\"reconnect\":{\"maxAttempts\":2.5}"), "websockets.reconnect.maxAttempts"},
      {with_ws("\"reconnect\":{\"jitter\":1.5}"), "websockets.reconnect.jitter"},
      {with_ws("\"batching\":[]"), "websockets.batching"},
      {with_ws("\"batching\":{\"enabled\":1}"), "websockets.batching.enabled"},
      {with_ws("\"batching\":{\"flushInterval\":-1}"), "websockets.batching.flushInterval"},
      {with_ws("\"batching\":{\"maxBatchSize\":0}"), "websockets.batching.maxBatchSize"},
      {with_ws("\"batching\":{\"maxBatchSize\":10.5}"), "websockets.batching.maxBatchSize"},
      {with_ws("\"heartbeat\":\"on\""), "websockets.heartbeat"},
      {with_ws("\"heartbeat\":{\"enabled\":\"no\"}"), "websockets.heartbeat.enabled"},
      {with_ws("\"heartbeat\":{\"interval\":10}"), "websockets.heartbeat.interval"},
      {with_ws("\"heartbeat\":{\"timeout\":\"5s\"}"), "websockets.heartbeat.timeout"},
      {with_ws("\"maxFrameBytes\":1"), "websockets.maxFrameBytes"},
      {with_ws("\"maxFrameBytes\":1000.5"), "websockets.maxFrameBytes"},
  };
  for (const Case& c : cases) {
    std::string error = parse_error(c.config);
    INFO("config: " << c.config << "\nerror: " << error);
    CHECK(error.find(c.path) != std::string::npos);
  }
  // The message says what is expected, not just where.
  CHECK(parse_error(with_ws("\"reconnect\":{\"backoff\":\"fibonacci\"}")).find("'linear' or 'exponential'") !=
        std::string::npos);
  CHECK(parse_error(with_ws("\"reconnect\":{\"baseDelay\":0}")).find("between") != std::string::npos);
  CHECK(parse_error(with_ws("\"reconnect\":{\"maxAttempts\":2.5}")).find("integer") != std::string::npos);
}

TEST_CASE("config: the ws url must be ws:// or wss:// when websockets are enabled", "[config]") {
  CHECK(parse_ok("{\"baseUrl\":\"http://h\",\"websockets\":{\"enabled\":true,\"url\":\"ws://h:3001/ws\"}}").ws_url ==
        "ws://h:3001/ws");
  CHECK(parse_ok("{\"baseUrl\":\"http://h\",\"websockets\":{\"enabled\":true,\"url\":\"wss://h/ws\"}}").ws_url ==
        "wss://h/ws");
  for (std::string url : {"\"http://h/ws\"", "\"https://h/ws\"", "\"h/ws\"", "\"\"", "\"WS://h\"", "\" ws://h\""}) {
    INFO(url);
    std::string error = parse_error("{\"baseUrl\":\"http://h\",\"websockets\":{\"enabled\":true,\"url\":" + url + "}}");
    CHECK(error.find("websockets.url") != std::string::npos);
    CHECK(error.find("ws://") != std::string::npos);
  }
  // Missing url while enabled.
  CHECK(parse_error("{\"baseUrl\":\"http://h\",\"websockets\":{\"enabled\":true}}").find("websockets.url") !=
        std::string::npos);
  // Disabled: the url is not used, so not checked.
  Config off = parse_ok("{\"baseUrl\":\"http://h\",\"websockets\":{\"enabled\":false,\"url\":\"http://h\"}}");
  CHECK_FALSE(off.ws_enabled);
}

TEST_CASE("config: models outside pubsub are HTTP-only, paths default to lower-case + s", "[config]") {
  Config c = parse_ok(with_ws(
      "\"pubsub\":{\"models\":{\"Message\":{\"subscribe\":[\"list\"]},\"ActivityLog\":{\"subscribe\":[]}}}"));
  CHECK(c.model("Message").realtime);
  CHECK(c.model("Message").path == "messages");
  CHECK(c.model("ActivityLog").realtime);
  CHECK(c.model("ActivityLog").path == "activitylogs");
  CHECK_FALSE(c.model("ActivityLog").subscribe_list);  // an empty list subscribes to nothing
  CHECK_FALSE(c.model("ActivityLog").subscribe_item);
  CHECK_FALSE(c.model("User").realtime);
  CHECK(c.model("User").path == "users");
  CHECK(c.model("OrderItem").path == "orderitems");
  // Names are case-sensitive: "message" is another, HTTP-only model.
  CHECK_FALSE(c.model("message").realtime);

  // Path override via top-level models.{Name}.path, for realtime and HTTP-only models,
  // wherever the sections appear in the text.
  Config o = parse_ok(
      "{\"websockets\":{\"enabled\":true,\"url\":\"ws://h\",\"pubsub\":{\"models\":{\"Person\":{}}}},"
      "\"models\":{\"Person\":{\"path\":\"people\"},\"Category\":{\"path\":\"categories\"},\"Tag\":{}},"
      "\"baseUrl\":\"http://h\"}");
  CHECK(o.model("Person").path == "people");
  CHECK(o.model("Person").realtime);
  CHECK(o.model("Category").path == "categories");
  CHECK_FALSE(o.model("Category").realtime);
  CHECK(o.model("Tag").path == "tags");  // listed without a path: the default
  CHECK_FALSE(o.model("Tag").realtime);

  // With websockets disabled nothing is realtime, pubsub or not.
  Config off = parse_ok(
      "{\"baseUrl\":\"http://h\",\"websockets\":{\"enabled\":false,\"pubsub\":{\"models\":{\"Message\":{}}}}}");
  CHECK_FALSE(off.model("Message").realtime);
  CHECK(off.model("Message").path == "messages");
}

TEST_CASE("config: channel_matches", "[config][channels]") {
  CHECK(channel_matches("chat:room:{roomId}", "chat:room:42"));
  CHECK(channel_matches("chat:room:{roomId}", "chat:room:abc-def"));
  CHECK_FALSE(channel_matches("chat:room:{roomId}", "chat:room:"));  // a placeholder is never empty
  CHECK_FALSE(channel_matches("chat:room:{roomId}", "chat:room"));
  CHECK_FALSE(channel_matches("chat:room:{roomId}", "chat:lobby:1"));
  CHECK_FALSE(channel_matches("chat:room:{roomId}", "xchat:room:1"));
  CHECK(channel_matches("user:{userId}:notifications", "user:7:notifications"));
  CHECK_FALSE(channel_matches("user:{userId}:notifications", "user::notifications"));
  CHECK_FALSE(channel_matches("user:{userId}:notifications", "user:7:notifications:x"));
  CHECK_FALSE(channel_matches("user:{userId}:notifications", "user:7:8:notifications"));  // a middle one stops at ':'
  CHECK_FALSE(channel_matches("user:{userId}:notifications", "user:7"));
  CHECK(channel_matches("game:{gameId}:player:{playerId}", "game:g1:player:p2"));
  CHECK_FALSE(channel_matches("game:{gameId}:player:{playerId}", "game:g1:player:"));
  CHECK_FALSE(channel_matches("chat:room:{roomId}", "chat:room:1:admin"));  // a value never holds ':'
  CHECK(channel_matches("lobby", "lobby"));
  CHECK_FALSE(channel_matches("lobby", "lobby2"));
  CHECK_FALSE(channel_matches("lobby", "lobb"));
  CHECK_FALSE(channel_matches("chat:{id", "chat:1"));  // an unclosed placeholder matches nothing
  CHECK_FALSE(channel_matches("", "x"));
  CHECK(channel_matches("", ""));
}

TEST_CASE("config: expand_channel fills placeholders from params", "[config][channels]") {
  std::string out, error;
  REQUIRE(expand_channel("chat:room:{roomId}", "{\"roomId\":\"general\"}", out, error));
  CHECK(out == "chat:room:general");
  REQUIRE(expand_channel("chat:room:{roomId}", "{\"roomId\":42}", out, error));
  CHECK(out == "chat:room:42");
  REQUIRE(expand_channel("chat:room:{roomId}", "{\"roomId\":-3}", out, error));
  CHECK(out == "chat:room:-3");
  REQUIRE(expand_channel("chat:room:{roomId}", "{\"roomId\":1.5}", out, error));
  CHECK(out == "chat:room:1.5");
  REQUIRE(expand_channel("game:{g}:player:{p}", "{\"p\":\"b\",\"g\":7,\"extra\":true}", out, error));
  CHECK(out == "game:7:player:b");
  REQUIRE(expand_channel("lobby", "", out, error));
  CHECK(out == "lobby");
  // The output is replaced, not appended to.
  out = "old";
  REQUIRE(expand_channel("lobby", "{}", out, error));
  CHECK(out == "lobby");
  // Round trip with channel_matches.
  REQUIRE(expand_channel("user:{userId}:notifications", "{\"userId\":9}", out, error));
  CHECK(channel_matches("user:{userId}:notifications", out));

  auto missing = [](std::string_view pattern, std::string_view params) {
    std::string o, e;
    CHECK_FALSE(expand_channel(pattern, params, o, e));
    CHECK_FALSE(e.empty());
    return e;
  };
  CHECK(missing("chat:room:{roomId}", "{}").find("roomId") != std::string::npos);
  CHECK(missing("chat:room:{roomId}", "").find("roomId") != std::string::npos);
  CHECK(missing("chat:room:{roomId}", "{\"room\":1}").find("roomId") != std::string::npos);
  CHECK(missing("chat:room:{roomId}", "{\"roomId\":\"\"}").find("roomId") != std::string::npos);
  CHECK(missing("chat:room:{roomId}", "{\"roomId\":null}").find("roomId") != std::string::npos);
  CHECK(missing("chat:room:{roomId}", "{\"roomId\":true}").find("roomId") != std::string::npos);
  CHECK(missing("chat:room:{roomId}", "{\"roomId\":{\"a\":1}}").find("roomId") != std::string::npos);
  CHECK(missing("game:{g}:player:{p}", "{\"g\":1}").find("'p'") != std::string::npos);
  CHECK(missing("chat:room:{roomId", "{\"roomId\":1}").find("{") != std::string::npos);
}

TEST_CASE("config: channel events may be the gateway's object of data shapes; the names count", "[config]") {
  std::string error;
  auto c = Config::parse(R"({"baseUrl":"http://x","websockets":{"enabled":true,"url":"ws://x",
    "pubsub":{"channels":{"chat:room:{roomId}":{"events":{"typing":{"on":"boolean"},"message":{"text":"string"}}}}}}})",
                         error);
  REQUIRE(c);
  const ChannelConfig* room = c->channel_for("chat:room:1");
  REQUIRE(room);
  CHECK(room->events == std::vector<std::string>{"typing", "message"});
}
