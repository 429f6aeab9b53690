// The agent methods through the real daemon: goxel.edit (atomic, one undo
// step, expected_version, dry_run), copy_region, move_region, read_grid and
// write_grid, render_views, checkpoints and analyze.
#include "methods/methods_fixture.h"

namespace goxel::testing {
namespace {

using AgentTest = MethodsTest;

TEST_F(AgentTest, EditAppliesEveryOperationAsOneUndoStep) {
  const int64_t v0 = Ok("goxel.get_project_info").Int("version");
  Reply r = Ok("goxel.edit", R"({"operations":[
      {"op":"box","min":[0,0,0],"max":[4,4,0],"color":"#808080"},
      {"op":"box","min":[0,0,1],"max":[4,4,3],"color":[200,50,50],"hollow":true},
      {"op":"set","positions":[[2,2,4],[2,2,5]],"color":[0,0,255]},
      {"op":"remove","position":[2,0,1]},
      {"op":"line","from":[0,6,0],"to":[4,6,0],"color":"#00ff00"},
      {"op":"sphere","center":[10,10,10],"radius":1,"color":[1,2,3]},
      {"op":"paint","min":[0,0,0],"max":[0,4,0],"color":[9,9,9]}]})");
  // floor 25 + hollow 5x5x3 shell (75 - 9) + 2 + line 5 + sphere 7, minus
  // one removed wall voxel.
  EXPECT_EQ(r.Int("added"), 25 + 66 + 2 + 5 + 7 - 1);
  EXPECT_EQ(VoxelCount(), 25 + 66 + 2 + 5 + 7 - 1);
  EXPECT_EQ(r.Int("version"), v0 + 1);
  EXPECT_EQ(r.result()["results"].Size(), 7u);
  EXPECT_EQ(r.result()["results"][6]["changed"].GetInt(), 5);
  EXPECT_EQ(r.result()["bounding_box"]["max"][2].GetInt(), 11);
  EXPECT_EQ(ColorAt(0, 2, 0), "9,9,9,255");
  EXPECT_EQ(ColorAt(2, 0, 1), "");
  Ok("goxel.undo");
  EXPECT_EQ(VoxelCount(), 0);
}

TEST_F(AgentTest, AnyBadOperationChangesNothingAndIsNamed) {
  Ok("goxel.add_voxel", R"({"position":[0,0,0],"color":[1,1,1]})");
  const int64_t v = Ok("goxel.get_project_info").Int("version");
  Reply r = Call("goxel.edit", R"({"operations":[
      {"op":"box","min":[0,0,0],"max":[9,9,9],"color":[1,2,3]},
      {"op":"sphere","center":[0,0,0],"color":[1,2,3]}]})");
  EXPECT_EQ(r.code(), -32602);
  EXPECT_EQ(r.data("param"), "operations[1].radius");
  EXPECT_EQ(r.data("operation"), "1");
  r = Call(
      "goxel.edit",
      R"({"operations":[{"op":"set","position":[1,1,1],"colour":[1,2,3]}]})");
  EXPECT_EQ(r.code(), -32602);
  EXPECT_EQ(r.data("param"), "operations[0].colour");
  r = Call("goxel.edit", R"({"operations":[{"op":"explode"}]})");
  EXPECT_EQ(r.data("param"), "operations[0].op");
  r = Call("goxel.edit", R"({"operations":[
      {"op":"box","min":[0,0,0],"max":[3,3,3],"color":[1,2,3]},
      {"op":"set","position":[1,1,1],"color":[1,2,3],"layer":"nope"}]})");
  EXPECT_EQ(r.code(), -32002);
  EXPECT_EQ(r.data("param"), "operations[1].layer");
  // A move out of the int32 range fails after the box was applied to the
  // copies: still nothing changes.
  r = Call("goxel.edit", R"({"operations":[
      {"op":"box","min":[0,0,0],"max":[3,3,3],"color":[1,2,3]},
      {"op":"move","min":[0,0,0],"max":[1,1,1],"offset":[2147483647,0,0]}]})");
  EXPECT_EQ(r.code(), -32003);
  EXPECT_EQ(r.data("operation"), "1");
  EXPECT_EQ(VoxelCount(), 1);
  EXPECT_EQ(Ok("goxel.get_project_info").Int("version"), v);
}

