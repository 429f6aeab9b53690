// Autosave through the real daemon: a crash loses at most one interval, a
// clean stop loses nothing, saving or closing removes the autosave, and a
// second daemon on the same data directory leaves the autosaves alone.
#include <signal.h>

#include "files/files_fixture.h"

namespace goxel::testing {
namespace {

bool Exists(const std::string& path) { return std::filesystem::exists(path); }

std::string AutosaveOf(const FilesDaemon& d, const std::string& id) {
  return d.File(".goxel-daemon/autosave/" + id + ".gxa");
}

// An autosave is complete once it exists (written atomically).
bool AutosaveComplete(const FilesDaemon& d, const std::string& id) {
  return Exists(AutosaveOf(d, id));
}

// Creates a project named `name` holding a 4x4x4 box; returns its id.
std::string MakeEditedProject(FilesDaemon& d, const std::string& name) {
  Reply p = d.Ok("goxel.create_project", R"({"name":")" + name + "\"}");
  d.Ok("goxel.fill_region",
       R"({"min":[0,0,0],"max":[3,3,3],"color":[10,200,30,255]})");
  return p.Str("project_id");
}

// The entry of list_projects for `id` (null when absent).
const rapidjson::Value* FindProject(const Reply& list, const std::string& id) {
  for (const auto& p : list.result()["projects"].GetArray())
    if (id == p["project_id"].GetString()) return &p;
  return nullptr;
}

void ExpectRestored(FilesDaemon& d, const std::string& id,
                    const std::string& name) {
  // Restored after READY: -32007 reason "restoring" until then.
  ASSERT_TRUE(WaitFor(
      [&] {
        return d
            .Call("goxel.get_project_info", R"({"project_id":")" + id + "\"}")
            .ok();
      },
      10000))
      << d.process().Log();
  Reply list = d.Ok("goxel.list_projects");
  const rapidjson::Value* p = FindProject(list, id);
  ASSERT_NE(p, nullptr) << list.text;
  EXPECT_STREQ((*p)["name"].GetString(), name.c_str());
  EXPECT_EQ((*p)["voxel_count"].GetInt64(), 64);
  EXPECT_TRUE((*p)["dirty"].GetBool()) << "restored work is still unsaved";
  // The untouched default project was dropped; ours is active.
  EXPECT_EQ(list.Int("count"), 1) << list.text;
  EXPECT_EQ(list.Str("active_project_id"), id);
  Reply v = d.Ok("goxel.get_voxel", R"({"x":3,"y":3,"z":3})");
  EXPECT_TRUE(v.Bool("exists"));
  EXPECT_EQ(v.result()["color"][1].GetInt(), 200);
}

TEST(Autosave, CrashLosesAtMostOneInterval) {
  FilesDaemon d(/*autosave_seconds=*/1);
  ASSERT_TRUE(d.Start()) << d.process().Log();
  const std::string id = MakeEditedProject(d, "crashy");
  ASSERT_TRUE(WaitFor([&] { return AutosaveComplete(d, id); }, 4000))
      << d.process().Log();
  d.process().Signal(SIGKILL);
  ASSERT_NE(d.process().Wait(5000), -1);
  ASSERT_TRUE(d.Start()) << d.process().Log();
  ExpectRestored(d, id, "crashy");
  // Still autosaved, and editable under its id.
  d.Ok("goxel.add_voxel", R"({"x":9,"y":9,"z":9,"color":[1,1,1,255],
                              "project_id":")" +
                              id + "\"}");
  EXPECT_EQ(d.Ok("goxel.get_project_info").Int("voxel_count"), 65);
}

TEST(Autosave, CleanStopWritesAFinalAutosaveThatIsRestored) {
  FilesDaemon d(/*autosave_seconds=*/3600);
  ASSERT_TRUE(d.Start()) << d.process().Log();
  const std::string id = MakeEditedProject(d, "clean-stop");
  EXPECT_FALSE(Exists(AutosaveOf(d, id))) << "no pass before the interval";
  EXPECT_EQ(d.process().Stop(), 0);
  EXPECT_TRUE(AutosaveComplete(d, id)) << d.process().Log();
  ASSERT_TRUE(d.Start()) << d.process().Log();
  ExpectRestored(d, id, "clean-stop");
}

