#include "ssot/outbox.h"

#include "ssot/json.h"
#include "ssot/value.h"

namespace ssot {

namespace {
void text_or_null(std::string& out, std::string_view s) {
  if (s.empty()) out += "null";
  else json::append_string(out, s);
}
}  // namespace

void Outbox::drain(std::string& out) {
  buf_ += ']';
  // Into an empty string the entries move, not copy: a hydration's first batch holds
  // every row (25 MB at 100k records), and a copy of it raised the heap's high water.
  if (out.empty()) out.swap(buf_);
  else out += buf_;
  if (buf_.capacity() > kKeepBytes) std::string().swap(buf_);
  buf_.assign(1, '[');
}

std::string& Outbox::open() {
  if (buf_.size() > 1) buf_ += ',';
  return buf_;
}

void Outbox::conn(std::string_view state, std::string_view error, std::optional<int64_t> retry_at) {
  std::string& e = open();
  e += "{\"k\":\"conn\",\"state\":";
  json::append_string(e, state);
  e += ",\"error\":";
  text_or_null(e, error);
  e += ",\"retryAt\":";
  e += retry_at ? json::integer_text(*retry_at) : "null";
  e += '}';
}

void Outbox::token() { open() += "{\"k\":\"token\"}"; }

void Outbox::error(std::string_view scope, std::string_view channel, std::string_view error,
                   std::string_view request_id) {
  std::string& e = open();
  e += "{\"k\":\"error\",\"scope\":";
  json::append_string(e, scope);
  if (!channel.empty()) {
    e += ",\"channel\":";
    json::append_string(e, channel);
  }
  e += ",\"error\":";
  json::append_string(e, error);
  if (!request_id.empty()) {
    e += ",\"requestId\":";
    json::append_string(e, request_id);
  }
  e += '}';
}

void Outbox::event(std::string_view channel, std::string_view event, std::string_view data_raw,
                   std::string_view from_raw) {
  std::string& e = open();
  e += "{\"k\":\"event\",\"channel\":";
  json::append_string(e, channel);
  e += ",\"event\":";
  json::append_string(e, event);
  e += ",\"data\":";
  e += data_raw;
  e += ",\"from\":";
  e += from_raw;
  e += '}';
}

void Outbox::channel_ready(std::string_view channel, std::string_view members_raw) {
  std::string& e = open();
  e += "{\"k\":\"channel\",\"channel\":";
  json::append_string(e, channel);
  e += ",\"status\":\"ready\"";
  if (!members_raw.empty()) {
    e += ",\"members\":";
    e += members_raw;
  }
  e += '}';
}

void Outbox::result_ok(uint32_t req, int status, std::string_view data_raw) {
  std::string& e = open();
  e += "{\"k\":\"result\",\"req\":" + json::integer_text(req) + ",\"ok\":true,\"status\":" + json::integer_text(status) +
       ",\"data\":";
  e += data_raw.empty() ? std::string_view("null") : data_raw;
  e += '}';
}

void Outbox::result_error(uint32_t req, int status, std::string_view message) {
  std::string& e = open();
  e += "{\"k\":\"result\",\"req\":" + json::integer_text(req) + ",\"ok\":false,\"status\":" + json::integer_text(status) +
       ",\"error\":";
  json::append_string(e, message);
  e += '}';
}

void Outbox::update(std::string_view channel, std::string_view change, std::string_view id,
                    std::string_view record_raw, double timestamp) {
  std::string& e = open();
  e += "{\"k\":\"update\",\"channel\":";
  json::append_string(e, channel);
  e += ",\"data\":{\"type\":";
  json::append_string(e, change);
  e += ",\"id\":";
  append_id_json(e, id);
  if (!record_raw.empty()) {
    e += ",\"data\":";
    e += record_raw;
  }
  e += ",\"timestamp\":";
  json::append_number(e, timestamp);
  e += "}}";
}

void Outbox::item(uint32_t view, std::string_view status, std::string_view error, std::string_view data_raw,
                  std::string_view pending_id) {
  std::string& e = open();
  e += "{\"k\":\"item\",\"view\":" + json::integer_text(view) + ",\"status\":";
  json::append_string(e, status);
  e += ",\"error\":";
  text_or_null(e, error);
  e += ",\"data\":";
  e += data_raw.empty() ? std::string_view("null") : data_raw;
  e += ",\"pending\":[";
  if (!pending_id.empty()) append_id_json(e, pending_id);
  e += "]}";
}

std::string& Outbox::begin(size_t& mark) {
  mark = buf_.size();
  return open();
}

bool Outbox::end(size_t mark, size_t start) {
  if (buf_.size() != start) return true;
  buf_.resize(mark);
  return false;
}

}  // namespace ssot
