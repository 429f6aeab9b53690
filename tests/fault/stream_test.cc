// Issue 18, defect 3: large read replies are streamed (rpc/result_stream.h)
// instead of built whole. The streamed bytes equal the drained-whole ones
// (a batch), later requests wait for the stream, and a stream that is not
// read or whose client has gone holds only its accounted bytes, then none.
// State is read from debug.read_memory (budget in flight, streams alive).
#include <memory>
#include <string>
#include <vector>

#include "fault/fault_fixture.h"

namespace goxel::testing {
namespace {

// 50 x 50 x 28 = 70,000 voxels in two colours.
void MakeBigProject(FaultDaemon& d) {
  d.Ok("goxel.create_project", R"({"name":"big"})");
  d.Ok("goxel.fill_region",
       R"({"min":[0,0,0],"max":[49,49,27],"color":[10,20,30,255]})");
  d.Ok("goxel.fill_region",
       R"({"min":[0,0,0],"max":[49,9,27],"color":[200,100,50,255]})");
}

std::string Request(int id, const std::string& method,
                    const std::string& params) {
  return R"({"jsonrpc":"2.0","id":)" + std::to_string(id) + R"(,"method":")" +
         method + R"(","params":)" + params + "}";
}

// Connects `conn` and asks for one full page (65,536 voxels) of the active
// layer, which the test then reads, or does not.
bool AskFullPage(FaultDaemon& d, RpcClient& conn, int id) {
  return conn.Connect(d.process().socket_path()) &&
         conn.Send(Request(id, "goxel.get_layer_voxels", R"({"limit":65536})") +
                   "\n");
}

// What one full page's stream reserves: its page (16 steps of 4096 voxels
// of 16 bytes) and two 64 KiB parts of text (methods/query_methods.cc).
constexpr int64_t kFullPageStream = 65536 * 16 + 2 * 65536;

struct ReadMemory {
  int64_t limit = -1, in_flight = -1, streams = -1;
};

ReadMemory Memory(FaultDaemon& d) {
  Reply r = d.Call("debug.read_memory");
  EXPECT_TRUE(r.ok()) << r.text;
  return {r.Int("limit"), r.Int("in_flight"), r.Int("streams")};
}

// A single request's reply and the same request's reply inside a batch
// (drained whole) are the same JSON value, the keys in the same order.
TEST(Stream, StreamedRepliesEqualBatchedOnes) {
  FaultDaemon d;
  ASSERT_TRUE(d.Start({"--enable-debug-methods"})) << d.process().Log();
  MakeBigProject(d);
  struct Case {
    std::string method, params;
    std::vector<std::string> keys;
    std::string list;
    int64_t listed;
  };
  const std::vector<std::string> list_keys = {"count",     "total",  "offset",
                                              "truncated", "voxels", "bbox"};
  const std::vector<Case> cases = {
      {"goxel.get_layer_voxels", R"({"limit":65536,"offset":100})", list_keys,
       "voxels", 65536},
      {"goxel.get_voxels_region",
       R"({"min":[0,0,0],"max":[49,20,27],"color_filter":[200,100,50,255]})",
       list_keys, "voxels", 10000},
      {"goxel.get_layer_voxels",
       R"({"limit":5,"offset":70000})",
       {"count", "total", "offset", "truncated", "voxels", "bbox"},
       "voxels",
       0},
      {"goxel.find_voxels_by_color",
       R"({"color":[10,20,30,255],"max_results":50000})",
       {"match_count", "color", "truncated", "locations"},
       "locations",
       50000},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.method + " " + c.params);
    RpcClient conn;
    ASSERT_TRUE(conn.Connect(d.process().socket_path()));
    const std::string single = conn.Call(Request(7, c.method, c.params), 30000);
    const std::string batch =
        conn.Call("[" + Request(7, c.method, c.params) + "]", 30000);
    rapidjson::Document s, b;
    s.Parse(single.c_str());
    b.Parse(batch.c_str());
    ASSERT_FALSE(s.HasParseError()) << single.substr(0, 300);
    ASSERT_FALSE(b.HasParseError()) << batch.substr(0, 300);
    ASSERT_TRUE(b.IsArray() && b.Size() == 1) << batch.substr(0, 300);
    ASSERT_TRUE(s.HasMember("result")) << single.substr(0, 300);
    EXPECT_TRUE(s == b[0]);
    EXPECT_EQ(single, batch.substr(1, batch.size() - 2));  // byte for byte
    const rapidjson::Value& r = s["result"];
    std::vector<std::string> keys;
    for (const auto& m : r.GetObject()) keys.push_back(m.name.GetString());
    EXPECT_EQ(keys, c.keys);
    EXPECT_EQ(static_cast<int64_t>(r[c.list.c_str()].Size()), c.listed);
  }
  // Spot checks against point reads: the listed voxels are the model's.
  Reply page =
      d.Call("goxel.get_voxels_region",
             R"({"min":[0,0,0],"max":[49,20,27],"limit":3,"offset":4000})");
  ASSERT_TRUE(page.ok()) << page.text;
  const rapidjson::Value& voxels = page.doc["result"]["voxels"];
  ASSERT_EQ(voxels.Size(), 3u);
  for (const auto& v : voxels.GetArray()) {
    Reply one = d.Call("goxel.get_voxel",
                       "{\"x\":" + std::to_string(v["x"].GetInt()) +
                           ",\"y\":" + std::to_string(v["y"].GetInt()) +
                           ",\"z\":" + std::to_string(v["z"].GetInt()) + "}");
    ASSERT_TRUE(one.ok()) << one.text;
    EXPECT_TRUE(one.doc["result"]["color"] == v["color"]) << one.text;
  }
  EXPECT_EQ(Memory(d).streams, 0);
  EXPECT_EQ(Memory(d).in_flight, 0);
}

