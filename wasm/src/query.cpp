#include "ssot/query.h"

#include <cmath>

namespace ssot {

namespace {

bool parse_op(std::string_view name, Op& op) {
  static const std::pair<std::string_view, Op> ops[] = {{"eq", Op::Eq}, {"ne", Op::Ne},   {"gt", Op::Gt},
                                                        {"gte", Op::Gte}, {"lt", Op::Lt}, {"lte", Op::Lte},
                                                        {"in", Op::In}, {"contains", Op::Contains}};
  for (const auto& o : ops)
    if (o.first == name) {
      op = o.second;
      return true;
    }
  return false;
}

Value to_value(const Json& j) { return Value::from_raw(j.dump()); }

bool non_negative_int(const Json* j, int64_t& out) {
  if (!j || !j->is_number()) return false;
  double n = j->as_number();
  if (n < 0 || std::floor(n) != n || n > 9007199254740992.0) return false;
  out = static_cast<int64_t>(n);
  return true;
}

bool array_contains(const std::string& raw_array, const Value& needle) {
  std::vector<json::RecordText> items;
  json::scan_records(raw_array, {}, items);
  for (const auto& item : items)
    if (equal(Value::from_raw(item.text), needle)) return true;
  return false;
}

}  // namespace

size_t Query::field_index(const std::string& name) {
  for (size_t i = 0; i < fields_.size(); ++i)
    if (fields_[i] == name) return i;
  fields_.push_back(name);
  return fields_.size() - 1;
}

// orderBy first: its fields take the first indices, so a sort key is a prefix.
bool Query::parse_order(const Json& ob, std::string& error) {
  std::vector<const Json*> parts;
  if (ob.is_object()) parts.push_back(&ob);
  else if (ob.is_array())
    for (const auto& item : ob.items()) parts.push_back(&item);
  else {
    error = "orderBy must be an object or an array of objects";
    return false;
  }
  for (const Json* part : parts) {
    if (!part->is_object()) {
      error = "orderBy entries must be objects";
      return false;
    }
    size_t part_start = order_.size();
    for (const auto& m : part->members()) {
      if (!m.second.is_string() || (m.second.as_string() != "asc" && m.second.as_string() != "desc")) {
        error = "orderBy." + m.first + " must be 'asc' or 'desc'";
        return false;
      }
      if (m.first.empty()) {
        error = "orderBy field names must not be empty";
        return false;
      }
      // A field ordered by already: in an earlier entry, rows it ties are tied here too
      // (skipped, so that order_[i] reads field i); a key repeated in one object takes
      // the last direction at the first place, as the server's JSON.parse reads it.
      size_t field = field_index(m.first);
      bool desc = m.second.as_string() == "desc";
      if (field == order_.size()) order_.push_back({field, desc});
      else if (field >= part_start) order_[field].desc = desc;
    }
  }
  if (!order_.empty()) order_json_ = ob.dump();
  return true;
}

// One field's condition: a value (equality) or an object of operators.
bool Query::parse_condition(const std::string& name, const Json& cond, std::string& error) {
  size_t field = field_index(name);
  if (!cond.is_object()) {
    where_.push_back({field, Op::Eq, to_value(cond), {}});
    return true;
  }
  if (cond.members().empty()) {
    error = "where." + name + " has no operator";
    return false;
  }
  for (const auto& o : cond.members()) {
    Predicate p;
    p.field = field;
    if (!parse_op(o.first, p.op)) {
      error = "where." + name + ": unknown operator '" + o.first + "'";
      return false;
    }
    if (p.op == Op::In) {
      if (!o.second.is_array()) {
        error = "where." + name + ".in must be an array";
        return false;
      }
      for (const auto& item : o.second.items()) p.set.push_back(to_value(item));
    } else {
      p.value = to_value(o.second);
    }
    where_.push_back(std::move(p));
  }
  return true;
}

bool Query::parse_page(const Json& params, std::string& error) {
  if (const Json* s = params.get("skip"); s && !s->is_null() && !non_negative_int(s, skip_)) {
    error = "skip must be a non-negative integer";
    return false;
  }
  if (const Json* t = params.get("take"); t && !t->is_null()) {
    int64_t take = 0;
    if (!non_negative_int(t, take)) {
      error = "take must be a non-negative integer";
      return false;
    }
    take_ = take;
  }
  return true;
}

std::optional<Query> Query::parse(std::string_view text, std::string& error) {
  Query q;
  std::string_view trimmed = text;
  while (!trimmed.empty() && (trimmed.front() == ' ' || trimmed.front() == '\n')) trimmed.remove_prefix(1);
  if (trimmed.empty() || trimmed == "null") trimmed = "{}";
  auto params = Json::parse(trimmed);
  if (!params || !params->is_object()) {
    error = "query params must be a JSON object";
    return std::nullopt;
  }
  if (const Json* ob = params->get("orderBy"); ob && !ob->is_null() && !q.parse_order(*ob, error)) return std::nullopt;
  if (const Json* where = params->get("where"); where && !where->is_null()) {
    if (!where->is_object()) {
      error = "where must be an object";
      return std::nullopt;
    }
    for (const auto& m : where->members())
      if (!q.parse_condition(m.first, m.second, error)) return std::nullopt;
    if (!where->members().empty()) q.where_json_ = where->dump();
  }
  if (!q.parse_page(*params, error)) return std::nullopt;
  // Canonical form: the identity of a view's query (two equal queries share a key).
  std::string& c = q.canonical_;
  c = "{";
  if (!q.where_json_.empty()) c += "\"where\":" + q.where_json_;
  if (!q.order_json_.empty()) c += std::string(c.size() > 1 ? "," : "") + "\"orderBy\":" + q.order_json_;
  if (q.skip_ > 0) c += std::string(c.size() > 1 ? "," : "") + "\"skip\":" + json::integer_text(q.skip_);
  if (q.take_) c += std::string(c.size() > 1 ? "," : "") + "\"take\":" + json::integer_text(*q.take_);
  c += "}";
  return q;
}

namespace {
struct Extraction {
  const char* end;
  const std::vector<std::string>* fields;
  FieldValues* out;
};

// One member of the record: the fields it names take its value (the last duplicate wins).
void take_member(const Extraction& x, std::string_view key, std::string_view raw) {
  for (size_t i = 0; i < x.fields->size(); ++i)
    if (json::same_text((*x.fields)[i], key)) (*x.out)[i] = Value::from_raw(raw);
}
}  // namespace

bool Query::extract(std::string_view record, FieldValues& out, const json::MemberList* members) const {
  out.clear();
  out.resize(fields_.size());
  for (auto& v : out) v.missing = true;
  if (fields_.empty()) return json::kind_of(record) == JsonKind::Object;
  Extraction x{record.data() + record.size(), &fields_, &out};
  if (members && !members->source.empty() && members->source.size() == record.size()) {
    for (size_t k = 0; k < members->count; ++k) take_member(x, members->members[k].key, members->members[k].value);
    return true;
  }
  std::string key_buf;
  const char* p = json::walk_members(record.data(), x.end, key_buf, [](void* context, std::string_view k, const char* v) {
    auto& x = *static_cast<Extraction*>(context);
    const char* q = json::skip_value(v, x.end, 1);
    if (q) take_member(x, k, std::string_view(v, size_t(q - v)));
    return q;
  }, &x);
  return p && json::skip_ws(p, x.end) == x.end;
}

bool Query::matches(const FieldValues& values) const {
  for (const auto& p : where_) {
    const Value& v = values[p.field];
    bool ok = false;
    switch (p.op) {
      case Op::Eq: ok = equal(v, p.value); break;
      case Op::Ne: ok = !equal(v, p.value); break;
      case Op::Gt: ok = v.kind == p.value.kind && compare(v, p.value) > 0; break;
      case Op::Gte: ok = v.kind == p.value.kind && compare(v, p.value) >= 0; break;
      case Op::Lt: ok = v.kind == p.value.kind && compare(v, p.value) < 0; break;
      case Op::Lte: ok = v.kind == p.value.kind && compare(v, p.value) <= 0; break;
      case Op::In:
        for (const auto& s : p.set)
          if (equal(v, s)) ok = true;
        break;
      case Op::Contains:
        if (v.kind == JsonKind::String && p.value.kind == JsonKind::String)
          ok = v.text.find(p.value.text) != std::string::npos;
        else if (v.kind == JsonKind::Array)
          ok = array_contains(v.text, p.value);
        break;
    }
    if (!ok) return false;
  }
  return true;
}

FieldValues Query::sort_key(FieldValues&& values) const {
  values.resize(order_.size());  // orderBy fields come first
  return std::move(values);
}

int Query::compare_sort_values(const FieldValues& a, const FieldValues& b) const {
  for (size_t i = 0; i < order_.size() && i < a.size() && i < b.size(); ++i) {
    int c = compare(a[i], b[i]);
    if (c != 0) return order_[i].desc ? -c : c;
  }
  return 0;
}

int Query::compare_keys(const FieldValues& a, std::string_view id_a, const FieldValues& b,
                        std::string_view id_b) const {
  int c = compare_sort_values(a, b);
  return c != 0 ? c : compare_ids(id_a, id_b);
}

void append_uri_component(std::string& out, std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  for (unsigned char c : s) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                 c == '_' || c == '.' || c == '!' || c == '~' || c == '*' || c == '\'' || c == '(' || c == ')';
    if (plain) {
      out += char(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
}

std::string Query::query_string() const {
  std::string out;
  auto param = [&](const char* name, std::string_view value) {
    out += out.empty() ? '?' : '&';
    out += name;
    out += '=';
    append_uri_component(out, value);
  };
  if (!where_json_.empty()) param("where", where_json_);
  if (!order_json_.empty()) param("orderBy", order_json_);
  if (skip_ > 0) param("skip", json::integer_text(skip_));
  if (take_) param("take", json::integer_text(*take_));
  return out;
}

}  // namespace ssot
