// Target 3: list-view query evaluation against arbitrary records.
//
// Input, one item per line: the first line is the query (any text); then
//   r                 the server answers the view's query now (hydrate / refetch)
//   f                 flush the view into the mirror and check everything
//   d<k>              delete the k-th record (mod the count)
//   w<start>,<count>  set a window;  n  clear it
//   anything else     a record (JSON object with an `id`): created or replaced (unless its
//                     `version` goes back: a server's versions only grow)
// Records before the first `r` only fill the server's table; the view hydrates
// at the first `r` (or at the end). Afterwards every change goes to the store and
// the view, as the engine does (upsert, record_changed, collect).
//
// Invariants, after every flush: the diff fits the mirror's previous rows; the
// rows are sorted by the query, each id once; for a complete view (it holds every
// match) the rows are the brute-force result (filtered, sorted, limited by take,
// windowed), `total` is the number of matches and every row shows the record's
// latest text; a page (skip, or take with more matches) shows the server's page
// unless it asked for a refetch (then the server answers and the check repeats)
// or a record outside it changed in a way a page cannot see; the store holds
// exactly the records the view references, and nothing once the view is closed.
// The comparator is a strict weak order on the records seen.
#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "fuzz_common.h"
#include "ssot/list_view.h"
#include "ssot/record_store.h"
#include "ssot/record_version.h"

using namespace ssot;

namespace {

struct Row {
  FieldValues key;
  std::string id;
};

struct Harness {
  Query q;
  std::map<std::string, std::string> db;  // canonical id -> record text
  RecordStore store;
  ListView view;
  fuzz::ViewMirror mirror;
  std::optional<std::pair<size_t, size_t>> window;
  bool hydrated = false;
  bool page_stale = false;  // a change outside the page that a page cannot see

  explicit Harness(Query query) : q(std::move(query)), view(1, "T", q) {}

  // Every matching record, sorted by the query.
  std::vector<Row> matches() const {
    std::vector<Row> rows;
    FieldValues f;
    for (const auto& r : db) {
      FUZZ_CHECK(q.extract(r.second, f));
      if (q.matches(f)) rows.push_back(Row{q.sort_key(std::move(f)), r.first});
    }
    std::sort(rows.begin(), rows.end(),
              [&](const Row& a, const Row& b) { return q.compare_keys(a.key, a.id, b.key, b.id) < 0; });
    // A strict weak order: every earlier row sorts before every later one (all pairs when few).
    for (size_t i = 0; i < rows.size(); ++i)
      for (size_t j = i + 1; j < (rows.size() <= 16 ? rows.size() : std::min(rows.size(), i + 2)); ++j) {
          FUZZ_CHECK(q.compare_keys(rows[i].key, rows[i].id, rows[j].key, rows[j].id) < 0);
          FUZZ_CHECK(q.compare_keys(rows[j].key, rows[j].id, rows[i].key, rows[i].id) > 0);
        }
    return rows;
  }

  // The server's page for the query: [skip, skip + take) of the matches.
  std::vector<std::string> page(const std::vector<Row>& all) const {
    std::vector<std::string> ids;
    size_t from = size_t(std::min<int64_t>(q.skip(), int64_t(all.size())));
    size_t n = all.size() - from;
    if (q.take()) n = std::min<size_t>(n, size_t(*q.take()));
    for (size_t i = from; i < from + n; ++i) ids.push_back(all[i].id);
    return ids;
  }

  void answer() {  // the server answers a (re)fetch of the view's query
    auto all = matches();
    auto ids = page(all);
    for (const auto& id : ids) store.upsert(id, db.at(id));
    view.reset(store, ids, int64_t(all.size()));
    for (const auto& id : ids) store.collect(id);
    view.set_status(ViewStatus::Ready);
    hydrated = true;
    page_stale = false;
  }

  void change(const std::string& id, const std::string& record) {
    bool existed = db.count(id) > 0;
    bool matched_before = existed && matches_record(db[id]);
    db[id] = record;
    if (!hydrated) return;
    // A page does not hold records outside it: when one leaves the matches it cannot tell.
    if (!view.complete() && matched_before && !matches_record(record)) page_stale = true;
    store.upsert(id, record);
    view.record_changed(store, id);
    store.collect(id);
  }

  void remove(std::string id) {  // a copy: the caller's may be the key erased below
    bool matched = matches_record(db[id]);
    db.erase(id);
    if (!hydrated) return;
    if (!view.complete() && matched) page_stale = true;  // cleared if the view asks for a refetch
    view.record_removed(store, id);
    store.erase(id);
  }

  // A server's table never goes back: a record's version (PROTOCOL ext, field `version`)
  // only grows, and new text comes with a new version. The store orders copies by it and
  // keeps the newer, so a line that goes back is a server that cannot be: it is skipped.
  bool goes_back(const std::string& id, std::string_view record) const {
    auto it = db.find(id);
    if (it == db.end()) return false;
    auto before = record_version(it->second, "version"), now = record_version(record, "version");
    return before && now && (*now < *before || (*now == *before && record != it->second));
  }

