// Our write's answer when nothing orders it (the list channel refused or subscribing,
// realtime off: no echo or replay will come) against the reads around it: views reading
// when it comes, views read past when we asked, copies read since (Engine::read_again_since).
#include <catch2/catch.hpp>

#include "engine_harness.h"

using namespace ssot;
using namespace ssot::test;

namespace {
// Two Message list views (a: id order, b: by text) showing record 1, the list channel
// refused: nothing but our answers and their reads tells them of changes.
void two_lists_refused(Harness& h, ViewId& a, ViewId& b, int seq = -1) {
  h.open();
  a = h.watch("Message");
  b = h.watch("Message", R"({"orderBy":{"text":"asc"}})");
  h.frame(R"({"type":"error","channel":"Message:list","error":"Unauthorized"})");
  for (auto& c : h.http("GET")) h.respond(c.http_id, 200, list_body({msg(1, "a")}, seq));
}
// The view's read since (after our answer), refused for good (a 403).
void refuse_reread(Harness& h) {
  auto again = h.http("GET");
  REQUIRE(again.size() == 1);
  h.respond(again[0].http_id, 403, R"({"error":"no"})");
  h.advance(10);
}
// View v reads again: its GET.
RequestId refetch(Harness& h, ViewId v) {
  h.engine->refetch(v, h.now);
  h.step();
  return h.http("GET").back().http_id;
}
// One Message list view showing record 1, the list channel refused.
ViewId one_list_refused(Harness& h) {
  h.open();
  ViewId a = h.watch("Message");
  h.frame(R"({"type":"error","channel":"Message:list","error":"Unauthorized"})");
  h.respond(h.http("GET").back().http_id, 200, list_body({msg(1, "a")}));
  return a;
}
}  // namespace

// The list channel refused: the answer of our create is all that tells the views of the
// record. View b's refetch reads record 7 (made by our create) before the answer; view a's
// page was read before the create. The store's copy is as new as the answer, so the answer
// is not written, but view a must still get the record. (A review.)
TEST_CASE("a create's answer over a record read since still reaches a view whose page predates it") {
  Harness h;
  ViewId a = 0, b = 0;
  two_lists_refused(h, a, b);
  REQUIRE(h.mirrors[a].ids() == std::vector<int>{1});
  std::string error;
  REQUIRE(h.engine->create("Message", R"({"roomId":1,"text":"new"})", h.now, error, std::string_view()));  // optimistic
  h.step();
  REQUIRE(h.mirrors[a].rows.size() == 2);  // the optimistic row
  auto post = h.http("POST").back();
  h.engine->refetch(a, h.now);
  h.step();
  RequestId a_get = h.http("GET").back().http_id;  // served before the POST
  h.engine->refetch(b, h.now);
  h.step();
  RequestId b_get = h.http("GET").back().http_id;  // served after it
  h.respond(b_get, 200, list_body({msg(1, "a"), msg(7, "new")}));
  h.respond(a_get, 200, list_body({msg(1, "a")}));
  h.respond(post.http_id, 201, msg(7, "new"));
  h.advance(10);
  CHECK(h.mirrors[b].ids() == std::vector<int>{1, 7});
  CHECK(h.mirrors[a].ids() == std::vector<int>{1, 7});
}

// The same, the list's pages numbered: view b reads record 7 at seq 11; 7 is deleted on the
// server and view a reads at seq 12, without it. The answer then showed view a the store's
// copy of 7 for good: nothing numbered orders it with a refused channel, and the copy's
// path skipped what a plain answer does then (views read past when we asked read again).
// (A review.)
TEST_CASE("a create's answer over a record read since does not bring it back to a view that read its delete") {
  Harness h;
  ViewId a = 0, b = 0;
  two_lists_refused(h, a, b, 10);
  std::string error;
  REQUIRE(h.engine->create("Message", R"({"roomId":1,"text":"new"})", h.now, error, std::string_view()));  // optimistic
  h.step();
  auto post = h.http("POST").back();
  h.engine->refetch(b, h.now);
  h.step();
  h.respond(h.http("GET").back().http_id, 200, list_body({msg(1, "a"), msg(7, "new")}, 11));
  h.engine->refetch(a, h.now);
  h.step();
  h.respond(h.http("GET").back().http_id, 200, list_body({msg(1, "a")}, 12));
  h.respond(post.http_id, 201, msg(7, "new"));
  for (int i = 0; i < 4; ++i)
    for (auto& c : h.http("GET")) h.respond(c.http_id, 200, list_body({msg(1, "a")}, 12));
  h.advance(10);
  CHECK(h.mirrors[a].ids() == std::vector<int>{1});
}

