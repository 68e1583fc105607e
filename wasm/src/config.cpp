#include "ssot/config.h"

#include <cctype>
#include <cmath>

#include "ssot/json.h"

namespace ssot {

namespace {

// Reads an optional number field into `out` with bounds; false (and error) on a wrong type.
// Counts (`integer`) must be whole numbers: 2.5 attempts is a mistake, not 2.
bool read_number(const Json* obj, const char* key, double min, double max, double& out, const std::string& where,
                 std::string& error, bool integer = false) {
  const Json* v = obj ? obj->get(key) : nullptr;
  if (!v || v->is_null()) return true;
  if (!v->is_number() || !std::isfinite(v->as_number()) || v->as_number() < min || v->as_number() > max ||
      (integer && std::floor(v->as_number()) != v->as_number())) {
    error = where + "." + key + " must be " + (integer ? "an integer" : "a number") + " between " +
            json::integer_text(int64_t(min)) + " and " + json::integer_text(int64_t(max));
    return false;
  }
  out = v->as_number();
  return true;
}

bool read_bool(const Json* obj, const char* key, bool& out, const std::string& where, std::string& error) {
  const Json* v = obj ? obj->get(key) : nullptr;
  if (!v || v->is_null()) return true;
  if (!v->is_bool()) {
    error = where + "." + key + " must be true or false";
    return false;
  }
  out = v->as_bool();
  return true;
}

bool read_string(const Json* obj, const char* key, std::string& out, const std::string& where, std::string& error) {
  const Json* v = obj ? obj->get(key) : nullptr;
  if (!v || v->is_null()) return true;
  if (!v->is_string()) {
    error = where + "." + key + " must be a string";
    return false;
  }
  out = v->as_string();
  return true;
}

bool object_or_absent(const Json* v, const std::string& where, std::string& error) {
  if (!v || v->is_null() || v->is_object()) return true;
  error = where + " must be an object";
  return false;
}

std::string default_path(std::string_view model) {
  std::string path;
  for (char c : model) path += char(std::tolower(static_cast<unsigned char>(c)));
  return path + "s";
}

bool valid_model_name(const std::string& name) {
  if (name.empty() || name.size() > 100) return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  return true;
}

bool parse_pubsub_model(const std::string& name, const Json& m, Config& c, std::string& error) {
  std::string where = "websockets.pubsub.models." + name;
  if (!valid_model_name(name)) {
    error = where + ": model names are letters, digits and _";
    return false;
  }
  if (!object_or_absent(&m, where, error)) return false;
  ModelConfig& mc = c.configure(name);
  if (mc.path.empty()) mc.path = default_path(name);
  mc.realtime = true;
  const Json* sub = m.get("subscribe");
  if (!sub || sub->is_null()) return true;
  if (!sub->is_array()) {
    error = where + ".subscribe must be an array of 'list' and 'item'";
    return false;
  }
  mc.subscribe_list = mc.subscribe_item = false;
  for (const auto& s : sub->items()) {
    if (s.is_string() && s.as_string() == "list") mc.subscribe_list = true;
    else if (s.is_string() && s.as_string() == "item") mc.subscribe_item = true;
    else {
      error = where + ".subscribe entries must be 'list' or 'item'";
      return false;
    }
  }
  return true;
}

bool parse_pubsub_channel(const std::string& pattern, const Json& ch, Config& c, std::string& error) {
  std::string where = "websockets.pubsub.channels." + pattern;
  if (!object_or_absent(&ch, where, error)) return false;
  ChannelConfig cc;
  cc.pattern = pattern;
  if (const Json* ev = ch.get("events"); ev && !ev->is_null()) {
    // The gateway may declare events with data shapes ({name: shape}); the client needs the names.
    if (ev->is_object()) {
      for (const auto& e : ev->members()) cc.events.push_back(e.first);
    } else if (ev->is_array()) {
      for (const auto& e : ev->items()) {
        if (!e.is_string()) {
          error = where + ".events must be an array of strings";
          return false;
        }
        cc.events.push_back(e.as_string());
      }
    } else {
      error = where + ".events must be an array of strings";
      return false;
    }
  }
  c.channels.push_back(std::move(cc));
  return true;
}

bool parse_pubsub(const Json* pubsub, Config& c, std::string& error) {
  if (!object_or_absent(pubsub, "websockets.pubsub", error)) return false;
  const Json* models = pubsub ? pubsub->get("models") : nullptr;
  if (!object_or_absent(models, "websockets.pubsub.models", error)) return false;
  if (models && models->is_object())
    for (const auto& m : models->members())
      if (!parse_pubsub_model(m.first, m.second, c, error)) return false;
  const Json* channels = pubsub ? pubsub->get("channels") : nullptr;
  if (!object_or_absent(channels, "websockets.pubsub.channels", error)) return false;
  if (channels && channels->is_object())
    for (const auto& ch : channels->members())
      if (!parse_pubsub_channel(ch.first, ch.second, c, error)) return false;
  return true;
}

bool parse_reconnect(const Json* rc, Config& c, std::string& error) {
  if (!object_or_absent(rc, "websockets.reconnect", error)) return false;
  double attempts = c.reconnect.max_attempts, base = double(c.reconnect.base_delay_ms),
         max = double(c.reconnect.max_delay_ms), jitter = c.reconnect.jitter;
  if (!read_number(rc, "maxAttempts", 0, 1e6, attempts, "websockets.reconnect", error, true) ||
      !read_number(rc, "baseDelay", 1, 3.6e6, base, "websockets.reconnect", error) ||
      !read_number(rc, "maxDelay", 1, 8.64e7, max, "websockets.reconnect", error) ||
      !read_number(rc, "jitter", 0, 1, jitter, "websockets.reconnect", error))
    return false;
  std::string backoff = "exponential";
  if (!read_string(rc, "backoff", backoff, "websockets.reconnect", error)) return false;
  if (backoff != "linear" && backoff != "exponential") {
    error = "websockets.reconnect.backoff must be 'linear' or 'exponential'";
    return false;
  }
  c.reconnect = {backoff == "linear" ? Backoff::Linear : Backoff::Exponential, Millis(base), Millis(max),
                 int(attempts), jitter};
  return true;
}

bool parse_timing(const Json* ws, Config& c, std::string& error) {
  const Json* batching = ws->get("batching");
  if (!object_or_absent(batching, "websockets.batching", error)) return false;
  double interval = double(c.batching.flush_interval_ms), size = c.batching.max_batch_size;
  if (!read_bool(batching, "enabled", c.batching.enabled, "websockets.batching", error) ||
      !read_number(batching, "flushInterval", 0, 60000, interval, "websockets.batching", error) ||
      !read_number(batching, "maxBatchSize", 1, 1e7, size, "websockets.batching", error, true))
    return false;
  c.batching.flush_interval_ms = Millis(interval);
  c.batching.max_batch_size = int(size);
  const Json* hb = ws->get("heartbeat");
  if (!object_or_absent(hb, "websockets.heartbeat", error)) return false;
  double hb_interval = double(c.heartbeat.interval_ms), hb_timeout = double(c.heartbeat.timeout_ms);
  if (!read_bool(hb, "enabled", c.heartbeat.enabled, "websockets.heartbeat", error) ||
      !read_number(hb, "interval", 100, 3.6e6, hb_interval, "websockets.heartbeat", error) ||
      !read_number(hb, "timeout", 100, 3.6e6, hb_timeout, "websockets.heartbeat", error))
    return false;
  c.heartbeat.interval_ms = Millis(hb_interval);
  c.heartbeat.timeout_ms = Millis(hb_timeout);
  return true;
}

bool parse_websockets(const Json* ws, Config& c, std::string& error) {
  if (!object_or_absent(ws, "websockets", error)) return false;
  if (!ws || ws->is_null()) return true;
  if (!read_bool(ws, "enabled", c.ws_enabled, "websockets", error)) return false;
  if (!read_string(ws, "url", c.ws_url, "websockets", error)) return false;
  if (c.ws_enabled && c.ws_url.compare(0, 5, "ws://") != 0 && c.ws_url.compare(0, 6, "wss://") != 0) {
    error = "websockets.url must start with ws:// or wss:// when websockets are enabled";
    return false;
  }
  if (!parse_pubsub(ws->get("pubsub"), c, error) || !parse_reconnect(ws->get("reconnect"), c, error) ||
      !parse_timing(ws, c, error))
    return false;
  double frame = double(c.max_frame_bytes);
  if (!read_number(ws, "maxFrameBytes", 64, 1 << 30, frame, "websockets", error, true)) return false;
  c.max_frame_bytes = size_t(frame);
  return true;
}

}  // namespace

std::optional<Config> Config::parse(std::string_view text, std::string& error) {
  auto root = Json::parse(text);
  if (!root || !root->is_object()) {
    error = "config must be a JSON object";
    return std::nullopt;
  }
  Config c;
  if (!read_string(&*root, "baseUrl", c.base_url, "config", error) ||
      !read_string(&*root, "token", c.token, "config", error) ||
      !read_bool(&*root, "getToken", c.can_refresh_token, "config", error))
    return std::nullopt;
  if (c.base_url.empty()) {
    error = "config.baseUrl is required (the REST API's base URL)";
    return std::nullopt;
  }
  while (!c.base_url.empty() && c.base_url.back() == '/') c.base_url.pop_back();
  double timeout = double(c.request_timeout_ms);
  if (!read_number(&*root, "requestTimeout", 1, 3.6e6, timeout, "config", error)) return std::nullopt;
  c.request_timeout_ms = Millis(timeout);
  const Json* models = root->get("models");
  if (!object_or_absent(models, "config.models", error)) return std::nullopt;
  if (models && models->is_object())
    for (const auto& m : models->members()) {
      if (!valid_model_name(m.first)) {
        error = "config.models." + m.first + ": model names are letters, digits and _";
        return std::nullopt;
      }
      ModelConfig& mc = c.configure(m.first);
      if (!object_or_absent(&m.second, "config.models." + m.first, error) ||
          !read_string(&m.second, "path", mc.path, "config.models." + m.first, error) ||
          !read_string(&m.second, "versionField", mc.version_field, "config.models." + m.first, error))
        return std::nullopt;
      if (mc.version_field.empty()) mc.version_field = "version";
    }
  if (!parse_websockets(root->get("websockets"), c, error)) return std::nullopt;
  for (auto& m : c.models) {
    if (m.path.empty()) m.path = default_path(m.name);
    if (!c.ws_enabled) m.realtime = false;
  }
  return c;
}

const ModelConfig* Config::configured(std::string_view name) const {
  for (const auto& m : models)
    if (json::same_text(m.name, name)) return &m;
  return nullptr;
}

ModelConfig& Config::configure(const std::string& name) {
  if (const ModelConfig* m = configured(name)) return models[size_t(m - models.data())];
  models.emplace_back();
  models.back().name = name;
  return models.back();
}

ModelConfig Config::model(std::string_view name) const {
  if (const ModelConfig* m = configured(name)) return *m;
  ModelConfig mc;
  mc.name = std::string(name);
  mc.path = default_path(name);
  return mc;
}

bool channel_matches(std::string_view pattern, std::string_view channel) {
  size_t p = 0, c = 0;
  while (p < pattern.size()) {
    if (pattern[p] == '{') {
      size_t close = pattern.find('}', p);
      if (close == std::string_view::npos) return false;
      char next = close + 1 < pattern.size() ? pattern[close + 1] : '\0';
      size_t start = c;  // a value runs to the next literal and never spans a ':'
      while (c < channel.size() && channel[c] != next && channel[c] != ':') ++c;
      if (c == start) return false;  // a placeholder matches at least one character
      p = close + 1;
    } else {
      if (c >= channel.size() || channel[c] != pattern[p]) return false;
      ++p;
      ++c;
    }
  }
  return c == channel.size();
}

const ChannelConfig* Config::channel_for(std::string_view channel) const {
  for (const auto& ch : channels)
    if (channel_matches(ch.pattern, channel)) return &ch;
  return nullptr;
}

bool expand_channel(std::string_view pattern, std::string_view params_json, std::string& out, std::string& error) {
  out.clear();
  std::optional<Json> params;
  if (!params_json.empty()) params = Json::parse(params_json);
  for (size_t i = 0; i < pattern.size();) {
    if (pattern[i] != '{') {
      out += pattern[i++];
      continue;
    }
    size_t close = pattern.find('}', i);
    if (close == std::string_view::npos) {
      error = "channel pattern has an unclosed '{'";
      return false;
    }
    std::string name(pattern.substr(i + 1, close - i - 1));
    const Json* v = params ? params->get(name) : nullptr;
    if (v && v->is_string() && !v->as_string().empty()) out += v->as_string();
    else if (v && v->is_number()) json::append_number(out, v->as_number());
    else {
      error = "channel parameter '" + name + "' is missing";
      return false;
    }
    i = close + 1;
  }
  return true;
}

}  // namespace ssot
