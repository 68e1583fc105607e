#pragma once
// One client instance in the browser or Node: the sans-I/O Engine plus the
// Emscripten WebSocket, Fetch and timer that carry out its commands. Every
// callback finds its Runtime through a registry by id, so a callback that fires
// after the Runtime is gone finds nothing and touches no freed memory.
#include <emscripten/fetch.h>
#include <emscripten/websocket.h>

#include <memory>
#include <string>
#include <vector>

#include "ssot/engine.h"

namespace ssot {

// Closes a fetch without its callbacks (closing one in flight would call onerror).
void close_fetch(emscripten_fetch_t* fetch);

class Runtime {
 public:
  explicit Runtime(const std::string& config_json);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  static Runtime* find(int id);
  int id() const { return id_; }
  const std::string& error() const { return error_; }
  // Why the last API call of this runtime was refused (one per runtime, not per process).
  std::string& last_error() { return last_error_; }
  Engine* engine() { return engine_.get(); }
  Millis now() const;

  // Runs after every event and API call: carries out commands, re-arms the one
  // timer, and tells JS (once until it drains) that output is waiting.
  void pump();
  size_t drain();  // fills the buffer JS reads through a heap view
  uintptr_t buffer_ptr() const { return reinterpret_cast<uintptr_t>(buffer_.data()); }
  std::string stats_json() const;

  // Event entry points for the platform callbacks.
  void socket_opened(EMSCRIPTEN_WEBSOCKET_T socket);
  void socket_message(EMSCRIPTEN_WEBSOCKET_T socket, const char* data, size_t size);
  void socket_closed(EMSCRIPTEN_WEBSOCKET_T socket, int code);
  void feed_frame(const char* data, size_t size);  // as if the open socket received it
  void fetch_done(emscripten_fetch_t* fetch, bool failed);  // failed: the onerror path
  void timer_fired();
  void deliver_deferred();

 private:
  struct Fetch {
    RequestId id = 0;
    emscripten_fetch_t* handle = nullptr;
    // Read by emscripten_fetch before it returns (Fetch.js sends the request at once
    // when there is no IndexedDB cache); kept to the end all the same.
    std::vector<std::string> header_text;
    std::vector<const char*> headers;
    std::string body;
  };
  void execute(Command& c);
  void open_socket(const std::string& url);
  void drop_socket(int code, const char* reason);
  void start_fetch(Command& c);
  Fetch* find_fetch(RequestId id);
  void forget_fetch(RequestId id);

  int id_;
  std::string error_;
  std::string last_error_;
  std::unique_ptr<Engine> engine_;
  EMSCRIPTEN_WEBSOCKET_T socket_ = 0;
  // A few at a time: searched in order (a std::map: 56 B more of wasm gzip; a hash map 1.5 KB).
  std::vector<std::unique_ptr<Fetch>> fetches_;
  long timer_ = 0;
  Millis timer_at_ = -1;
  bool notified_ = false;
  RequestId starting_ = 0;  // the fetch being started right now
  // Fetches that ended inside emscripten_fetch (failed at once): handed to the engine
  // from a fresh task, never from within the command that started them (a retry that
  // fails at once again would recurse until the stack overflows).
  std::vector<std::pair<emscripten_fetch_t*, bool>> deferred_;
  std::string buffer_;
};

}  // namespace ssot