namespace {
enum class Write { Create, Update, Delete };
// Our write (optimistic or not) with the list channel refused (two_lists_refused), then a
// refetch of view a: both in flight. Returns a's GET; `write` is our call.
RequestId write_then_read(Harness& h, ViewId a, Write kind, bool optimistic, Command& write) {
  std::string error;
  if (kind == Write::Create)
    REQUIRE(h.engine->create("Message", R"({"roomId":1,"text":"new"})", h.now, error,
                             optimistic ? std::optional<std::string_view>("") : std::nullopt));
  else if (kind == Write::Update)
    REQUIRE(h.engine->update("Message", "1", R"({"text":"new"})", true, h.now, error, optimistic));
  else
    REQUIRE(h.engine->remove("Message", "1", h.now, error, optimistic));
  h.step();
  write = h.http(kind == Write::Create ? "POST" : kind == Write::Update ? "PATCH" : "DELETE").back();
  h.engine->refetch(a, h.now);
  h.step();
  return h.http("GET").back().http_id;
}
void answer(Harness& h, const Command& write, Write kind) {
  if (kind == Write::Create) h.respond(write.http_id, 201, msg(7, "new"));
  else if (kind == Write::Update) h.respond(write.http_id, 200, msg(1, "new"));
  else h.respond(write.http_id, 204, "");
}
// What views show once the write is taken: record 1, or 1 and 7, with our text.
void check_written(Harness& h, ViewId v, Write kind) {
  std::vector<int> ids = kind == Write::Create ? std::vector<int>{1, 7}
                         : kind == Write::Update ? std::vector<int>{1} : std::vector<int>{};
  CHECK(h.mirrors[v].ids() == ids);
  if (kind != Write::Delete) CHECK(row_text(h, v, kind == Write::Create ? 7 : 1) == "new");
}
}  // namespace

// The list channel refused, view a reading again when our write's answer comes: its page,
// served before our write, lacks it, and the answer is all that tells views of it (no echo
// comes). View a never showed a created record, and the page's older text of an updated
// one went into the store and view b for good. Now a reads again once its page lands (its
// rows held till then), past the write. Pages numbered or not, at the seq when we asked or
// past. Nor does that page write what it holds of the record over the answer: view b showed
// the older text until a's second read (a flicker), and a record we deleted for good (the
// second read's absence of it tells b nothing).
TEST_CASE("a list view reading when a write's answer comes reads again past it, the list channel refused") {
  Harness h;
  ViewId a = 0, b = 0;
  int seq = GENERATE(-1, 10, 11);
  two_lists_refused(h, a, b, seq == -1 ? -1 : 10);
  Write kind = GENERATE(Write::Create, Write::Update, Write::Delete);
  bool optimistic = GENERATE(true, false);
  Command write;
  RequestId a_get = write_then_read(h, a, kind, optimistic, write);
  answer(h, write, kind);
  h.respond(a_get, 200, list_body({msg(1, "a")}, seq));  // served before the write
  h.advance(10);
  check_written(h, b, kind);
  auto again = h.http("GET");
  REQUIRE(again.size() == 1);
  std::vector<std::string> now = kind == Write::Create ? std::vector<std::string>{msg(1, "a"), msg(7, "new")}
                                 : kind == Write::Update ? std::vector<std::string>{msg(1, "new")}
                                                         : std::vector<std::string>{};
  h.respond(again[0].http_id, 200, list_body(now, seq == -1 ? -1 : 12));
  h.advance(10);
  check_written(h, a, kind);
  check_written(h, b, kind);
  CHECK(h.http("GET").empty());
}

// What a reads again decides: record 1 written again after our write.
TEST_CASE("a list view reading when a write's answer comes takes what it reads again") {
  Harness h;
  ViewId a = 0, b = 0;
  two_lists_refused(h, a, b, 10);
  Write kind = GENERATE(Write::Create, Write::Update, Write::Delete);
  Command write;
  RequestId a_get = write_then_read(h, a, kind, true, write);
  answer(h, write, kind);
  h.respond(a_get, 200, list_body({msg(1, "a")}, 11));
  h.advance(10);
  auto again = h.http("GET");
  REQUIRE(again.size() == 1);
  h.respond(again[0].http_id, 200, list_body({msg(1, "later")}, 12));
  h.advance(10);
  CHECK(h.mirrors[a].ids() == std::vector<int>{1});
  CHECK(row_text(h, a, 1) == "later");
  CHECK(row_text(h, b, 1) == "later");
}

