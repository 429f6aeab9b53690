// Parameter errors: -32602 naming the parameter, -32003 for positions.
#include "methods/methods_fixture.h"

namespace goxel::testing {
namespace {

using ErrorsTest = MethodsTest;

struct BadCase {
  const char* method;
  const char* params;
  int code;
  const char* param;
};

TEST_F(ErrorsTest, EveryBadParamIsNamed) {
  const BadCase cases[] = {
      {"goxel.add_voxel", R"({"y":0,"z":0,"r":1,"g":1,"b":1})", -32602, "x"},
      {"goxel.add_voxel", R"({"x":"1","y":0,"z":0,"r":1,"g":1,"b":1})", -32602,
       "x"},
      {"goxel.add_voxel", R"({"x":0,"y":0,"z":0})", -32602, "color"},
      {"goxel.add_voxel", R"({"x":0,"y":0,"z":0,"r":1,"g":1})", -32602, "b"},
      {"goxel.add_voxel", R"({"x":0,"y":0,"z":0,"r":256,"g":1,"b":1})", -32602,
       "r"},
      {"goxel.add_voxel", R"({"x":0,"y":0,"z":0,"r":-1,"g":1,"b":1})", -32602,
       "r"},
      {"goxel.add_voxel", R"({"x":0,"y":0,"z":0,"r":1.5,"g":1,"b":1})", -32602,
       "r"},
      {"goxel.add_voxel", R"({"x":0,"y":0,"z":0,"color":[1,2]})", -32602,
       "color"},
      {"goxel.add_voxel", R"({"x":0,"y":0,"z":0,"color":[1,2,300]})", -32602,
       "color[2]"},
      {"goxel.add_voxel", R"({"x":0,"y":0,"z":0,"color":"#12345"})", -32602,
       "color"},
      {"goxel.add_voxel", R"({"x":0,"y":0,"z":0,"color":"#gg0000"})", -32602,
       "color"},
      {"goxel.add_voxel", R"({"position":[0,0],"color":[1,1,1]})", -32602,
       "position"},
      {"goxel.add_voxel", R"({"position":[0,0,true],"color":[1,1,1]})", -32602,
       "position[2]"},
      {"goxel.add_voxel", R"({"x":3e9,"y":0,"z":0,"color":[1,1,1]})", -32003,
       "x"},
      // A string layer is a name (v14's layer_id is an alias of layer).
      {"goxel.add_voxel",
       R"({"x":0,"y":0,"z":0,"color":[1,1,1],"layer_id":"a"})", -32002,
       "layer"},
      {"goxel.add_voxel", R"({"x":0,"y":0,"z":0,"color":[1,1,1],"layer":true})",
       -32602, "layer"},
      {"goxel.get_voxel", R"({"x":0,"y":0})", -32602, "z"},
      {"goxel.create_project", R"({"width":0})", -32602, "width"},
      {"goxel.create_project", R"({"name":7})", -32602, "name"},
      {"goxel.get_voxels_region", R"({"min":[0,0,0],"max":[1,1,1],"limit":-1})",
       -32602, "limit"},
      {"goxel.get_voxels_region", R"({"min":[0,0,0]})", -32602, "max"},
      {"goxel.get_color_histogram", R"({"bin_size":0})", -32602, "bin_size"},
      {"goxel.flood_fill",
       R"({"x":0,"y":0,"z":0,"color":[1,1,1],"tolerance":300})", -32602,
       "tolerance"},
      {"goxel.procedural_shape",
       R"({"shape_type":"cube","size_x":0,"color":[1,1,1]})", -32602, "size_x"},
      {"goxel.procedural_shape",
       R"({"shape_type":"cube","color":[1,1,1],"mode":"smash"})", -32602,
       "mode"},
      {"goxel.batch_operations", R"({"operations":5})", -32602, "operations"},
      {"goxel.add_voxel_batch", R"({})", -32602, "voxels"},
      {"goxel.set_layer_visibility", R"({"visible":"yes"})", -32602, "visible"},
      {"goxel.close_project", R"({"force":1})", -32602, "force"},
      {"goxel.fill_region", R"({"min":[0,0,0],"max":[1,1,1]})", -32602,
       "color"},
      {"goxel.select_region", R"({"region":{"min":[0,0,0]}})", -32602,
       "region.max"},
  };
  for (const auto& c : cases) {
    Reply r = Call(c.method, c.params);
    EXPECT_EQ(r.code(), c.code)
        << c.method << " " << c.params << " -> " << r.text;
    EXPECT_EQ(r.data("param"), c.param)
        << c.method << " " << c.params << " -> " << r.text;
    EXPECT_EQ(r.data("method"), c.method);
  }
  EXPECT_EQ(VoxelCount(), 0);
}

TEST_F(ErrorsTest, TooManyPositionalParamsIsRejected) {
  // One more than add_voxel's 13 params (the last is layer, the canonical
  // name of layer_id).
  std::string many = "[0,0,0,1,1,1,255,1,null,null,null,null,null,5]";
  EXPECT_EQ(Call("goxel.add_voxel", many).code(), -32602);
}

TEST_F(ErrorsTest, ExtremeButValidCoordinatesWork) {
  Ok("goxel.add_voxel",
     R"({"x":2147483647,"y":-2147483648,"z":0,"color":[1,1,1]})");
  EXPECT_EQ(ColorAt(2147483647, -2147483648, 0), "1,1,1,255");
}

}  // namespace
}  // namespace goxel::testing