  bool matches_record(const std::string& record) const {
    FieldValues f;
    return q.extract(record, f) && q.matches(f);
  }

  void flush() {
    std::string out;
    view.flush(store, out);
    if (out.empty()) return;
    const char* why = mirror.apply(out);
    FUZZ_CHECK_MSG(why == nullptr, std::string(why ? why : "") + ": " + out);
  }

  void check() {
    if (!hydrated) return;
    flush();
    if (view.needs_refetch()) {  // as the engine does after a flush
      answer();
      flush();
      FUZZ_CHECK(!view.needs_refetch());
    }
    FUZZ_CHECK(!mirror.lost);
    FUZZ_CHECK(mirror.distinct_ids());
    size_t bad = mirror.first_unsorted(q);
    FUZZ_CHECK_MSG(bad == SIZE_MAX, "row " + std::to_string(bad));
    for (size_t i = 0; i < mirror.rows.size(); ++i) FUZZ_CHECK(record_id(i) == mirror.ids[i]);
    FUZZ_CHECK(mirror.total == view.total());
    // The store keeps exactly what the view references.
    FUZZ_CHECK(int64_t(store.size()) == (view.complete() ? view.total() : int64_t(view.visible_count())));

    auto all = matches();
    std::vector<std::string> expected;
    if (view.complete()) {
      FUZZ_CHECK(view.total() == int64_t(all.size()));
      expected = page(all);  // skip is 0 for a complete view: the first `take`
    } else {
      if (page_stale) return;
      expected = page(all);
      FUZZ_CHECK(view.total() == int64_t(all.size()));
    }
    if (window) {
      size_t s = std::min(window->first, expected.size());
      size_t n = std::min(window->second, expected.size() - s);
      expected = std::vector<std::string>(expected.begin() + long(s), expected.begin() + long(s + n));
      // (An empty window's start follows the row count without a new entry: nothing to show.)
      if (n > 0) FUZZ_CHECK(mirror.start == s);
    }
    FUZZ_CHECK_MSG(mirror.ids == expected, "ids differ from the brute-force result");
    for (size_t i = 0; i < mirror.rows.size(); ++i) FUZZ_CHECK(mirror.rows[i] == db.at(mirror.ids[i]));
  }

  std::string record_id(size_t row) const { return fuzz::record_id(mirror.rows[row]); }
};

size_t number(std::string_view s) {
  size_t n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') break;
    n = n * 10 + size_t(c - '0');
    if (n > 1000000) break;
  }
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> lines;
  for (size_t p = 0; p <= in.size();) {
    size_t nl = in.find('\n', p);
    if (nl == std::string_view::npos) nl = in.size();
    lines.push_back(in.substr(p, nl - p));
    p = nl + 1;
  }
  std::string error;
  auto query = Query::parse(lines[0], error);
  if (!query) {
    FUZZ_CHECK(!error.empty());
    return 0;
  }
  // The canonical form is a query that means the same.
  auto again = Query::parse(query->canonical(), error);
  FUZZ_CHECK_MSG(again && again->canonical() == query->canonical(), query->canonical());

  Harness h(std::move(*query));
  int ops = 0;
  for (size_t i = 1; i < lines.size() && ops < 256; ++i, ++ops) {
    std::string_view line = lines[i];
    char op = line.empty() ? ' ' : line[0];
    if (line == "r") {
      h.answer();
    } else if (line == "f") {
      h.check();
    } else if (op == 'd' && (line.size() == 1 || (line[1] >= '0' && line[1] <= '9'))) {
      if (h.db.empty()) continue;
      auto it = std::next(h.db.begin(), long(number(line.substr(1)) % h.db.size()));
      h.remove(it->first);
    } else if (op == 'w' && line.size() > 1 && line[1] >= '0' && line[1] <= '9') {
      size_t comma = line.find(',');
      size_t start = number(line.substr(1));
      size_t count = comma == std::string_view::npos ? 3 : number(line.substr(comma + 1));
      h.window = std::make_pair(start, count);
      h.view.set_window(h.window);
    } else if (line == "n") {
      h.window.reset();
      h.view.set_window(std::nullopt);
    } else {
      // A record as the engine holds it: a slice of a frame, no whitespace around it.
      while (!line.empty() && (line.front() == ' ' || line.front() == '\t' || line.front() == '\r')) line.remove_prefix(1);
      while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) line.remove_suffix(1);
      std::string id = fuzz::record_id(line);
      if (id.empty() || !json::valid(line)) continue;  // the engine only stores objects with an id
      if (h.goes_back(id, line)) continue;
      h.change(id, std::string(line));
    }
  }
  if (!h.hydrated) h.answer();
  h.check();
  // Closing the view releases everything it held.
  h.view.release_all(h.store);
  FUZZ_CHECK(h.store.size() == 0);
  return 0;
}
