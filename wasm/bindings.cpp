// The runtime's C API, wrapped for JS by the Runtime class in runtime_api.js
// (linked with --post-js). Plain exports rather than embind: embind's glue and
// templates cost more than the whole budget allows (README "Size"). Coarse calls
// only: one long-lived Runtime per client; strings come in as (pointer, byte
// length) and leave through ssot_text(); output leaves as one UTF-8 buffer per
// drain that JS reads through a heap view, never a string per frame.
#include <emscripten.h>

#include <string>
#include <string_view>

#include "platform/runtime.h"

using ssot::Engine;
using ssot::Millis;
using ssot::Runtime;

#define API extern "C" EMSCRIPTEN_KEEPALIVE

namespace {

std::string text;  // the last string answer (ssot_rt_text), read through ssot_text()

std::string_view str(const char* p, int n) { return std::string_view(p, size_t(n)); }

bool ok(Runtime* rt) {
  if (rt->engine()) return true;
  rt->last_error() = rt->error();
  return false;
}

// Every API call runs the platform pump afterwards so commands go out at once.
template <typename F>
unsigned call(Runtime* rt, F&& f) {
  if (!ok(rt)) return 0;
  std::string error;
  unsigned id = unsigned(f(*rt->engine(), rt->now(), error));
  if (!id) rt->last_error() = error;
  rt->pump();
  return id;
}

template <typename F>
void act(Runtime* rt, F&& f) {
  if (!ok(rt)) return;
  f(*rt->engine(), rt->now());
  rt->pump();
}

}  // namespace

API Runtime* ssot_rt_new(const char* config, int n) { return new Runtime(std::string(config, size_t(n))); }
API void ssot_rt_delete(Runtime* rt) { delete rt; }
API int ssot_rt_id(Runtime* rt) { return rt->id(); }

// 0 error, 1 lastError, 2 state, 3 stats: fills `text`, returns its length.
API int ssot_rt_text(Runtime* rt, int what) {
  if (what == 0) text = rt->error();
  else if (what == 1) text = rt->last_error();
  else if (what == 2) text = rt->engine() ? ssot::to_string(rt->engine()->state()) : "failed";
  else text = rt->stats_json();
  return int(text.size());
}
API const char* ssot_text() { return text.data(); }

API void ssot_rt_connect(Runtime* rt) {
  act(rt, [](Engine& e, Millis now) { e.connect(now); });
}
API void ssot_rt_disconnect(Runtime* rt) {
  act(rt, [](Engine& e, Millis now) { e.disconnect(now); });
}
API void ssot_rt_set_token(Runtime* rt, const char* token, int token_n, bool good) {
  act(rt, [&](Engine& e, Millis now) { e.set_token(str(token, token_n), good, now); });
}
API unsigned ssot_rt_watch(Runtime* rt, const char* model, int model_n, const char* query, int query_n) {
  return call(rt, [&](Engine& e, Millis now, std::string& err) {
    return e.watch(str(model, model_n), str(query, query_n), now, err);
  });
}
API unsigned ssot_rt_watch_item(Runtime* rt, const char* model, int model_n, const char* id, int id_n) {
  return call(rt, [&](Engine& e, Millis now, std::string& err) {
    return e.watch_item(str(model, model_n), str(id, id_n), now, err);
  });
}
API void ssot_rt_set_window(Runtime* rt, unsigned view, double start, double count) {
  act(rt, [&](Engine& e, Millis now) {
    std::optional<std::pair<size_t, size_t>> window;
    if (count >= 0 && start >= 0) window = std::make_pair(size_t(start), size_t(count));
    e.set_window(view, window, now);
  });
}
API void ssot_rt_refetch(Runtime* rt, unsigned view) {
  act(rt, [&](Engine& e, Millis now) { e.refetch(view, now); });
}
API void ssot_rt_close_view(Runtime* rt, unsigned view) {
  act(rt, [&](Engine& e, Millis now) { e.close_view(view, now); });
}
API unsigned ssot_rt_list(Runtime* rt, const char* model, int model_n, const char* query, int query_n) {
  return call(rt, [&](Engine& e, Millis now, std::string& err) {
    return e.list(str(model, model_n), str(query, query_n), now, err);
  });
}
API unsigned ssot_rt_get(Runtime* rt, const char* model, int model_n, const char* id, int id_n) {
  return call(rt, [&](Engine& e, Millis now, std::string& err) {
    return e.get(str(model, model_n), str(id, id_n), now, err);
  });
}
// optimistic: show at once until confirmed; fields: what the server would fill in ("" = none).
API unsigned ssot_rt_create(Runtime* rt, const char* model, int model_n, const char* body, int body_n,
                            bool optimistic, const char* fields, int fields_n) {
  return call(rt, [&](Engine& e, Millis now, std::string& err) {
    return e.create(str(model, model_n), str(body, body_n), now, err,
                    optimistic ? std::optional<std::string_view>(str(fields, fields_n)) : std::nullopt);
  });
}
API unsigned ssot_rt_update(Runtime* rt, const char* model, int model_n, const char* id, int id_n,
                            const char* body, int body_n, bool patch, bool optimistic) {
  return call(rt, [&](Engine& e, Millis now, std::string& err) {
    return e.update(str(model, model_n), str(id, id_n), str(body, body_n), patch, now, err, optimistic);
  });
}
API unsigned ssot_rt_remove(Runtime* rt, const char* model, int model_n, const char* id, int id_n,
                            bool optimistic) {
  return call(rt, [&](Engine& e, Millis now, std::string& err) {
    return e.remove(str(model, model_n), str(id, id_n), now, err, optimistic);
  });
}
API bool ssot_rt_join(Runtime* rt, const char* channel, int channel_n) {
  return call(rt, [&](Engine& e, Millis now, std::string& err) { return e.join(str(channel, channel_n), now, err); });
}
API void ssot_rt_leave(Runtime* rt, const char* channel, int channel_n) {
  act(rt, [&](Engine& e, Millis now) { e.leave(str(channel, channel_n), now); });
}
API bool ssot_rt_publish(Runtime* rt, const char* channel, int channel_n, const char* event, int event_n,
                         const char* data, int data_n) {
  return call(rt, [&](Engine& e, Millis now, std::string& err) {
    return e.publish(str(channel, channel_n), str(event, event_n), str(data, data_n), now, err);
  });
}
API bool ssot_rt_listen(Runtime* rt, const char* channel, int channel_n, bool on) {
  return call(rt, [&](Engine& e, Millis now, std::string& err) {
    return e.listen(str(channel, channel_n), on, now, err);
  });
}
API void ssot_rt_flush(Runtime* rt) {
  act(rt, [](Engine& e, Millis now) { e.flush(now); });
}
API double ssot_rt_drain(Runtime* rt) { return double(rt->drain()); }
API double ssot_rt_buffer_ptr(Runtime* rt) { return double(rt->buffer_ptr()); }

// A frame of socket `socket`, from the message handler in platform/web_io.cpp.
API void ssot_socket_frame(int runtime, int socket, const char* data, int size) {
  if (Runtime* rt = Runtime::find(runtime)) rt->socket_message(socket, data, size_t(size > 0 ? size : 0));
}

// Benchmarks and soak tests feed frames through the entry point the socket uses,
// from a buffer they wrote into the heap (as Emscripten's WebSocket library does).
API void ssot_feed_frame(int runtime, const char* data, int size) {
  if (Runtime* rt = Runtime::find(runtime)) rt->feed_frame(data, size_t(size > 0 ? size : 0));
}
