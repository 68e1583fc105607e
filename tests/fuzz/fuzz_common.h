#pragma once
// Shared by the libFuzzer targets: the invariant check that aborts, and a
// mirror of one list view rebuilt from the outbox alone, the way the JS side
// (js/snapshot.js) applies it, over the raw record texts.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "ssot/json.h"
#include "ssot/query.h"
#include "ssot/value.h"

namespace fuzz {

// An invariant broke: say which, then trap so libFuzzer records the input.
[[noreturn]] inline void fail(const char* what, const char* file, int line, const std::string& detail = {}) {
  std::fprintf(stderr, "\n*** invariant failed at %s:%d: %s\n", file, line, what);
  if (!detail.empty()) std::fprintf(stderr, "    %s\n", detail.substr(0, 2000).c_str());
  std::fflush(stderr);
  __builtin_trap();
}

#define FUZZ_CHECK(cond) \
  do {                   \
    if (!(cond)) ::fuzz::fail(#cond, __FILE__, __LINE__); \
  } while (0)
#define FUZZ_CHECK_MSG(cond, detail) \
  do {                               \
    if (!(cond)) ::fuzz::fail(#cond, __FILE__, __LINE__, (detail)); \
  } while (0)

// The canonical id of a record (its top-level `id`, read as the engine reads it), or "".
inline std::string record_id(std::string_view record) {
  static const std::string_view key[] = {"id"};
  std::string_view raw;
  ssot::RecordId id;
  if (ssot::json::kind_of(record) != ssot::JsonKind::Object || !ssot::json::find_members(record, key, 1, &raw) ||
      !ssot::canonical_id(raw, id))
    return {};
  return id;
}

inline std::string slice(std::string_view s) { return std::string(s.data(), s.size()); }

// Elements of a JSON array text as raw slices (empty when not an array).
inline std::vector<std::string_view> elements(std::string_view array) {
  std::vector<std::string_view> out;
  if (array.empty() || ssot::json::kind_of(array) != ssot::JsonKind::Array) return out;
  std::vector<ssot::json::RecordText> items;
  ssot::json::scan_records(array, {}, items);
  for (const auto& item : items) out.push_back(item.text);
  return out;
}

// A non-negative integer index from a raw JSON number, or SIZE_MAX.
inline size_t index_of(std::string_view raw) {
  auto n = ssot::json::parse_number(raw);
  if (!n || *n < 0 || *n > 1e15 || double(size_t(*n)) != *n) return SIZE_MAX;
  return size_t(*n);
}

// One list view as the JS side holds it.
struct ViewMirror {
  enum Form { None, Rows, Splice, Window };
  std::vector<std::string> rows;  // raw record texts, in order
  std::vector<std::string> ids;   // canonical id per row ("" unknown)
  size_t start = 0;
  int64_t total = -1;
  std::string status, error;
  Form form = None;
  bool lost = false;  // a window row could not be found by id (JS would ask for every row again)
  int changes = 0;

  // What the checks read from a row under the view's query, kept per row until its text
  // changes: a step of engine_stream checks every row of every view it changed, and
  // reading them again was a tenth of that target's time.
  struct Derived {
    bool known = false, match = false;
    ssot::FieldValues key;  // sort key
  };
  mutable std::vector<Derived> derived;  // parallel to rows
  mutable const ssot::Query* derived_for = nullptr;

  // Applies one {"k":"view"} entry. Returns nullptr, or why the entry does not fit
  // the previous rows (the positions are wrong: always a bug). A window row the JS
  // side cannot find by id sets `lost` (a bug unless ids in records are inconsistent).
  const char* apply(std::string_view entry) {
    using namespace ssot;
    ++changes;
    static const std::string_view keys[] = {"status", "error", "total", "rows", "removed",
                                            "inserted", "updated", "ids", "start"};
    std::string_view v[9];
    if (!json::find_members(entry, keys, 9, v)) return "view entry is not an object";
    if (v[0].empty() || json::kind_of(v[0]) != JsonKind::String) return "status is not a string";
    status.clear();
    json::parse_string(v[0].data(), v[0].data() + v[0].size(), status);
    if (status != "loading" && status != "ready" && status != "error") return "unknown status";
    if (v[1].empty()) return "no error field";
    error.clear();
    if (json::kind_of(v[1]) == JsonKind::String) {
      json::parse_string(v[1].data(), v[1].data() + v[1].size(), error);
      if (error.empty()) return "error is an empty string";
    } else if (v[1] != "null") {
      return "error is neither a string nor null";
    }
    if (status == "error" && error.empty()) return "status error without a message";
    auto t = json::parse_number(v[2]);
    if (!t || *t < 0 || double(int64_t(*t)) != *t) return "total is not a non-negative integer";
    total = int64_t(*t);

    if (!v[7].empty()) {  // window form
      form = Window;
      auto id_list = elements(v[7]);
      size_t new_start = index_of(v[8]);
      if (new_start == SIZE_MAX) return "window start is not an index";
      size_t n = id_list.size();
      std::vector<std::string> out(n), out_ids(n);
      std::vector<Derived> out_derived(n);
      std::vector<bool> have(n, false);
      for (size_t i = 0; i < n; ++i)
        if (!canonical_id(id_list[i], out_ids[i])) return "window id is not an id";
      for (auto r : elements(v[3])) {
        auto pair = elements(r);
        if (pair.size() != 2) return "window row is not [index, record]";
        size_t i = index_of(pair[0]);
        if (i >= n) return "window row index out of range";
        out[i] = slice(pair[1]);
        have[i] = true;
      }
      long shift = long(new_start) - long(start);
      for (size_t i = 0; i < n; ++i) {
        if (have[i]) continue;
        long oi = long(i) + shift;
        if (oi >= 0 && size_t(oi) < rows.size() && ids[size_t(oi)] == out_ids[i]) {
          out[i] = rows[size_t(oi)];
          out_derived[i] = derived_of(size_t(oi));
          continue;
        }
        bool found = false;
        for (size_t j = 0; j < rows.size() && !found; ++j)
          if (ids[j] == out_ids[i]) out[i] = rows[j], out_derived[i] = derived_of(j), found = true;
        if (!found) lost = true;
      }
      rows = std::move(out);
      ids = std::move(out_ids);
      derived = std::move(out_derived);
      start = new_start;
      return nullptr;
    }
    if (!v[4].empty()) {  // splice form
      form = Splice;
      std::vector<size_t> removed;
      for (auto r : elements(v[4])) removed.push_back(index_of(r));
      std::vector<std::pair<size_t, std::string_view>> inserted, updated;
      for (auto [src, dst] : {std::make_pair(v[5], &inserted), std::make_pair(v[6], &updated)}) {
        if (src.empty() || json::kind_of(src) != JsonKind::Array) return "inserted/updated missing";
        for (auto r : elements(src)) {
          auto pair = elements(r);
          if (pair.size() != 2) return "splice row is not [index, record]";
          dst->emplace_back(index_of(pair[0]), pair[1]);
        }
      }
      if (removed.size() > rows.size() + inserted.size()) return "more removed than held";
      size_t n = rows.size() - removed.size() + inserted.size();
      std::vector<std::string> out(n), out_ids(n);
      std::vector<Derived> out_derived(n);
      size_t oi = 0, ri = 0, ii = 0;
      for (size_t ni = 0; ni < n; ++ni) {
        if (ii < inserted.size() && inserted[ii].first == ni) {
          out[ni] = slice(inserted[ii].second);
          out_ids[ni] = record_id(inserted[ii].second);
          ++ii;
          continue;
        }
        while (ri < removed.size() && removed[ri] == oi) ++ri, ++oi;
        if (oi >= rows.size()) return "splice runs past the old rows";
        out[ni] = std::move(rows[oi]);
        out_ids[ni] = std::move(ids[oi]);
        out_derived[ni] = derived_of(oi);
        ++oi;
      }
      while (ri < removed.size() && removed[ri] == oi) ++ri, ++oi;
      if (ii != inserted.size() || ri != removed.size() || oi != rows.size())
        return "removed/inserted positions do not fit the old rows";
      for (const auto& u : updated) {
        if (u.first >= n) return "updated index out of range";
        out[u.first] = slice(u.second);
        out_ids[u.first] = record_id(u.second);
        out_derived[u.first] = Derived();
      }
      rows = std::move(out);
      ids = std::move(out_ids);
      derived = std::move(out_derived);
      start = 0;
      return nullptr;
    }
    if (!v[3].empty()) {  // every row
      form = Rows;
      rows.clear();
      ids.clear();
      derived.clear();
      for (auto r : elements(v[3])) {
        rows.push_back(slice(r));
        ids.push_back(record_id(r));
      }
      start = 0;
      lost = false;
      return nullptr;
    }
    return nullptr;  // status / total only
  }

  bool distinct_ids() const {
    std::vector<std::string_view> sorted(ids.begin(), ids.end());  // views: no string copies
    std::sort(sorted.begin(), sorted.end());
    return std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end();
  }

  // Rows in strictly increasing order of the query (ties broken by id).
  // Returns the index of the first row out of order, or SIZE_MAX.
  size_t first_unsorted(const ssot::Query& q) const {
    for (size_t i = 1; i < rows.size(); ++i)
      if (q.compare_keys(derive(q, i - 1).key, ids[i - 1], derive(q, i).key, ids[i]) >= 0) return i;
    return SIZE_MAX;
  }

  bool all_match(const ssot::Query& q) const {
    for (size_t i = 0; i < rows.size(); ++i)
      if (!derive(q, i).match) return false;
    return true;
  }

 private:
  // Takes a row's cache for its new place (leaving the old place unknown: a window may
  // show one old row twice when ids repeat).
  Derived derived_of(size_t row) const {
    Derived d;
    if (row < derived.size()) std::swap(d, derived[row]);
    return d;
  }

  // Row i's match and sort key under q, read once (the cache is for one query).
  const Derived& derive(const ssot::Query& q, size_t i) const {
    if (derived_for != &q) derived.clear(), derived_for = &q;
    if (derived.size() < rows.size()) derived.resize(rows.size());
    Derived& d = derived[i];
    if (!d.known) {
      ssot::FieldValues f;
      d.match = q.extract(rows[i], f) && q.matches(f);
      d.key = q.sort_key(std::move(f));
      d.known = true;
    }
    return d;
  }
};

}  // namespace fuzz
