// The socket and HTTP halves of the platform edge (Emscripten WebSocket and Fetch).
#include <emscripten.h>

#include <cstring>

#include "runtime.h"

namespace ssot {

// emscripten_fetch_close calls onerror for a fetch still in flight (3.1.6): one that
// failed before it got going would call us back from our own close, forever.
void close_fetch(emscripten_fetch_t* fetch) {
  fetch->__attributes.onsuccess = nullptr;
  fetch->__attributes.onerror = nullptr;
  fetch->__attributes.onprogress = nullptr;
  fetch->__attributes.onreadystatechange = nullptr;
  emscripten_fetch_close(fetch);
}

namespace {
void* user_of(int id) { return reinterpret_cast<void*>(intptr_t(id)); }
int id_of(void* user) { return int(reinterpret_cast<intptr_t>(user)); }

EM_BOOL on_open(int, const EmscriptenWebSocketOpenEvent* e, void* user) {
  if (Runtime* rt = Runtime::find(id_of(user))) rt->socket_opened(e->socket);
  return EM_TRUE;
}

EM_BOOL on_close(int, const EmscriptenWebSocketCloseEvent* e, void* user) {
  if (Runtime* rt = Runtime::find(id_of(user))) rt->socket_closed(e->socket, e->code);
  return EM_TRUE;
}

EM_BOOL on_error(int, const EmscriptenWebSocketErrorEvent*, void*) {
  return EM_TRUE;  // a close event always follows; that is where the engine hears of it
}

// Frames reach the heap through TextEncoder.encodeInto, into one buffer kept for
// every frame up to 64 KB (a larger one gets its own), then one call into wasm
// (bindings.cpp, ssot_socket_frame). Emscripten's own handler measured and encoded
// each frame in two JS loops and malloc'd and freed a buffer per frame. The view of
// the buffer is kept too, and taken again when the memory grew (HEAPU8 is new then).
EM_JS(void, ssot_take_messages, (int socket, int runtime), {
  var ws = WS.sockets[socket];
  if (!WS.ssotFrames) WS.ssotFrames = { enc: new TextEncoder(), cap: 65536, ptr: _malloc(65536) };
  var f = WS.ssotFrames;
  ws.onmessage = function(e) {
    var d = e.data;
    var text = typeof d == 'string' ? 1 : 0;
    if (text && d.length * 3 <= f.cap) {
      if (f.heap !== HEAPU8) f.view = (f.heap = HEAPU8).subarray(f.ptr, f.ptr + f.cap);
      var n = f.enc.encodeInto(d, f.view).written;
      _ssot_socket_frame(runtime, socket, f.ptr, n);
      return;
    }
    var bytes = text ? f.enc.encode(d) : new Uint8Array(d);
    var p = _malloc(bytes.length || 1);
    HEAPU8.set(bytes, p);
    _ssot_socket_frame(runtime, socket, p, bytes.length);
    _free(p);
  };
});

// Fetches carry their runtime's id; the runtime matches the handle to its request.
void on_fetch_success(emscripten_fetch_t* fetch) {
  Runtime* rt = Runtime::find(id_of(fetch->userData));
  if (rt) rt->fetch_done(fetch, false);
  else close_fetch(fetch);
}

void on_fetch_error(emscripten_fetch_t* fetch) {
  Runtime* rt = Runtime::find(id_of(fetch->userData));
  if (rt) rt->fetch_done(fetch, true);
  else close_fetch(fetch);
}

void on_deferred(void* user) {
  if (Runtime* rt = Runtime::find(id_of(user))) rt->deliver_deferred();
}
}  // namespace

void Runtime::open_socket(const std::string& url) {
  drop_socket(1000, "reconnecting");
  EmscriptenWebSocketCreateAttributes attr;
  emscripten_websocket_init_create_attributes(&attr);
  attr.url = url.c_str();
  attr.protocols = nullptr;
  attr.createOnMainThread = EM_TRUE;
  EMSCRIPTEN_WEBSOCKET_T s = emscripten_websocket_new(&attr);
  if (s <= 0) {  // e.g. a malformed URL: report it as a failed connection
    engine_->on_close(1006, now());
    return;
  }
  socket_ = s;
  emscripten_websocket_set_onopen_callback(s, user_of(id_), on_open);
  ssot_take_messages(s, id_);
  emscripten_websocket_set_onclose_callback(s, user_of(id_), on_close);
  emscripten_websocket_set_onerror_callback(s, user_of(id_), on_error);
}

void Runtime::drop_socket(int code, const char* reason) {
  if (!socket_) return;
  EMSCRIPTEN_WEBSOCKET_T s = socket_;
  socket_ = 0;
  unsigned short ready = 0;
  emscripten_websocket_get_ready_state(s, &ready);
  if (ready <= 1) emscripten_websocket_close(s, (code == 1000 || (code >= 3000 && code <= 4999)) ? code : 1000, reason);
  emscripten_websocket_delete(s);  // clears its handlers: no callback reaches us after this
}

void Runtime::socket_opened(EMSCRIPTEN_WEBSOCKET_T s) {
  if (s != socket_) return;
  engine_->on_open(now());
  pump();
}

void Runtime::socket_message(EMSCRIPTEN_WEBSOCKET_T s, const char* data, size_t size) {
  if (s != socket_) return;
  engine_->on_message(std::string_view(data, size), now());
  pump();
}

void Runtime::feed_frame(const char* data, size_t size) {
  engine_->on_message(std::string_view(data, size), now());
  pump();
}

void Runtime::socket_closed(EMSCRIPTEN_WEBSOCKET_T s, int code) {
  if (s != socket_) return;
  emscripten_websocket_delete(s);
  socket_ = 0;
  engine_->on_close(code, now());
  pump();
}

Runtime::Fetch* Runtime::find_fetch(RequestId id) {
  for (auto& f : fetches_)
    if (f->id == id) return f.get();
  return nullptr;
}

void Runtime::forget_fetch(RequestId id) {
  for (auto& f : fetches_)
    if (f->id == id) {
      f.swap(fetches_.back());  // the order does not matter
      fetches_.pop_back();
      return;
    }
}

void Runtime::start_fetch(Command& c) {
  fetches_.emplace_back(new Fetch());
  Fetch& f = *fetches_.back();
  f.id = c.http_id;
  for (const auto& h : c.headers) {
    f.header_text.push_back(h.first);
    f.header_text.push_back(h.second);
  }
  for (const auto& t : f.header_text) f.headers.push_back(t.c_str());
  f.headers.push_back(nullptr);
  f.body = std::move(c.body);
  emscripten_fetch_attr_t attr;
  emscripten_fetch_attr_init(&attr);
  std::strncpy(attr.requestMethod, c.method.c_str(), sizeof(attr.requestMethod) - 1);
  attr.attributes = EMSCRIPTEN_FETCH_LOAD_TO_MEMORY;
  attr.requestHeaders = f.headers.data();
  if (!f.body.empty()) {
    attr.requestData = f.body.data();
    attr.requestDataSize = f.body.size();
  }
  attr.userData = user_of(id_);
  attr.timeoutMSecs = unsigned(engine_->config().request_timeout_ms + kCancelledCallEndsWithinMs);  // ends cancelled ones too
  attr.onsuccess = on_fetch_success;
  attr.onerror = on_fetch_error;  // every non-2xx lands here too, body included (TOOLCHAIN.md 10)
  starting_ = c.http_id;  // a fetch that fails at once calls back before it returns
  emscripten_fetch_t* handle = emscripten_fetch(&attr, c.url.c_str());
  starting_ = 0;
  if (Fetch* started = find_fetch(c.http_id)) started->handle = handle;
}

void Runtime::deliver_deferred() {
  std::vector<std::pair<emscripten_fetch_t*, bool>> ready;
  ready.swap(deferred_);
  for (auto& d : ready) fetch_done(d.first, d.second);
}

void Runtime::fetch_done(emscripten_fetch_t* fetch, bool failed) {
  if (starting_) {  // inside emscripten_fetch: its handle is set once it returns
    if (Fetch* f = find_fetch(starting_)) f->handle = fetch;
    if (deferred_.empty()) emscripten_set_timeout(on_deferred, 0, user_of(id_));
    deferred_.emplace_back(fetch, failed);
    return;
  }
  RequestId id = 0;
  for (const auto& f : fetches_)
    if (f->handle == fetch) id = f->id;
  if (!id) {
    close_fetch(fetch);
    return;
  }
  std::string_view body(fetch->data ? fetch->data : "", size_t(fetch->numBytes));
  int status = fetch->status;
  // A 2xx that ended in error was cut off mid-body: never hand it on as a success.
  if (failed && status >= 200 && status < 300) {
    status = 0;
    body = {};
  }
  engine_->on_http_response(id, status, body, now());
  close_fetch(fetch);
  forget_fetch(id);
  pump();
}

}  // namespace ssot
