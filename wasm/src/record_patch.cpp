#include "ssot/record_patch.h"

#include <utility>
#include <vector>
#include "ssot/json.h"

namespace ssot {

namespace {
using Members = std::vector<std::pair<std::string, std::string_view>>;

// The members of a valid object, in order (duplicates kept).
Members members_of(std::string_view object) {
  struct Context {
    const char* end;
    Members out;
  } c{object.data() + object.size(), {}};
  std::string key_buf;
  json::walk_members(object.data(), c.end, key_buf, [](void* context, std::string_view key, const char* v) {
    auto& c = *static_cast<Context*>(context);
    const char* q = json::skip_value(v, c.end, 1);
    if (q) c.out.emplace_back(std::string(key), std::string_view(v, size_t(q - v)));
    return q;
  }, &c);
  return std::move(c.out);
}

void append_members(std::string& out, const Members& members) {
  out += '{';
  for (size_t i = 0; i < members.size(); ++i) {
    if (i) out += ',';
    json::append_string(out, members[i].first);
    out += ':';
    out.append(members[i].second.data(), members[i].second.size());
  }
  out += '}';
}
}  // namespace

std::string merge_object(std::string_view base, std::string_view patch) {
  Members merged = members_of(base);
  for (auto& p : members_of(patch)) {
    bool replaced = false;
    for (auto& m : merged)
      if (m.first == p.first) {
        m.second = p.second;
        replaced = true;
      }
    if (!replaced) merged.push_back(std::move(p));
  }
  std::string out;
  append_members(out, merged);
  return out;
}

std::string with_id(std::string_view record, const RecordId& id) {
  std::string id_json;
  append_id_json(id_json, id);
  std::string patch = "{\"id\":" + id_json + "}";
  Members m = members_of(record);
  for (const auto& member : m)
    if (member.first == "id") return merge_object(record, patch);
  Members out{{"id", id_json}};
  out.insert(out.end(), m.begin(), m.end());
  std::string text;
  append_members(text, out);
  return text;
}

}  // namespace ssot
