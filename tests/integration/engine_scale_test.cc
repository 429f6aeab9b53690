// The voxel engine at scale, through the real binary: point edits on a
// project of 100,000 scattered blocks leave the loop thread free (ping stays
// fast from another connection), and the memory limit bounds each edit
// (rolled back past it, with -32006) and lets edits through again once
// memory is freed. Order comes from replies, never from sleeps.
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "integration/ops_support.h"
#include "support/daemon_harness.h"

namespace goxel::testing {
namespace {

// One connection that numbers its requests.
class Client {
 public:
  explicit Client(const DaemonProcess& d) { ok_ = c_.Connect(d.socket_path()); }
  bool ok() const { return ok_; }
  rapidjson::Document Call(const std::string& method,
                           const std::string& params = "{}") {
    // A generous timeout: a sanitizer build runs the large edits here
    // several times slower (a brush stroke stopped at the limit took >10 s).
    return ParseJson(c_.Call(R"({"jsonrpc":"2.0","id":)" +
                                 std::to_string(++id_) + R"(,"method":")" +
                                 method + R"(","params":)" + params + "}",
                             120000));
  }

 private:
  RpcClient c_;
  bool ok_ = false;
  int id_ = 0;
};

// add_voxel_batch params: n voxels, each alone in its 16^3 block.
std::string ScatteredBatch(int n, int first = 0) {
  std::string s = R"({"color":[200,100,50,255],"voxels":[)";
  for (int i = first; i < first + n; ++i) {
    if (i > first) s += ',';
    s += '[' + std::to_string((i % 100) * 16) + ',' +
         std::to_string(((i / 100) % 100) * 16) + ',' +
         std::to_string((i / 10000) * 16) + ']';
  }
  return s + "]}";
}

std::string rapidjson_text(const rapidjson::Value& v) {
  rapidjson::StringBuffer b;
  rapidjson::Writer<rapidjson::StringBuffer> w(b);
  v.Accept(w);
  return b.GetString();
}

int64_t VoxelCount(Client& c) {
  auto info = c.Call("goxel.get_project_info");
  return Has(info, "result") ? info["result"]["voxel_count"].GetInt64() : -1;
}