TEST_F(AgentTest, StaleExpectedVersionIsRefusedWithTheCurrentVersion) {
  const int64_t v = Ok("goxel.get_project_info").Int("version");
  Ok("goxel.add_voxel", R"({"position":[0,0,0],"color":[1,1,1]})");
  Reply r = Call(
      "goxel.edit",
      R"({"expected_version":)" + std::to_string(v) +
          R"(,"operations":[{"op":"set","position":[5,5,5],"color":[1,1,1]}]})");
  EXPECT_EQ(r.code(), -32007);
  EXPECT_EQ(r.data("version"), std::to_string(v + 1));
  EXPECT_EQ(VoxelCount(), 1);
  Ok("goxel.edit",
     R"({"expected_version":)" + std::to_string(v + 1) +
         R"(,"operations":[{"op":"set","position":[5,5,5],"color":[1,1,1]}]})");
  EXPECT_EQ(VoxelCount(), 2);
}

TEST_F(AgentTest, DryRunReportsWithoutChanging) {
  const int64_t v = Ok("goxel.get_project_info").Int("version");
  Reply r = Ok("goxel.edit", R"({"dry_run":true,"operations":[
      {"op":"box","min":[1,2,3],"max":[2,3,4],"color":[5,5,5]}]})");
  EXPECT_TRUE(r.Bool("dry_run"));
  EXPECT_EQ(r.Int("changed"), 8);
  EXPECT_EQ(r.result()["bounding_box"]["min"][1].GetInt(), 2);
  EXPECT_EQ(r.Int("version"), v);
  EXPECT_EQ(VoxelCount(), 0);
  EXPECT_EQ(Ok("goxel.get_project_info").Int("version"), v);
}

TEST_F(AgentTest, OperationsTargetNamedLayersAndCopyAcrossThem) {
  Reply l = Ok("goxel.create_layer", R"({"name":"roof"})");
  Ok("goxel.edit", R"({"layer":"roof","operations":[
      {"op":"box","min":[0,0,0],"max":[1,1,0],"color":[1,1,1]},
      {"op":"copy","min":[0,0,0],"max":[1,1,0],"offset":[0,0,5],"target_layer":1},
      {"op":"cone","base":[20,0,0],"radius":3,"height":4,"color":[2,2,2],"layer":1},
      {"op":"cylinder","center":[30,0,0],"radius":2,"height":3,"color":[2,2,2],"layer":1},
      {"op":"ellipsoid","center":[40,0,0],"radii":[3,1,0],"color":[2,2,2],"layer":1},
      {"op":"flood_fill","position":[0,0,0],"color":[7,7,7]}]})");
  Reply g = Ok("goxel.get_layer_voxels", R"({"layer_id":1})");
  Reply roof = Ok("goxel.get_layer_voxels",
                  R"({"layer_id":)" + std::to_string(l.Int("layer_id")) + "}");
  EXPECT_EQ(roof.Int("count"), 4);
  EXPECT_EQ(ColorAt(1, 1, 0), "7,7,7,255");  // flood filled on roof
  EXPECT_GT(g.Int("count"), 4);
  Ok("goxel.undo");
  EXPECT_EQ(VoxelCount(), 0);
}

TEST_F(AgentTest, CopyAndMoveRegionAreUndoableMethods) {
  Ok("goxel.fill_region", R"({"min":[0,0,0],"max":[2,0,0],"color":[3,3,3]})");
  Reply c =
      Ok("goxel.copy_region", R"({"min":[0,0,0],"max":[2,0,0],"to":[0,5,0]})");
  EXPECT_EQ(c.Int("copied"), 3);
  EXPECT_EQ(ColorAt(2, 5, 0), "3,3,3,255");
  Reply m = Ok("goxel.move_region",
               R"({"min":[0,5,0],"max":[2,5,0],"offset":[0,0,4]})");
  EXPECT_EQ(m.Int("moved"), 3);
  EXPECT_EQ(ColorAt(2, 5, 0), "");
  EXPECT_EQ(ColorAt(2, 5, 4), "3,3,3,255");
  Ok("goxel.undo");
  EXPECT_EQ(ColorAt(2, 5, 0), "3,3,3,255");
  EXPECT_EQ(ColorAt(2, 5, 4), "");
  Ok("goxel.undo");
  EXPECT_EQ(VoxelCount(), 3);
  Reply bad = Call("goxel.move_region", R"({"min":[0,0,0],"max":[1,1,1]})");
  EXPECT_EQ(bad.code(), -32602);
  EXPECT_EQ(bad.data("param"), "offset");
}

