// DiffVolumes, ConnectedComponents, CountColorsOf and project checkpoints.
#include "voxel/analysis.h"

#include <gtest/gtest.h>

#include "voxel/project.h"

namespace goxel::voxel {
namespace {

constexpr Rgba kRed{255, 0, 0, 255};
constexpr Rgba kBlue{0, 0, 255, 255};

TEST(DiffVolumes, CountsAddedRemovedRecoloredAndTheirBounds) {
  Volume before;
  before.FillBox({{0, 0, 0}, {3, 3, 3}}, kRed);  // 64
  before.Set({100, 0, 0}, kRed);                 // a block of its own
  Volume after = before;
  after.Set({0, 0, 0}, kBlue);     // recoloured
  after.Set({1, 0, 0}, Rgba{});    // removed
  after.Set({-5, 2, 7}, kBlue);    // added in a new block
  after.Set({100, 0, 0}, Rgba{});  // its whole block removed
  VolumeDiff d = DiffVolumes(before, after);
  EXPECT_EQ(d.added, 1);
  EXPECT_EQ(d.removed, 2);
  EXPECT_EQ(d.recolored, 1);
  EXPECT_EQ(d.changed(), 4);
  ASSERT_TRUE(d.bounds);
  EXPECT_EQ(d.bounds->min, (Vec3i{-5, 0, 0}));
  EXPECT_EQ(d.bounds->max, (Vec3i{100, 2, 7}));
}

TEST(DiffVolumes, EqualCopiesDifferInNothing) {
  Volume v;
  v.FillBox({{0, 0, 0}, {40, 40, 40}}, kRed);
  Volume copy = v;
  copy.Set({0, 0, 0}, kRed);  // same colour: no change
  VolumeDiff d = DiffVolumes(v, copy);
  EXPECT_EQ(d.changed(), 0);
  EXPECT_FALSE(d.bounds);
}

TEST(ConnectedComponents, FindsFloatingPartsLargestFirst) {
  Volume v;
  v.FillBox({{0, 0, 0}, {9, 9, 0}}, kRed);     // a floor of 100
  v.Set({5, 5, 5}, kBlue);                     // floating
  v.FillBox({{20, 0, 0}, {21, 0, 0}}, kBlue);  // a separate pair
  v.Set({10, 10, 1}, kRed);  // touches the floor's corner only diagonally
  auto r = ConnectedComponents(v, 6, 1 << 20);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 4u);
  EXPECT_EQ((*r)[0].count, 100);
  EXPECT_EQ((*r)[0].bounds.max, (Vec3i{9, 9, 0}));
  EXPECT_EQ((*r)[1].count, 2);
  EXPECT_EQ((*r)[1].first, (Vec3i{20, 0, 0}));
  EXPECT_EQ((*r)[2].first, (Vec3i{5, 5, 5}));  // ties by position
  EXPECT_EQ((*r)[3].first, (Vec3i{10, 10, 1}));
  auto corners = ConnectedComponents(v, 26, 1 << 20);
  ASSERT_TRUE(corners.ok());
  EXPECT_EQ(corners->size(), 3u);  // the diagonal voxel joins the floor
  EXPECT_EQ((*corners)[0].count, 101);
}

TEST(ConnectedComponents, RefusesBadConnectivityAndTooManyVoxels) {
  Volume v;
  v.FillBox({{0, 0, 0}, {9, 9, 9}}, kRed);
  EXPECT_EQ(ConnectedComponents(v, 7, 1 << 20).status().code(),
            StatusCode::kInvalidParams);
  EXPECT_EQ(ConnectedComponents(v, 6, 999).status().code(),
            StatusCode::kResourceExhausted);
  EXPECT_TRUE(ConnectedComponents(Volume(), 6, 0)->empty());
}

TEST(CountColorsOf, MostCommonFirst) {
  Volume v;
  v.FillBox({{0, 0, 0}, {2, 0, 0}}, kBlue);
  v.Set({0, 1, 0}, kRed);
  auto c = CountColorsOf(v);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].color, kBlue);
  EXPECT_EQ(c[0].count, 3);
  EXPECT_EQ(c[1].count, 1);
}

TEST(ProjectCheckpoints, RestoreIsOneUndoableStep) {
  Project p;
  p.BeginEdit();
  p.MutableVolume(p.active_layer_id())->FillBox({{0, 0, 0}, {1, 1, 1}}, kRed);
  p.EndEdit();
  const uint64_t saved_version = p.version();
  p.SaveCheckpoint("walls");
  EXPECT_EQ(p.version(), saved_version);  // not a change
  p.CreateLayer("roof");
  p.BeginEdit();
  p.MutableVolume(p.active_layer_id())->Set({0, 0, 5}, kBlue);
  p.EndEdit();
  EXPECT_EQ(p.CountVoxels(), 9);
  auto r = p.RestoreCheckpoint("walls");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(*r);
  EXPECT_EQ(p.CountVoxels(), 8);
  EXPECT_EQ(p.layers().size(), 1u);
  EXPECT_GT(p.version(), saved_version);
  ASSERT_TRUE(p.Undo());  // takes the restore back
  EXPECT_EQ(p.CountVoxels(), 9);
  EXPECT_EQ(p.layers().size(), 2u);
  auto again = p.RestoreCheckpoint("walls");
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*p.RestoreCheckpoint("walls"));  // nothing left to change
  EXPECT_EQ(p.RestoreCheckpoint("nope").status().code(),
            StatusCode::kInvalidParams);
  EXPECT_TRUE(p.DeleteCheckpoint("walls"));
  EXPECT_FALSE(p.DeleteCheckpoint("walls"));
}

TEST(ProjectCheckpoints, KeepsAtMostTheNewestAndReplacesByName) {
  Project p;
  for (size_t i = 0; i < Project::kMaxCheckpoints + 3; ++i)
    p.SaveCheckpoint("c" + std::to_string(i));
  EXPECT_EQ(p.checkpoints().size(), Project::kMaxCheckpoints);
  EXPECT_EQ(p.checkpoints().front().name, "c3");
  p.SaveCheckpoint("c3");
  EXPECT_EQ(p.checkpoints().size(), Project::kMaxCheckpoints);
  EXPECT_EQ(p.checkpoints().back().name, "c3");
}

}  // namespace
}  // namespace goxel::voxel
