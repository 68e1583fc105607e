#include "runtime.h"

#include <emscripten.h>
#include <emscripten/emmalloc.h>
#include <emscripten/eventloop.h>
#include <emscripten/heap.h>

#include <algorithm>
#include <string>

// Tells the JS shim that runtime `id` has output; it drains in a microtask.
EM_JS(void, ssot_notify, (int id), {
  if (Module["ssotNotify"]) Module["ssotNotify"](id);
});

// Web Crypto (browsers, Node >= 19): the bytes of mutation ids. No fallback to
// Math.random: without it the runtime fails loudly rather than make guessable ids.
EM_JS(void, ssot_random_bytes, (uint8_t* out, size_t size), {
  globalThis.crypto.getRandomValues(HEAPU8.subarray(out, out + size));
});

namespace ssot {

namespace {
// The live runtimes (a page has one or two): scanned per frame, which a vector does
// faster than a hash map's lookup did (4% of a frame's time in the -Oz build).
std::vector<Runtime*>& registry() {
  static std::vector<Runtime*> runtimes;
  return runtimes;
}
int next_id = 1;

void on_timer(void* user) {
  if (Runtime* rt = Runtime::find(int(reinterpret_cast<intptr_t>(user)))) rt->timer_fired();
}
}  // namespace

Runtime::Runtime(const std::string& config_json) : id_(next_id++) {
  engine_ = Engine::create(config_json, [] { return double(emscripten_random()); }, error_,
                           [](uint8_t* out, size_t size) { ssot_random_bytes(out, size); });
  registry().push_back(this);
}

Runtime::~Runtime() {
  auto& all = registry();
  all.erase(std::find(all.begin(), all.end(), this));
  if (timer_) emscripten_clear_timeout(timer_);
  drop_socket(1000, "client closed");
  for (auto& d : deferred_) close_fetch(d.first);
  // Fetches still running complete later; their callback finds no runtime and closes them.
}

Runtime* Runtime::find(int id) {
  for (Runtime* rt : registry())
    if (rt->id_ == id) return rt;
  return nullptr;
}

Millis Runtime::now() const { return Millis(emscripten_get_now()); }

void Runtime::pump() {
  if (!engine_) return;
  for (auto& c : engine_->take_commands()) execute(c);
  // A timer armed for an earlier or a passed deadline stays: it fires early, the
  // engine finds nothing due and this re-arms. Re-arming whenever the deadline moved
  // (every flush, every frame with a heartbeat) cost two calls into JS each time.
  auto deadline = engine_->next_deadline();
  if (deadline && (!timer_ || *deadline < timer_at_)) {
    if (timer_) emscripten_clear_timeout(timer_);
    Millis delay = *deadline - now();
    timer_ = emscripten_set_timeout(on_timer, double(delay > 0 ? delay : 0), reinterpret_cast<void*>(intptr_t(id_)));
    timer_at_ = *deadline;
  }
  if (engine_->has_output() && !notified_) {
    notified_ = true;
    ssot_notify(id_);
  }
}

void Runtime::timer_fired() {
  timer_ = 0;
  timer_at_ = -1;
  engine_->on_timer(now());
  pump();
}

size_t Runtime::drain() {
  buffer_.clear();
  notified_ = false;
  if (engine_) engine_->drain(buffer_);
  else buffer_ = "[]";
  return buffer_.size();
}

void Runtime::execute(Command& c) {
  switch (c.type) {
    case Command::OpenSocket: open_socket(c.url); break;
    case Command::Send:
      if (socket_) emscripten_websocket_send_utf8_text(socket_, c.body.c_str());
      break;
    case Command::CloseSocket: drop_socket(c.code, c.reason.c_str()); break;
    case Command::HttpStart: start_fetch(c); break;
    // Emscripten 3.1.6 cannot abort a fetch (emscripten_fetch_close frees the struct, but
    // the XHR completes and calls back with the freed pointer): it runs to its end, bounded
    // by timeoutMSecs, and its answer goes to the engine, which waits for it no longer
    // unless it was a write (the record's next write goes once it has ended).
    case Command::HttpCancel: break;
  }
}

std::string Runtime::stats_json() const {
  Stats s = engine_ ? engine_->stats() : Stats{};
  // The heap in use: what emmalloc holds minus its free blocks (the runtime links
  // emmalloc, runtime.cmake). mallinfo() gives the same figure by walking every block of
  // the heap, about 1.6 ms a call at a 10k-record list in Chromium; a page reading
  // stats() per commit spent more there than in the engine.
  size_t in_use = emmalloc_dynamic_heap_size() - emmalloc_free_dynamic_memory();
  std::string out = "{";
  auto field = [&out](const char* name, uint64_t v) {
    if (out.size() > 1) out += ',';
    out += '"';
    out += name;
    out += "\":";
    json::append_integer(out, int64_t(v));
  };
  field("framesIn", s.frames_in);
  field("updatesApplied", s.updates_applied);
  field("flushes", s.flushes);
  field("coalesced", s.coalesced);
  field("reconnects", s.reconnects);
  field("resyncs", s.resyncs);
  field("malformed", s.malformed);
  field("unknownFrames", s.unknown_frames);
  field("gaps", s.gaps);
  field("duplicates", s.duplicates);
  field("echoes", s.echoes);
  field("httpRequests", s.http_requests);
  field("wsRequests", s.ws_requests);
  field("timeouts", s.timeouts);
  field("records", s.records);
  field("views", s.views);
  field("channels", s.channels);
  field("heapBytes", uint64_t(in_use));
  field("memoryBytes", uint64_t(emscripten_get_heap_size()));
  return out + "}";
}

}  // namespace ssot
