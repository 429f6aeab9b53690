#include "voxel/shapes.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "voxel/tools.h"

namespace goxel::voxel {
namespace {

constexpr Rgba kRed{255, 0, 0, 255};
using Pred = std::function<bool(int64_t, int64_t, int64_t)>;

// Counts the cells of `box` satisfying `pred` (given as offsets from c).
int64_t Brute(const Box& box, Vec3i c, const Pred& pred) {
  int64_t n = 0;
  for (int z = box.min.z; z <= box.max.z; ++z)
    for (int y = box.min.y; y <= box.max.y; ++y)
      for (int x = box.min.x; x <= box.max.x; ++x)
        n += pred(x - c.x, y - c.y, z - c.z);
  return n;
}

// Cells of pred with a 6-neighbour outside pred.
Pred Shell(Pred in) {
  return [in](int64_t x, int64_t y, int64_t z) {
    return in(x, y, z) &&
           (!in(x - 1, y, z) || !in(x + 1, y, z) || !in(x, y - 1, z) ||
            !in(x, y + 1, z) || !in(x, y, z - 1) || !in(x, y, z + 1));
  };
}

Box Grow(Box b, int n) {
  return {{b.min.x - n, b.min.y - n, b.min.z - n},
          {b.max.x + n, b.max.y + n, b.max.z + n}};
}

// The shape's spans, its Contains() and ApplyShape all agree with pred.
void ExpectShape(const Shape& s, Vec3i c, const Pred& pred) {
  const Box search = Grow(s.Bounds(), 2);
  const int64_t expected = Brute(search, c, pred);
  EXPECT_EQ(CountCells(s), expected);
  EXPECT_EQ(Brute(search, {0, 0, 0},
                  [&](int64_t x, int64_t y, int64_t z) {
                    return s.Contains({int32_t(x), int32_t(y), int32_t(z)});
                  }),
            expected);
  Volume v;
  EXPECT_EQ(ApplyShape(v, s, ApplyMode::kAdd, kRed), expected);
  EXPECT_EQ(v.CountVoxels(), expected);
  v.ForEachVoxel([&](Vec3i p, Rgba) {
    EXPECT_TRUE(pred(p.x - c.x, p.y - c.y, p.z - c.z))
        << p.x << "," << p.y << "," << p.z;
  });
  if (expected > 0) {
    EXPECT_GT(CountCells(s, expected / 2), expected / 2);
    EXPECT_LE(CountCells(s, expected / 2), expected);
  }
}

TEST(Shapes, BoxAndHollowBoxClosedForms) {
  auto box = MakeBox({{-3, 2, -10}, {4, 7, -1}});
  EXPECT_EQ(CountCells(*box), 8 * 6 * 10);
  auto hollow = MakeHollow(MakeBox({{-3, 2, -10}, {4, 7, -1}}));
  EXPECT_EQ(CountCells(*hollow), 8 * 6 * 10 - 6 * 4 * 8);
  auto thin = MakeHollow(MakeBox({{0, 0, 0}, {5, 0, 5}}));  // one cell thick
  EXPECT_EQ(CountCells(*thin), 36);
  EXPECT_EQ(CountCells(*MakeBox({{1, 0, 0}, {0, 0, 0}})), 0);
}

TEST(Shapes, SphereMatchesLatticePointCounts) {
  // Integer points with x^2 + y^2 + z^2 <= r^2 (OEIS A000605).
  const int64_t known[] = {1, 7, 33, 123, 257, 515, 925, 1419};
  for (int r = 0; r < 8; ++r)
    EXPECT_EQ(CountCells(*MakeSphere({-100, 7, 3}, r)), known[r]) << r;
  Vec3i c{-5, 9, 17};
  ExpectShape(*MakeSphere(c, 6), c, [](int64_t x, int64_t y, int64_t z) {
    return x * x + y * y + z * z <= 36;
  });
}

TEST(Shapes, EllipsoidMatchesBruteForce) {
  Vec3i c{3, -4, 0};
  ExpectShape(
      *MakeEllipsoid(c, {5, 3, 7}), c, [](int64_t x, int64_t y, int64_t z) {
        return x * x * 9 * 49 + y * y * 25 * 49 + z * z * 25 * 9 <= 25 * 9 * 49;
      });
  // A zero radius makes a flat ellipse.
  ExpectShape(*MakeEllipsoid(c, {0, 4, 2}), c,
              [](int64_t x, int64_t y, int64_t z) {
                return x == 0 && y * y * 4 + z * z * 16 <= 64;
              });
}

TEST(Shapes, CylinderCountIsHeightTimesDisc) {
  // Gauss circle: integer points with x^2 + y^2 <= r^2.
  const int64_t disc[] = {1, 5, 13, 29, 49, 81};
  for (Axis a : {Axis::kX, Axis::kY, Axis::kZ})
    for (int r = 0; r < 6; ++r)
      EXPECT_EQ(CountCells(*MakeCylinder({1, 2, 3}, r, 4, a)), 9 * disc[r]);
  Vec3i c{0, 5, -5};
  ExpectShape(*MakeCylinder(c, 4, 3, Axis::kY), c,
              [](int64_t x, int64_t y, int64_t z) {
                return y >= -3 && y <= 3 && x * x + z * z <= 16;
              });
}

TEST(Shapes, ConeMatchesBruteForce) {
  for (Axis a : {Axis::kX, Axis::kY, Axis::kZ}) {
    Vec3i c{2, -3, 4};
    const int ai = static_cast<int>(a);
    ExpectShape(*MakeCone(c, 5, 7, a), c,
                [ai](int64_t x, int64_t y, int64_t z) {
                  const int64_t d[3] = {x, y, z};
                  const int64_t t = d[ai];
                  if (t < 0 || t >= 7) return false;
                  double cross = 0;
                  for (int i = 0; i < 3; ++i)
                    if (i != ai) cross += double(d[i] * d[i]);
                  return std::sqrt(cross) <= 5.0 * double(7 - t) / 7.0 + 1e-9;
                });
  }
  // Level 0 is the full disc of radius 5 (81 cells), the top level radius 5/7.
  EXPECT_EQ(CountCells(*MakeCone({0, 0, 0}, 5, 1, Axis::kZ)), 81);
}

TEST(Shapes, TorusMatchesBruteForce) {
  for (Axis a : {Axis::kX, Axis::kZ}) {
    Vec3i c{-7, 1, 2};
    const int ai = static_cast<int>(a);
    ExpectShape(*MakeTorus(c, 6, 2, a), c,
                [ai](int64_t x, int64_t y, int64_t z) {
                  const int64_t d[3] = {x, y, z};
                  double q = 0;
                  for (int i = 0; i < 3; ++i)
                    if (i != ai) q += double(d[i] * d[i]);
                  const double ring = std::sqrt(q) - 6;
                  return ring * ring + double(d[ai] * d[ai]) <= 4 + 1e-9;
                });
  }
}

TEST(Shapes, HollowVariantsAreOneCellShells) {
  Vec3i c{1, 1, 1};
  Pred ball = [](int64_t x, int64_t y, int64_t z) {
    return x * x + y * y + z * z <= 49;
  };
  ExpectShape(*MakeHollow(MakeSphere(c, 7)), c, Shell(ball));
  Pred cyl = [](int64_t x, int64_t y, int64_t z) {
    return z >= -5 && z <= 5 && x * x + y * y <= 25;
  };
  ExpectShape(*MakeHollow(MakeCylinder(c, 5, 5, Axis::kZ)), c, Shell(cyl));
  Pred ell = [](int64_t x, int64_t y, int64_t z) {
    return x * x * 16 * 36 + y * y * 64 * 36 + z * z * 64 * 16 <= 64 * 16 * 36;
  };
  ExpectShape(*MakeHollow(MakeEllipsoid(c, {8, 4, 6})), c, Shell(ell));
  Pred cone = [](int64_t x, int64_t y, int64_t z) {
    return z >= 0 && z < 6 && (x * x + y * y) * 36 <= 16 * (6 - z) * (6 - z);
  };
  ExpectShape(*MakeHollow(MakeCone(c, 4, 6, Axis::kZ)), c, Shell(cone));
  // A hollow sphere is watertight: the centre is not 6-connected to the
  // outside without crossing the shell.
  Volume v;
  ApplyShape(v, *MakeHollow(MakeSphere({0, 0, 0}, 9)), ApplyMode::kAdd, kRed);
  FloodFillOptions opt;
  opt.region = {{-12, -12, -12}, {12, 12, 12}};
  auto inside = FloodFill(v, {0, 0, 0}, Rgba{0, 255, 0, 255}, opt);
  ASSERT_TRUE(inside.ok());
  EXPECT_EQ(inside->matched,
            CountCells(*MakeSphere({0, 0, 0}, 9)) -
                CountCells(*MakeHollow(MakeSphere({0, 0, 0}, 9))));
}

TEST(Shapes, LinePointsAreConnectedAndExact) {
  auto pts = LinePoints({0, 0, 0}, {10, -4, 3});
  ASSERT_EQ(pts.size(), 11u);
  EXPECT_EQ(pts.front(), (Vec3i{0, 0, 0}));
  EXPECT_EQ(pts.back(), (Vec3i{10, -4, 3}));
  for (size_t i = 1; i < pts.size(); ++i) {
    EXPECT_EQ(pts[i].x - pts[i - 1].x, 1);
    EXPECT_LE(std::abs(pts[i].y - pts[i - 1].y), 1);
    EXPECT_LE(std::abs(pts[i].z - pts[i - 1].z), 1);
  }
  EXPECT_EQ(LinePoints({5, 5, 5}, {5, 5, 5}).size(), 1u);
  EXPECT_EQ(CountCells(*MakeLine({0, 0, 0}, {0, -20, 0}, 0)), 21);
  // Radius 1 along an axis: 21 discs of 5 plus a cap cell at each end.
  EXPECT_EQ(CountCells(*MakeLine({0, 0, 0}, {0, 0, 20}, 1)), 21 * 5 + 2);
  Vec3i a{-3, 2, 1}, b{9, -5, 6};
  auto line_pts = LinePoints(a, b);
  ExpectShape(*MakeLine(a, b, 2), {0, 0, 0},
              [&](int64_t x, int64_t y, int64_t z) {
                for (Vec3i q : line_pts) {
                  const int64_t dx = x - q.x, dy = y - q.y, dz = z - q.z;
                  if (dx * dx + dy * dy + dz * dz <= 4) return true;
                }
                return false;
              });
}

TEST(Shapes, NegativeSizesAreClampedNotUndefined) {
  EXPECT_EQ(CountCells(*MakeSphere({0, 0, 0}, -3)), 1);
  EXPECT_EQ(CountCells(*MakeCone({0, 0, 0}, 2, 0, Axis::kY)), 13);
  EXPECT_EQ(CountCells(*MakeTorus({0, 0, 0}, 0, 0, Axis::kY)), 1);
}

}  // namespace
}  // namespace goxel::voxel
