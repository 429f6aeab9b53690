// Reads and statistics: get_voxels, regions with paging, layer voxels,
// bounding box, histogram, find by colour, unique colours.
#include <string>

#include "methods/methods_fixture.h"

namespace goxel::testing {
namespace {

using QueryTest = MethodsTest;

TEST_F(QueryTest, GetVoxelsReadsManyPositions) {
  Ok("goxel.add_voxel", "[0,0,0,1,2,3]");
  Reply r =
      Ok("goxel.get_voxels", R"({"voxels":[[0,0,0],{"x":1,"y":0,"z":0}]})");
  EXPECT_EQ(r.Int("count"), 2);
  EXPECT_EQ(r.Int("found"), 1);
  EXPECT_TRUE(r.result()["voxels"][0]["exists"].GetBool());
  EXPECT_EQ(r.result()["voxels"][0]["color"][2].GetInt(), 3);
  EXPECT_FALSE(r.result()["voxels"][1]["exists"].GetBool());
}

TEST_F(QueryTest, RegionPagesInAFixedOrderWithTruncation) {
  Ok("goxel.fill_region",
     R"({"min":[0,0,0],"max":[4,4,3],"color":[1,1,1]})");  // 100
  Ok("goxel.fill_region",
     R"({"min":[0,0,0],"max":[4,0,0],"color":[7,7,7]})");  // 5 recoloured
  Reply all = Ok("goxel.get_voxels_region", R"([[0,0,0],[9,9,9]])");
  EXPECT_EQ(all.Int("count"), 100);
  EXPECT_EQ(all.Int("total"), 100);
  EXPECT_FALSE(all.Bool("truncated"));
  EXPECT_EQ(all.result()["bbox"]["max"][2].GetInt(), 3);
  std::vector<std::string> seen;
  for (int off = 0; off < 100; off += 30) {
    Reply page = Ok("goxel.get_voxels_region",
                    "[[0,0,0],[9,9,9],-1,null," + std::to_string(off) + ",30]");
    EXPECT_EQ(page.Bool("truncated"), off + 30 < 100);
    for (const auto& v : page.result()["voxels"].GetArray())
      seen.push_back(std::to_string(v["x"].GetInt()) + "," +
                     std::to_string(v["y"].GetInt()) + "," +
                     std::to_string(v["z"].GetInt()));
  }
  EXPECT_EQ(seen.size(), 100u);
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(std::unique(seen.begin(), seen.end()), seen.end());
  Reply red = Ok("goxel.get_voxels_region",
                 R"({"min":[0,0,0],"max":[9,9,9],"color_filter":"#070707"})");
  EXPECT_EQ(red.Int("total"), 5);
  Reply part =
      Ok("goxel.get_voxels_region", R"({"min":[0,0,0],"max":[0,0,9]})");
  EXPECT_EQ(part.Int("total"), 4);
  EXPECT_EQ(Call("goxel.get_voxels_region", R"({"min":[5,0,0],"max":[0,0,0]})")
                .code(),
            -32003);
}

TEST_F(QueryTest, LayerVoxelsReadOneLayer) {
  Ok("goxel.add_voxel", "[0,0,0,1,1,1]");
  int top = static_cast<int>(Ok("goxel.create_layer").Int("layer_id"));
  Ok("goxel.add_voxel", "[5,0,0,1,1,1]");
  Ok("goxel.add_voxel", "[6,0,0,1,1,1]");
  Reply r = Ok("goxel.get_layer_voxels", "[" + std::to_string(top) + "]");
  EXPECT_EQ(r.Int("total"), 2);
  Reply paged = Ok("goxel.get_layer_voxels", R"({"offset":1,"limit":5})");
  EXPECT_EQ(paged.Int("count"), 1);
  EXPECT_EQ(paged.result()["voxels"][0]["x"].GetInt(), 6);
  Reply bb = Ok("goxel.get_bounding_box", "[" + std::to_string(top) + "]");
  EXPECT_EQ(bb.result()["min"][0].GetInt(), 5);
  EXPECT_EQ(Ok("goxel.get_bounding_box").result()["min"][0].GetInt(), 0);
}

TEST_F(QueryTest, EmptyBoundingBox) {
  Reply r = Ok("goxel.get_bounding_box");
  EXPECT_TRUE(r.Bool("empty"));
  EXPECT_FALSE(r.result().HasMember("min"));
}

TEST_F(QueryTest, HistogramCountsColours) {
  Ok("goxel.fill_region", R"({"min":[0,0,0],"max":[2,0,0],"color":[10,0,0]})");
  Ok("goxel.add_voxel", "[5,0,0,0,20,0]");
  Ok("goxel.add_voxel", "[6,0,0,11,0,0]");
  Reply h = Ok("goxel.get_color_histogram");
  EXPECT_EQ(h.Int("total_voxels"), 5);
  EXPECT_EQ(h.Int("unique_colors"), 3);
  const auto& first = h.result()["histogram"][0];
  EXPECT_STREQ(first["hex"].GetString(), "#0a0000");
  EXPECT_EQ(first["count"].GetInt(), 3);
  EXPECT_DOUBLE_EQ(first["percentage"].GetDouble(), 60.0);
  EXPECT_EQ(first["color"][0].GetInt(), 10);
  EXPECT_EQ(first["color"][3].GetInt(), 255);
  Reply binned = Ok("goxel.get_color_histogram", R"({"bin_size":8,"top_n":1})");
  EXPECT_EQ(binned.Int("unique_colors"), 2);
  EXPECT_EQ(binned.result()["histogram"].Size(), 1u);
  EXPECT_EQ(binned.result()["histogram"][0]["count"].GetInt(), 4);
  Reply region = Ok("goxel.get_color_histogram",
                    R"({"region":{"min":[5,0,0],"max":[6,0,0]}})");
  EXPECT_EQ(region.Int("total_voxels"), 2);
}

// The kept histogram follows every edit, undo and redo (it is cached by
// volume version), and a second layer drawn over the first wins.
TEST_F(QueryTest, ColourHistogramFollowsEditsUndoAndLayers) {
  auto count_of = [this](const char* hex) -> int64_t {
    Reply h = Ok("goxel.get_color_histogram");
    for (const auto& e : h.result()["histogram"].GetArray())
      if (std::string(e["hex"].GetString()) == hex)
        return e["count"].GetInt64();
    return 0;
  };
  Ok("goxel.fill_region", R"({"min":[0,0,0],"max":[3,3,3],"color":[10,0,0]})");
  EXPECT_EQ(count_of("#0a0000"), 64);
  EXPECT_EQ(count_of("#0a0000"), 64);  // asked again: the kept one
  Ok("goxel.add_voxel", "[0,0,0,0,20,0]");
  EXPECT_EQ(count_of("#0a0000"), 63);
  EXPECT_EQ(count_of("#001400"), 1);
  Ok("goxel.undo");
  EXPECT_EQ(count_of("#0a0000"), 64);
  EXPECT_EQ(count_of("#001400"), 0);
  Ok("goxel.redo");
  EXPECT_EQ(count_of("#001400"), 1);
  Ok("goxel.create_layer");
  Ok("goxel.fill_region", R"({"min":[0,0,0],"max":[3,3,0],"color":[0,0,30]})");
  EXPECT_EQ(count_of("#00001e"), 16);
  EXPECT_EQ(count_of("#0a0000"), 48);
  EXPECT_EQ(count_of("#001400"), 0);
  EXPECT_EQ(Ok("goxel.get_color_histogram").Int("total_voxels"), 64);
}

TEST_F(QueryTest, FindVoxelsByColourWithToleranceAndCap) {
  Ok("goxel.fill_region",
     R"({"min":[0,0,0],"max":[9,0,0],"color":[100,100,100]})");
  Ok("goxel.add_voxel", "[0,0,0,103,100,100]");
  Reply exact = Ok("goxel.find_voxels_by_color", R"({"color":[100,100,100]})");
  EXPECT_EQ(exact.Int("match_count"), 9);
  Reply near = Ok("goxel.find_voxels_by_color",
                  R"({"color":"#646464","tolerance":3,"max_results":4})");
  EXPECT_EQ(near.Int("match_count"), 10);
  EXPECT_EQ(near.result()["locations"].Size(), 4u);
  EXPECT_TRUE(near.Bool("truncated"));
  Reply none = Ok("goxel.find_voxels_by_color",
                  R"({"color":[1,1,1],"include_locations":false})");
  EXPECT_EQ(none.Int("match_count"), 0);
  EXPECT_FALSE(none.result().HasMember("locations"));
  EXPECT_EQ(Call("goxel.find_voxels_by_color", "{}").code(), -32602);
}

TEST_F(QueryTest, UniqueColoursMergeSimilar) {
  Ok("goxel.fill_region", R"({"min":[0,0,0],"max":[3,0,0],"color":[100,0,0]})");
  Ok("goxel.add_voxel", "[5,0,0,104,0,0]");
  Ok("goxel.add_voxel", "[6,0,0,0,0,200]");
  Reply u = Ok("goxel.get_unique_colors");
  EXPECT_EQ(u.Int("count"), 3);
  EXPECT_STREQ(u.result()["colors"][0]["hex"].GetString(), "#640000");
  EXPECT_EQ(u.result()["colors"][0]["count"].GetInt(), 4);
  Reply m = Ok("goxel.get_unique_colors",
               R"({"merge_similar":true,"merge_threshold":5})");
  EXPECT_EQ(m.Int("count"), 2);
  EXPECT_EQ(m.result()["colors"][0]["count"].GetInt(), 5);
}

}  // namespace
}  // namespace goxel::testing
