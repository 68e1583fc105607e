// Linked into the glue with --post-js: Module.Runtime, the class js/client.js
// uses, over the plain C exports of wasm/bindings.cpp (same methods, arguments
// and results as the embind class it replaces, at a fraction of the size).
var ssotEncoder = new TextEncoder();
var ssotDecoder = new TextDecoder();

function ssotPtr(rt) {
  if (!rt.ptr) throw new Error('Runtime already deleted');
  return rt.ptr;
}

// Calls export `f` with `head` and then `args` laid out by `sig`: s = a string as
// (pointer, byte length), all of them in one malloc'd block freed after the
// call; b = a bool.
function ssotCall(f, head, sig, args) {
  var size = 0, i, a, n;
  for (i = 0; i < sig.length; i++) {
    if (sig[i] != 's') continue;
    if (typeof args[i] != 'string') throw new TypeError('Cannot pass non-string to std::string');
    size += args[i].length * 3; // UTF-8 bytes per UTF-16 unit, at most
  }
  var block = size ? _malloc(size) : 0, at = block;
  for (i = 0; i < sig.length; i++) {
    a = args[i];
    if (sig[i] == 's') {
      n = ssotEncoder.encodeInto(a, HEAPU8.subarray(at, at + a.length * 3)).written;
      head.push(at, n);
      at += n;
    } else head.push(!!a);
  }
  try {
    return f.apply(null, head);
  } finally {
    if (block) _free(block);
  }
}

function ssotText(rt, what) {
  var n = _ssot_rt_text(ssotPtr(rt), what), p = _ssot_text();
  return ssotDecoder.decode(HEAPU8.subarray(p, p + n));
}

Module['Runtime'] = class Runtime {
  constructor(config) { this.ptr = ssotCall(_ssot_rt_new, [], 's', [config]); }
  delete() {
    _ssot_rt_delete(ssotPtr(this));
    this.ptr = 0;
  }
  id() { return _ssot_rt_id(ssotPtr(this)); }
  error() { return ssotText(this, 0); }
  lastError() { return ssotText(this, 1); }
  state() { return ssotText(this, 2); }
  stats() { return ssotText(this, 3); }
  connect() { _ssot_rt_connect(ssotPtr(this)); }
  disconnect() { _ssot_rt_disconnect(ssotPtr(this)); }
  setToken(token, good) { ssotCall(_ssot_rt_set_token, [ssotPtr(this)], 'sb', arguments); }
  watch(model, query) { return ssotCall(_ssot_rt_watch, [ssotPtr(this)], 'ss', arguments) >>> 0; }
  watchItem(model, id) { return ssotCall(_ssot_rt_watch_item, [ssotPtr(this)], 'ss', arguments) >>> 0; }
  setWindow(view, start, count) { _ssot_rt_set_window(ssotPtr(this), view, start, count); }
  refetch(view) { _ssot_rt_refetch(ssotPtr(this), view); }
  closeView(view) { _ssot_rt_close_view(ssotPtr(this), view); }
  list(model, query) { return ssotCall(_ssot_rt_list, [ssotPtr(this)], 'ss', arguments) >>> 0; }
  get(model, id) { return ssotCall(_ssot_rt_get, [ssotPtr(this)], 'ss', arguments) >>> 0; }
  create(model, body, optimistic, fields) {
    return ssotCall(_ssot_rt_create, [ssotPtr(this)], 'ssbs', arguments) >>> 0;
  }
  update(model, id, body, patch, optimistic) {
    return ssotCall(_ssot_rt_update, [ssotPtr(this)], 'sssbb', arguments) >>> 0;
  }
  remove(model, id, optimistic) { return ssotCall(_ssot_rt_remove, [ssotPtr(this)], 'ssb', arguments) >>> 0; }
  join(channel) { return !!ssotCall(_ssot_rt_join, [ssotPtr(this)], 's', arguments); }
  leave(channel) { ssotCall(_ssot_rt_leave, [ssotPtr(this)], 's', arguments); }
  publish(channel, event, data) { return !!ssotCall(_ssot_rt_publish, [ssotPtr(this)], 'sss', arguments); }
  listen(channel, on) { return !!ssotCall(_ssot_rt_listen, [ssotPtr(this)], 'sb', arguments); }
  flush() { _ssot_rt_flush(ssotPtr(this)); }
  drain() { return _ssot_rt_drain(ssotPtr(this)); }
  bufferPtr() { return _ssot_rt_buffer_ptr(ssotPtr(this)); }
};
