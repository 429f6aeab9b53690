#include "voxel/tools.h"

#include <gtest/gtest.h>

#include "voxel/status_codes.h"

namespace goxel::voxel {
namespace {

constexpr Rgba kRed{255, 0, 0, 255};
constexpr Rgba kBlue{0, 0, 255, 255};
constexpr Rgba kGreen{0, 255, 0, 255};

FloodFillOptions Region(Box b, int tol = 0, int64_t cap = 1 << 20) {
  FloodFillOptions o;
  o.region = b;
  o.tolerance = tol;
  o.max_voxels = cap;
  return o;
}

TEST(FloodFill, FillsConnectedSameColourOnly) {
  Volume v;
  v.FillBox({{0, 0, 0}, {9, 0, 0}}, kRed);  // a bar of 10
  v.Set({11, 0, 0}, kRed);                  // separated by a gap
  v.Set({10, 1, 0}, kRed);                  // diagonal to the bar's end
  v.Set({5, 1, 0}, kBlue);                  // other colour, touching
  auto r =
      FloodFill(v, {0, 0, 0}, kGreen, Region({{-50, -50, -50}, {50, 50, 50}}));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->matched, 10);
  EXPECT_EQ(r->changed, 10);
  EXPECT_EQ(v.Get({9, 0, 0}), kGreen);
  EXPECT_EQ(v.Get({11, 0, 0}), kRed);
  EXPECT_EQ(v.Get({10, 1, 0}), kRed);  // diagonal neighbours are not filled
  EXPECT_EQ(v.Get({5, 1, 0}), kBlue);
}

TEST(FloodFill, ToleranceIsPerChannel) {
  Volume v;
  v.Set({0, 0, 0}, Rgba{100, 100, 100, 255});
  v.Set({1, 0, 0}, Rgba{110, 95, 100, 255});
  v.Set({2, 0, 0}, Rgba{100, 100, 111, 255});
  Box all{{-5, -5, -5}, {5, 5, 5}};
  Volume copy = v;
  auto r = FloodFill(copy, {0, 0, 0}, kGreen, Region(all, 10));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->matched, 2);  // {2,0,0} is 11 away on blue
  r = FloodFill(v, {0, 0, 0}, kGreen, Region(all, 11));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->matched, 3);
  EXPECT_FALSE(FloodFill(v, {0, 0, 0}, kGreen, Region(all, 256)).ok());
}

TEST(FloodFill, EmptySpaceIsBoundedByRegionAndVoxels) {
  Volume v;
  v.FillBox({{0, 0, 0}, {0, 9, 9}}, kRed);  // a wall at x = 0
  Box region{{-3, 0, 0}, {5, 9, 9}};
  auto r = FloodFill(v, {2, 4, 4}, kBlue, Region(region));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->matched, 5 * 10 * 10);  // x 1..5 only; the wall stops it
  EXPECT_EQ(v.Get({-1, 4, 4}), Rgba{});
  EXPECT_EQ(v.Get({0, 4, 4}), kRed);
  EXPECT_EQ(v.Get({5, 9, 9}), kBlue);
  EXPECT_EQ(v.Get({6, 4, 4}), Rgba{});
}

TEST(FloodFill, CapAndSeedErrorsChangeNothing) {
  Volume v;
  v.FillBox({{0, 0, 0}, {9, 9, 9}}, kRed);
  const uint64_t before = v.version();
  auto r =
      FloodFill(v, {0, 0, 0}, kBlue, Region({{0, 0, 0}, {9, 9, 9}}, 0, 999));
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(v.version(), before);
  r = FloodFill(v, {20, 0, 0}, kBlue, Region({{0, 0, 0}, {9, 9, 9}}));
  EXPECT_EQ(r.status().code(), kInvalidPosition);
  r = FloodFill(v, {0, 0, 0}, kBlue, Region({{0, 0, 0}, {9, 9, 9}}, 0, 1000));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->changed, 1000);
}