// Requests pipelined behind a streamed reply are answered after it, in
// order: a pooled one, a control one and an inline one (which the loop
// would otherwise answer at once).
TEST(Stream, PipelinedRequestsWaitForTheStream) {
  FaultDaemon d;
  ASSERT_TRUE(d.Start({"--enable-debug-methods"})) << d.process().Log();
  MakeBigProject(d);
  RpcClient conn;
  ASSERT_TRUE(conn.Connect(d.process().socket_path()));
  ASSERT_TRUE(conn.Send(
      Request(1, "goxel.get_layer_voxels", R"({"limit":65536})") + "\n" +
      Request(2, "ping", "{}") + "\n" +
      Request(3, "goxel.get_voxel", R"({"x":1,"y":1,"z":1})") + "\n" +
      Request(4, "goxel.get_layer_voxels", R"({"limit":3})") + "\n" +
      Request(5, "goxel.get_layer_voxels", R"({"limit":40000,"offset":1})") +
      "\n" + Request(6, "ping", "{}") + "\n"));
  for (int id = 1; id <= 6; ++id) {
    Reply r;
    r.text = conn.ReadLine(30000);
    r.doc.Parse(r.text.c_str());
    ASSERT_FALSE(r.doc.HasParseError()) << id << ": " << r.text.substr(0, 200);
    EXPECT_EQ(r.doc["id"].GetInt(), id) << r.text.substr(0, 200);
    EXPECT_TRUE(r.ok()) << r.text.substr(0, 200);
  }
  EXPECT_TRUE(WaitFor([&] { return Memory(d).streams == 0; }, 5000));
}