// Not a view that cannot show the record: its filter rejects the created text. (A review.)
TEST_CASE("a list view reading when a write's answer comes does not read again for a record it cannot show") {
  Harness h;
  h.open();
  ViewId room2 = h.watch("Message", R"({"where":{"roomId":2}})");
  h.frame(R"({"type":"error","channel":"Message:list","error":"Unauthorized"})");
  h.respond(h.http("GET").back().http_id, 200, list_body({msg(2, "b", 2)}));
  std::string error;
  REQUIRE(h.engine->create("Message", R"({"roomId":1,"text":"new"})", h.now, error));
  h.step();
  auto post = h.http("POST").back();
  h.engine->refetch(room2, h.now);
  h.step();
  RequestId room_get = h.http("GET").back().http_id;
  h.respond(post.http_id, 201, msg(7, "new"));
  h.respond(room_get, 200, list_body({msg(2, "b", 2)}));
  h.advance(10);
  CHECK(h.http("GET").empty());
  CHECK(h.mirrors[room2].ids() == std::vector<int>{2});
}

namespace {
// Two lists refused (two_lists_refused) and an item view of record 1 reading: its GET.
RequestId item_reading(Harness& h, ViewId& a, ViewId& b, ViewId& item) {
  two_lists_refused(h, a, b);
  std::string error;
  item = h.engine->watch_item("Message", "1", h.now, error);
  h.step();
  return h.http("GET").back().http_id;
}
// Our optimistic update of record 1's text: its PATCH (once the one before is answered).
Command patch_1(Harness& h, const char* text) {
  std::string error;
  REQUIRE(h.engine->update("Message", "1", std::string(R"({"text":")") + text + "\"}", true, h.now, error, true));
  h.step();
  auto patches = h.http("PATCH");
  return patches.empty() ? Command{} : patches.back();
}
}  // namespace

// An item view reading record 1 when our update's answer comes, the list channel refused:
// its GET, served before the write, wrote the text our write replaced over the answer, in
// every view showing 1, for good. Now the item view reads again past it, and its GET does
// not write the older text meanwhile (the views showed it until the second read).
TEST_CASE("an item view reading when a write's answer comes reads again past it, the list channel refused") {
  Harness h;
  ViewId a = 0, b = 0, item = 0;
  RequestId get = item_reading(h, a, b, item);
  h.respond(patch_1(h, "new").http_id, 200, msg(1, "new"));
  h.respond(get, 200, msg(1, "a"));  // served before the write
  h.advance(10);
  CHECK(row_text(h, a, 1) == "new");
  CHECK(row_text(h, b, 1) == "new");
  auto again = h.http("GET");
  REQUIRE(again.size() == 1);
  h.respond(again[0].http_id, 200, msg(1, "new"));
  h.advance(10);
  CHECK(item_text(h, item) == "new");
  CHECK(row_text(h, a, 1) == "new");
  CHECK(row_text(h, b, 1) == "new");
}

// The same with the list channel still subscribing when the answer comes (a server without
// seqs): it is confirmed after our write, with nothing to replay, and a view's page served
// before the write never showed the record. (A review; older than the refused case's fix.)
TEST_CASE("a list view reading while its channel subscribes reads again past a write's answer") {
  Harness h;
  h.open();
  ViewId a = h.watch("Message");
  RequestId a_get = h.http("GET").back().http_id;
  std::string error;
  REQUIRE(h.engine->create("Message", R"({"roomId":1,"text":"new"})", h.now, error));
  h.step();
  h.respond(h.http("POST").back().http_id, 201, msg(7, "new"));
  h.respond(a_get, 200, list_body({msg(1, "a")}));  // served before the create
  h.frame(subscribed("Message:list"));               // confirmed after it: no echo
  h.advance(10);
  for (int i = 0; i < 4; ++i)
    for (auto& c : h.http("GET")) h.respond(c.http_id, 200, list_body({msg(1, "a"), msg(7, "new")}));
  h.advance(10);
  CHECK(h.mirrors[a].ids() == std::vector<int>{1, 7});
}

