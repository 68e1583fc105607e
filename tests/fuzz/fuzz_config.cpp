// Target 4: config parsing. `Config::parse` and `Engine::create` on arbitrary text.
// Invariants:
//  - never crashes; both agree on success; a failure always has a message;
//  - a parsed config is valid: baseUrl non-empty without a trailing '/', every model
//    named by its key with a valid name and a path, realtime only with websockets on,
//    a ws:// or wss:// url when enabled, every number inside its documented range;
//  - the same values written back as a minimal config parse again to the same values
//    (and that text is a fixpoint);
//  - an engine made from it connects, opens, watches each model and drains a JSON outbox;
//  - a channel name made from a configured pattern with plain values matches the pattern.
#include <cmath>
#include <cstdint>
#include <string>

#include "fuzz_common.h"
#include "ssot/engine.h"

using namespace ssot;

namespace {

void str(std::string& out, const char* key, const std::string& value) {
  out += '"';
  out += key;
  out += "\":";
  json::append_string(out, value);
  out += ',';
}

void num(std::string& out, const char* key, double value) {
  out += '"';
  out += key;
  out += "\":";
  json::append_number(out, value);
  out += ',';
}

void close_obj(std::string& out) {
  if (out.back() == ',') out.back() = '}';
  else out += '}';
}

// The values of a parsed config as the smallest config text that sets them all.
std::string write_back(const Config& c) {
  std::string o = "{";
  str(o, "baseUrl", c.base_url.empty() ? "/" : c.base_url);  // "/" (the root) trims to ""
  if (!c.token.empty()) str(o, "token", c.token);
  o += c.can_refresh_token ? "\"getToken\":true," : "";
  num(o, "requestTimeout", double(c.request_timeout_ms));
  o += "\"models\":{";
  for (const auto& m : c.models) {
    json::append_string(o, m.name);
    o += ":{";
    str(o, "path", m.path);
    close_obj(o);
    o += ',';
  }
  close_obj(o);
  o += ",\"websockets\":{";
  o += c.ws_enabled ? "\"enabled\":true," : "\"enabled\":false,";
  str(o, "url", c.ws_url);
  o += "\"pubsub\":{\"models\":{";
  for (const auto& m : c.models) {
    if (!m.realtime) continue;
    json::append_string(o, m.name);
    o += ":{\"subscribe\":[";
    if (m.subscribe_list) o += "\"list\",";
    if (m.subscribe_item) o += "\"item\",";
    if (o.back() == ',') o.pop_back();
    o += "]},";
  }
  close_obj(o);
  o += ",\"channels\":{";
  for (const auto& ch : c.channels) {
    json::append_string(o, ch.pattern);
    o += ":{\"events\":[";
    for (const auto& e : ch.events) {
      json::append_string(o, e);
      o += ',';
    }
    if (o.back() == ',') o.pop_back();
    o += "]},";
  }
  close_obj(o);
  o += "},\"reconnect\":{";
  num(o, "maxAttempts", c.reconnect.max_attempts);
  str(o, "backoff", c.reconnect.backoff == Backoff::Linear ? "linear" : "exponential");
  num(o, "baseDelay", double(c.reconnect.base_delay_ms));
  num(o, "maxDelay", double(c.reconnect.max_delay_ms));
  num(o, "jitter", c.reconnect.jitter);
  close_obj(o);
  o += ",\"batching\":{";
  o += c.batching.enabled ? "\"enabled\":true," : "\"enabled\":false,";
  num(o, "flushInterval", double(c.batching.flush_interval_ms));
  num(o, "maxBatchSize", c.batching.max_batch_size);
  close_obj(o);
  o += ",\"heartbeat\":{";
  o += c.heartbeat.enabled ? "\"enabled\":true," : "\"enabled\":false,";
  num(o, "interval", double(c.heartbeat.interval_ms));
  num(o, "timeout", double(c.heartbeat.timeout_ms));
  close_obj(o);
  o += ',';
  num(o, "maxFrameBytes", double(c.max_frame_bytes));
  close_obj(o);
  close_obj(o);
  return o;
}

bool valid_name(const std::string& n) {
  if (n.empty() || n.size() > 100) return false;
  for (unsigned char ch : n)
    if (!std::isalnum(ch) && ch != '_') return false;
  return true;
}

void check_valid(const Config& c, const std::string& text) {
  FUZZ_CHECK(c.base_url.empty() || c.base_url.back() != '/');
  FUZZ_CHECK(c.request_timeout_ms >= 1 && c.request_timeout_ms <= 3600000);
  for (const auto& m : c.models) {
    FUZZ_CHECK_MSG(valid_name(m.name), m.name);
    FUZZ_CHECK_MSG(c.configured(m.name) == &m, m.name);  // each name once
    FUZZ_CHECK(!m.path.empty());
    if (m.realtime) FUZZ_CHECK(c.ws_enabled);
  }
  if (c.ws_enabled) FUZZ_CHECK(c.ws_url.rfind("ws://", 0) == 0 || c.ws_url.rfind("wss://", 0) == 0);
  FUZZ_CHECK(c.reconnect.max_attempts >= 0 && c.reconnect.max_attempts <= 1000000);
  FUZZ_CHECK(c.reconnect.base_delay_ms >= 1 && c.reconnect.base_delay_ms <= 3600000);
  FUZZ_CHECK(c.reconnect.max_delay_ms >= 1 && c.reconnect.max_delay_ms <= 86400000);
  FUZZ_CHECK(c.reconnect.jitter >= 0 && c.reconnect.jitter <= 1);
  FUZZ_CHECK(c.batching.flush_interval_ms >= 0 && c.batching.flush_interval_ms <= 60000);
  FUZZ_CHECK(c.batching.max_batch_size >= 1 && c.batching.max_batch_size <= 10000000);
  FUZZ_CHECK(c.heartbeat.interval_ms >= 100 && c.heartbeat.interval_ms <= 3600000);
  FUZZ_CHECK(c.heartbeat.timeout_ms >= 100 && c.heartbeat.timeout_ms <= 3600000);
  FUZZ_CHECK(c.max_frame_bytes >= 64 && c.max_frame_bytes <= (size_t(1) << 30));
  // Every model the config names, and any other, has a REST path.
  FUZZ_CHECK(!c.model("Anything").path.empty());
}

bool same(const Config& a, const Config& b) {
  if (a.base_url != b.base_url || a.token != b.token || a.can_refresh_token != b.can_refresh_token ||
      a.request_timeout_ms != b.request_timeout_ms || a.ws_enabled != b.ws_enabled || a.ws_url != b.ws_url ||
      a.models.size() != b.models.size() || a.channels.size() != b.channels.size() ||
      a.max_frame_bytes != b.max_frame_bytes)
    return false;
  for (auto i = a.models.begin(), j = b.models.begin(); i != a.models.end(); ++i, ++j)
    if (i->name != j->name || i->path != j->path || i->realtime != j->realtime ||
        (i->realtime && (i->subscribe_list != j->subscribe_list || i->subscribe_item != j->subscribe_item)))
      return false;
  for (size_t i = 0; i < a.channels.size(); ++i)
    if (a.channels[i].pattern != b.channels[i].pattern || a.channels[i].events != b.channels[i].events) return false;
  const auto &ra = a.reconnect, &rb = b.reconnect;
  if (ra.max_attempts != rb.max_attempts || ra.backoff != rb.backoff || ra.base_delay_ms != rb.base_delay_ms ||
      ra.max_delay_ms != rb.max_delay_ms || ra.jitter != rb.jitter)
    return false;
  if (a.batching.enabled != b.batching.enabled || a.batching.flush_interval_ms != b.batching.flush_interval_ms ||
      a.batching.max_batch_size != b.batching.max_batch_size)
    return false;
  return a.heartbeat.enabled == b.heartbeat.enabled && a.heartbeat.interval_ms == b.heartbeat.interval_ms &&
         a.heartbeat.timeout_ms == b.heartbeat.timeout_ms;
}

// A pattern filled with plain values names a channel that matches it, when each
// placeholder is followed by the end or by a character a value cannot contain.
void check_channels(const Config& c) {
  for (const auto& ch : c.channels) {
    const std::string& p = ch.pattern;
    std::string params = "{";
    bool plain = true;
    for (size_t i = p.find('{'); i != std::string::npos; i = p.find('{', i + 1)) {
      size_t close = p.find('}', i);
      if (close == std::string::npos) break;
      char next = close + 1 < p.size() ? p[close + 1] : '\0';
      if (std::isalnum(static_cast<unsigned char>(next)) || next == '{') plain = false;
      if (params.size() > 1) params += ',';
      json::append_string(params, p.substr(i + 1, close - i - 1));
      params += ":\"v1\"";
    }
    params += '}';
    std::string name, error;
    if (!expand_channel(p, params, name, error)) {
      FUZZ_CHECK(!error.empty());
      continue;
    }
    if (plain) FUZZ_CHECK_MSG(channel_matches(p, name), p + " -> " + name);
    if (plain && !name.empty()) FUZZ_CHECK(c.channel_for(name) != nullptr);
  }
}

void drive(std::unique_ptr<Engine>& e) {
  Millis now = 1000;
  e->connect(now);
  e->on_open(now);
  std::string error;
  for (const auto& m : e->config().models) {
    if (!e->watch(m.name, "{}", now, error)) FUZZ_CHECK(!error.empty());
  }
  e->on_timer(now + 100000);
  for (const auto& cmd : e->take_commands()) {
    if (cmd.type == Command::Send) FUZZ_CHECK_MSG(json::valid(cmd.body), cmd.body);
    if (cmd.type == Command::HttpStart) FUZZ_CHECK(cmd.url.rfind(e->config().base_url, 0) == 0);
    if (cmd.type == Command::OpenSocket) FUZZ_CHECK(cmd.url.rfind(e->config().ws_url, 0) == 0);
  }
  std::string out;
  e->drain(out);
  FUZZ_CHECK_MSG(json::valid(out), out);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  std::string error, engine_error;
  auto config = Config::parse(text, error);
  auto engine = Engine::create(text, [] { return 0.25; }, engine_error);
  FUZZ_CHECK(config.has_value() == (engine != nullptr));
  if (!config) {
    FUZZ_CHECK(!error.empty());
    FUZZ_CHECK(error == engine_error);
    return 0;
  }
  check_valid(*config, text);
  std::string minimal = write_back(*config);
  std::string error2;
  auto again = Config::parse(minimal, error2);
  FUZZ_CHECK_MSG(again.has_value(), minimal + " -> " + error2);
  FUZZ_CHECK_MSG(same(*config, *again), minimal);
  FUZZ_CHECK_MSG(write_back(*again) == minimal, minimal);
  check_channels(*config);
  drive(engine);
  return 0;
}
