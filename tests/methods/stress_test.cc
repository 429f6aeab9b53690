// Many connections editing and reading two projects at once: exact final
// counts, writes visible to their own connection, no torn reads.
#include <atomic>
#include <thread>
#include <vector>

#include "methods/methods_fixture.h"

namespace goxel::testing {
namespace {

using StressTest = MethodsTest;

TEST_F(StressTest, ManyConnectionsEditAndReadWithExactCounts) {
  const std::string projects[2] = {
      Ok("goxel.create_project", R"({"activate":false})").Str("project_id"),
      Ok("goxel.create_project", R"({"activate":false})").Str("project_id")};
  constexpr int kWriters = 8, kPerWriter = 200;
  std::atomic<int> failures{0};
  std::atomic<bool> done{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kWriters; ++t) {
    threads.emplace_back([&, t] {
      RpcClient c;
      if (!c.Connect(daemon_->socket_path())) return void(++failures);
      const std::string pid = R"(,"project_id":")" + projects[t % 2] + "\"}";
      for (int i = 0; i < kPerWriter; ++i) {
        std::string pos = R"({"x":)" + std::to_string(t) + R"(,"y":)" +
                          std::to_string(i) + R"(,"z":0)";
        Reply a =
            CallOn(c, "goxel.add_voxel", pos + R"(,"color":[1,2,3])" + pid);
        Reply g = CallOn(c, "goxel.get_voxel", pos + pid);
        if (!a.ok() || !g.ok() || !g.Bool("exists")) ++failures;
        // Every other voxel is removed again (a second edit per position).
        if (i % 2 == 1 && !CallOn(c, "goxel.remove_voxel", pos + pid).ok())
          ++failures;
      }
      // One batch per writer to the same project as everyone else.
      std::string batch = R"({"voxels":[)";
      for (int i = 0; i < 100; ++i)
        batch += (i ? "," : "") + std::string("[") + std::to_string(100 + t) +
                 "," + std::to_string(i) + ",1,9,9,9]";
      batch += "]" + pid;
      if (CallOn(c, "goxel.add_voxel_batch", batch).Int("added") != 100)
        ++failures;
    });
  }
  // Readers: a snapshot's region total always equals a count of whole
  // states (never a torn read), and counts never go backwards... except
  // that removes follow adds, so only check consistency of one reply.
  for (int rdr = 0; rdr < 2; ++rdr) {
    threads.emplace_back([&, rdr] {
      RpcClient c;
      if (!c.Connect(daemon_->socket_path())) return void(++failures);
      const std::string pid = R"("project_id":")" + projects[rdr] + "\"";
      while (!done.load()) {
        Reply r = CallOn(
            c, "goxel.get_voxels_region",
            R"({"min":[0,0,0],"max":[200,300,1],"limit":0,)" + pid + "}");
        Reply h = CallOn(c, "goxel.get_color_histogram", "{" + pid + "}");
        if (!r.ok() || !h.ok()) ++failures;
        int64_t sum = 0;
        for (const auto& e : h.result()["histogram"].GetArray())
          sum += e["count"].GetInt64();
        if (sum != h.Int("total_voxels")) ++failures;
      }
    });
  }
  for (int t = 0; t < kWriters; ++t) threads[t].join();
  done = true;
  for (size_t t = kWriters; t < threads.size(); ++t) threads[t].join();
  EXPECT_EQ(failures.load(), 0);
  const int64_t per_project = (kWriters / 2) * (kPerWriter / 2 + 100);
  EXPECT_EQ(VoxelCount(projects[0]), per_project);
  EXPECT_EQ(VoxelCount(projects[1]), per_project);
  Reply region =
      Ok("goxel.get_voxels_region",
         R"({"min":[0,0,0],"max":[200,300,1],"limit":0,"project_id":")" +
             projects[0] + "\"}");
  EXPECT_EQ(region.Int("total"), per_project);
}

}  // namespace
}  // namespace goxel::testing
