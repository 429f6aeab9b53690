// Real files written by other programs load with the counts, colours and
// positions an independent reader (vox_reference.py) finds in them.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <cstdio>
#include <set>

#include "test_util.h"
#include "voxel/formats/gox.h"
#include "voxel/formats/txt.h"
#include "voxel/formats/vox.h"

namespace goxel::voxel::formats {
namespace {

using testing::ReadTestFile;
using testing::TestData;

std::string RunReference(const std::string& path) {
  const std::string cmd = std::string("python3 ") + GOXEL_FORMATS_TEST_DIR +
                          "/vox_reference.py '" + path + "' '" +
                          TestData("vox/MagicaVoxel-file-format-vox.txt") + "'";
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

class VoxReference : public ::testing::TestWithParam<const char*> {};

TEST_P(VoxReference, MatchesIndependentReader) {
  const std::vector<uint8_t> bytes = ReadTestFile(GetParam());
  ASSERT_FALSE(bytes.empty());
  Result<Scene> scene = ReadVox(bytes, ReadLimits());
  ASSERT_TRUE(scene.ok()) << scene.status().ToString();

  rapidjson::Document ref;
  const std::string json = RunReference(TestData(GetParam()));
  ASSERT_FALSE(ref.Parse(json.c_str()).HasParseError()) << json;

  int64_t total = 0;
  std::map<std::string, int64_t> colors;
  std::vector<std::vector<int64_t>> models;
  for (const Layer& l : scene->layers) {
    total += l.volume.CountVoxels();
    l.volume.ForEachVoxel([&](Vec3i, Rgba c) {
      char hex[8];
      std::snprintf(hex, sizeof(hex), "%02x%02x%02x", c.r, c.g, c.b);
      ++colors[hex];
    });
    auto b = l.volume.Bounds();
    ASSERT_TRUE(b.has_value());
    models.push_back({b->min.x, b->min.y, b->min.z, b->max.x, b->max.y,
                      b->max.z, l.volume.CountVoxels()});
  }
  EXPECT_EQ(total, ref["voxels"].GetInt64());
  std::map<std::string, int64_t> ref_colors;
  for (auto& m : ref["colors"].GetObject())
    ref_colors[m.name.GetString()] = m.value.GetInt64();
  EXPECT_EQ(colors, ref_colors);
  std::vector<std::vector<int64_t>> ref_models;
  for (auto& m : ref["models"].GetArray()) {
    std::vector<int64_t> row;
    for (auto& v : m.GetArray()) row.push_back(v.GetInt64());
    ref_models.push_back(row);
  }
  std::sort(models.begin(), models.end());
  EXPECT_EQ(models, ref_models);
}

INSTANTIATE_TEST_SUITE_P(AllSamples, VoxReference,
                         ::testing::Values("vox/chr_cat.vox",
                                           "vox/chr_knight.vox", "vox/deer.vox",
                                           "vox/maze.vox", "vox/menger.vox",
                                           "vox/monu0.vox", "vox/teapot.vox",
                                           "vengi/robo.vox",
                                           "goxel/v14-scene.vox"));

int64_t TotalVoxels(const Scene& s) {
  int64_t n = 0;
  for (const Layer& l : s.layers) n += l.volume.CountVoxels();
  return n;
}

TEST(VoxFiles, KnownCounts) {
  auto menger = ReadVox(ReadTestFile("vox/menger.vox"), ReadLimits());
  ASSERT_TRUE(menger.ok());
  EXPECT_EQ(TotalVoxels(*menger), 160000);
  auto monu = ReadVox(ReadTestFile("vox/monu0.vox"), ReadLimits());
  ASSERT_TRUE(monu.ok());
  EXPECT_EQ(TotalVoxels(*monu), 12717);
}

TEST(VoxFiles, RoboHasThreeModelsAtDifferentTranslations) {
  auto robo = ReadVox(ReadTestFile("vengi/robo.vox"), ReadLimits());
  ASSERT_TRUE(robo.ok()) << robo.status().ToString();
  ASSERT_EQ(robo->layers.size(), 3u);
  std::set<std::tuple<int, int, int>> mins;
  for (const Layer& l : robo->layers) {
    auto b = l.volume.Bounds();
    ASSERT_TRUE(b);
    mins.insert({b->min.x, b->min.y, b->min.z});
  }
  EXPECT_EQ(mins.size(), 3u);
}

TEST(GoxFiles, VengiRgbHas99Voxels) {
  auto s = ReadGox(ReadTestFile("vengi/rgb.gox"), ReadLimits());
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->layers.size(), 1u);
  EXPECT_EQ(TotalVoxels(*s), 99);
}

// The testdata README says 2,320 voxels: that is the sum of the 20 tiles'
// occupied cells. Version-1 tiles are spaced 14 apart and carry a one-voxel
// border copied from their neighbours (checked: every overlapping cell holds
// the same colour), so the layer holds 1,580 distinct voxels.
TEST(GoxFiles, UpstreamVersion1Loads) {
  auto s =
      ReadGox(ReadTestFile("goxel/upstream-example1-v1.gox"), ReadLimits());
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->layers.size(), 1u);
  EXPECT_EQ(s->layers[0].name, "background");
  EXPECT_EQ(TotalVoxels(*s), 1580);
}

TEST(GoxFiles, V14SceneMatchesItsTxtExport) {
  auto gox = ReadGox(ReadTestFile("goxel/v14-scene.gox"), ReadLimits());
  auto txt = ReadTxt(ReadTestFile("goxel/v14-scene.txt"), ReadLimits());
  ASSERT_TRUE(gox.ok()) << gox.status().ToString();
  ASSERT_TRUE(txt.ok()) << txt.status().ToString();
  EXPECT_EQ(TotalVoxels(*gox), 216);
  EXPECT_EQ(gox->layers[0].name, "Layer.1");
  EXPECT_EQ(gox->width, 32);
  EXPECT_EQ(testing::Voxels(gox->layers[0].volume),
            testing::Voxels(txt->layers[0].volume));
}

TEST(QbFiles, V14SceneMatchesItsTxtExport) {
  auto qb = ReadQb(ReadTestFile("goxel/v14-scene.qb"), ReadLimits());
  auto txt = ReadTxt(ReadTestFile("goxel/v14-scene.txt"), ReadLimits());
  ASSERT_TRUE(qb.ok()) << qb.status().ToString();
  ASSERT_TRUE(txt.ok());
  EXPECT_EQ(testing::Voxels(qb->layers[0].volume),
            testing::Voxels(txt->layers[0].volume));
}

}  // namespace
}  // namespace goxel::voxel::formats
