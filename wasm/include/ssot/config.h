#pragma once
// Client configuration in the seeds' shape, validated with clear errors:
// { baseUrl, token, getToken: bool, requestTimeout, models: {Name: {path, versionField}},
//   websockets: { enabled, url, pubsub: { models: {Name: {subscribe: ['list','item']}},
//   channels: {'chat:room:{roomId}': {events: [...]}} }, reconnect: { maxAttempts,
//   backoff, baseDelay, maxDelay, jitter }, batching: { enabled, flushInterval,
//   maxBatchSize }, heartbeat: { interval, timeout }, maxFrameBytes } }
// Models under websockets.pubsub.models are realtime; any other is HTTP-only.
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include "ssot/batcher.h"
#include "ssot/connection.h"
#include "ssot/reconnect_policy.h"

namespace ssot {

struct ModelConfig {
  std::string name;
  std::string path;           // REST path under baseUrl (default: lower-case name + "s")
  std::string version_field = "version";  // the record field that orders copies (ext)
  bool realtime = false;
  bool subscribe_list = true;
  bool subscribe_item = true;
};

struct ChannelConfig {
  std::string pattern;        // e.g. chat:room:{roomId}
  std::vector<std::string> events;
};

struct Config {
  std::string base_url;
  std::string token;
  bool can_refresh_token = false;  // the app gave a getToken()
  Millis request_timeout_ms = 30000;
  bool ws_enabled = false;
  std::string ws_url;
  std::vector<ModelConfig> models;  // a handful: looked up by name in a scan
  std::vector<ChannelConfig> channels;
  ReconnectOptions reconnect;
  BatchOptions batching;
  HeartbeatOptions heartbeat;
  size_t max_frame_bytes = 1 << 20;

  static std::optional<Config> parse(std::string_view json, std::string& error);
  ModelConfig model(std::string_view name) const;  // configured, or an HTTP-only default
  const ModelConfig* configured(std::string_view name) const;  // nullptr when not configured
  ModelConfig& configure(const std::string& name);  // the model's entry, new (named) if none yet
  const ChannelConfig* channel_for(std::string_view channel) const;  // a matching custom pattern
};

// Fills `{name}` placeholders of a pattern from a params object; false when one is missing.
bool expand_channel(std::string_view pattern, std::string_view params_json, std::string& out, std::string& error);
bool channel_matches(std::string_view pattern, std::string_view channel);

}  // namespace ssot