TEST_F(AgentTest, TextGridRoundTripsAndWritesBack) {
  Ok("goxel.edit", R"({"operations":[
      {"op":"box","min":[0,0,0],"max":[2,1,0],"color":"#ff0000"},
      {"op":"set","position":[1,1,1],"color":"#0000ff"}]})");
  Reply g = Ok("goxel.read_grid", R"({"min":[0,0,0],"max":[2,1,1]})");
  const auto& s = g.result()["slices"];
  ASSERT_EQ(s.Size(), 2u);
  EXPECT_STREQ(s[0]["rows"][0].GetString(), "aaa");
  EXPECT_STREQ(s[1]["rows"][0].GetString(), ".b.");  // y = 1 is the top row
  EXPECT_STREQ(s[1]["rows"][1].GetString(), "...");
  EXPECT_STREQ(g.result()["legend"]["b"].GetString(), "#0000ff");
  EXPECT_EQ(g.Int("voxel_count"), 7);
  // Write it back one cell up: the same shape appears at z + 10.
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  g.result()["slices"].Accept(w);
  std::string slices = sb.GetString();
  rapidjson::StringBuffer lb;
  rapidjson::Writer<rapidjson::StringBuffer> lw(lb);
  g.result()["legend"].Accept(lw);
  Reply bad = Call("goxel.write_grid", R"({"min":[0,0,10],"legend":)" +
                                           std::string(lb.GetString()) +
                                           R"(,"slices":)" + slices + "}");
  EXPECT_EQ(bad.code(), -32602);  // slices carry z 0 and 1
  EXPECT_EQ(bad.data("param"), "slices[0].z");
  Reply wr = Ok("goxel.write_grid", R"({"min":[0,0,0],"legend":)" +
                                        std::string(lb.GetString()) +
                                        R"(,"slices":)" + slices + "}");
  EXPECT_EQ(wr.Int("changed"), 0);  // the same grid: nothing changes
  Ok("goxel.write_grid",
     R"({"min":[0,0,10],"legend":{"x":[1,2,3]},"slices":[{"rows":["x.x","..x"]}]})");
  EXPECT_EQ(ColorAt(2, 1, 10), "1,2,3,255");
  EXPECT_EQ(ColorAt(2, 0, 10), "1,2,3,255");
  EXPECT_EQ(ColorAt(0, 0, 10), "");
  Reply unk = Call("goxel.write_grid",
                   R"({"min":[0,0,0],"legend":{},"slices":[{"rows":["q"]}]})");
  EXPECT_EQ(unk.code(), -32602);
  EXPECT_EQ(unk.data("param"), "slices[0].rows[0]");
  Reply ragged = Call(
      "goxel.write_grid",
      R"({"min":[0,0,0],"legend":{},"slices":[{"rows":["..",".."]},{"rows":[".."]}]})");
  EXPECT_EQ(ragged.data("param"), "slices[1].rows");
}

TEST_F(AgentTest, RenderViewsReturnsAPngContactSheet) {
  Ok("goxel.edit", R"({"operations":[
      {"op":"box","min":[0,0,0],"max":[7,7,7],"color":[200,10,10]}]})");
  Reply r = Ok(
      "goxel.render_views",
      R"({"views":["front","top","left"],"width":300,"height":200,"background":"#ffffff"})");
  EXPECT_EQ(r.Int("width"), 300);
  EXPECT_EQ(r.Int("height"), 200);
  EXPECT_EQ(r.result()["views"].Size(), 3u);
  EXPECT_STREQ(r.result()["views"][2]["view"].GetString(), "left");
  const std::string png = r.Str("image");
  EXPECT_EQ(png.substr(0, 8), "iVBORw0K");  // base64 of the PNG signature
  Reply bad = Call("goxel.render_views", R"({"views":["sideways"]})");
  EXPECT_EQ(bad.code(), -32602);
  EXPECT_EQ(bad.data("param"), "views[0]");
}

