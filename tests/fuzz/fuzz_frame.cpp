// Target 1: frame decoding. `decode_server_frame` on arbitrary bytes, under the
// default limit and under a small one, plus the client-frame encoders on
// arbitrary strings. Invariants:
//  - never crashes; a failure always has a reason; TooLarge exactly when over the limit;
//  - decoding into a result used before gives what a fresh one gets;
//  - the scanner and the DOM agree on what is JSON (json::valid == Json::parse);
//    a dumped DOM parses back to the same dump;
//  - an Ok frame is a JSON object whose `type` names its FrameType; channels that
//    must be set are; an update has a non-empty canonical id and, unless deleted, a
//    record; every raw view (record, data, from) lies inside the input and is valid JSON;
//    with one `id` and no top-level duplicate keys the decoded fields equal the DOM's;
//    a batch's frames are the DOM's, each element checked as a frame of its own;
//    decoding in place (with `stop`, text after the frame) agrees with decoding alone;
//  - every encoder's output parses with Json::parse and carries back its arguments
//    (an argument that is not UTF-8 with U+FFFD for each offending byte).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_common.h"
#include "ssot/protocol.h"

using namespace ssot;

namespace {

bool inside(std::string_view part, std::string_view whole) {
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

// A raw slice of the frame: inside the input (or a static literal), valid JSON.
void check_raw(std::string_view raw, std::string_view text, bool may_be_literal_null) {
  if (raw.empty()) return;
  FUZZ_CHECK(inside(raw, text) || (may_be_literal_null && raw == "null"));
  FUZZ_CHECK(json::valid(raw));
}

const Json* member(const Json& obj, const char* key) { return obj.get(key); }

bool unique_keys(const Json& obj) {
  const auto& m = obj.members();
  for (size_t i = 0; i < m.size(); ++i)
    for (size_t j = i + 1; j < m.size(); ++j)
      if (m[i].first == m[j].first) return false;
  return true;
}

void check_json_agreement(std::string_view text) {
  std::string error;
  auto dom = Json::parse(text, &error);
  FUZZ_CHECK_MSG(json::valid(text) == dom.has_value(), std::string(text));
  if (!dom) {
    FUZZ_CHECK(!error.empty());
    return;
  }
  std::string once = dom->dump();
  auto again = Json::parse(once);
  FUZZ_CHECK_MSG(again.has_value(), once);
  FUZZ_CHECK_MSG(again->dump() == once, once);
}

// decode_server_frame with `stop` (how the engine reads a batch's frames where they
// stand): on `rest`, the JSON `text` followed by more, the same verdict and fields as
// on `text` alone, and stop just past the object (nullptr when it is not one).
void check_in_place(const DecodeResult& alone, std::string_view text, std::string_view rest) {
  const char* stop = nullptr;
  DecodeResult r = decode_server_frame(rest, kDefaultMaxFrameBytes, &stop);
  // Into a result used before, as the engine reads a batch's frames: the same.
  static DecodeResult reused;
  const char* reused_stop = nullptr;
  decode_server_frame(reused, rest, kDefaultMaxFrameBytes, &reused_stop);
  FUZZ_CHECK(reused_stop == stop && reused.status == r.status && reused.error == r.error && reused.frame == r.frame);
  if (alone.status == DecodeResult::TooLarge || rest.size() > kDefaultMaxFrameBytes || !json::valid(text)) return;
  FUZZ_CHECK_MSG(r.status == alone.status && r.error == alone.error, std::string(rest));
  const char* end = json::skip_value(text.data(), text.data() + text.size());
  bool object = end && json::kind_of(std::string_view(json::skip_ws(text.data(), end), 1)) == JsonKind::Object;
  FUZZ_CHECK(stop == (object ? rest.data() + (end - text.data()) : nullptr));
  if (!r.ok()) return;
  FUZZ_CHECK(r.frame.type == alone.frame.type && r.frame.channel == alone.frame.channel && r.frame.seq == alone.frame.seq);
  FUZZ_CHECK(r.frame.id == alone.frame.id && r.frame.record == alone.frame.record && r.frame.data == alone.frame.data);
}

void check_frame(const DecodeResult& r, std::string_view text) {
  if (!r.ok()) {
    FUZZ_CHECK(!r.error.empty());
    return;
  }
  const ServerFrame& f = r.frame;
  auto dom = Json::parse(text);
  FUZZ_CHECK_MSG(dom && dom->is_object(), std::string(text));
  const Json* type = member(*dom, "type");
  FUZZ_CHECK(type && type->is_string());
  static const char* names[] = {"subscribed", "unsubscribed", "update", "response", "error", "event", "resync", "pong",
                                "batch"};
  bool unique = unique_keys(*dom);
  if (unique) FUZZ_CHECK(type->as_string() == names[int(f.type)]);
  if (f.seq) FUZZ_CHECK(*f.seq >= 0 && *f.seq <= (int64_t(1) << 53));
  switch (f.type) {
    case FrameType::Update: {
      FUZZ_CHECK(!f.channel.empty());
      FUZZ_CHECK(!f.id.empty());
      if (f.change != ChangeType::Deleted) FUZZ_CHECK(!f.record.empty());
      check_raw(f.record, text, false);
      if (!f.record.empty()) FUZZ_CHECK(json::kind_of(f.record) == JsonKind::Object);
      // The id survives a trip through its wire form.
      std::string wire;
      append_id_json(wire, f.id);
      RecordId back;
      FUZZ_CHECK_MSG(canonical_id(wire, back) && back == f.id, f.id);
      FUZZ_CHECK(json::valid(wire));
      if (unique) {
        const Json* ch = member(*dom, "channel");
        FUZZ_CHECK(ch && ch->is_string() && ch->as_string() == f.channel);
      }
      break;
    }
    case FrameType::Subscribed:
    case FrameType::Unsubscribed:
    case FrameType::Resync:
      FUZZ_CHECK(!f.channel.empty());
      check_raw(f.data, text, false);
      if (!f.data.empty()) FUZZ_CHECK(json::kind_of(f.data) == JsonKind::Array);
      break;
    case FrameType::Response:
      check_raw(f.data, text, true);
      FUZZ_CHECK(!f.data.empty());
      if (f.has_error) FUZZ_CHECK(member(*dom, "error") != nullptr);
      break;
    case FrameType::Error:
      FUZZ_CHECK(f.has_error);
      break;
    case FrameType::Event:
      FUZZ_CHECK(!f.channel.empty());
      FUZZ_CHECK(!f.event.empty());
      check_raw(f.data, text, true);
      check_raw(f.from, text, true);
      FUZZ_CHECK(!f.data.empty() && !f.from.empty());
      break;
    case FrameType::Pong: break;
    case FrameType::Batch: {
      // The frames are the DOM's; split, each decodes as it would alone.
      check_raw(f.data, text, false);
      FUZZ_CHECK(!f.data.empty() && json::kind_of(f.data) == JsonKind::Array);
      const Json* frames = unique ? member(*dom, "frames") : nullptr;
      if (frames) FUZZ_CHECK(Json::parse(f.data)->dump() == frames->dump());
      std::vector<json::RecordText> items;
      FUZZ_CHECK(json::scan_records(f.data, {}, items));
      for (const auto& one : items) {
        DecodeResult alone = decode_server_frame(one.text);
        check_frame(alone, one.text);
        check_in_place(alone, one.text, std::string_view(one.text.data(), size_t(f.data.data() + f.data.size() - one.text.data())));
      }
      break;
    }
  }
}

// The length of the well-formed UTF-8 sequence at s[i] (decoded and range-checked,
// apart from the scanner's table), or 0.
size_t utf8_length(std::string_view s, size_t i) {
  unsigned c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return 1;
  size_t n = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  uint32_t cp = c & (0x7Fu >> n);
  for (size_t k = 1; k < n; ++k) {
    unsigned b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = cp << 6 | (b & 0x3F);
  }
  static const uint32_t least[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < least[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

// What a string reads back as once written by json::append_string: itself when it is
// UTF-8, else with every byte that starts no well-formed sequence as U+FFFD.
std::string as_written(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    size_t n = utf8_length(s, i);
    if (n) out.append(s.substr(i, n)), i += n;
    else out += "\xEF\xBF\xBD", ++i;
  }
  return out;
}

void check_encoders(std::string_view a_in, std::string_view b_in, std::string_view raw, int64_t n, bool with_since) {
  const std::string a = as_written(a_in), b = as_written(b_in);  // what the encoders' output reads back as
  std::string_view valid_raw = json::valid(raw) ? raw : std::string_view();
  auto parsed = [](const std::string& s) {
    auto j = Json::parse(s);
    FUZZ_CHECK_MSG(j && j->is_object(), s);
    return *j;
  };
  auto str = [](const Json& j, const char* key) {
    const Json* v = j.get(key);
    FUZZ_CHECK(v && v->is_string());
    return v->as_string();
  };
  Json s = parsed(encode_subscribe(a_in, with_since ? std::optional<int64_t>(n) : std::nullopt));
  FUZZ_CHECK(str(s, "type") == "subscribe" && str(s, "channel") == a);
  if (with_since) FUZZ_CHECK(s.get("since") && s.get("since")->as_number() == double(n));
  else FUZZ_CHECK(!s.get("since"));
  Json u = parsed(encode_unsubscribe(b_in));
  FUZZ_CHECK(str(u, "channel") == b);
  Json q = parsed(encode_request(a_in, b_in, "list", valid_raw));
  FUZZ_CHECK(str(q, "requestId") == a && str(q, "model") == b && q.get("params"));
  Json p = parsed(encode_publish(b_in, a_in, valid_raw));
  FUZZ_CHECK(str(p, "channel") == b && str(p, "event") == a && p.get("data"));
  Json g = parsed(encode_ping(n));
  FUZZ_CHECK(g.get("t") && g.get("t")->is_number());
  // Strings and numbers written by the toolkit read back.
  std::string lit;
  json::append_string(lit, a_in);
  std::string back;
  FUZZ_CHECK(json::parse_string(lit.data(), lit.data() + lit.size(), back) == lit.data() + lit.size());
  FUZZ_CHECK(back == a);
  double d = (with_since ? 1 : -1) * double(n) / 7.0;
  std::string num;
  json::append_number(num, d);
  auto rd = json::parse_number(num);
  FUZZ_CHECK_MSG(rd && *rd == d, num);
  FUZZ_CHECK(!http_error_message(int(n % 600), raw).empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);

  check_json_agreement(text);
  DecodeResult full = decode_server_frame(text);
  check_frame(full, text);
  if (full.ok()) FUZZ_CHECK(json::valid(text));
  // Decoded into the result the previous input left (as the engine reuses one): the same.
  static DecodeResult reused;
  decode_server_frame(reused, text);
  FUZZ_CHECK_MSG(reused.status == full.status && reused.error == full.error && reused.frame == full.frame,
                 std::string(text));
  check_in_place(full, text, std::string(text) + " ,]}x");

  // A small limit, just around the input's size: TooLarge exactly when over it.
  size_t limit = size == 0 ? 0 : size - 1 + (data[0] & 1);  // size-1 or size
  DecodeResult small = decode_server_frame(text, limit);
  if (size > limit) {
    FUZZ_CHECK(small.status == DecodeResult::TooLarge && !small.error.empty());
  } else {
    FUZZ_CHECK(small.status == full.status && small.error == full.error);
    check_frame(small, text);
  }
  FUZZ_CHECK(decode_server_frame(text, 16).status == (size > 16 ? DecodeResult::TooLarge : full.status));

  // Encoders: the input cut in three (two strings and a raw value), a number from its first
  // bytes. On one input in four (they cost more than the decoding): picked by the input itself.
  if (size == 0 || (data[size / 2] & 3) != 0) return 0;
  size_t c1 = size / 3, c2 = 2 * size / 3;
  uint64_t u = 0;
  for (size_t i = 0; i < size && i < 8; ++i) u = (u << 8) | data[i];
  int64_t n = int64_t(u % (uint64_t(1) << 53));
  check_encoders(text.substr(0, c1), text.substr(c1, c2 - c1), text.substr(c2), n, size > 0 && (data[size - 1] & 1));
  return 0;
}
