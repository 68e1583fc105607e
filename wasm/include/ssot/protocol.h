#pragma once
// The wire protocol (PROTOCOL.md, version 1): server frames decoded into typed
// messages, client frames encoded. Decoding never throws and never aborts: bad
// input yields an error with a reason. Views returned in a frame point into the
// decoded text, which must outlive the frame.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include "ssot/json.h"
#include "ssot/record_version.h"
#include "ssot/value.h"

namespace ssot {

enum class FrameType { Subscribed, Unsubscribed, Update, Response, Error, Event, Resync, Pong, Batch };
enum class ChangeType { Created, Updated, Deleted };
const char* to_string(ChangeType change);

struct ServerFrame {
  FrameType type = FrameType::Error;
  std::string channel;                 // subscribed, unsubscribed, update, error?, event, resync
  std::optional<int64_t> seq;          // subscribed, update (ext)
  std::string epoch;                   // subscribed (ext): changes when the server's seqs start over
  // update
  ChangeType change = ChangeType::Created;
  std::string_view record;             // raw record JSON (created/updated; may be set on deleted)
  json::MemberList record_members;     // its members, read while it was validated (when it describes it)
  RecordId id;                         // `id` if present, else `data.id`
  std::string mutation_id;             // (ext)
  std::optional<Version> version;      // data.version (ext): a delete's version
  double timestamp = 0;
  // response / error
  std::string request_id;
  std::string_view data;               // response data, event data, subscribed members, batch frames (raw JSON)
  std::string error;                   // response error or error frame text
  bool has_error = false;
  std::string code;                    // error code (ext), as text
  // event
  std::string event;
  std::string_view from;               // raw JSON
  double t = 0;                        // pong

  void clear();  // as new, but the strings keep their storage for the next frame
};
bool operator==(const ServerFrame& a, const ServerFrame& b);  // every field but record_members (tests)

struct DecodeResult {
  enum Status { Ok, Malformed, UnknownType, TooLarge } status = Ok;
  ServerFrame frame;
  std::string error;  // the reason when status != Ok
  bool ok() const { return status == Ok; }
};

constexpr size_t kDefaultMaxFrameBytes = 1 << 20;

// With `stop`, the frame is the JSON object at the start of `text`, which may go on
// after it (a batch's frames): *stop is set past the object, or to nullptr when the
// text there is not one.
DecodeResult decode_server_frame(std::string_view text, size_t max_bytes = kDefaultMaxFrameBytes,
                                 const char** stop = nullptr);
// The same into `out`, which a reader of many frames keeps: a fresh result per frame
// built and freed a dozen strings, and a channel name longer than the short-string
// buffer (10 bytes in wasm32) was a malloc and a free per frame.
void decode_server_frame(DecodeResult& out, std::string_view text, size_t max_bytes = kDefaultMaxFrameBytes,
                         const char** stop = nullptr);

// The model a channel names: `Message:list` and `Message:item:7` -> Message (and
// is_list); "" for a custom channel or a malformed model channel (`Message:item:`).
std::string_view channel_model(std::string_view channel, bool& is_list);

// An `epoch` member (ext): a string, or a number kept as its text; absent or null = "".
// False for any other kind.
bool read_epoch(std::string_view raw, std::string& out);

inline bool is_2xx(int status) { return status >= 200 && status < 300; }

// The message of a failed HTTP call: the server's `{error}` when it sent one,
// else "network error (no response)" for status 0 or "HTTP <status>".
std::string http_error_message(int status, std::string_view body);

// Client frames. `raw_json` arguments must already be valid JSON text.
std::string encode_subscribe(std::string_view channel, std::optional<int64_t> since = std::nullopt);
std::string encode_unsubscribe(std::string_view channel);
std::string encode_request(std::string_view request_id, std::string_view model, std::string_view action,
                           std::string_view params_raw_json);
std::string encode_publish(std::string_view channel, std::string_view event, std::string_view data_raw_json);
std::string encode_ping(int64_t t);

}  // namespace ssot
