// Layers: list, create, delete, merge, visibility, active layer, -32002.
#include "methods/methods_fixture.h"

namespace goxel::testing {
namespace {

using LayerTest = MethodsTest;

TEST_F(LayerTest, ListLayersShowsRealLayers) {
  Reply r = Ok("goxel.list_layers");
  EXPECT_EQ(r.Int("count"), 1);
  int first = r.result()["layers"][0]["id"].GetInt();
  Reply c = Ok("goxel.create_layer", R"(["top", 255, 0, 0, false])");
  EXPECT_EQ(c.Str("name"), "top");
  EXPECT_FALSE(c.Bool("visible"));
  EXPECT_EQ(c.result()["color"][0].GetInt(), 255);
  int top = static_cast<int>(c.Int("layer_id"));
  EXPECT_NE(top, first);
  r = Ok("goxel.list_layers");
  ASSERT_EQ(r.Int("count"), 2);
  EXPECT_EQ(r.result()["layers"][1]["id"].GetInt(), top);
  EXPECT_STREQ(r.result()["layers"][1]["name"].GetString(), "top");
  EXPECT_FALSE(r.result()["layers"][1]["visible"].GetBool());
  EXPECT_EQ(r.Int("active_layer_id"), top);
}

TEST_F(LayerTest, EditsGoToTheActiveOrNamedLayer) {
  int bottom = Ok("goxel.list_layers").result()["layers"][0]["id"].GetInt();
  int top = static_cast<int>(
      Ok("goxel.create_layer", R"({"name":"t"})").Int("layer_id"));
  Ok("goxel.add_voxel", "[0,0,0,1,1,1]");  // active = top
  Ok("goxel.add_voxel", "[1,0,0,2,2,2,255," + std::to_string(bottom) + "]");
  Reply l = Ok("goxel.list_layers");
  EXPECT_EQ(l.result()["layers"][0]["voxel_count"].GetInt(), 1);
  EXPECT_EQ(l.result()["layers"][1]["voxel_count"].GetInt(), 1);
  Reply g = Ok("goxel.get_voxel", "[1,0,0," + std::to_string(top) + "]");
  EXPECT_FALSE(g.Bool("exists"));
  EXPECT_EQ(ColorAt(1, 0, 0), "2,2,2,255");  // composed view sees it
  Ok("goxel.set_active_layer", "[" + std::to_string(bottom) + "]");
  Ok("goxel.add_voxel", "[2,0,0,3,3,3]");
  EXPECT_EQ(
      Ok("goxel.list_layers").result()["layers"][0]["voxel_count"].GetInt(), 2);
}

TEST_F(LayerTest, MissingLayerIs32002) {
  Reply r = Call("goxel.add_voxel", "[0,0,0,1,1,1,255,999]");
  EXPECT_EQ(r.code(), -32002);
  EXPECT_EQ(r.data("layer_id"), "999");
  EXPECT_EQ(Call("goxel.set_active_layer", "[999]").code(), -32002);
  EXPECT_EQ(Call("goxel.delete_layer", R"({"layer_id":999})").code(), -32002);
  EXPECT_EQ(Call("goxel.delete_layer", R"({"layer_name":"ghost"})").code(),
            -32002);
  EXPECT_EQ(Call("goxel.set_layer_visibility", "[999,true]").code(), -32002);
  EXPECT_EQ(Call("goxel.get_layer_voxels", "[999]").code(), -32002);
}

// v14 clients send layer_id 0 (their default), often positionally: any
// layer_id <= 0 is the active layer, wherever v14 took one.
TEST_F(LayerTest, V14LayerIdZeroOrNegativeIsTheActiveLayer) {
  int bottom = Ok("goxel.list_layers").result()["layers"][0]["id"].GetInt();
  int top = static_cast<int>(
      Ok("goxel.create_layer", R"({"name":"t"})").Int("layer_id"));
  Ok("goxel.set_active_layer", "[" + std::to_string(bottom) + "]");
  // Positional, as v14's clients send it.
  Reply a = Ok("goxel.add_voxel", "[0,0,0,255,0,0,255,0]");
  EXPECT_EQ(a.Int("layer_id"), bottom);
  // Named, 0 and other values <= 0.
  EXPECT_EQ(Ok("goxel.add_voxel",
               R"({"x":1,"y":0,"z":0,"r":1,"g":2,"b":3,"layer_id":0})")
                .Int("layer_id"),
            bottom);
  EXPECT_EQ(Ok("goxel.add_voxel",
               R"({"x":2,"y":0,"z":0,"r":1,"g":2,"b":3,"layer_id":-7})")
                .Int("layer_id"),
            bottom);
  Ok("goxel.paint_voxels", "[0,0,0,9,9,9,255,0]");
  EXPECT_EQ(ColorAt(0, 0, 0), "9,9,9,255");
  Ok("goxel.add_voxel_batch", R"({"voxels":[[5,5,5,1,1,1]],"layer_id":0})");
  Ok("goxel.procedural_shape",
     R"({"shape_type":"cube","size_x":2,"size_y":2,"size_z":2,)"
     R"("center_x":20,"center_y":20,"center_z":20,"r":4,"g":4,"b":4,)"
     R"("layer_id":0})");
  Reply rm = Ok("goxel.remove_voxel", "[2,0,0,0]");
  EXPECT_TRUE(rm.Bool("removed"));
  EXPECT_EQ(Ok("goxel.get_voxel", "[1,0,0,0]").Bool("exists"), true);
  Reply l = Ok("goxel.list_layers");
  // 0,0,0 and 1,0,0 and 5,5,5 and the 2x2x2 cube, all on the active layer.
  EXPECT_EQ(l.result()["layers"][0]["voxel_count"].GetInt(), 11);
  EXPECT_EQ(l.result()["layers"][1]["voxel_count"].GetInt(), 0);
  EXPECT_EQ(l.result()["layers"][1]["id"].GetInt(), top);
  // An unknown positive id is still an error.
  EXPECT_EQ(Call("goxel.add_voxel", "[0,0,0,1,1,1,255,999]").code(), -32002);
}

TEST_F(LayerTest, DeleteByIdOrNameButNeverTheLastLayer) {
  int only = Ok("goxel.list_layers").result()["layers"][0]["id"].GetInt();
  EXPECT_EQ(Call("goxel.delete_layer", "[" + std::to_string(only) + "]").code(),
            -32602);
  Ok("goxel.create_layer", R"({"name":"extra"})");
  EXPECT_TRUE(
      Ok("goxel.delete_layer", R"({"layer_name":"extra"})").Bool("success"));
  EXPECT_EQ(Ok("goxel.list_layers").Int("count"), 1);
}

TEST_F(LayerTest, MergeDrawsSourceOverTargetAndDeletesSource) {
  int bottom = Ok("goxel.list_layers").result()["layers"][0]["id"].GetInt();
  Ok("goxel.add_voxel", "[0,0,0,1,1,1]");
  Ok("goxel.add_voxel", "[1,0,0,1,1,1]");
  int top = static_cast<int>(Ok("goxel.create_layer").Int("layer_id"));
  Ok("goxel.add_voxel", "[1,0,0,9,9,9]");
  Ok("goxel.add_voxel", "[2,0,0,9,9,9]");
  Reply m = Ok("goxel.merge_layers",
               "[" + std::to_string(top) + "," + std::to_string(bottom) + "]");
  EXPECT_EQ(m.Int("voxel_count"), 3);
  Reply l = Ok("goxel.list_layers");
  EXPECT_EQ(l.Int("count"), 1);
  EXPECT_EQ(ColorAt(1, 0, 0), "9,9,9,255");
  EXPECT_EQ(Call("goxel.merge_layers",
                 "[" + std::to_string(top) + "," + std::to_string(bottom) + "]")
                .code(),
            -32002);
}

TEST_F(LayerTest, VisibilityIsStored) {
  int id = Ok("goxel.list_layers").result()["layers"][0]["id"].GetInt();
  Reply v =
      Ok("goxel.set_layer_visibility", "[" + std::to_string(id) + ",false]");
  EXPECT_FALSE(v.Bool("visible"));
  EXPECT_FALSE(
      Ok("goxel.list_layers").result()["layers"][0]["visible"].GetBool());
  EXPECT_EQ(
      Call("goxel.set_layer_visibility", "[" + std::to_string(id) + "]").code(),
      -32602);
}

}  // namespace
}  // namespace goxel::testing
