// add/remove/paint voxel, batches and batch_operations through the socket.
#include "methods/methods_fixture.h"

namespace goxel::testing {
namespace {

using EditTest = MethodsTest;

TEST_F(EditTest, AddVoxelNamedReturnsV14ShapeAndIsReadBack) {
  Reply r = Ok("goxel.add_voxel",
               R"({"x":1,"y":2,"z":3,"r":10,"g":20,"b":30,"a":40})");
  EXPECT_TRUE(r.Bool("success"));
  EXPECT_EQ(r.Int("x"), 1);
  EXPECT_EQ(r.Int("y"), 2);
  EXPECT_EQ(r.Int("z"), 3);
  EXPECT_EQ(r.result()["color"][3].GetInt(), 40);
  EXPECT_EQ(ColorAt(1, 2, 3), "10,20,30,40");
  EXPECT_EQ(VoxelCount(), 1);
}

TEST_F(EditTest, AddVoxelPositionalParamsFollowV14Order) {
  Ok("goxel.add_voxel", "[4,5,6,1,2,3]");
  EXPECT_EQ(ColorAt(4, 5, 6), "1,2,3,255");
}

TEST_F(EditTest, EveryColourFormIsAccepted) {
  Ok("goxel.add_voxel", R"({"x":0,"y":0,"z":0,"color":[1,2,3]})");
  Ok("goxel.add_voxel", R"({"x":1,"y":0,"z":0,"color":[1,2,3,4]})");
  Ok("goxel.add_voxel", R"({"x":2,"y":0,"z":0,"color":"#0a0b0c"})");
  Ok("goxel.add_voxel", R"({"x":3,"y":0,"z":0,"color":"#0a0b0c80"})");
  Ok("goxel.add_voxel", R"({"x":4,"y":0,"z":0,"r":9,"g":8,"b":7,"a":0})");
  EXPECT_EQ(ColorAt(0, 0, 0), "1,2,3,255");
  EXPECT_EQ(ColorAt(1, 0, 0), "1,2,3,4");
  EXPECT_EQ(ColorAt(2, 0, 0), "10,11,12,255");
  EXPECT_EQ(ColorAt(3, 0, 0), "10,11,12,128");
  EXPECT_EQ(ColorAt(4, 0, 0), "9,8,7,255");  // v14: a <= 0 means opaque
}

TEST_F(EditTest, PositionsAsArrayAndFractionsFloor) {
  Reply r =
      Ok("goxel.add_voxel", R"({"position":[1.5,-0.5,2.999],"color":[5,5,5]})");
  EXPECT_EQ(r.Int("x"), 1);
  EXPECT_EQ(r.Int("y"), -1);
  EXPECT_EQ(r.Int("z"), 2);
  EXPECT_EQ(ColorAt(1, -1, 2), "5,5,5,255");
  Reply g = Ok("goxel.get_voxel", R"({"x":1.9,"y":-0.1,"z":2.0})");
  EXPECT_TRUE(g.Bool("exists"));
}

TEST_F(EditTest, RemoveVoxelEmptiesItAndSaysWhetherItWasThere) {
  Ok("goxel.add_voxel", "[1,1,1,9,9,9]");
  Reply r = Ok("goxel.remove_voxel", "[1,1,1]");
  EXPECT_EQ(r.Int("removed"), 1);
  EXPECT_EQ(ColorAt(1, 1, 1), "");
  EXPECT_EQ(Ok("goxel.remove_voxel", "[1,1,1]").Int("removed"), 0);
  Reply g = Ok("goxel.get_voxel", "[1,1,1]");
  EXPECT_FALSE(g.Bool("exists"));
  EXPECT_EQ(g.result()["color"][3].GetInt(), 0);
}

TEST_F(EditTest, PaintRecoloursOnlyExistingVoxels) {
  Ok("goxel.add_voxel", "[0,0,0,1,1,1]");
  EXPECT_EQ(Ok("goxel.paint_voxels", "[0,0,0,7,7,7]").Int("painted"), 1);
  EXPECT_EQ(Ok("goxel.paint_voxels", "[5,5,5,7,7,7]").Int("painted"), 0);
  EXPECT_EQ(ColorAt(0, 0, 0), "7,7,7,255");
  EXPECT_EQ(ColorAt(5, 5, 5), "");
  Ok("goxel.add_voxel", "[2,0,0,1,1,1]");
  Reply r = Ok("goxel.paint_voxels",
               R"({"region":{"min":[0,0,0],"max":[9,9,9]},"color":"#ff0000"})");
  EXPECT_EQ(r.Int("painted"), 2);
  EXPECT_EQ(ColorAt(2, 0, 0), "255,0,0,255");
  EXPECT_EQ(VoxelCount(), 2);
}

TEST_F(EditTest, AddVoxelBatchAcceptsEveryEntryForm) {
  Reply r = Ok("goxel.add_voxel_batch", R"({"voxels":[
      {"x":0,"y":0,"z":0,"r":1,"g":2,"b":3},
      {"position":[1,0,0],"color":"#040506"},
      [2,0,0,7,8,9],
      [3,0,0]], "color":[100,100,100]})");
  EXPECT_EQ(r.Int("added"), 4);
  EXPECT_EQ(r.Int("changed"), 4);
  EXPECT_EQ(ColorAt(0, 0, 0), "1,2,3,255");
  EXPECT_EQ(ColorAt(1, 0, 0), "4,5,6,255");
  EXPECT_EQ(ColorAt(2, 0, 0), "7,8,9,255");
  EXPECT_EQ(ColorAt(3, 0, 0), "100,100,100,255");
}

TEST_F(EditTest, AddVoxelBatchIsAllOrNothingAndNamesTheEntry) {
  Reply r = Call(
      "goxel.add_voxel_batch",
      R"({"voxels":[[0,0,0,1,1,1],{"x":1,"y":"a","z":0,"r":1,"g":1,"b":1}]})");
  EXPECT_EQ(r.code(), -32602);
  EXPECT_EQ(r.data("param"), "voxels[1].y");
  EXPECT_EQ(VoxelCount(), 0);
  r = Call("goxel.add_voxel_batch", R"({"voxels":[[0,0,0,1,1,300]]})");
  EXPECT_EQ(r.code(), -32602);
  EXPECT_EQ(r.data("param"), "voxels[0][5]");
  r = Call("goxel.add_voxel_batch", R"({"voxels":[[0,0,0]]})");
  EXPECT_EQ(r.code(), -32602);
}

// The voxels list is found only under its own name (another name is an
// unknown parameter), and of duplicates the first, a null one included.
TEST_F(EditTest, AddVoxelBatchFindsVoxelsOnlyUnderItsName) {
  Reply r = Call("goxel.add_voxel_batch", R"({"":[[0,0,0,1,1,1]]})");
  EXPECT_EQ(r.code(), -32602) << r.text;
  EXPECT_EQ(r.data("param"), "");
  r = Call("goxel.add_voxel_batch",
           R"({"voxels":null,"voxels":[[0,0,0,1,1,1]]})");
  EXPECT_EQ(r.code(), -32602) << r.text;
  EXPECT_EQ(r.data("param"), "voxels");
  EXPECT_EQ(VoxelCount(), 0);
  r = Call("goxel.add_voxel_batch",
           R"({"voxels":[[0,0,0,1,1,1]],"voxels":null,"":[[1,0,0,2,2,2]]})");
  EXPECT_EQ(r.code(), -32602) << r.text;
  EXPECT_EQ(r.data("param"), "");
  EXPECT_EQ(VoxelCount(), 0);
  r = Ok("goxel.add_voxel_batch",
         R"({"voxels":[[0,0,0,1,1,1]],"voxels":null})");
  EXPECT_EQ(r.Int("added"), 1);
  EXPECT_EQ(ColorAt(0, 0, 0), "1,1,1,255");
  EXPECT_EQ(ColorAt(1, 0, 0), "");
}

TEST_F(EditTest, V14AddVoxelsCountsFailedEntries) {
  Reply r =
      Ok("add_voxels", R"({"voxels":[{"x":0,"y":0,"z":0,"r":1,"g":1,"b":1},
      {"x":1,"y":0,"z":0,"r":1,"g":1,"b":999},{"x":2,"y":0,"z":0,"r":1,"g":1,"b":1}]})");
  EXPECT_FALSE(r.Bool("success"));
  EXPECT_EQ(r.Int("added"), 2);
  EXPECT_EQ(r.Int("failed"), 1);
  EXPECT_EQ(r.result()["errors"][0]["index"].GetInt(), 1);
  EXPECT_EQ(VoxelCount(), 2);
}

TEST_F(EditTest, RemoveVoxelsByListAndByRegion) {
  Ok("goxel.fill_region", R"({"min":[0,0,0],"max":[3,3,3],"color":[1,1,1]})");
  EXPECT_EQ(Ok("goxel.remove_voxels",
               R"({"voxels":[[0,0,0],{"x":1,"y":0,"z":0},[9,9,9]]})")
                .Int("removed"),
            2);
  EXPECT_EQ(VoxelCount(), 62);
  EXPECT_EQ(
      Ok("goxel.remove_voxels", R"({"region":{"min":[0,0,0],"max":[3,3,1]}})")
          .Int("removed"),
      30);
  EXPECT_EQ(VoxelCount(), 32);
}

TEST_F(EditTest, BatchOperationsRunInOrderWithPerOperationResults) {
  Reply r = Ok("goxel.batch_operations", R"({"operations":[
      {"type":"add_voxel","x":0,"y":0,"z":0,"r":1,"g":1,"b":1},
      {"type":"paint","x":0,"y":0,"z":0,"color":[2,2,2]},
      {"type":"add","position":[1,0,0],"color":"#030303"},
      {"type":"remove_voxel","x":1,"y":0,"z":0},
      {"type":"explode","x":0,"y":0,"z":0},
      {"type":"add_voxel","x":5,"y":0,"z":0}]})");
  EXPECT_FALSE(r.Bool("success"));
  EXPECT_EQ(r.Int("total_operations"), 6);
  EXPECT_EQ(r.Int("successful_operations"), 4);
  EXPECT_EQ(r.Int("failed_operations"), 2);
  const auto& res = r.result()["results"];
  EXPECT_TRUE(res[3]["success"].GetBool());
  EXPECT_EQ(res[3]["changed"].GetInt(), 1);
  EXPECT_EQ(res[4]["error"]["code"].GetInt(), -32602);
  EXPECT_EQ(res[5]["error"]["code"].GetInt(), -32602);
  EXPECT_EQ(ColorAt(0, 0, 0), "2,2,2,255");
  EXPECT_EQ(ColorAt(1, 0, 0), "");
  EXPECT_EQ(VoxelCount(), 1);
  // The whole batch is one undo step.
  Ok("goxel.undo");
  EXPECT_EQ(VoxelCount(), 0);
}

TEST_F(EditTest, LargeBatchOfVoxelsIsExact) {
  std::string v = R"({"voxels":[)";
  for (int i = 0; i < 20000; ++i) {
    if (i) v += ",";
    v += "[" + std::to_string(i % 100) + "," + std::to_string(i / 100) +
         ",7,1,2,3]";
  }
  v += "]}";
  EXPECT_EQ(Ok("goxel.add_voxel_batch", v).Int("added"), 20000);
  EXPECT_EQ(VoxelCount(), 20000);
}

}  // namespace
}  // namespace goxel::testing
