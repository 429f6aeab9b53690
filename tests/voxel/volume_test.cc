#include "voxel/volume.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <thread>
#include <tuple>

namespace goxel::voxel {
namespace {

constexpr Rgba kRed{255, 0, 0, 255};
constexpr Rgba kBlue{0, 0, 255, 255};

TEST(Volume, StartsEmpty) {
  Volume v;
  EXPECT_TRUE(v.Empty());
  EXPECT_EQ(v.CountVoxels(), 0);
  EXPECT_EQ(v.BlockCount(), 0u);
  EXPECT_FALSE(v.Bounds().has_value());
  EXPECT_EQ(v.Get({0, 0, 0}), Rgba{});
}

TEST(Volume, SetGetAcrossNegativeBlockBoundaries) {
  Volume v;
  const Vec3i points[] = {{0, 0, 0},    {-1, 0, 0},
                          {-16, 0, 0},  {-17, -1, -1},
                          {15, 16, 17}, {-2147483647 - 1, 5, 2147483647}};
  for (Vec3i p : points) EXPECT_TRUE(v.Set(p, kRed));
  EXPECT_EQ(v.CountVoxels(), 6);
  for (Vec3i p : points) EXPECT_EQ(v.Get(p), kRed);
  // Neighbours of every point stay empty.
  for (Vec3i p : points) {
    if (p.x > -2147483647) {
      bool set_neighbour = false;
      for (Vec3i q : points) set_neighbour |= q == Vec3i{p.x - 1, p.y, p.z};
      if (!set_neighbour) {
        EXPECT_TRUE(v.Get({p.x - 1, p.y, p.z}).empty());
      }
    }
  }
  // {-1,0,0} and {-16,0,0} share the block [-16,-1]; {0,0,0} is another.
  EXPECT_EQ(v.BlockCount(), 5u);
  EXPECT_TRUE(v.HasBlock({-1, 0, 0}));
  EXPECT_TRUE(v.HasBlock({-16, 15, 15}));
  EXPECT_FALSE(v.HasBlock({-17, 0, 0}));
}

TEST(Volume, RemovingLastVoxelDropsBlock) {
  Volume v;
  v.Set({3, -4, 5}, kRed);
  EXPECT_EQ(v.BlockCount(), 1u);
  EXPECT_TRUE(v.Set({3, -4, 5}, Rgba{10, 20, 30, 0}));
  EXPECT_EQ(v.BlockCount(), 0u);
  EXPECT_EQ(v.CountVoxels(), 0);
  EXPECT_FALSE(v.Set({3, -4, 5}, Rgba{}));
}

TEST(Volume, VersionChangesOnlyOnEffectiveEdits) {
  Volume v;
  uint64_t v0 = v.version();
  EXPECT_FALSE(v.Set({1, 1, 1}, Rgba{}));
  EXPECT_EQ(v.version(), v0);
  EXPECT_TRUE(v.Set({1, 1, 1}, kRed));
  uint64_t v1 = v.version();
  EXPECT_GT(v1, v0);
  EXPECT_FALSE(v.Set({1, 1, 1}, kRed));
  EXPECT_EQ(v.version(), v1);
  EXPECT_EQ(v.FillBox({{1, 1, 1}, {1, 1, 1}}, kRed), 0);
  EXPECT_EQ(v.version(), v1);
  EXPECT_EQ(v.FillBox({{5, 5, 5}, {6, 6, 6}}, Rgba{}), 0);
  EXPECT_EQ(v.version(), v1);
  Volume w;
  EXPECT_NE(w.version(), v.version());  // Fresh volumes never collide.
  Volume copy = v;
  EXPECT_EQ(copy.version(), v.version());
  copy.Clear();
  EXPECT_NE(copy.version(), v.version());
  uint64_t cleared = copy.version();
  copy.Clear();
  EXPECT_EQ(copy.version(), cleared);
}

TEST(Volume, CopyOnWriteBothWays) {
  Volume a;
  a.FillBox({{-20, -20, -20}, {20, 20, 20}}, kRed);
  Volume b = a;
  EXPECT_TRUE(b.Set({0, 0, 0}, kBlue));
  EXPECT_EQ(a.Get({0, 0, 0}), kRed);
  EXPECT_EQ(b.Get({0, 0, 0}), kBlue);
  EXPECT_TRUE(a.Set({1, 0, 0}, Rgba{}));
  EXPECT_EQ(b.Get({1, 0, 0}), kRed);
  EXPECT_EQ(a.CountVoxels(), 41 * 41 * 41 - 1);
  EXPECT_EQ(b.CountVoxels(), 41 * 41 * 41);
  Volume c;
  c = b;
  c.Clear();
  EXPECT_EQ(b.CountVoxels(), 41 * 41 * 41);
  b.FillBox({{-100, -100, -100}, {100, 100, 100}}, Rgba{});
  EXPECT_EQ(a.CountVoxels(), 41 * 41 * 41 - 1);
  EXPECT_EQ(a.Get({5, 5, 5}), kRed);
}

// A reference model: a map of voxels, edited the slow way.
using Model = std::map<std::tuple<int, int, int>, uint32_t>;

uint32_t Key(Rgba c) {
  return c.r | c.g << 8 | c.b << 16 | uint32_t(c.a) << 24;
}

void ExpectSame(const Volume& v, const Model& m) {
  EXPECT_EQ(v.CountVoxels(), static_cast<int64_t>(m.size()));
  int64_t seen = 0;
  v.ForEachVoxel([&](Vec3i p, Rgba c) {
    ++seen;
    auto it = m.find({p.x, p.y, p.z});
    ASSERT_NE(it, m.end());
    EXPECT_EQ(it->second, Key(c));
  });
  EXPECT_EQ(seen, static_cast<int64_t>(m.size()));
}

TEST(Volume, FillBoxMatchesPerVoxelModel) {
  std::mt19937 rng(42);
  std::uniform_int_distribution<int> coord(-40, 40), len(0, 40), col(0, 3);
  const Rgba palette[] = {Rgba{}, kRed, kBlue, Rgba{1, 2, 3, 4}};
  Volume v;
  Model m;
  for (int iter = 0; iter < 60; ++iter) {
    Box b;
    b.min = {coord(rng), coord(rng), coord(rng)};
    b.max = {b.min.x + len(rng), b.min.y + len(rng), b.min.z + len(rng)};
    Rgba c = palette[col(rng)];
    int64_t expected_changed = 0;
    for (int z = b.min.z; z <= b.max.z; ++z)
      for (int y = b.min.y; y <= b.max.y; ++y)
        for (int x = b.min.x; x <= b.max.x; ++x) {
          auto it = m.find({x, y, z});
          uint32_t old = it == m.end() ? 0 : it->second;
          if (old != Key(c)) ++expected_changed;
          if (c.a) {
            m[{x, y, z}] = Key(c);
          } else if (it != m.end()) {
            m.erase(it);
          }
        }
    Volume before = v;
    EXPECT_EQ(v.FillBox(b, c), expected_changed);
    EXPECT_EQ(v.version() != before.version(), expected_changed != 0);
  }
  ExpectSame(v, m);
  auto bounds = v.Bounds();
  ASSERT_TRUE(bounds.has_value());
  Box brute{{1 << 30, 1 << 30, 1 << 30}, {-(1 << 30), -(1 << 30), -(1 << 30)}};
  for (auto& [p, c] : m) {
    auto [x, y, z] = p;
    brute.min = {std::min(brute.min.x, x), std::min(brute.min.y, y),
                 std::min(brute.min.z, z)};
    brute.max = {std::max(brute.max.x, x), std::max(brute.max.y, y),
                 std::max(brute.max.z, z)};
  }
  EXPECT_EQ(*bounds, brute);
}

TEST(Volume, FillBoxSharesOneUniformBlock) {
  const int64_t engine_before = EngineBytes();
  Volume v;
  EXPECT_EQ(v.FillBox({{0, 0, 0}, {255, 255, 255}}, kRed), 256 * 256 * 256);
  EXPECT_EQ(v.BlockCount(), 4096u);
  EXPECT_EQ(v.CountVoxels(), 256 * 256 * 256);
  EXPECT_EQ(v.CountBlockForms()[0], 4096);  // all uniform
  EXPECT_LT(v.MemoryBytes(), 1u << 20);
  EXPECT_LT(EngineBytes() - engine_before, 1 << 19);  // One block, the trie.
  // Writing into a shared uniform block clones only that block.
  EXPECT_TRUE(v.Set({17, 0, 0}, kBlue));
  EXPECT_EQ(v.CountBlockForms()[0], 4095);
  EXPECT_EQ(v.Get({16, 0, 0}), kRed);
  EXPECT_EQ(v.Get({0, 0, 0}), kRed);
  EXPECT_EQ(v.Get({17, 0, 0}), kBlue);
  // Refilling with the same colour changes only the one cell.
  EXPECT_EQ(v.FillBox({{0, 0, 0}, {255, 255, 255}}, kRed), 1);
  EXPECT_EQ(v.FillBox({{0, 0, 0}, {255, 255, 255}}, Rgba{}), 256 * 256 * 256);
  EXPECT_TRUE(v.Empty());
  EXPECT_EQ(v.BlockCount(), 0u);
}

TEST(Volume, ClearHugeBoxVisitsOnlyExistingBlocks) {
  Volume v;
  v.Set({1000000, -1000000, 5}, kRed);
  v.Set({0, 0, 0}, kRed);
  const int32_t lo = -2147483647 - 1, hi = 2147483647;
  EXPECT_EQ(v.FillBox({{lo, lo, lo}, {hi, hi, hi}}, Rgba{}), 2);
  EXPECT_TRUE(v.Empty());
}

TEST(Box, CellCountSaturatesAndHandlesInvertedBoxes) {
  const int32_t lo = -2147483647 - 1, hi = 2147483647;
  EXPECT_EQ((Box{{lo, lo, lo}, {hi, hi, hi}}.CellCount()), INT64_MAX);
  EXPECT_EQ((Box{{lo, 0, 0}, {hi, 0, 0}}.CellCount()), int64_t{1} << 32);
  EXPECT_EQ((Box{{1, 0, 0}, {0, 5, 5}}.CellCount()), 0);
  EXPECT_EQ((Box{{-1, -2, -3}, {1, 2, 3}}.CellCount()), 3 * 5 * 7);
}

TEST(Volume, SetBlockReplacesAndDropsEmpty) {
  Volume v;
  std::vector<Rgba> data(kBlockVoxels);
  data[BlockIndex(1, 2, 3)] = kRed;
  data[BlockIndex(15, 15, 15)] = kBlue;
  v.SetBlock({-32, 16, 0}, data.data());
  EXPECT_EQ(v.CountVoxels(), 2);
  EXPECT_EQ(v.Get({-31, 18, 3}), kRed);
  EXPECT_EQ(v.Get({-17, 31, 15}), kBlue);
  uint64_t ver = v.version();
  v.SetBlock({-32, 16, 0}, data.data());
  EXPECT_EQ(v.version(), ver);
  std::vector<Rgba> empty(kBlockVoxels);
  v.SetBlock({-32, 16, 0}, empty.data());
  EXPECT_TRUE(v.Empty());
  EXPECT_EQ(v.BlockCount(), 0u);
}

TEST(Volume, MemoryPerDenseVoxelIsAtMostFiveBytes) {
  Volume v;
  std::mt19937 rng(1);
  for (int z = 0; z < 64; ++z)
    for (int y = 0; y < 64; ++y)
      for (int x = 0; x < 64; ++x)
        v.Set({x, y, z}, Rgba{uint8_t(rng()), uint8_t(rng()), 7, 255});
  double per_voxel = double(v.MemoryBytes()) / double(v.CountVoxels());
  EXPECT_LE(per_voxel, 5.0);
  EXPECT_GE(per_voxel, 4.0);
}

TEST(Volume, SnapshotReadWhileOriginalIsEdited) {
  Volume v;
  v.FillBox({{0, 0, 0}, {63, 63, 63}}, kRed);
  for (int round = 0; round < 20; ++round) {
    Volume snapshot = v;
    // Rounds before this one turned 64 voxels each blue.
    int64_t expected = 64 * 64 * 64 - 64 * round;
    std::thread reader([s = std::move(snapshot), expected]() {
      int64_t n = 0;
      s.ForEachVoxel([&](Vec3i, Rgba c) { n += c == kRed; });
      EXPECT_EQ(n, expected);
    });
    for (int i = 0; i < 64; ++i) v.Set({i, round, i}, kBlue);
    reader.join();
  }
}

}  // namespace
}  // namespace goxel::voxel