// Our update moves record 1 out of room 1 while a room-1 view, just opened, reads: it holds
// nothing yet and the answer's text is not in its filter, but its page, served before the
// write, has the text it replaced. An update may move a record into or out of any filter:
// every list view reading reads again. (A review; the page's older text still reaches the
// store and the views showing 1 until their next read, as the delete's above.)
TEST_CASE("a list view reading when our update moves a record out of its filter reads again") {
  Harness h;
  h.open();
  h.watch("Message");
  h.frame(R"({"type":"error","channel":"Message:list","error":"Unauthorized"})");
  h.respond(h.http("GET").back().http_id, 200, list_body({msg(1, "a", 1)}));
  bool optimistic = GENERATE(false, true);
  std::string error;
  REQUIRE(h.engine->update("Message", "1", R"({"roomId":2})", true, h.now, error, optimistic));
  h.step();
  auto patch = h.http("PATCH").back();
  ViewId room1 = h.watch("Message", R"({"where":{"roomId":1}})");
  RequestId room1_get = h.http("GET").back().http_id;
  h.respond(patch.http_id, 200, msg(1, "a", 2));
  h.respond(room1_get, 200, list_body({msg(1, "a", 1)}));  // served before the write
  h.advance(10);
  auto again = h.http("GET");
  REQUIRE(again.size() == 1);
  h.respond(again[0].http_id, 200, list_body({}));
  h.advance(10);
  CHECK(h.mirrors[room1].ids().empty());
}

// Our update of record 5, which no view showed (the store let it go), answered while a view
// that shows it reads: its page, served before the write, had the text it replaced. It
// reads again too (the answer was not applied: nothing held the record). (A review.)
TEST_CASE("a list view reading when our update of a record the store let go is answered reads again") {
  Harness h;
  h.open();
  h.watch("Message", R"({"where":{"roomId":2}})");
  h.frame(R"({"type":"error","channel":"Message:list","error":"Unauthorized"})");
  h.respond(h.http("GET").back().http_id, 200, list_body({msg(2, "b", 2)}));
  std::string error;
  REQUIRE(h.engine->update("Message", "5", R"({"text":"mine"})", true, h.now, error));
  h.step();
  auto patch = h.http("PATCH").back();
  ViewId all = h.watch("Message");
  RequestId all_get = h.http("GET").back().http_id;
  h.respond(patch.http_id, 200, msg(5, "mine"));
  h.respond(all_get, 200, list_body({msg(2, "b", 2), msg(5, "old")}));  // served before the write
  h.advance(10);
  auto again = h.http("GET");
  REQUIRE(again.size() == 1);
  h.respond(again[0].http_id, 200, list_body({msg(2, "b", 2), msg(5, "mine")}));
  h.advance(10);
  CHECK(row_text(h, all, 5) == "mine");
}

