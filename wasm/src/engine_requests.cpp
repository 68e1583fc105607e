// Engine: one-shot reads, mutations over HTTP, socket requests, custom channels.
#include "ssot/engine.h"

namespace ssot {

std::string Engine::model_url(const ModelConfig& m) const { return config_.base_url + "/" + m.path; }

// A read: sent at once.
RequestId Engine::start_http(const std::string& url, Call call, Millis now) {
  RequestId id = requests_.add(now, 0, std::move(call));
  Command c;
  http_command(c, id, "GET", url, {});
  send_http(c, {}, now);
  return id;
}

void Engine::http_command(Command& c, RequestId id, const std::string& method, const std::string& url,
                          std::string body) const {
  c.type = Command::HttpStart;
  c.http_id = id;
  c.method = method;
  c.url = url;
  c.body = std::move(body);
}

// Headers are made when it goes (a token renewed while a write waited is the one it goes
// with), and its timeout counts from then.
void Engine::send_http(Command& c, const std::string& mutation_id, Millis now) {
  c.headers.emplace_back("Accept", "application/json");
  if (!c.body.empty()) c.headers.emplace_back("Content-Type", "application/json");
  if (!config_.token.empty()) c.headers.emplace_back("Authorization", "Bearer " + config_.token);
  if (!mutation_id.empty()) c.headers.emplace_back("X-Client-Mutation-Id", mutation_id);
  requests_.start_clock(c.http_id, now, config_.request_timeout_ms);
  commands_.push_back(std::move(c));
  ++stats_.http_requests;
}

void Engine::on_http_response(RequestId id, int status, std::string_view body, Millis now) {
  auto done = requests_.complete(id);
  if (!done) return;  // timed out or cancelled already
  finish_call(id, done->call, status, body, now);
  maybe_flush(now);
}

void Engine::finish_call(RequestId id, const Call& call, int status, std::string_view body, Millis now) {
  // Its fetch has ended: the record's next write goes. Its caller was answered at the
  // timeout; a 2xx answer is the server's copy all the same, taken as any answer.
  if (call.kind == CallKind::TimedOutWrite) return finish_mutation(call, status, body, now);
  if (call.kind == CallKind::Hydrate) {
    View* v = find_view(call.view);
    if (v && v->hydrating == id) finish_hydration(call.view, *v, status, body, now);
    return;
  }
  if (!call.mutation_id.empty()) finish_mutation(call, status, body, now);
  switch (call.kind) {
    case CallKind::Get:
      if (status == 404) return outbox_.result_ok(id, status, "null");
      break;
    case CallKind::Delete:
      if (status == 404) return outbox_.result_ok(id, status, "false");
      if (is_2xx(status)) return outbox_.result_ok(id, status, "true");
      break;
    default: break;
  }
  if (!is_2xx(status)) return outbox_.result_error(id, status, http_error_message(status, body));
  if (!body.empty() && !json::valid(body))
    return outbox_.result_error(id, status, "invalid JSON in the response body");
  outbox_.result_ok(id, status, body);
}

std::optional<RequestId> Engine::serve_list_from_cache(const std::string& model, const Query& q, Millis now) {
  for (auto& entry : views_) {
    View& v = entry.second;
    if (!v.list || v.model != model || v.hydrating || v.list->status() != ViewStatus::Ready) continue;
    if (v.list->query().canonical() != q.canonical() || v.channel.empty()) continue;
    ChannelState* c = registry_.find(v.channel);
    if (!c || !c->confirmed || !socket_open_) continue;
    flush(now);  // rows read below must include what is still pending
    std::string data = "{\"items\":";
    v.list->append_rows(store_named(model), data, 0, v.list->visible_count());
    data += ",\"total\":" + json::integer_text(v.list->total()) + "}";
    RequestId id = requests_.answered();
    outbox_.result_ok(id, 200, data);
    return id;
  }
  return std::nullopt;
}

RequestId Engine::list(std::string_view model, std::string_view query_json, Millis now, std::string& error) {
  auto q = Query::parse(query_json, error);
  if (!q) return 0;
  ModelConfig m = config_.model(model);
  if (auto cached = serve_list_from_cache(m.name, *q, now)) return *cached;
  if (socket_open_ && m.realtime) {
    RequestId id = requests_.add(now, config_.request_timeout_ms, Call{CallKind::WsList, m.name, {}, 0, {}});
    send(encode_request(json::integer_text(id), m.name, "list", q->canonical()));
    ++stats_.ws_requests;
    return id;
  }
  return start_http(model_url(m) + q->query_string(), Call{CallKind::List, m.name, {}, 0, {}}, now);
}

// A record the cache may answer for: not deleted, shown by a view that is not
// refetching, and kept live by a confirmed channel (the model's list or its own).
const StoredRecord* Engine::live_record(const ModelConfig& m, const RecordId& id) {
  if (!socket_open_) return nullptr;
  const RecordStore* store = find_store(m.name);  // made by a view, with its versionField
  const StoredRecord* rec = store ? store->find(id) : nullptr;
  if (!rec || rec->deleted) return nullptr;
  auto live = [this](const std::string& channel) {
    const ChannelState* c = channel.empty() ? nullptr : registry_.find(channel);
    return c && c->confirmed && c->error.empty();
  };
  if (!live(channel_for_list(m)) && !(m.subscribe_item && live(channel_for_item(m, id)))) return nullptr;
  for (const auto& entry : views_) {
    const View& v = entry.second;
    if (v.model != m.name || v.hydrating) continue;
    if (v.list ? v.list->holds(id) : v.item_present && v.item_id == id) return rec;
  }
  return nullptr;
}

RequestId Engine::get(std::string_view model, std::string_view id_json, Millis now, std::string& error) {
  RecordId rid;
  if (!canonical_id(id_json, rid)) {
    error = "id must be a non-empty string or an integer";
    return 0;
  }
  ModelConfig m = config_.model(model);
  if (const StoredRecord* rec = live_record(m, rid)) {
    RequestId id = requests_.answered();
    outbox_.result_ok(id, 200, rec->json);
    return id;
  }
  std::string url = model_url(m) + "/";
  append_uri_component(url, rid);
  if (socket_open_ && m.realtime) {
    RequestId id = requests_.add(now, config_.request_timeout_ms, Call{CallKind::WsGet, m.name, rid, 0, {}});
    std::string params = "{\"id\":";
    append_id_json(params, rid);
    params += '}';
    send(encode_request(json::integer_text(id), m.name, "get", params));
    ++stats_.ws_requests;
    return id;
  }
  return start_http(url, Call{CallKind::Get, m.name, rid, 0, {}}, now);
}

void Engine::handle_response_frame(const ServerFrame& f, Millis now) {
  // Only socket requests are answered over the socket; HTTP calls share the id space.
  auto id = RequestTable::parse_wire_id(f.request_id);
  const RequestTable::Entry* e = id ? requests_.find(*id) : nullptr;
  if (!e || !e->call.over_socket()) return;  // timed out already, or not ours to answer
  requests_.complete(*id);
  if (f.has_error) return outbox_.result_error(*id, 0, f.error);
  outbox_.result_ok(*id, 200, f.data);
}

void Engine::fail_ws_requests(const char* why) {
  // Only socket requests die with the socket; HTTP calls carry on.
  for (const auto& e : requests_.complete_socket_requests()) outbox_.result_error(e.id, 0, why);
}

void Engine::expire_requests(Millis now) {
  for (const auto& e : requests_.expire(now)) {
    const Call& call = e.call;
    if (call.kind == CallKind::TimedOutWrite) {  // its fetch has ended by now
      finish_call(e.id, call, 0, {}, now);
      continue;
    }
    ++stats_.timeouts;
    if (!call.over_socket()) {
      Command cancel;
      cancel.type = Command::HttpCancel;
      cancel.http_id = e.id;
      commands_.push_back(std::move(cancel));
    }
    if (!call.mutation_id.empty()) time_out_mutation(call, e.id, now);  // no answer: rolled back
    if (call.kind == CallKind::Hydrate) {
      View* v = find_view(call.view);
      if (v) finish_hydration(call.view, *v, 0, "{\"error\":\"request timed out\"}", now);
      continue;
    }
    outbox_.result_error(e.id, 0, "request timed out");
  }
}

bool Engine::join(std::string_view channel, Millis now, std::string& error) {
  if (!config_.ws_enabled) {
    error = "websockets are not enabled";
    return false;
  }
  if (channel.empty() || !config_.channel_for(channel)) {
    error = "unknown channel '" + std::string(channel) + "': not in websockets.pubsub.channels";
    return false;
  }
  subscribe(std::string(channel));
  return true;
}

void Engine::leave(std::string_view channel, Millis now) { unsubscribe(std::string(channel), now); }

bool Engine::publish(std::string_view channel, std::string_view event, std::string_view data, Millis now,
                     std::string& error) {
  const ChannelConfig* cc = config_.channel_for(channel);
  if (!cc) {
    error = "unknown channel '" + std::string(channel) + "'";
    return false;
  }
  bool allowed = cc->events.empty();
  for (const auto& e : cc->events) allowed = allowed || e == event;
  if (!allowed) {
    error = "event '" + std::string(event) + "' is not configured for " + cc->pattern;
    return false;
  }
  if (!data.empty() && !json::valid(data)) {
    error = "publish: data must be valid JSON";
    return false;
  }
  if (!socket_open_) {
    error = "not connected";
    return false;
  }
  send(encode_publish(channel, event, data));
  return true;
}

bool Engine::listen(std::string_view channel, bool on, Millis now, std::string& error) {
  if (!config_.ws_enabled) {
    error = "websockets are not enabled";
    return false;
  }
  std::string ch(channel);
  bool is_list = false;
  if (channel_model(channel, is_list).empty() && !config_.channel_for(channel)) {
    error = "unknown channel '" + ch + "'";
    return false;
  }
  if (on) {
    if (listened_.insert(ch)) subscribe(ch);
  } else if (listened_.erase(ch)) {
    unsubscribe(ch, now);
  }
  return true;
}

}  // namespace ssot
