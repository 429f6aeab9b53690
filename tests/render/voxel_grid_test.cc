// VoxelGrid: merging volumes, lookups on both index paths, and the DDA
// tracer checked against a brute-force ray/cube intersection.
#include "voxel/render/voxel_grid.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace goxel::render {
namespace {

using voxel::Rgba;
using voxel::Vec3i;
constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(VoxelGrid, LaterVolumesWinOnOverlap) {
  voxel::Volume bottom, top;
  ASSERT_TRUE(bottom.Set({1, 2, 3}, {10, 20, 30, 255}));
  ASSERT_TRUE(bottom.Set({40, 2, 3}, {1, 1, 1, 255}));
  ASSERT_TRUE(top.Set({1, 2, 3}, {200, 100, 50, 255}));
  ASSERT_TRUE(top.Set({-5, 0, 0}, {7, 8, 9, 255}));
  const VoxelGrid grid = VoxelGrid::Build({&bottom, nullptr, &top});
  EXPECT_EQ(grid.Get({1, 2, 3}), (Rgba{200, 100, 50, 255}));
  EXPECT_EQ(grid.Get({40, 2, 3}), (Rgba{1, 1, 1, 255}));
  EXPECT_EQ(grid.Get({-5, 0, 0}), (Rgba{7, 8, 9, 255}));
  EXPECT_FALSE(grid.Occupied({0, 0, 0}));
  ASSERT_TRUE(grid.bounds().has_value());
  EXPECT_EQ(*grid.bounds(), (voxel::Box{{-5, 0, 0}, {40, 2, 3}}));
}

TEST(VoxelGrid, EmptyInputGivesEmptyGrid) {
  voxel::Volume empty;
  const VoxelGrid grid = VoxelGrid::Build({&empty});
  EXPECT_TRUE(grid.empty());
  VoxelGrid::Hit hit;
  EXPECT_FALSE(grid.Trace({0, -5, 0}, {0, 1, 0}, 0, kInf, &hit));
}

// Voxels hundreds of thousands of cells apart force the hash-map index.
TEST(VoxelGrid, FarApartVoxelsAreFoundAndHit) {
  voxel::Volume v;
  ASSERT_TRUE(v.Set({-300000, 5, 5}, {255, 0, 0, 255}));
  ASSERT_TRUE(v.Set({300000, -300000, 300000}, {0, 255, 0, 255}));
  const VoxelGrid grid = VoxelGrid::Build({&v});
  EXPECT_EQ(grid.Get({-300000, 5, 5}).r, 255);
  EXPECT_EQ(grid.Get({300000, -300000, 300000}).g, 255);
  EXPECT_FALSE(grid.Occupied({0, 0, 0}));
  VoxelGrid::Hit hit;
  ASSERT_TRUE(grid.Trace({-300000 + 0.5, -100, 5.5}, {0, 1, 0}, 0, kInf, &hit));
  EXPECT_EQ(hit.cell, (Vec3i{-300000, 5, 5}));
  EXPECT_EQ(hit.axis, 1);
  EXPECT_EQ(hit.normal, -1);
  EXPECT_DOUBLE_EQ(hit.t, 105.0);
  EXPECT_EQ(hit.color, (Rgba{255, 0, 0, 255}));
}

TEST(VoxelGrid, PlaneMaskMatchesLookupsInsideAndAcrossBlocks) {
  voxel::Volume v;
  std::mt19937 rng(7);
  for (int i = 0; i < 400; ++i) {
    const Vec3i p{int(rng() % 12) - 6, int(rng() % 12) - 6, int(rng() % 12)};
    (void)v.Set(p, {1, 2, 3, 255});
  }
  const VoxelGrid grid = VoxelGrid::Build({&v});
  for (int x = -7; x <= 7; ++x) {
    for (int z = -1; z <= 12; ++z) {
      const Vec3i c{x, 3, z};
      const uint32_t mask = grid.PlaneMask(c, 0, 2);
      for (int dv = -1; dv <= 1; ++dv)
        for (int du = -1; du <= 1; ++du) {
          const bool expected = v.Get({x + du, 3, z + dv}).a != 0;
          EXPECT_EQ(((mask >> ((du + 1) + 3 * (dv + 1))) & 1) != 0, expected)
              << x << "," << z << " du=" << du << " dv=" << dv;
        }
    }
  }
}

// Reference: the nearest cube a ray enters, by testing every voxel.
bool BruteForceHit(const std::vector<Vec3i>& cells, Vec3d o, Vec3d d,
                   Vec3i* cell, double* t_hit) {
  double best = kInf;
  for (const Vec3i& c : cells) {
    const double lo[3] = {double(c.x), double(c.y), double(c.z)};
    double t0 = 0, t1 = kInf;
    bool miss = false;
    for (int a = 0; a < 3 && !miss; ++a) {
      if (d[a] == 0) {
        miss = o[a] < lo[a] || o[a] > lo[a] + 1;
        continue;
      }
      double ta = (lo[a] - o[a]) / d[a], tb = (lo[a] + 1 - o[a]) / d[a];
      if (ta > tb) std::swap(ta, tb);
      t0 = std::max(t0, ta);
      t1 = std::min(t1, tb);
    }
    if (!miss && t0 <= t1 && t0 < best) {
      best = t0;
      *cell = c;
    }
  }
  *t_hit = best;
  return best < kInf;
}

TEST(VoxelGrid, TraceAgreesWithBruteForce) {
  voxel::Volume v;
  std::vector<Vec3i> cells;
  std::mt19937 rng(1234);
  // A sparse cloud over several blocks, negative coordinates included, and
  // some whole blocks left empty so the block skipping is exercised.
  for (int i = 0; i < 1500; ++i) {
    const Vec3i p{int(rng() % 48) - 20, int(rng() % 40) - 24,
                  int(rng() % 36) - 3};
    if (p.x >= 0 && p.x < 16 && p.y >= -16 && p.y < 0) continue;
    if (v.Set(p, {100, 100, 100, 255})) cells.push_back(p);
  }
  const VoxelGrid grid = VoxelGrid::Build({&v});
  std::uniform_real_distribution<double> coord(-60, 60), unit(-1, 1);
  int hits = 0;
  for (int i = 0; i < 1500; ++i) {
    // Half the origins lie inside the bounds, half far outside.
    const Vec3d o =
        i % 2 ? Vec3d{coord(rng) * 0.3, coord(rng) * 0.3, coord(rng) * 0.3 + 15}
              : Vec3d{coord(rng), coord(rng), coord(rng)};
    const Vec3d d{unit(rng), unit(rng), unit(rng)};
    Vec3i want_cell;
    double want_t;
    const bool want = BruteForceHit(cells, o, d, &want_cell, &want_t);
    VoxelGrid::Hit hit;
    const bool got = grid.Trace(o, d, 0, kInf, &hit);
    ASSERT_EQ(got, want) << "ray " << i;
    if (!got) continue;
    ++hits;
    EXPECT_EQ(hit.cell, want_cell) << "ray " << i;
    EXPECT_NEAR(hit.t, want_t, 1e-9) << "ray " << i;
    // The entry point lies on the reported face.
    const Vec3d p = o + d * hit.t;
    const int c[3] = {hit.cell.x, hit.cell.y, hit.cell.z};
    if (hit.t > 0) {
      EXPECT_NEAR(p[hit.axis], c[hit.axis] + (hit.normal > 0 ? 1 : 0), 1e-9);
      EXPECT_EQ(hit.normal, d[hit.axis] > 0 ? -1 : 1);
    }
  }
  EXPECT_GT(hits, 200);  // the sample really exercises hits.
}

TEST(VoxelGrid, TraceStopsAtTMax) {
  voxel::Volume v;
  ASSERT_TRUE(v.Set({0, 10, 0}, {1, 1, 1, 255}));
  const VoxelGrid grid = VoxelGrid::Build({&v});
  VoxelGrid::Hit hit;
  EXPECT_FALSE(grid.Trace({0.5, 0, 0.5}, {0, 1, 0}, 0, 9.5, &hit));
  EXPECT_TRUE(grid.Trace({0.5, 0, 0.5}, {0, 1, 0}, 0, 10.5, &hit));
}

}  // namespace
}  // namespace goxel::render