// Realtime off: nothing orders an answer, but a page that landed before the write went was
// served before it. Every answer re-read every list view whose page was numbered (the
// channel's seq, unknown, counted as -1), and its row showed only after that read. (A review.)
TEST_CASE("without a socket, a write's answer shows at once and reads nothing again") {
  Harness h(R"({"baseUrl":"http://api.test/api","requestTimeout":5000})");
  ViewId v = h.watch("Message");
  h.respond(h.http("GET").back().http_id, 200, list_body({msg(1, "a")}, 5));
  std::string error;
  for (int i = 0; i < 3; ++i) {
    RequestId made = h.engine->create("Message", "{\"roomId\":1,\"text\":\"n\"}", h.now, error);
    h.step();
    h.respond(made, 201, msg(10 + i, "n"));
    h.advance(10);
    CHECK(h.mirrors[v].ids().size() == size_t(2 + i));
    CHECK(h.http("GET").empty());
  }
}

namespace {
// View a shows record 1 (page seq 10), the list channel refused; `past`: a refetch read it
// again at seq 11 before our update went.
ViewId refused_list(Harness& h, bool past) {
  h.open();
  ViewId a = h.watch("Message");
  h.frame(R"({"type":"error","channel":"Message:list","error":"Unauthorized"})");
  h.respond(h.http("GET").back().http_id, 200, list_body({msg(1, "a")}, 10));
  if (past) {
    h.engine->refetch(a, h.now);
    h.step();
    h.respond(h.http("GET").back().http_id, 200, list_body({msg(1, "a")}, 11));
  }
  return a;
}
// Answers every read with record 1 as "theirs" (the server's text now).
void serve_theirs(Harness& h) {
  for (int i = 0; i < 4; ++i)
    for (auto& c : h.http("GET"))
      h.respond(c.http_id, 200, c.url.find("/messages/") != std::string::npos ? msg(1, "theirs")
                                                                            : list_body({msg(1, "theirs")}, 12));
  h.advance(10);
}
}  // namespace

// The list channel refused: an item view's GET, served after our update and someone's
// after it, brought "theirs" to the store before our answer came. The answer overwrote
// it in every view for good: only views whose own page landed since read again. Now a
// copy read since we asked (any read's: an item's GET, a view closed since) has the views
// showing the record, and those read past when we asked, read again. (A review.)
TEST_CASE("an unordered answer over a copy read since we asked has the views showing it read again") {
  Harness h;
  bool past = GENERATE(false, true);
  bool optimistic = GENERATE(false, true);
  ViewId a = refused_list(h, past);
  std::string error;
  REQUIRE(h.engine->update("Message", "1", R"({"text":"mine"})", true, h.now, error, optimistic));
  h.step();
  auto patch = h.http("PATCH").back();
  ViewId item = h.engine->watch_item("Message", "1", h.now, error);
  h.step();
  h.respond(h.http("GET").back().http_id, 200, msg(1, "theirs"));
  h.respond(patch.http_id, 200, msg(1, "mine"));
  h.advance(10);
  serve_theirs(h);
  CHECK(item_text(h, item) == "theirs");
  CHECK(row_text(h, a, 1) == "theirs");
}

// The copy came from a view closed since. (A review.)
TEST_CASE("an unordered answer over a copy a closed view's page brought has the views read again") {
  Harness h;
  ViewId a = refused_list(h, true);
  std::string error;
  REQUIRE(h.engine->update("Message", "1", R"({"text":"mine"})", true, h.now, error));
  h.step();
  auto patch = h.http("PATCH").back();
  ViewId b = h.watch("Message", R"({"orderBy":{"text":"asc"}})");
  h.respond(h.http("GET").back().http_id, 200, list_body({msg(1, "theirs")}, 12));
  h.engine->close_view(b, h.now);
  h.step();
  h.respond(patch.http_id, 200, msg(1, "mine"));
  h.advance(10);
  serve_theirs(h);
  CHECK(row_text(h, a, 1) == "theirs");
}

// Realtime off: a view opened while our update is out reads our write's own text. That copy,
// read since we asked, is not one the answer overwrites: nothing reads again. (A review:
// every view read again after each such write, their rows held meanwhile.)
TEST_CASE("without a socket, a read of our write's own text before its answer reads nothing again") {
  Harness h(R"({"baseUrl":"http://api.test/api","requestTimeout":5000})");
  ViewId a = h.watch("Message");
  h.respond(h.http("GET").back().http_id, 200, list_body({msg(1, "a"), msg(2, "b")}));
  bool optimistic = GENERATE(false, true);
  std::string error;
  RequestId u = h.engine->update("Message", "1", R"({"text":"mine"})", true, h.now, error, optimistic);
  h.step();
  h.watch("Message", R"({"orderBy":{"text":"asc"}})");  // the server has our write
  h.respond(h.http("GET").back().http_id, 200, list_body({msg(1, "mine"), msg(2, "b")}));
  h.respond(u, 200, msg(1, "mine"));
  h.advance(10);
  CHECK(h.http("GET").empty());
  CHECK(row_text(h, a, 1) == "mine");
}

// The item view's GET lands while a later write of ours is pending over the answered record:
// the store's copy it takes in place of the GET's is the server's (the answer), not the text
// our pending write shows, which would outlive that write's failure.
TEST_CASE("an item view reading when a write's answer comes takes the server's copy, not our pending write") {
  Harness h;
  ViewId a = 0, b = 0, item = 0;
  RequestId get = item_reading(h, a, b, item);
  Command first = patch_1(h, "new");
  patch_1(h, "newer");  // waits for the first's answer
  h.respond(first.http_id, 200, msg(1, "new"));
  h.step();
  auto second = h.http("PATCH").back();
  h.respond(get, 200, msg(1, "a"));  // served before the first write
  h.advance(10);
  CHECK(item_text(h, item) == "newer");
  h.respond(second.http_id, 500, R"({"error":"no"})");
  h.advance(10);
  CHECK(row_text(h, a, 1) == "new");
  CHECK(row_text(h, b, 1) == "new");
  CHECK(item_text(h, item) == "new");
}

// A record our answer wrote that the store let go (no view held it) is the page's to give:
// the page, served after our write, has the only copy. Dropped, a view whose re-read was
// refused for good (a 403) was left without it, its total saying it was complete. (A review.)
TEST_CASE("a page keeps a record our answer wrote that the store let go") {
  Harness h;
  ViewId a = one_list_refused(h);
  bool create = GENERATE(true, false);
  std::string error;
  if (create) REQUIRE(h.engine->create("Message", R"({"roomId":1,"text":"new"})", h.now, error));
  else REQUIRE(h.engine->update("Message", "7", R"({"text":"new"})", true, h.now, error));
  h.step();
  auto write = h.http(create ? "POST" : "PATCH").back();
  RequestId a_get = refetch(h, a);
  h.respond(write.http_id, create ? 201 : 200, msg(7, "new"));
  h.respond(a_get, 200, list_body({msg(1, "a"), msg(7, "new")}));  // served after the write
  h.advance(10);
  refuse_reread(h);
  CHECK(h.mirrors[a].ids() == std::vector<int>{1, 7});
  CHECK(h.mirrors[a].total == 2);
}

// The same when the view's re-read waits out a backoff (its second read in a row that asked
// again): it shows the page meanwhile, which lacked record 9. (A review.)
TEST_CASE("a view whose re-read waits a backoff shows the record our answer wrote that the store let go") {
  Harness h;
  ViewId a = 0, b = 0;
  two_lists_refused(h, a, b);
  std::string error;
  REQUIRE(h.engine->update("Message", "1", R"({"text":"one"})", true, h.now, error));
  h.step();
  auto p1 = h.http("PATCH").back();
  h.engine->refetch(a, h.now);
  h.step();
  RequestId g1 = h.http("GET").back().http_id;
  h.respond(p1.http_id, 200, msg(1, "one"));  // a reads again at once
  REQUIRE(h.engine->update("Message", "9", R"({"text":"new"})", true, h.now, error));
  h.step();
  auto p2 = h.http("PATCH").back();
  h.respond(g1, 200, list_body({msg(1, "a")}));  // served before the first write
  auto g2 = h.http("GET");
  REQUIRE(g2.size() == 1);
  h.respond(p2.http_id, 200, msg(9, "new"));  // while a's second read is out
  h.respond(g2[0].http_id, 200, list_body({msg(1, "one"), msg(9, "new")}));  // served after both
  h.advance(1);
  CHECK(h.http("GET").empty());  // the third read waits out the backoff
  CHECK(h.mirrors[a].ids() == std::vector<int>{1, 9});
}

// An item view reading record 1 (its first read, or a refetch while it shows it) when our
// delete's answer comes, the list channel refused: its GET, served before the delete, showed
// the deleted record until the re-read, and for good if that was refused. (A review.)
TEST_CASE("an item view reading when our delete's answer comes does not show the record again") {
  Harness h;
  ViewId a = 0, b = 0, item = 0;
  RequestId get = item_reading(h, a, b, item);
  if (GENERATE(false, true)) {  // it shows the record, and reads it again
    h.respond(get, 200, msg(1, "a"));
    h.advance(10);
    REQUIRE(item_text(h, item) == "a");
    h.engine->refetch(item, h.now);
    h.step();
    get = h.http("GET").back().http_id;
  }
  std::string error;
  REQUIRE(h.engine->remove("Message", "1", h.now, error));
  h.step();
  h.respond(h.http("DELETE").back().http_id, 204, "");
  h.respond(get, 200, msg(1, "a"));  // served before the delete
  h.advance(10);
  CHECK(item_text(h, item) == "null");
  CHECK(h.mirrors[a].ids().empty());
  CHECK(h.mirrors[b].ids().empty());
  refuse_reread(h);
  CHECK(item_text(h, item) == "null");
}

// A write of ours after our delete of the record (a create carrying its id, an undo; a PUT),
// both answered while one read is out: the last answer is the record's state (writes of one
// record are sent one after the other). The store let the record go (no view held it), so
// the page, served after both, holds its only copy: with "any delete of ours wins" it was
// dropped with its total, and a view whose re-read was refused for good (a 403) was complete
// without it. (A review.)
TEST_CASE("a write of ours answered after our delete while a read is out is not dropped from its page") {
  Harness h;
  ViewId a = one_list_refused(h);
  bool create = GENERATE(true, false);
  std::string error;
  REQUIRE(h.engine->remove("Message", "7", h.now, error));
  h.step();
  auto del = h.http("DELETE").back();
  RequestId a_get = refetch(h, a);
  h.respond(del.http_id, 204, "");
  if (create) REQUIRE(h.engine->create("Message", R"({"id":7,"roomId":1,"text":"again"})", h.now, error));
  else REQUIRE(h.engine->update("Message", "7", R"({"roomId":1,"text":"again"})", false, h.now, error));
  h.step();
  auto write = h.http(create ? "POST" : "PUT").back();
  h.respond(write.http_id, create ? 201 : 200, msg(7, "again"));
  h.respond(a_get, 200, list_body({msg(1, "a"), msg(7, "again")}));  // served after both
  h.advance(10);
  refuse_reread(h);
  CHECK(h.mirrors[a].ids() == std::vector<int>{1, 7});
  CHECK(h.mirrors[a].total == 2);
}

// The same for an item view: its first GET, served after our delete and our create of the
// record again (its own id), showed null, and for good once the re-read was refused.
TEST_CASE("an item GET after our delete and our create of the record again shows the record") {
  Harness h;
  h.open();
  ViewId room2 = h.watch("Message", R"({"where":{"roomId":2}})");  // no view holds record 7
  h.frame(R"({"type":"error","channel":"Message:list","error":"Unauthorized"})");
  h.respond(h.http("GET").back().http_id, 200, list_body({msg(2, "b", 2)}));
  std::string error;
  ViewId item = h.engine->watch_item("Message", "7", h.now, error);
  h.step();
  RequestId get = h.http("GET").back().http_id;
  REQUIRE(h.engine->remove("Message", "7", h.now, error));
  h.step();
  h.respond(h.http("DELETE").back().http_id, 204, "");
  REQUIRE(h.engine->create("Message", R"({"id":7,"roomId":1,"text":"again"})", h.now, error));
  h.step();
  h.respond(h.http("POST").back().http_id, 201, msg(7, "again"));
  h.respond(get, 200, msg(7, "again"));  // served after both
  h.advance(10);
  refuse_reread(h);
  CHECK(item_text(h, item) == "again");
  CHECK(h.mirrors[room2].ids() == std::vector<int>{2});
}

// Versioned records: the page's copy and the answer's are ordered by their versions, as
// everywhere else (upsert_newer, finish_item's versions_decide). A page served after our
// update and someone's later one (version 3 over our 2) was ignored for the answer's copy,
// for good once the re-read was refused (a 403); the page's older copy (version 1) needs no
// guard: the store refuses it by version. (A review.)
TEST_CASE("a page's newer version of a record our answer wrote is taken") {
  Harness h;
  h.open();
  ViewId a = h.watch("Message");
  ViewId b = h.watch("Message", R"({"orderBy":{"text":"asc"}})");
  h.frame(R"({"type":"error","channel":"Message:list","error":"Unauthorized"})");
  for (auto& c : h.http("GET")) h.respond(c.http_id, 200, "[" + vmsg(1, "a", 1) + "]");
  std::string error;
  REQUIRE(h.engine->update("Message", "1", R"({"text":"mine"})", true, h.now, error));
  h.step();
  auto patch = h.http("PATCH").back();
  RequestId a_get = refetch(h, a);
  h.respond(patch.http_id, 200, vmsg(1, "mine", 2));
  h.respond(a_get, 200, "[" + vmsg(1, "theirs", 3) + "]");  // served after ours and theirs
  h.advance(10);
  refuse_reread(h);
  CHECK(row_text(h, a, 1) == "theirs");
  CHECK(row_text(h, b, 1) == "theirs");
}

// The same for an item view's GET.
TEST_CASE("an item GET's newer version of a record our answer wrote is taken") {
  Harness h;
  h.open();
  ViewId a = h.watch("Message");
  h.frame(R"({"type":"error","channel":"Message:list","error":"Unauthorized"})");
  h.respond(h.http("GET").back().http_id, 200, "[" + vmsg(1, "a", 1) + "]");
  std::string error;
  ViewId item = h.engine->watch_item("Message", "1", h.now, error);
  h.step();
  RequestId get = h.http("GET").back().http_id;
  REQUIRE(h.engine->update("Message", "1", R"({"text":"mine"})", true, h.now, error));
  h.step();
  h.respond(h.http("PATCH").back().http_id, 200, vmsg(1, "mine", 2));
  h.respond(get, 200, vmsg(1, "theirs", 3));  // served after ours and theirs
  h.advance(10);
  refuse_reread(h);
  CHECK(item_text(h, item) == "theirs");
  CHECK(row_text(h, a, 1) == "theirs");
}

// Our delete of a versioned record while a view reads; its page, served before the delete,
// has the version the store last held: left out all the same. (A review.)
TEST_CASE("a page served before our delete of a versioned record leaves it out") {
  Harness h;
  h.open();
  ViewId a = h.watch("Message");
  ViewId b = h.watch("Message", R"({"orderBy":{"text":"asc"}})");
  h.frame(R"({"type":"error","channel":"Message:list","error":"Unauthorized"})");
  for (auto& c : h.http("GET")) h.respond(c.http_id, 200, "[" + vmsg(1, "a", 1) + "," + vmsg(2, "b", 1) + "]");
  std::string error;
  REQUIRE(h.engine->remove("Message", "1", h.now, error));
  h.step();
  auto del = h.http("DELETE").back();
  RequestId a_get = refetch(h, a);
  h.respond(del.http_id, 204, "");
  h.respond(a_get, 200, "[" + vmsg(1, "a", 1) + "," + vmsg(2, "b", 1) + "]");  // served before
  h.advance(10);
  for (auto& c : h.http("GET")) h.respond(c.http_id, 403, R"({"error":"no"})");
  h.advance(10);
  CHECK(h.mirrors[a].ids() == std::vector<int>{2});
  CHECK(h.mirrors[b].ids() == std::vector<int>{2});
}

// The page that lands is the first word of a new database (another epoch): our answer of
// the database left is no copy to keep over it (the epoch's move forgot the versions, so
// they no longer order the two). It was kept, for good once the re-read was refused. (A review.)
TEST_CASE("a page of a new epoch is not overruled by our answer of the old one") {
  Harness h;
  h.open();
  ViewId a = h.watch("Message");
  h.frame(R"({"type":"error","channel":"Message:list","error":"Unauthorized"})");
  bool versioned = GENERATE(true, false);
  auto rec = [&](const char* text, int version) { return versioned ? vmsg(1, text, version) : msg(1, text); };
  h.respond(h.http("GET").back().http_id, 200, R"({"items":[)" + rec("a", 4) + R"(],"total":1,"epoch":"e1"})");
  REQUIRE(row_text(h, a, 1) == "a");
  std::string error;
  REQUIRE(h.engine->update("Message", "1", R"({"text":"mine"})", true, h.now, error));
  h.step();
  auto patch = h.http("PATCH").back();
  RequestId a_get = refetch(h, a);
  h.respond(patch.http_id, 200, rec("mine", 5));  // of database e1
  h.respond(a_get, 200, R"({"items":[)" + rec("fresh", 1) + R"(],"total":1,"epoch":"e2"})");  // a new database
  h.advance(10);
  for (int i = 0; i < 3; ++i) {
    for (auto& c : h.http("GET")) h.respond(c.http_id, 403, R"({"error":"no"})");
    h.advance(100000);
  }
  CHECK(row_text(h, a, 1) == "fresh");
}

// The epoch moved while view a's read was out (told by view b's page), then our update went
// and was answered by the new database: a's page (served before the update) was taken over
// the answer since the epoch moved after a's read began, for good once the re-reads were
// refused. Our answers of the database left are forgotten when the epoch moves instead.
// (A review.)
TEST_CASE("our answer of the new epoch after the epoch moved while a view read stands over its page") {
  Harness h;
  h.open();
  ViewId a = h.watch("Message");
  h.frame(R"({"type":"error","channel":"Message:list","error":"Unauthorized"})");
  h.respond(h.http("GET").back().http_id, 200, R"({"items":[)" + msg(1, "a") + R"(],"total":1,"epoch":"e1"})");
  REQUIRE(row_text(h, a, 1) == "a");
  RequestId a_get = refetch(h, a);
  ViewId b = h.watch("Message", R"({"orderBy":{"text":"asc"}})");
  h.respond(h.http("GET").back().http_id, 200, R"({"items":[)" + msg(1, "fresh") + R"(],"total":1,"epoch":"e2"})");
  REQUIRE(row_text(h, b, 1) == "fresh");
  std::string error;
  REQUIRE(h.engine->update("Message", "1", R"({"text":"mine"})", true, h.now, error));
  h.step();
  h.respond(h.http("PATCH").back().http_id, 200, msg(1, "mine"));  // of database e2
  h.respond(a_get, 200, R"({"items":[)" + msg(1, "fresh") + R"(],"total":1,"epoch":"e2"})");  // served before it
  h.advance(10);
  for (int i = 0; i < 3; ++i) {
    for (auto& c : h.http("GET")) h.respond(c.http_id, 403, R"({"error":"no"})");
    h.advance(100000);
  }
  CHECK(row_text(h, a, 1) == "mine");
  CHECK(row_text(h, b, 1) == "mine");
}