TEST(Autosave, SavingRemovesTheAutosave) {
  FilesDaemon d(/*autosave_seconds=*/1);
  ASSERT_TRUE(d.Start()) << d.process().Log();
  const std::string id = MakeEditedProject(d, "saved");
  ASSERT_TRUE(WaitFor([&] { return AutosaveComplete(d, id); }, 4000));
  d.Ok("goxel.save_project", R"(["kept.gox"])");
  EXPECT_FALSE(Exists(AutosaveOf(d, id)));
  // A clean project is not written again by later passes or at stop. A
  // witness edited after the save shows a whole pass went by since: the
  // pass that writes its second edit began after the one that wrote its
  // first had ended, which was after the save.
  const std::string witness = MakeEditedProject(d, "witness");
  ASSERT_TRUE(WaitFor([&] { return AutosaveComplete(d, witness); }, 4000));
  const auto first_write =
      std::filesystem::last_write_time(AutosaveOf(d, witness));
  d.Ok("goxel.add_voxel", R"({"x":9,"y":9,"z":9,"color":[1,1,1,255],
                              "project_id":")" +
                              witness + "\"}");
  ASSERT_TRUE(WaitFor(
      [&] {
        std::error_code ec;
        auto t = std::filesystem::last_write_time(AutosaveOf(d, witness), ec);
        return !ec && t != first_write;
      },
      4000));
  EXPECT_FALSE(Exists(AutosaveOf(d, id)));
  d.Ok("goxel.close_project",
       R"({"project_id":")" + witness + R"(","force":true})");
  EXPECT_EQ(d.process().Stop(), 0);
  EXPECT_FALSE(Exists(AutosaveOf(d, id)));
  ASSERT_TRUE(d.Start());
  Reply list = d.Ok("goxel.list_projects");
  EXPECT_EQ(FindProject(list, id), nullptr) << list.text;
  EXPECT_EQ(list.Int("count"), 0);  // nothing restored, nothing implicit
}

TEST(Autosave, ClosingRemovesTheAutosave) {
  FilesDaemon d(/*autosave_seconds=*/1);
  ASSERT_TRUE(d.Start()) << d.process().Log();
  const std::string id = MakeEditedProject(d, "closed");
  ASSERT_TRUE(WaitFor([&] { return AutosaveComplete(d, id); }, 4000));
  d.Ok("goxel.close_project", R"({"project_id":")" + id + R"(","force":true})");
  EXPECT_FALSE(Exists(AutosaveOf(d, id)));
  EXPECT_EQ(d.process().Stop(), 0);
  EXPECT_FALSE(Exists(AutosaveOf(d, id)));
}

TEST(Autosave, ASecondDaemonOnTheSameDataDirectoryLeavesThemAlone) {
  FilesDaemon first(/*autosave_seconds=*/1);
  ASSERT_TRUE(first.Start()) << first.process().Log();
  const std::string id = MakeEditedProject(first, "mine");
  ASSERT_TRUE(WaitFor([&] { return AutosaveComplete(first, id); }, 4000));

  FilesDaemon other(/*autosave_seconds=*/1, first.data_dir());
  ASSERT_TRUE(other.Start()) << other.process().Log();
  Reply list = other.Ok("goxel.list_projects");
  EXPECT_EQ(FindProject(list, id), nullptr) << list.text;
  // It writes no autosave of its own there either.
  other.Ok("goxel.create_project");  // none is implicit
  other.Ok("goxel.add_voxel", R"({"x":1,"y":1,"z":1,"color":[1,1,1,255]})");
  EXPECT_EQ(other.process().Stop(), 0);
  EXPECT_TRUE(Exists(AutosaveOf(first, id)));
  EXPECT_EQ(first.process().Stop(), 0);

  // Keyed by the data directory, not the socket: any socket restores them.
  ASSERT_TRUE(first.Start(first.process().dir().File("another.sock")))
      << first.process().Log();
  ExpectRestored(first, id, "mine");
}

}  // namespace
}  // namespace goxel::testing