TEST(EngineScale, PingStaysFastWhileAddVoxelStreamsOnALargeProject) {
  DaemonProcess d;
  ASSERT_TRUE(d.Start({"--workers", "4"})) << d.Log();
  ASSERT_TRUE(Has(Client(d).Call("goxel.create_project"), "result"));
  Client editor(d), pinger(d);
  ASSERT_TRUE(editor.ok() && pinger.ok());
  auto batch = editor.Call("goxel.add_voxel_batch", ScatteredBatch(100000));
  ASSERT_TRUE(Has(batch, "result")) << d.Log();
  ASSERT_EQ(VoxelCount(editor), 100000);

  std::atomic<bool> done{false};
  std::thread edits([&] {
    for (int i = 0; i < 1500; ++i) {
      auto r = editor.Call("goxel.add_voxel",
                           R"({"x":)" + std::to_string(1 + i % 15) +
                               R"(,"y":1,"z":)" + std::to_string(i / 15) +
                               R"(,"color":[1,2,3,255]})");
      EXPECT_TRUE(Has(r, "result"));
    }
    done = true;
  });
  std::vector<double> ms;
  while (!done || ms.size() < 200) {
    const auto t0 = std::chrono::steady_clock::now();
    auto r = pinger.Call("ping");
    const auto t1 = std::chrono::steady_clock::now();
    ASSERT_TRUE(Has(r, "result"));
    ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  edits.join();
  std::sort(ms.begin(), ms.end());
  const double p99 = ms[ms.size() * 99 / 100];
  // Generous for a loaded shared machine; it was ~93 ms at 50k blocks when
  // each add_voxel copied the block map on the loop thread. The 1 ms target
  // is measured by bench/voxel (scale_bench.sh).
  EXPECT_LT(p99, 40.0) << "pings: " << ms.size();
  EXPECT_EQ(VoxelCount(editor), 100000 + 1500);
}

TEST(EngineScale, AnEditPastTheMemoryLimitIsRolledBack) {
  TempDir dir;
  const std::string conf = dir.File("c.json");
  WriteFileText(conf, R"({"performance": {"max_memory_mb": 8}})");
  DaemonProcess d;
  ASSERT_TRUE(d.Start({"--config", conf})) << d.Log();
  ASSERT_TRUE(Has(Client(d).Call("goxel.create_project"), "result"));
  Client c(d);
  ASSERT_TRUE(c.ok());
  auto config = c.Call("goxel.get_config");
  ASSERT_TRUE(Has(config, "result")) << d.Log();
  const auto& limit = config["result"]["performance"]["memory_limit"];
  EXPECT_EQ(limit["mb"].GetInt(), 8);
  EXPECT_STREQ(limit["source"].GetString(), "performance.max_memory_mb");
  // 100k isolated voxels hold well over 8 MiB: refused, nothing changed.
  auto big = c.Call("goxel.add_voxel_batch", ScatteredBatch(100000));
  ASSERT_TRUE(Has(big, "error")) << d.Log();
  EXPECT_EQ(big["error"]["code"].GetInt(), -32006);
  EXPECT_EQ(big["error"]["data"]["limit"].GetInt64(), int64_t{8} << 20);
  EXPECT_GT(big["error"]["data"]["reached"].GetInt64(), int64_t{8} << 20);
  EXPECT_EQ(VoxelCount(c), 0);
  auto undo = c.Call("goxel.undo");
  ASSERT_TRUE(Has(undo, "result"));
  EXPECT_FALSE(undo["result"]["undone"].GetBool());  // no step was recorded
  // Memory came back: a smaller edit goes through at once.
  auto small = c.Call("goxel.add_voxel_batch", ScatteredBatch(1000));
  ASSERT_TRUE(Has(small, "result")) << d.Log();
  EXPECT_EQ(VoxelCount(c), 1000);
  // A brush stroke of millions of isolated cells is stopped the same way.
  auto stroke =
      c.Call("goxel.brush_stroke",
             R"({"points":[[0,0,0],[2000000,2000000,2000000]],"radius":0,)"
             R"("color":[1,2,3,255]})");
  ASSERT_TRUE(Has(stroke, "error")) << d.Log();
  EXPECT_EQ(stroke["error"]["code"].GetInt(), -32006);
  EXPECT_EQ(VoxelCount(c), 1000);
  EXPECT_TRUE(Has(c.Call("health"), "result"));
}

// Starts `d` with performance.max_memory_mb = mb (its config in `dir`).
::testing::AssertionResult StartWithMemoryLimit(DaemonProcess& d,
                                                const TempDir& dir, int mb) {
  const std::string conf = dir.File("c.json");
  WriteFileText(conf, R"({"performance": {"max_memory_mb": )" +
                          std::to_string(mb) + "}}");
  if (d.Start({"--config", conf})) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << d.Log();
}

// n voxels as {x,y,z,r,g,b,a} objects, packed in a 64 x 64 column: the
// engine holds little for them (one colour, whole blocks), their parsed DOM
// about 250 B each.
std::string DenseObjectBatch(int n) {
  std::string s = R"({"voxels":[)";
  for (int i = 0; i < n; ++i) {
    if (i > 0) s += ',';
    s += R"({"x":)" + std::to_string(i % 64) + R"(,"y":)" +
         std::to_string((i / 64) % 64) + R"(,"z":)" + std::to_string(i / 4096) +
         R"(,"r":9,"g":8,"b":7,"a":255})";
  }
  return s + "]}";
}

// The request's parsed DOM was not counted: a batch whose voxels the
// engine holds in a few blocks, but whose DOM alone is past the limit,
// went through. It is refused now, with nothing changed.
TEST(EngineScale, ABatchWhoseDomPassesTheLimitIsRefused) {
  TempDir dir;
  DaemonProcess d;
  ASSERT_TRUE(StartWithMemoryLimit(d, dir, 16));
  Client c(d);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(Has(c.Call("goxel.create_project"), "result"));
  // 100k objects: about 24 MiB of DOM for about 200 KiB of blocks.
  auto big = c.Call("goxel.add_voxel_batch", DenseObjectBatch(100000));
  ASSERT_TRUE(Has(big, "error")) << rapidjson_text(big);
  EXPECT_EQ(big["error"]["code"].GetInt(), -32006);
  EXPECT_EQ(big["error"]["data"]["limit"].GetInt64(), int64_t{16} << 20);
  EXPECT_GT(big["error"]["data"]["reached"].GetInt64(), int64_t{16} << 20);
  EXPECT_EQ(VoxelCount(c), 0);
  // A tenth of it, DOM included, is well under the limit.
  auto small = c.Call("goxel.add_voxel_batch", DenseObjectBatch(10000));
  ASSERT_TRUE(Has(small, "result")) << rapidjson_text(small);
  EXPECT_EQ(VoxelCount(c), 10000);
}

TEST(EngineScale, EditsWorkAgainOnceAProjectOverTheLimitIsClosed) {
  TempDir dir;
  DaemonProcess d;
  ASSERT_TRUE(StartWithMemoryLimit(d, dir, 16));
  Client c(d);
  ASSERT_TRUE(c.ok());
  auto created = c.Call("goxel.create_project", R"({"name":"big"})");
  ASSERT_TRUE(Has(created, "result"));
  const std::string big = created["result"]["project_id"].GetString();
  // Fill under the limit in steps, then lower the limit below what is held.
  for (int i = 0; i < 4; ++i)
    ASSERT_TRUE(
        Has(c.Call("goxel.add_voxel_batch", ScatteredBatch(10000, i * 10000)),
            "result"))
        << d.Log();
  ASSERT_TRUE(
      Has(c.Call("goxel.set_config", R"({"performance.max_memory_mb": 2})"),
          "result"));
  auto refused =
      c.Call("goxel.add_voxel", R"({"x":-5,"y":0,"z":0,"color":[1,2,3,255]})");
  ASSERT_TRUE(Has(refused, "error"));
  EXPECT_EQ(refused["error"]["code"].GetInt(), -32006);
  // undo still runs over the limit, and so does close.
  EXPECT_TRUE(Has(c.Call("goxel.undo"), "result"));
  auto closed = c.Call("goxel.close_project",
                       R"({"project_id":")" + big + R"(","force":true})");
  ASSERT_TRUE(Has(closed, "result")) << d.Log();
  // Nothing large is held now: a new project edits again.
  ASSERT_TRUE(
      Has(c.Call("goxel.create_project", R"({"name":"small"})"), "result"));
  auto add =
      c.Call("goxel.add_voxel", R"({"x":1,"y":2,"z":3,"color":[1,2,3,255]})");
  EXPECT_TRUE(Has(add, "result")) << rapidjson_text(add) << d.Log();
}

TEST(EngineScale, LargeReadsArePagedWithinTheReplyBound) {
  DaemonProcess d;
  ASSERT_TRUE(d.Start()) << d.Log();
  ASSERT_TRUE(Has(Client(d).Call("goxel.create_project"), "result"));
  Client c(d);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(
      Has(c.Call("goxel.add_voxel_batch", ScatteredBatch(70000)), "result"));
  auto too_big = c.Call("goxel.get_layer_voxels", R"({"limit":1000000})");
  ASSERT_TRUE(Has(too_big, "error"));
  EXPECT_EQ(too_big["error"]["code"].GetInt(), -32006);
  EXPECT_EQ(too_big["error"]["data"]["limit"].GetInt(), 65536);
  int64_t seen = 0;
  for (int64_t offset = 0;; offset += 65536) {
    auto page =
        c.Call("goxel.get_layer_voxels",
               R"({"limit":65536,"offset":)" + std::to_string(offset) + "}");
    ASSERT_TRUE(Has(page, "result"));
    seen += page["result"]["count"].GetInt64();
    if (!page["result"]["truncated"].GetBool()) break;
  }
  EXPECT_EQ(seen, 70000);
}

// Sanitizer builds bring their own allocator: the heap policy of
// base/heap.h is glibc's, and only there does RSS show it.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kGlibcHeap = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool kGlibcHeap = false;
#else
constexpr bool kGlibcHeap = true;
#endif
#else
constexpr bool kGlibcHeap = true;
#endif

int64_t MemoryReturns(Client& c) {
  auto s = c.Call("status");
  return Has(s, "result") ? s["result"]["memory_returns"].GetInt64() : -1;
}

// A worker keeps the memory a large request freed, for the next one, while
// work goes on: its pages are not taken from the kernel again on every
// request. Once the pool has been idle for a second, that memory goes back
// to the system, once per idle period (base/heap.h, app/).
TEST(EngineScale, FreedMemoryIsKeptWhileWorkGoesOnAndReturnedWhenIdle) {
  DaemonProcess d;
  ASSERT_TRUE(d.Start()) << d.Log();
  Client c(d);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(Has(c.Call("goxel.create_project"), "result"));
  const int64_t before = MemoryReturns(c);
  ASSERT_GE(before, 0);
  // About 30 MB of DOM, freed when the request ends.
  ASSERT_TRUE(
      Has(c.Call("goxel.add_voxel_batch", DenseObjectBatch(100000)), "result"));
  const int64_t kept = RssBytes(d.pid());
  ASSERT_TRUE(WaitFor([&] { return MemoryReturns(c) > before; }, 20000))
      << d.Log();
  const int64_t returned = MemoryReturns(c);
  if (kGlibcHeap) {
    EXPECT_LT(RssBytes(d.pid()), kept - (int64_t{16} << 20))
        << "the request's freed memory was not given back";
  }
  // Once per idle period: three more seconds of the daemon's own clock (its
  // tick is 1 s) bring no second return while nothing runs.
  auto uptime = [&] {
    auto s = c.Call("status");
    return Has(s, "result") ? s["result"]["uptime_seconds"].GetDouble() : -1.0;
  };
  const double t0 = uptime();
  ASSERT_TRUE(WaitFor([&] { return uptime() >= t0 + 3; }, 20000));
  EXPECT_EQ(MemoryReturns(c), returned);
  // New work, a new idle period: one more return.
  ASSERT_TRUE(
      Has(c.Call("goxel.add_voxel_batch", DenseObjectBatch(1000)), "result"));
  EXPECT_TRUE(WaitFor([&] { return MemoryReturns(c) == returned + 1; }, 20000))
      << MemoryReturns(c);
}

}  // namespace
}  // namespace goxel::testing