// A client that never reads a full page's reply: the daemon holds that
// stream's reservation and no more (not the page built whole), however
// many such clients; each is freed when its client goes.
TEST(Stream, UnreadStreamsHoldOnlyTheirReservation) {
  FaultDaemon d;
  ASSERT_TRUE(d.Start({"--enable-debug-methods"}, 4)) << d.process().Log();
  MakeBigProject(d);
  std::vector<std::unique_ptr<RpcClient>> conns;
  for (int i = 0; i < 4; ++i) {
    conns.push_back(std::make_unique<RpcClient>());
    ASSERT_TRUE(AskFullPage(d, *conns.back(), i));
  }
  // (A stream is alive from the start of its scan; its page is complete
  // when its reservation is.)
  ASSERT_TRUE(WaitFor(
      [&] { return Memory(d).in_flight == 4 * kFullPageStream; }, 10000))
      << Memory(d).in_flight;
  EXPECT_EQ(Memory(d).streams, 4);
  // One client goes mid-stream: its stream and reservation go with it.
  conns[0]->Close();
  ASSERT_TRUE(WaitFor([&] { return Memory(d).streams == 3; }, 10000));
  EXPECT_EQ(Memory(d).in_flight, 3 * kFullPageStream);
  // One reads its reply: complete, and then freed.
  Reply r;
  r.text = conns[1]->ReadLine(30000);
  r.doc.Parse(r.text.c_str());
  ASSERT_TRUE(r.ok()) << r.text.substr(0, 200);
  EXPECT_EQ(r.Int("count"), 65536);
  EXPECT_EQ(r.Int("total"), 70000);
  ASSERT_TRUE(WaitFor([&] { return Memory(d).streams == 2; }, 10000));
  EXPECT_EQ(Memory(d).in_flight, 2 * kFullPageStream);
  conns.clear();
  EXPECT_TRUE(WaitFor([&] { return Memory(d).streams == 0; }, 10000));
  EXPECT_EQ(Memory(d).in_flight, 0);
  EXPECT_TRUE(d.process().Running());
}

// A stream its client does not read is dropped with the connection after
// server.timeout_seconds without progress.
TEST(Stream, AStalledStreamIsClosedAfterTheTimeout) {
  FaultDaemon d(R"("server":{"timeout_seconds":1})");
  ASSERT_TRUE(d.Start({"--enable-debug-methods"})) << d.process().Log();
  MakeBigProject(d);
  RpcClient conn;
  ASSERT_TRUE(AskFullPage(d, conn, 1));
  ASSERT_TRUE(WaitFor([&] { return Memory(d).streams == 1; }, 10000));
  EXPECT_TRUE(WaitFor([&] { return Memory(d).streams == 0; }, 20000));
  EXPECT_EQ(Memory(d).in_flight, 0);
  EXPECT_TRUE(conn.WaitClosed(10000));
}

// A full page of a small project is not refused under a small budget: it
// reserves what it keeps, not a full page's worst case.
TEST(Stream, AFullPageOfASmallProjectFitsASmallBudget) {
  FaultDaemon d(R"("performance":{"max_read_memory_mb":1})");
  ASSERT_TRUE(d.Start({"--enable-debug-methods"})) << d.process().Log();
  d.Ok("goxel.create_project");
  d.Ok("goxel.fill_region",
       R"({"min":[0,0,0],"max":[9,9,9],"color":[1,2,3,255]})");
  for (const char* params :
       {R"({"limit":65536})",
        R"({"limit":65536,"region":{"min":[0,0,0],"max":[9,9,9]}})"}) {
    Reply r = d.Call("goxel.get_layer_voxels", params);
    ASSERT_TRUE(r.ok()) << r.text;
    EXPECT_EQ(r.Int("count"), 1000);
  }
  Reply g = d.Call("goxel.get_voxels_region",
                   R"({"limit":65536,"min":[0,0,0],"max":[9,9,9]})");
  ASSERT_TRUE(g.ok()) << g.text;
  EXPECT_EQ(g.Int("count"), 1000);
  Reply f = d.Call("goxel.find_voxels_by_color",
                   R"({"color":[1,2,3,255],"max_results":65536})");
  ASSERT_TRUE(f.ok()) << f.text;
  EXPECT_EQ(f.Int("match_count"), 1000);
}

// Shutdown does not wait for the reader of a stream: the drain waits for
// requests only, and the unread stream is dropped with its connection; the
// stop is clean (exit 0, which a timed-out shutdown is not).
TEST(Stream, ShutdownDropsAnUnreadStream) {
  FaultDaemon d(R"("daemon":{"shutdown_timeout_seconds":20})");
  ASSERT_TRUE(d.Start({"--enable-debug-methods"})) << d.process().Log();
  MakeBigProject(d);
  RpcClient conn;
  ASSERT_TRUE(AskFullPage(d, conn, 1));
  ASSERT_TRUE(
      WaitFor([&] { return Memory(d).in_flight == kFullPageStream; }, 10000));
  EXPECT_EQ(d.process().Stop(), 0) << d.process().Log();
  EXPECT_TRUE(conn.WaitClosed(10000));
}

}  // namespace
}  // namespace goxel::testing
