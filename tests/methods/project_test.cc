// Projects: create, list, activate, close (refusal), info, status, undo/redo.
#include <set>

#include "methods/methods_fixture.h"

namespace goxel::testing {
namespace {

using ProjectTest = MethodsTest;

TEST_F(ProjectTest, CreateProjectReturnsV14FieldsAndAUuidAndBecomesActive) {
  Reply r = Ok("goxel.create_project", R"(["castle", 32, 16, 8])");
  EXPECT_TRUE(r.Bool("success"));
  EXPECT_EQ(r.Str("name"), "castle");
  EXPECT_EQ(r.Int("width"), 32);
  EXPECT_EQ(r.Int("height"), 16);
  EXPECT_EQ(r.Int("depth"), 8);
  std::string id = r.Str("project_id");
  ASSERT_EQ(id.size(), 36u);
  EXPECT_EQ(id[14], '4');
  EXPECT_NE(id, project_);
  Reply s = Ok("goxel.get_status");
  EXPECT_EQ(s.Str("project_id"), id);
  EXPECT_EQ(s.Int("width"), 32);
  EXPECT_EQ(s.Int("layer_count"), 1);
  EXPECT_FALSE(s.Bool("read_only"));
}

TEST_F(ProjectTest, ProjectsAreIndependentAndAddressedById) {
  std::string second =
      Ok("goxel.create_project", R"({"activate":false})").Str("project_id");
  Ok("goxel.add_voxel",
     R"({"x":0,"y":0,"z":0,"r":1,"g":1,"b":1,"project_id":")" + second + "\"}");
  EXPECT_EQ(VoxelCount(second), 1);
  EXPECT_EQ(VoxelCount(project_), 0);
  EXPECT_EQ(VoxelCount(), 0);  // the active project is still project_
  Ok("goxel.set_active_project", R"({"project_id":")" + second + "\"}");
  EXPECT_EQ(VoxelCount(), 1);
  Reply list = Ok("goxel.list_projects");
  EXPECT_EQ(list.Str("active_project_id"), second);
  std::set<std::string> ids;
  for (const auto& p : list.result()["projects"].GetArray())
    ids.insert(p["project_id"].GetString());
  EXPECT_TRUE(ids.count(project_) && ids.count(second));
  EXPECT_EQ(list.Int("count"),
            static_cast<int64_t>(list.result()["projects"].Size()));
}

TEST_F(ProjectTest, UnknownProjectIs32001ListingOpenIds) {
  Reply r =
      Call("goxel.add_voxel",
           R"({"x":0,"y":0,"z":0,"r":1,"g":1,"b":1,"project_id":"nope"})");
  EXPECT_EQ(r.code(), -32001);
  EXPECT_NE(r.data("open_projects").find(project_), std::string::npos);
  EXPECT_EQ(r.data("method"), "goxel.add_voxel");
  EXPECT_EQ(Call("goxel.set_active_project", R"({"project_id":"nope"})").code(),
            -32001);
  EXPECT_EQ(
      Call("goxel.get_voxel", R"({"x":0,"y":0,"z":0,"project_id":5})").code(),
      -32602);
}

TEST_F(ProjectTest, CloseRefusesUnsavedChangesUnlessForced) {
  std::string id = Ok("goxel.create_project").Str("project_id");
  std::string pid = R"("project_id":")" + id + "\"";
  // A clean project closes without force.
  EXPECT_TRUE(Ok("goxel.close_project", "{" + pid + "}").Bool("success"));
  EXPECT_EQ(Call("goxel.get_project_info", "{" + pid + "}").code(), -32001);
  id = Ok("goxel.create_project").Str("project_id");
  pid = R"("project_id":")" + id + "\"";
  Ok("goxel.add_voxel",
     "{\"x\":0,\"y\":0,\"z\":0,\"color\":[1,1,1]," + pid + "}");
  EXPECT_TRUE(Ok("goxel.get_project_info", "{" + pid + "}").Bool("dirty"));
  Reply refused = Call("goxel.close_project", "{" + pid + "}");
  EXPECT_EQ(refused.code(), -32000);
  EXPECT_EQ(refused.data("reason"), "unsaved_changes");
  EXPECT_EQ(VoxelCount(id), 1);
  Reply closed = Ok("goxel.close_project", "{" + pid + ",\"force\":true}");
  EXPECT_EQ(closed.Str("project_id"), id);
  // The active project moved to another open project.
  EXPECT_TRUE(closed.result()["active_project_id"].IsString());
  EXPECT_EQ(Call("goxel.get_project_info", "{" + pid + "}").code(), -32001);
}

TEST_F(ProjectTest, ProjectInfoReportsCountsBoundsMemoryAndHistory) {
  Ok("goxel.fill_region", R"({"min":[-2,0,0],"max":[1,1,1],"color":[1,2,3]})");
  Reply r = Ok("goxel.get_project_info");
  EXPECT_EQ(r.Str("project_id"), project_);
  EXPECT_EQ(r.Int("voxel_count"), 16);
  EXPECT_EQ(r.Int("layer_count"), 1);
  EXPECT_TRUE(r.Bool("dirty"));
  EXPECT_TRUE(r.Bool("active"));
  EXPECT_EQ(r.result()["bounding_box"]["min"][0].GetInt(), -2);
  EXPECT_EQ(r.result()["bounding_box"]["max"][2].GetInt(), 1);
  EXPECT_GT(r.Int("memory_bytes"), 0);
  EXPECT_EQ(r.Int("undo_steps"), 1);
  EXPECT_EQ(r.Int("redo_steps"), 0);
}

TEST_F(ProjectTest, UndoAndRedoStepThroughEdits) {
  Ok("goxel.add_voxel", "[0,0,0,1,1,1]");
  Ok("goxel.add_voxel", "[1,0,0,1,1,1]");
  EXPECT_EQ(VoxelCount(), 2);
  Reply u = Ok("goxel.undo");
  EXPECT_TRUE(u.Bool("undone"));
  EXPECT_EQ(u.Int("voxel_count"), 1);
  EXPECT_EQ(ColorAt(1, 0, 0), "");
  Ok("goxel.undo");
  EXPECT_EQ(VoxelCount(), 0);
  EXPECT_FALSE(Ok("goxel.undo").Bool("undone"));
  EXPECT_FALSE(Ok("goxel.get_project_info").Bool("dirty"));
  EXPECT_TRUE(Ok("goxel.redo").Bool("redone"));
  EXPECT_EQ(ColorAt(0, 0, 0), "1,1,1,255");
  Ok("goxel.redo");
  EXPECT_EQ(VoxelCount(), 2);
  EXPECT_FALSE(Ok("goxel.redo").Bool("redone"));
}

TEST_F(ProjectTest, ListMethodsDocumentsParamsInPositionalOrder) {
  Reply r = Ok("list_methods");
  bool found = false;
  for (const auto& m : r.result()["methods"].GetArray()) {
    if (std::string(m["method"].GetString()) != "goxel.add_voxel") continue;
    found = true;
    const auto& p = m["params"];
    ASSERT_GE(p.Size(), 8u);
    EXPECT_STREQ(p[0]["name"].GetString(), "x");
    EXPECT_STREQ(p[3]["name"].GetString(), "r");
    EXPECT_STREQ(p[7]["name"].GetString(), "layer_id");
    EXPECT_NE(std::string(m["result"].GetString()).find("color"),
              std::string::npos);
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace goxel::testing
