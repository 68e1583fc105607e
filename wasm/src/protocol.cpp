#include "ssot/protocol.h"

#include <cmath>
#include <cstring>

namespace ssot {

const char* to_string(ChangeType change) {
  switch (change) {
    case ChangeType::Created: return "created";
    case ChangeType::Updated: return "updated";
    default: return "deleted";
  }
}

namespace {

// A string field; false when present with another type (or not valid JSON).
bool read_string(std::string_view raw, std::string& out) {
  if (raw.empty()) return true;
  if (json::kind_of(raw) != JsonKind::String) return false;
  const char* end = raw.data() + raw.size();
  return json::parse_string(raw.data(), end, out) == end;  // the string and nothing after it
}

// read_string for a member of a frame that scan_frame validated as a whole: a string
// without escapes is its bytes (no second scan of it).
bool read_member(std::string_view raw, std::string& out) {
  if (raw.size() >= 2 && raw.front() == '"' && std::memchr(raw.data(), '\\', raw.size()) == nullptr) {
    out.assign(raw.data() + 1, raw.size() - 2);
    return true;
  }
  return read_string(raw, out);
}

// seq: a non-negative integer no larger than 2^53.
bool read_seq(std::string_view raw, std::optional<int64_t>& out) {
  if (raw.empty() || raw == "null") return true;
  if (json::kind_of(raw) != JsonKind::Number) return false;
  auto n = json::parse_number(raw);
  if (!n || *n < 0 || std::floor(*n) != *n || *n > 9007199254740992.0) return false;
  out = static_cast<int64_t>(*n);
  return true;
}

}  // namespace

// By hand: every update frame asks, and string_view's find/substr/compare are calls at -Oz.
std::string_view channel_model(std::string_view channel, bool& is_list) {
  if (channel.empty()) return {};
  const char* p = channel.data();
  const void* colon = std::memchr(p, ':', channel.size());
  if (colon == nullptr || colon == p) return {};
  size_t model = size_t(static_cast<const char*>(colon) - p);
  std::string_view rest(p + model + 1, channel.size() - model - 1);
  is_list = json::same_text(rest, "list");
  if (!is_list && !(rest.size() > 5 && std::memcmp(rest.data(), "item:", 5) == 0)) return {};
  return std::string_view(p, model);
}

bool read_epoch(std::string_view raw, std::string& out) {
  out.clear();
  JsonKind k = raw.empty() ? JsonKind::Null : json::kind_of(raw);
  if (k == JsonKind::Null) return true;
  if (k == JsonKind::Number) {
    out.assign(raw.data(), raw.size());
    return true;
  }
  return k == JsonKind::String && read_string(raw, out);
}

namespace {

// The members of `data` an update reads, captured while the frame is validated.
enum { kDType, kDData, kDId, kDTimestamp, kDVersion, kDN };
const std::string_view kDataKeys[kDN] = {"type", "data", "id", "timestamp", "version"};

bool decode_update(std::string_view data_raw, const std::string_view* v, ServerFrame& f, std::string& why) {
  if (json::kind_of(data_raw) != JsonKind::Object) {
    why = "update: data must be an object";
    return false;
  }
  std::string change_text;
  if (v[kDType].empty() || !read_member(v[kDType], change_text)) {
    why = "update: data.type must be a string";
    return false;
  }
  std::string_view change = change_text;
  if (change == "created") f.change = ChangeType::Created;
  else if (change == "updated") f.change = ChangeType::Updated;
  else if (change == "deleted") f.change = ChangeType::Deleted;
  else {
    why = "update: unknown change type '" + change_text + "'";
    return false;
  }
  if (!v[kDData].empty() && v[kDData] != "null") {
    if (json::kind_of(v[kDData]) != JsonKind::Object) {
      why = "update: data.data must be an object";
      return false;
    }
    f.record = v[kDData];
  }
  if (f.change != ChangeType::Deleted && f.record.empty()) {
    why = std::string("update: ") + to_string(f.change) + " without a record";
    return false;
  }
  std::string_view id_raw = v[kDId];
  if ((id_raw.empty() || id_raw == "null") && !f.record.empty()) {  // the reason below needs the raw value
    static const std::string_view id_key[] = {"id"};
    if (f.record_members.describes(f.record)) id_raw = f.record_members.find(id_key[0]);
    else json::find_members(f.record, id_key, 1, &id_raw);
  }
  if (!canonical_id(id_raw, f.id)) {
    why = id_raw.empty() ? "update: no record id" : "update: bad record id";
    return false;
  }
  if (!v[kDTimestamp].empty() && json::kind_of(v[kDTimestamp]) == JsonKind::Number)
    f.timestamp = json::parse_number(v[kDTimestamp]).value_or(0);
  f.version = parse_version(v[kDVersion]);  // a delete's version (ext); records carry their own
  return true;
}

// find_members over the frame, except that an object `data` has its own members
// captured in the same pass, and the record inside it (data.data) its members in
// `record`: the record is scanned once. With `stop`, the text may go on after the
// object: *stop is set past it.
bool scan_frame(std::string_view text, const std::string_view* keys, size_t n, std::string_view* values,
                size_t data_slot, std::string_view* data_values, json::MemberList& record, const char** stop) {
  for (size_t i = 0; i < n; ++i) values[i] = std::string_view();
  for (size_t i = 0; i < kDN; ++i) data_values[i] = std::string_view();
  std::string key_buf, data_key_buf;
  const char* end = text.data() + text.size();
  const char* p = json::walk_object(text.data(), end, key_buf, [&](std::string_view key, const char* v) -> const char* {
    size_t slot = 0;
    while (slot < n && !json::same_text(keys[slot], key)) ++slot;
    const char* q;
    if (slot == data_slot && v < end && *v == '{') {
      for (size_t i = 0; i < kDN; ++i) data_values[i] = std::string_view();  // the last `data` wins
      q = json::walk_object(v, end, data_key_buf, [&](std::string_view dkey, const char* dv) -> const char* {
        size_t i = 0;
        while (i < kDN && !json::same_text(kDataKeys[i], dkey)) ++i;
        // data's members sit two levels down
        bool is_record = i == kDData && dv < end && *dv == '{';
        const char* dq = is_record ? json::capture_members(dv, end, 2, record) : json::skip_value(dv, end, 2);
        if (dq && i < kDN) data_values[i] = std::string_view(dv, size_t(dq - dv));
        return dq;
      });
    } else {
      q = json::skip_value(v, end, 1);  // a member: one level down, as json::valid counts
    }
    if (q && slot < n) values[slot] = std::string_view(v, size_t(q - v));  // the last duplicate wins
    return q;
  });
  if (stop) *stop = p;
  return p && (stop || json::skip_ws(p, end) == end);
}

}  // namespace

namespace {

enum { kType, kChannel, kData, kSeq, kMutationId, kRequestId, kError, kCode, kEvent, kFrom, kT, kMembers, kEpoch, kFrames, kN };
const std::string_view kKeys[kN] = {"type",  "channel", "data",  "seq", "mutationId", "requestId", "error",
                                    "code",  "event",   "from",  "t",   "members",    "epoch", "frames"};
using Members = std::string_view[kN];

// Each frame type's own members; `why` says what is wrong (the type is known here).
bool decode_channel_frame(std::string_view type, const Members& v, ServerFrame& f, std::string& why) {
  f.type = type == "subscribed" ? FrameType::Subscribed
                                : type == "unsubscribed" ? FrameType::Unsubscribed : FrameType::Resync;
  if (f.channel.empty()) why = std::string(type) + ": missing channel";
  else if (!read_epoch(v[kEpoch], f.epoch)) why = std::string(type) + ": epoch must be a string or a number";
  else if (!v[kMembers].empty() && json::kind_of(v[kMembers]) != JsonKind::Array) why = std::string(type) + ": members must be an array";
  else f.data = v[kMembers];
  return why.empty();
}

// An error the app can show: "" would leave a view in status error with nothing to say.
void name_empty_error(ServerFrame& f) {
  if (f.error.empty()) f.error = "error without a message";
}

bool decode_response(const Members& v, ServerFrame& f, std::string& why) {
  f.type = FrameType::Response;
  if (v[kRequestId].empty() || !read_string(v[kRequestId], f.request_id)) {
    why = "response: requestId must be a string";
    return false;
  }
  if (!v[kError].empty() && v[kError] != "null") {
    f.has_error = true;
    if (!read_string(v[kError], f.error)) f.error.assign(v[kError].data(), v[kError].size());
    name_empty_error(f);
  }
  f.data = v[kData].empty() ? std::string_view("null") : v[kData];
  return true;
}

bool decode_error(const Members& v, ServerFrame& f, std::string& why) {
  f.type = FrameType::Error;
  f.has_error = true;
  if (v[kError].empty() || !read_string(v[kError], f.error)) why = "error: error must be a string";
  else if (!read_string(v[kRequestId], f.request_id)) why = "error: requestId must be a string";
  if (why.empty()) name_empty_error(f);
  if (!why.empty() || v[kCode].empty()) return why.empty();
  JsonKind k = json::kind_of(v[kCode]);
  if (k == JsonKind::String) read_string(v[kCode], f.code);
  else if (k == JsonKind::Number) f.code.assign(v[kCode].data(), v[kCode].size());
  else if (k != JsonKind::Null) why = "error: code must be a string or number";
  return why.empty();
}

bool decode_event(const Members& v, ServerFrame& f, std::string& why) {
  f.type = FrameType::Event;
  if (f.channel.empty()) why = "event: missing channel";
  else if (v[kEvent].empty() || !read_string(v[kEvent], f.event) || f.event.empty())
    why = "event: event must be a non-empty string";
  f.data = v[kData].empty() ? std::string_view("null") : v[kData];
  f.from = v[kFrom].empty() ? std::string_view("null") : v[kFrom];
  return why.empty();
}

bool decode_pong(const Members& v, ServerFrame& f, std::string& why) {
  f.type = FrameType::Pong;
  if (v[kT].empty()) return true;
  if (json::kind_of(v[kT]) != JsonKind::Number) {
    why = "pong: t must be a number";
    return false;
  }
  f.t = json::parse_number(v[kT]).value_or(0);
  return true;
}

bool decode_update_frame(const Members& v, const std::string_view* data_members, ServerFrame& f, std::string& why) {
  f.type = FrameType::Update;
  if (f.channel.empty()) why = "update: missing channel";
  else if (!read_member(v[kMutationId], f.mutation_id)) why = "update: mutationId must be a string";
  else if (v[kData].empty()) why = "update: missing data";
  else decode_update(v[kData], data_members, f, why);
  return why.empty();
}

// Each frame is decoded when it is handled.
bool decode_batch(const Members& v, ServerFrame& f, std::string& why) {
  f.type = FrameType::Batch;
  f.data = v[kFrames];
  if (f.data.empty() || json::kind_of(f.data) != JsonKind::Array) why = "batch: frames must be an array";
  return why.empty();
}

}  // namespace

void ServerFrame::clear() {
  type = FrameType::Error;
  channel.clear();
  seq.reset();
  epoch.clear();
  change = ChangeType::Created;
  record = {};
  record_members.source = {};
  record_members.count = 0;
  id.clear();
  mutation_id.clear();
  version.reset();
  timestamp = 0;
  request_id.clear();
  data = {};
  error.clear();
  has_error = false;
  code.clear();
  event.clear();
  from = {};
  t = 0;
}

bool operator==(const ServerFrame& a, const ServerFrame& b) {
  return a.type == b.type && a.channel == b.channel && a.seq == b.seq && a.epoch == b.epoch && a.change == b.change &&
         a.record == b.record && a.id == b.id && a.mutation_id == b.mutation_id && a.version == b.version &&
         a.timestamp == b.timestamp && a.request_id == b.request_id && a.data == b.data && a.error == b.error &&
         a.has_error == b.has_error && a.code == b.code && a.event == b.event && a.from == b.from && a.t == b.t;
}

DecodeResult decode_server_frame(std::string_view text, size_t max_bytes, const char** stop) {
  DecodeResult r;
  decode_server_frame(r, text, max_bytes, stop);
  return r;
}

namespace {
void fail(DecodeResult& r, DecodeResult::Status status, std::string why) {
  r.frame.clear();
  r.status = status;
  r.error = std::move(why);
}
}  // namespace

void decode_server_frame(DecodeResult& r, std::string_view text, size_t max_bytes, const char** stop) {
  r.status = DecodeResult::Ok;
  r.error.clear();
  ServerFrame& f = r.frame;
  f.clear();
  if (stop) *stop = nullptr;
  if (text.size() > max_bytes)
    return fail(r, DecodeResult::TooLarge,
                "frame too large: " + json::integer_text(text.size()) + " bytes (limit " + json::integer_text(max_bytes) + ")");
  Members v;
  std::string_view data_members[kDN];
  if (!scan_frame(text, kKeys, kN, v, kData, data_members, f.record_members, stop))
    return fail(r, DecodeResult::Malformed, "invalid JSON object");
  std::string type_text, why;
  if (v[kType].empty()) return fail(r, DecodeResult::Malformed, "missing type");
  if (!read_member(v[kType], type_text)) return fail(r, DecodeResult::Malformed, "type must be a string");
  std::string_view type = type_text;  // a view: decode_channel_frame reads it without a copy
  if (!read_member(v[kChannel], f.channel)) return fail(r, DecodeResult::Malformed, "channel must be a string");
  if (!read_seq(v[kSeq], f.seq))
    return fail(r, DecodeResult::Malformed, type_text + ": seq must be a non-negative integer");
  bool ok = false;
  if (type == "update") ok = decode_update_frame(v, data_members, f, why);
  else if (type == "subscribed" || type == "unsubscribed" || type == "resync") ok = decode_channel_frame(type, v, f, why);
  else if (type == "response") ok = decode_response(v, f, why);
  else if (type == "error") ok = decode_error(v, f, why);
  else if (type == "event") ok = decode_event(v, f, why);
  else if (type == "pong") ok = decode_pong(v, f, why);
  else if (type == "batch") ok = decode_batch(v, f, why);
  else return fail(r, DecodeResult::UnknownType, "unknown frame type '" + type_text + "'");
  if (!ok) return fail(r, DecodeResult::Malformed, why);
}

std::string http_error_message(int status, std::string_view body) {
  static const std::string_view key[] = {"error"};
  std::string_view v;
  std::string message;
  if (json::kind_of(body) == JsonKind::Object && json::find_members(body, key, 1, &v) &&
      json::kind_of(v) == JsonKind::String)
    json::parse_string(v.data(), v.data() + v.size(), message);
  if (!message.empty()) return message;
  if (status == 0) return "network error (no response)";
  return "HTTP " + json::integer_text(status);
}

std::string encode_subscribe(std::string_view channel, std::optional<int64_t> since) {
  std::string out = "{\"type\":\"subscribe\",\"channel\":";
  json::append_string(out, channel);
  if (since) {
    out += ",\"since\":";
    json::append_integer(out, int64_t(*since));
  }
  out += '}';
  return out;
}

std::string encode_unsubscribe(std::string_view channel) {
  std::string out = "{\"type\":\"unsubscribe\",\"channel\":";
  json::append_string(out, channel);
  out += '}';
  return out;
}

std::string encode_request(std::string_view request_id, std::string_view model, std::string_view action,
                           std::string_view params) {
  std::string out = "{\"type\":\"request\",\"requestId\":";
  json::append_string(out, request_id);
  out += ",\"model\":";
  json::append_string(out, model);
  out += ",\"action\":";
  json::append_string(out, action);
  out += ",\"params\":";
  out.append(params.empty() ? std::string_view("{}") : params);
  out += '}';
  return out;
}

std::string encode_publish(std::string_view channel, std::string_view event, std::string_view data) {
  std::string out = "{\"type\":\"publish\",\"channel\":";
  json::append_string(out, channel);
  out += ",\"event\":";
  json::append_string(out, event);
  out += ",\"data\":";
  out.append(data.empty() ? std::string_view("null") : data);
  out += '}';
  return out;
}

std::string encode_ping(int64_t t) { return "{\"type\":\"ping\",\"t\":" + json::integer_text(t) + "}"; }

}  // namespace ssot
