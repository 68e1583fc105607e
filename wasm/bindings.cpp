// The only embind file. Coarse calls only: one long-lived Runtime per client,
// strings in for API calls, and output leaves as one UTF-8 buffer per drain that
// JS reads through a heap view (drain() + bufferPtr()), never a string per frame.
#include <emscripten.h>
#include <emscripten/bind.h>

#include <string>

#include "platform/runtime.h"

using ssot::Runtime;

namespace {

// Every API call runs the platform pump afterwards so commands go out at once.
struct Api {
  static bool ok(Runtime& rt) {
    if (rt.engine()) return true;
    rt.last_error() = rt.error();
    return false;
  }
  template <typename F>
  static unsigned call(Runtime& rt, F&& f) {
    if (!ok(rt)) return 0;
    std::string error;
    unsigned id = unsigned(f(*rt.engine(), rt.now(), error));
    if (!id) rt.last_error() = error;
    rt.pump();
    return id;
  }

  static std::string error(Runtime& rt) { return rt.error(); }
  static std::string lastError(Runtime& rt) { return rt.last_error(); }
  static int id(Runtime& rt) { return rt.id(); }

  static void connect(Runtime& rt) {
    if (!ok(rt)) return;
    rt.engine()->connect(rt.now());
    rt.pump();
  }
  static void disconnect(Runtime& rt) {
    if (!ok(rt)) return;
    rt.engine()->disconnect(rt.now());
    rt.pump();
  }
  static void setToken(Runtime& rt, std::string token, bool good) {
    if (!ok(rt)) return;
    rt.engine()->set_token(token, good, rt.now());
    rt.pump();
  }
  static unsigned watch(Runtime& rt, std::string model, std::string query) {
    return call(rt, [&](ssot::Engine& e, ssot::Millis now, std::string& err) { return e.watch(model, query, now, err); });
  }
  static unsigned watchItem(Runtime& rt, std::string model, std::string id) {
    return call(rt, [&](ssot::Engine& e, ssot::Millis now, std::string& err) { return e.watch_item(model, id, now, err); });
  }
  static void setWindow(Runtime& rt, unsigned view, double start, double count) {
    if (!ok(rt)) return;
    std::optional<std::pair<size_t, size_t>> window;
    if (count >= 0 && start >= 0) window = std::make_pair(size_t(start), size_t(count));
    rt.engine()->set_window(view, window, rt.now());
    rt.pump();
  }
  static void refetch(Runtime& rt, unsigned view) {
    if (!ok(rt)) return;
    rt.engine()->refetch(view, rt.now());
    rt.pump();
  }
  static void closeView(Runtime& rt, unsigned view) {
    if (!ok(rt)) return;
    rt.engine()->close_view(view, rt.now());
    rt.pump();
  }
  static unsigned list(Runtime& rt, std::string model, std::string query) {
    return call(rt, [&](ssot::Engine& e, ssot::Millis now, std::string& err) { return e.list(model, query, now, err); });
  }
  static unsigned get(Runtime& rt, std::string model, std::string id) {
    return call(rt, [&](ssot::Engine& e, ssot::Millis now, std::string& err) { return e.get(model, id, now, err); });
  }
  // optimistic: show at once until confirmed; fields: what the server would fill in ("" = none).
  static unsigned create(Runtime& rt, std::string model, std::string body, bool optimistic, std::string fields) {
    return call(rt, [&](ssot::Engine& e, ssot::Millis now, std::string& err) {
      return e.create(model, body, now, err, optimistic ? std::optional<std::string_view>(fields) : std::nullopt);
    });
  }
  static unsigned update(Runtime& rt, std::string model, std::string id, std::string body, bool patch,
                         bool optimistic) {
    return call(rt, [&](ssot::Engine& e, ssot::Millis now, std::string& err) {
      return e.update(model, id, body, patch, now, err, optimistic);
    });
  }
  static unsigned remove(Runtime& rt, std::string model, std::string id, bool optimistic) {
    return call(rt, [&](ssot::Engine& e, ssot::Millis now, std::string& err) {
      return e.remove(model, id, now, err, optimistic);
    });
  }
  static bool join(Runtime& rt, std::string channel) {
    return call(rt, [&](ssot::Engine& e, ssot::Millis now, std::string& err) { return e.join(channel, now, err); });
  }
  static void leave(Runtime& rt, std::string channel) {
    if (!ok(rt)) return;
    rt.engine()->leave(channel, rt.now());
    rt.pump();
  }
  static bool publish(Runtime& rt, std::string channel, std::string event, std::string data) {
    return call(rt, [&](ssot::Engine& e, ssot::Millis now, std::string& err) {
      return e.publish(channel, event, data, now, err);
    });
  }
  static bool listen(Runtime& rt, std::string channel, bool on) {
    return call(rt, [&](ssot::Engine& e, ssot::Millis now, std::string& err) { return e.listen(channel, on, now, err); });
  }
  static void flush(Runtime& rt) {
    if (!ok(rt)) return;
    rt.engine()->flush(rt.now());
    rt.pump();
  }
  static std::string state(Runtime& rt) { return rt.engine() ? ssot::to_string(rt.engine()->state()) : "failed"; }
  static std::string stats(Runtime& rt) { return rt.stats_json(); }
  static double drain(Runtime& rt) { return double(rt.drain()); }
  static double bufferPtr(Runtime& rt) { return double(rt.buffer_ptr()); }
};

}  // namespace

// Benchmarks and soak tests feed frames through the entry point the socket uses,
// from a buffer they wrote into the heap (as Emscripten's WebSocket library does).
extern "C" EMSCRIPTEN_KEEPALIVE void ssot_feed_frame(int runtime, const char* data, int size) {
  if (Runtime* rt = Runtime::find(runtime)) rt->feed_frame(data, size_t(size > 0 ? size : 0));
}

EMSCRIPTEN_BINDINGS(ssot_runtime) {
  emscripten::class_<Runtime>("Runtime")
      .constructor<std::string>()
      .function("error", &Api::error)
      .function("lastError", &Api::lastError)
      .function("id", &Api::id)
      .function("connect", &Api::connect)
      .function("disconnect", &Api::disconnect)
      .function("setToken", &Api::setToken)
      .function("watch", &Api::watch)
      .function("watchItem", &Api::watchItem)
      .function("setWindow", &Api::setWindow)
      .function("refetch", &Api::refetch)
      .function("closeView", &Api::closeView)
      .function("list", &Api::list)
      .function("get", &Api::get)
      .function("create", &Api::create)
      .function("update", &Api::update)
      .function("remove", &Api::remove)
      .function("join", &Api::join)
      .function("leave", &Api::leave)
      .function("publish", &Api::publish)
      .function("listen", &Api::listen)
      .function("flush", &Api::flush)
      .function("state", &Api::state)
      .function("stats", &Api::stats)
      .function("drain", &Api::drain)
      .function("bufferPtr", &Api::bufferPtr);
}