TEST_F(AgentTest, CheckpointRestoreIsUndoable) {
  Ok("goxel.fill_region", R"({"min":[0,0,0],"max":[3,3,3],"color":[3,3,3]})");
  Reply c = Ok("goxel.create_checkpoint", R"({"name":"base"})");
  EXPECT_EQ(c.result()["checkpoints"].Size(), 1u);
  Ok("goxel.fill_region", R"({"min":[0,0,4],"max":[3,3,4],"color":[3,3,3]})");
  EXPECT_EQ(VoxelCount(), 80);
  Reply r = Ok("goxel.restore_checkpoint", R"({"name":"base"})");
  EXPECT_TRUE(r.Bool("changed"));
  EXPECT_EQ(r.Int("voxel_count"), 64);
  EXPECT_EQ(VoxelCount(), 64);
  Ok("goxel.undo");
  EXPECT_EQ(VoxelCount(), 80);
  Reply l = Ok("goxel.list_checkpoints");
  EXPECT_STREQ(l.result()["checkpoints"][0]["name"].GetString(), "base");
  EXPECT_EQ(l.result()["checkpoints"][0]["voxel_count"].GetInt(), 64);
  Reply missing = Call("goxel.restore_checkpoint", R"({"name":"nope"})");
  EXPECT_EQ(missing.code(), -32602);
  EXPECT_EQ(missing.data("checkpoints"), R"(["base"])");
  Ok("goxel.delete_checkpoint", R"({"name":"base"})");
  EXPECT_EQ(Ok("goxel.list_checkpoints").result()["checkpoints"].Size(), 0u);
}

TEST_F(AgentTest, AnalyzeFindsTheFloatingVoxel) {
  Ok("goxel.edit", R"({"operations":[
      {"op":"box","min":[0,0,0],"max":[4,4,0],"color":"#808080"},
      {"op":"box","min":[0,0,1],"max":[0,0,3],"color":"#ff0000"},
      {"op":"set","position":[3,3,6],"color":"#0000ff"}]})");
  Reply a = Ok("goxel.analyze");
  EXPECT_EQ(a.Int("voxel_count"), 29);
  EXPECT_EQ(a.Int("components"), 2);
  EXPECT_EQ(a.result()["largest"]["count"].GetInt(), 28);
  EXPECT_EQ(a.Int("floating_parts"), 1);
  const auto& f = a.result()["floating"][0];
  EXPECT_EQ(f["count"].GetInt(), 1);
  EXPECT_EQ(f["position"][2].GetInt(), 6);
  EXPECT_EQ(a.Int("unique_colors"), 3);
  EXPECT_STREQ(a.result()["colors"][0]["color"].GetString(), "#808080");
  EXPECT_EQ(a.result()["size"][2].GetInt(), 7);
  EXPECT_EQ(Call("goxel.analyze", R"({"connectivity":7})").code(), -32602);
}

TEST_F(AgentTest, RenameLayerTakesAnIdOrAName) {
  Ok("goxel.create_layer", R"({"name":"walls"})");
  Reply r = Ok("goxel.rename_layer", R"({"layer":"walls","name":"roof"})");
  EXPECT_STREQ(r.result()["name"].GetString(), "roof");
  Reply l = Ok("goxel.list_layers");
  EXPECT_STREQ(l.result()["layers"][1]["name"].GetString(), "roof");
  Ok("goxel.undo");
  EXPECT_STREQ(
      Ok("goxel.list_layers").result()["layers"][1]["name"].GetString(),
      "walls");
  Reply bad = Call("goxel.rename_layer", R"({"layer":"nope","name":"x"})");
  EXPECT_EQ(bad.code(), -32002);
  EXPECT_EQ(bad.data("layer_names"), R"(["Layer 1","walls"])");
}

TEST_F(AgentTest, NewMethodsAreListed) {
  Reply m = Ok("list_methods");
  std::string all;
  for (const auto& e : m.result()["methods"].GetArray())
    all += std::string(e["method"].GetString()) + " ";
  for (const char* name :
       {"goxel.edit", "goxel.copy_region", "goxel.move_region",
        "goxel.read_grid", "goxel.write_grid", "goxel.render_views",
        "goxel.create_checkpoint", "goxel.restore_checkpoint",
        "goxel.list_checkpoints", "goxel.delete_checkpoint", "goxel.analyze",
        "goxel.rename_layer"})
    EXPECT_NE(all.find(std::string(name) + " "), std::string::npos) << name;
}

}  // namespace
}  // namespace goxel::testing