TEST(ApplyShape, PaintRecoloursOnlyExistingVoxels) {
  Volume v;
  v.Set({0, 0, 0}, kRed);
  v.Set({3, 0, 0}, kRed);
  v.Set({100, 0, 0}, kRed);
  auto sphere = MakeSphere({0, 0, 0}, 5);
  EXPECT_EQ(ApplyShape(v, *sphere, ApplyMode::kPaint, kBlue), 2);
  EXPECT_EQ(v.CountVoxels(), 3);
  EXPECT_EQ(v.Get({3, 0, 0}), kBlue);
  EXPECT_EQ(v.Get({100, 0, 0}), kRed);
  EXPECT_EQ(ApplyShape(v, *MakeBox({{-9, -9, -9}, {200, 9, 9}}),
                       ApplyMode::kPaint, kGreen),
            3);
  EXPECT_EQ(v.CountVoxels(), 3);
  EXPECT_EQ(ApplyShape(v, *sphere, ApplyMode::kRemove, kGreen), 2);
  EXPECT_EQ(v.CountVoxels(), 1);
  EXPECT_EQ(ApplyShape(v, *sphere, ApplyMode::kAdd, kRed), CountCells(*sphere));
  EXPECT_EQ(ApplyShape(v, *sphere, ApplyMode::kAdd, kRed), 0);
}

TEST(Region, CountAndOrderedIteration) {
  Volume v;
  v.Set({-20, 0, 0}, kRed);
  v.Set({5, 5, 5}, kRed);
  v.Set({5, 4, 5}, kRed);
  v.Set({40, -3, 1}, kRed);
  Box box{{-20, -5, 0}, {10, 10, 10}};
  EXPECT_EQ(CountInBox(v, box), 3);
  std::vector<Vec3i> seen;
  ForEachVoxelInBox(v, box, [&](Vec3i p, Rgba) {
    seen.push_back(p);
    return seen.size() < 2;
  });
  ASSERT_EQ(seen.size(), 2u);
  std::vector<Vec3i> again;
  ForEachVoxelInBox(v, box, [&](Vec3i p, Rgba) {
    again.push_back(p);
    return true;
  });
  ASSERT_EQ(again.size(), 3u);
  EXPECT_EQ(again[0], seen[0]);
  EXPECT_EQ(again[1], seen[1]);
}

TEST(Region, CopyWithOverlapReadsTheOriginal) {
  Volume v;
  for (int x = 0; x < 10; ++x) v.Set({x, 0, 0}, Rgba{uint8_t(x), 0, 0, 255});
  // Shift right by 3 onto itself: the copy must read the unshifted bar.
  auto r = CopyRegion(v, {{0, 0, 0}, {9, 0, 0}}, {3, 0, 0}, &v);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 10);
  for (int x = 0; x < 3; ++x) EXPECT_EQ(v.Get({x, 0, 0}).r, x);
  for (int x = 3; x < 13; ++x) EXPECT_EQ(v.Get({x, 0, 0}).r, x - 3);
  EXPECT_EQ(v.CountVoxels(), 13);
  Volume other;
  ASSERT_TRUE(CopyRegion(v, {{0, 0, 0}, {1, 0, 0}}, {0, 7, 0}, &other).ok());
  EXPECT_EQ(other.CountVoxels(), 2);
  EXPECT_EQ(other.Get({1, 7, 0}).r, 1);
  EXPECT_EQ(CopyRegion(v, {{0, 0, 0}, {9, 0, 0}}, {2147483640, 0, 0}, &v)
                .status()
                .code(),
            kInvalidPosition);
}

TEST(Region, MoveWithOverlapEmptiesTheVacatedCells) {
  Volume v;
  for (int x = 0; x < 10; ++x) v.Set({x, 0, 0}, Rgba{uint8_t(x), 0, 0, 255});
  v.Set({20, 0, 0}, kBlue);  // outside the moved box: stays
  auto r = MoveRegion(&v, {{0, 0, 0}, {9, 0, 0}}, {-4, 0, 0});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 10);
  EXPECT_EQ(v.CountVoxels(), 11);
  for (int x = -4; x < 6; ++x) EXPECT_EQ(v.Get({x, 0, 0}).r, x + 4);
  for (int x = 6; x < 10; ++x) EXPECT_TRUE(v.Get({x, 0, 0}).empty());
  EXPECT_EQ(v.Get({20, 0, 0}), kBlue);
}

}  // namespace
}  // namespace goxel::voxel
