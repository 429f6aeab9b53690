// procedural_shape, fill_region, brush_stroke, flood_fill, select_region and
// the per-call voxel cap.
#include "methods/methods_fixture.h"

namespace goxel::testing {
namespace {

using ShapeTest = MethodsTest;

// Cells with |d|^2 <= r^2 (brute force).
int64_t SphereCells(int r) {
  int64_t n = 0;
  for (int x = -r; x <= r; ++x)
    for (int y = -r; y <= r; ++y)
      for (int z = -r; z <= r; ++z) n += x * x + y * y + z * z <= r * r;
  return n;
}

TEST_F(ShapeTest, CubeSizesAreExact) {
  Reply r =
      Ok("goxel.procedural_shape", R"(["cube", 10, 4, 3, 0, 0, 0, 1, 2, 3])");
  EXPECT_EQ(r.Str("shape_type"), "cube");
  EXPECT_EQ(r.Int("voxels_created"), 120);
  EXPECT_EQ(VoxelCount(), 120);
  Reply b = Ok("goxel.get_bounding_box");
  EXPECT_EQ(b.result()["min"][0].GetInt(), -5);
  EXPECT_EQ(b.result()["max"][0].GetInt(), 4);
  EXPECT_EQ(b.result()["dimensions"][1].GetInt(), 4);
}

TEST_F(ShapeTest, HollowCubeIsAOneCellShell) {
  Reply r = Ok(
      "goxel.procedural_shape",
      R"({"shape_type":"cube","size_x":10,"size_y":10,"size_z":10,"hollow":true,"color":[1,1,1]})");
  EXPECT_EQ(r.Int("voxels_created"), 1000 - 512);
  EXPECT_EQ(ColorAt(0, 0, 0), "");
  EXPECT_EQ(ColorAt(-5, 0, 0), "1,1,1,255");
  EXPECT_EQ(ColorAt(4, 4, 4), "1,1,1,255");
}

TEST_F(ShapeTest, SphereMatchesBruteForce) {
  Reply r = Ok(
      "goxel.procedural_shape",
      R"({"shape_type":"sphere","size_x":10,"size_y":10,"size_z":10,"center_x":20,"color":"#ffffff"})");
  EXPECT_EQ(r.Int("voxels_created"), SphereCells(5));
  EXPECT_EQ(ColorAt(25, 0, 0), "255,255,255,255");
  EXPECT_EQ(ColorAt(26, 0, 0), "");
}

TEST_F(ShapeTest, CylinderConeTorusAndHollowSphereDrawSomething) {
  int64_t total = 0;
  for (const char* s : {"cylinder", "cone", "torus"}) {
    Reply r = Ok(
        "goxel.procedural_shape",
        std::string(R"({"shape_type":")") + s +
            R"(","size_x":12,"size_y":12,"size_z":12,"color":[1,1,1],"mode":"add","center_x":)" +
            std::to_string(total) + "}");
    EXPECT_GT(r.Int("voxels_created"), 0) << s;
    total += 100;
  }
  // Cylinder along z, radius 6, height 12 → |dz| <= 6: 13 discs.
  Ok("goxel.create_project");
  int64_t disc = 0;
  for (int x = -6; x <= 6; ++x)
    for (int y = -6; y <= 6; ++y) disc += x * x + y * y <= 36;
  EXPECT_EQ(
      Ok("goxel.procedural_shape",
         R"({"shape_type":"cylinder","size_x":12,"size_y":12,"size_z":12,"color":[1,1,1]})")
          .Int("voxels_created"),
      13 * disc);
  Ok("goxel.create_project");
  Reply h =
      Ok("goxel.procedural_shape",
         R"({"shape_type":"sphere","radius":5,"hollow":true,"color":[1,1,1]})");
  EXPECT_LT(h.Int("voxels_created"), SphereCells(5));
  EXPECT_EQ(ColorAt(0, 0, 0), "");
  EXPECT_EQ(ColorAt(5, 0, 0), "1,1,1,255");
}

TEST_F(ShapeTest, UnknownShapeIsAnInvalidParam) {
  Reply r = Call("goxel.procedural_shape",
                 R"({"shape_type":"pyramid","color":[1,1,1]})");
  EXPECT_EQ(r.code(), -32602);
  EXPECT_EQ(r.data("param"), "shape_type");
}

TEST_F(ShapeTest, A256CubeIsAllowedAndOneMoreRowIsRefusedBeforeWork) {
  Reply r = Ok("goxel.fill_region",
               R"({"min":[0,0,0],"max":[255,255,255],"color":[1,2,3]})");
  EXPECT_EQ(r.Int("voxels_changed"), 16777216);
  Reply big = Call("goxel.fill_region",
                   R"({"min":[0,0,0],"max":[256,255,255],"color":[1,2,3]})");
  EXPECT_EQ(big.code(), -32006);
  EXPECT_EQ(big.data("limit"), "16777216");
  EXPECT_EQ(Call("goxel.procedural_shape",
                 R"({"shape_type":"sphere","radius":1000,"color":[1,1,1]})")
                .code(),
            -32006);
  EXPECT_EQ(VoxelCount(), 16777216);
  // Clearing is not capped.
  Reply clear = Ok("goxel.fill_region",
                   R"({"min":[-10,-10,-10],"max":[300,300,300],"clear":true})");
  EXPECT_EQ(clear.Int("voxels_changed"), 16777216);
  EXPECT_EQ(VoxelCount(), 0);
}

TEST_F(ShapeTest, BrushStrokeDrawsALine) {
  Reply r = Ok("goxel.brush_stroke",
               R"({"points":[[0,0,0],[9,0,0],[9,9,0]],"color":[5,5,5]})");
  EXPECT_EQ(r.Int("segments"), 2);
  EXPECT_EQ(r.Int("voxels_changed"), 19);
  EXPECT_EQ(ColorAt(9, 5, 0), "5,5,5,255");
  Reply thick =
      Ok("goxel.brush_stroke",
         R"({"start":[0,20,0],"end":[0,20,0],"radius":2,"color":[5,5,5]})");
  EXPECT_EQ(thick.Int("voxels_changed"), SphereCells(2));
  Ok("goxel.brush_stroke", R"({"points":[[0,0,0],[3,0,0]],"mode":"remove"})");
  EXPECT_EQ(ColorAt(2, 0, 0), "");
}

TEST_F(ShapeTest, FloodFillRecoloursTheConnectedSetOnly) {
  // Two 3x3x3 cubes of colour A, apart; fill from one.
  Ok("goxel.fill_region", R"({"min":[0,0,0],"max":[2,2,2],"color":[1,1,1]})");
  Ok("goxel.fill_region", R"({"min":[5,0,0],"max":[7,2,2],"color":[1,1,1]})");
  Reply r = Ok("goxel.flood_fill", "[1,1,1,200,0,0]");
  EXPECT_EQ(r.Int("voxels_filled"), 27);
  EXPECT_EQ(ColorAt(0, 0, 0), "200,0,0,255");
  EXPECT_EQ(ColorAt(5, 0, 0), "1,1,1,255");
  // Tolerance joins similar colours.
  Ok("goxel.add_voxel", "[3,0,0,205,3,0]");
  EXPECT_EQ(Ok("goxel.flood_fill",
               R"({"x":0,"y":0,"z":0,"color":[9,9,9],"tolerance":5})")
                .Int("voxels_filled"),
            28);
  // Over the cap: refused, nothing changed.
  Reply capped = Call("goxel.flood_fill",
                      R"({"x":0,"y":0,"z":0,"color":[1,2,3],"max_voxels":10})");
  EXPECT_EQ(capped.code(), -32006);
  EXPECT_EQ(ColorAt(0, 0, 0), "9,9,9,255");
  // Empty seed fills empty space inside the region.
  Reply air = Ok(
      "goxel.flood_fill",
      R"({"x":20,"y":20,"z":20,"color":[1,1,1],"region":{"min":[20,20,20],"max":[21,21,21]}})");
  EXPECT_EQ(air.Int("voxels_filled"), 8);
  // Seed outside the region.
  EXPECT_EQ(
      Call(
          "goxel.flood_fill",
          R"({"x":0,"y":0,"z":0,"color":[1,1,1],"region":{"min":[20,20,20],"max":[21,21,21]}})")
          .code(),
      -32003);
}

TEST_F(ShapeTest, SelectionIsUsedByLaterCalls) {
  Ok("goxel.fill_region", R"({"min":[0,0,0],"max":[9,9,9],"color":[1,1,1]})");
  Reply s = Ok("goxel.select_region", R"({"min":[0,0,0],"max":[1,1,1]})");
  EXPECT_EQ(s.Int("voxel_count"), 8);
  EXPECT_EQ(Ok("goxel.get_voxels_region").Int("total"), 8);
  EXPECT_EQ(
      Ok("goxel.paint_voxels", R"({"region":"selection","color":[2,2,2]})")
          .Int("painted"),
      8);
  Ok("goxel.fill_region", R"({"clear":true})");
  EXPECT_EQ(VoxelCount(), 1000 - 8);
  EXPECT_TRUE(Ok("goxel.get_project_info").result()["selection"].IsObject());
  Ok("goxel.select_region", R"({"clear":true})");
  EXPECT_EQ(Call("goxel.get_voxels_region", R"({"region":"selection"})").code(),
            -32003);
  EXPECT_EQ(Call("goxel.get_voxels_region").code(), -32602);
}

}  // namespace
}  // namespace goxel::testing
