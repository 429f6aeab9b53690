// Issue 16: autosaves restore after READY; a corrupt, truncated or
// unknown-version autosave is moved aside with a warning and the others
// still restore.
#include <zlib.h>

#include <cstring>

#include "fault/fault_fixture.h"

namespace goxel::testing {
namespace {

namespace fs = std::filesystem;

std::vector<uint8_t> ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}
void WriteAll(const std::string& path, const std::vector<uint8_t>& b) {
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(b.data()),
             static_cast<std::streamsize>(b.size()));
}

// Creates a project holding a 4x4x4 box; returns its id.
std::string MakeProject(FaultDaemon& d, const std::string& name) {
  Reply p = d.Ok("goxel.create_project", R"({"name":")" + name + "\"}");
  d.Ok("goxel.fill_region",
       R"({"min":[0,0,0],"max":[3,3,3],"color":[10,200,30,255]})");
  return p.Str("project_id");
}

TEST(Restore, BadAutosavesAreMovedAsideAndTheOthersRestore) {
  FaultDaemon d(R"("performance":{"autosave_interval_seconds":3600})");
  ASSERT_TRUE(d.Start()) << d.process().Log();
  const std::string good = MakeProject(d, "good");
  const std::string corrupt = MakeProject(d, "corrupt");
  const std::string truncated = MakeProject(d, "truncated");
  const std::string future = MakeProject(d, "future");
  ASSERT_EQ(d.process().Stop(), 0) << d.process().Log();
  auto file = [&](const std::string& id) {
    return d.AutosaveDir() + "/" + id + ".gxa";
  };
  for (const auto& id : {good, corrupt, truncated, future})
    ASSERT_TRUE(Exists(file(id))) << d.process().Log();
  // A flipped byte in the body.
  std::vector<uint8_t> b = ReadAll(file(corrupt));
  b[b.size() - 3] ^= 0x5a;
  WriteAll(file(corrupt), b);
  // Cut in the middle.
  b = ReadAll(file(truncated));
  b.resize(b.size() / 2);
  WriteAll(file(truncated), b);
  // Version 99 with a valid header checksum.
  b = ReadAll(file(future));
  uint32_t v = 99;
  std::memcpy(b.data() + 8, &v, 4);
  uint32_t crc = static_cast<uint32_t>(crc32(0, b.data(), 44));
  std::memcpy(b.data() + 44, &crc, 4);
  WriteAll(file(future), b);

  ASSERT_TRUE(d.Start()) << d.process().Log();
  ASSERT_TRUE(WaitFor(
      [&] {
        Reply r = d.Call("goxel.get_project_info",
                         R"({"project_id":")" + good + "\"}");
        return r.ok();
      },
      10000))
      << d.process().Log();
  Reply info =
      d.Call("goxel.get_project_info", R"({"project_id":")" + good + "\"}");
  EXPECT_EQ(info.Int("voxel_count"), 64);
  EXPECT_TRUE(info.Bool("dirty"));
  ASSERT_TRUE(WaitFor(
      [&] { return FilesWith(d.AutosaveDir(), ".broken-").size() == 3; }, 5000))
      << d.process().Log();
  for (const auto& id : {corrupt, truncated, future}) {
    EXPECT_FALSE(Exists(file(id)));
    EXPECT_EQ(
        d.Call("goxel.get_project_info", R"({"project_id":")" + id + "\"}")
            .code(),
        -32001);
  }
  const std::string log = d.process().Log();
  EXPECT_NE(log.find("checksum mismatch"), std::string::npos) << log;
  EXPECT_NE(log.find("unknown version 99"), std::string::npos) << log;
  Reply h = d.Call("health");
  EXPECT_EQ(h.Str("status"), "degraded") << h.text;
  EXPECT_NE(h.text.find("3 autosave(s) could not be restored"),
            std::string::npos)
      << h.text;
}

// READY comes before the restore: while a project is restored, calls on
// it answer -32007 reason "restoring" and list_projects says so; nothing
// else is ever seen.
TEST(Restore, CallsDuringTheRestoreSayRestoring) {
  FaultDaemon d(R"("performance":{"autosave_interval_seconds":3600})");
  ASSERT_TRUE(d.Start()) << d.process().Log();
  Reply p = d.Ok("goxel.create_project", R"({"name":"big"})");
  const std::string id = p.Str("project_id");
  // Scattered voxels: one per block, many blocks.
  for (int batch = 0; batch < 2; ++batch) {
    std::string voxels;
    for (int i = 0; i < 5000; ++i) {
      const int n = batch * 5000 + i;
      voxels += (i ? "," : "") + std::string("[") +
                std::to_string(n % 50 * 16) + "," +
                std::to_string(n / 50 % 20 * 16) + "," +
                std::to_string(n / 1000 * 16) + ",200,10,10,255]";
    }
    d.Ok("goxel.add_voxel_batch", "{\"voxels\":[" + voxels + "]}");
  }
  ASSERT_EQ(d.Ok("goxel.get_project_info").Int("voxel_count"), 10000);
  ASSERT_EQ(d.process().Stop(), 0) << d.process().Log();
  ASSERT_TRUE(d.Start()) << d.process().Log();
  int restoring_seen = 0;
  bool done = false;
  for (int i = 0; i < 5000 && !done; ++i) {
    Reply r =
        d.Call("goxel.get_project_info", R"({"project_id":")" + id + "\"}");
    if (r.ok()) {
      EXPECT_EQ(r.Int("voxel_count"), 10000);
      done = true;
    } else {
      ASSERT_EQ(r.code(), -32007) << r.text;
      ASSERT_EQ(r.data("reason"), "restoring") << r.text;
      Reply list = d.Ok("goxel.list_projects");
      if (list.text.find("\"restoring\":true") != std::string::npos)
        ++restoring_seen;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
  EXPECT_TRUE(done) << d.process().Log();
  RecordProperty("restoring_seen", restoring_seen);
}

}  // namespace
}  // namespace goxel::testing
