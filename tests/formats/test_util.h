// Helpers shared by the formats tests: reading test data, comparing scenes,
// and a geometric watertightness check for triangle and quad meshes.
#ifndef GOXEL_TESTS_FORMATS_TEST_UTIL_H_
#define GOXEL_TESTS_FORMATS_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "base/file_io.h"
#include "voxel/layer.h"

namespace goxel::voxel::formats::testing {

inline std::string TestData(const std::string& rel) {
  return std::string(GOXEL_TESTDATA_DIR) + "/" + rel;
}

inline std::vector<uint8_t> ReadTestFile(const std::string& rel) {
  auto r = ReadFileBytes(TestData(rel), int64_t{1} << 30);
  if (!r.ok()) {
    ADD_FAILURE() << "cannot read test data " << TestData(rel) << ": "
                  << r.status().ToString();
    return {};
  }
  return *r;
}

using VoxelMap = std::map<std::tuple<int, int, int>, uint32_t>;

inline uint32_t Pack(Rgba c) {
  return uint32_t{c.r} << 24 | uint32_t{c.g} << 16 | uint32_t{c.b} << 8 | c.a;
}

inline VoxelMap Voxels(const Volume& v) {
  VoxelMap m;
  v.ForEachVoxel([&](Vec3i p, Rgba c) { m[{p.x, p.y, p.z}] = Pack(c); });
  return m;
}

// Checks that a polygon soup (each polygon a list of integer-valued corner
// positions) is closed: every axis-aligned edge, cut into unit segments, is
// walked once in each direction, and every other edge (a quad's diagonal)
// appears once each way too. T-junctions of greedy meshes pass; holes and
// flipped faces do not. Returns the number of unbalanced segments.
inline int64_t UnbalancedEdges(
    const std::vector<std::vector<std::array<double, 3>>>& polys) {
  using P = std::array<long, 3>;
  std::map<std::pair<P, P>, int> count;
  auto add = [&](P a, P b) {
    if (a > b) {
      count[{b, a}] -= 1;
    } else {
      count[{a, b}] += 1;
    }
  };
  for (const auto& poly : polys) {
    for (size_t i = 0; i < poly.size(); ++i) {
      P a, b;
      for (int k = 0; k < 3; ++k) {
        a[k] = std::lround(poly[i][k]);
        b[k] = std::lround(poly[(i + 1) % poly.size()][k]);
      }
      int differing = 0, axis = 0;
      for (int k = 0; k < 3; ++k)
        if (a[k] != b[k]) ++differing, axis = k;
      if (differing == 1) {
        const int step = b[axis] > a[axis] ? 1 : -1;
        for (P p = a; p[axis] != b[axis];) {
          P q = p;
          q[axis] += step;
          add(p, q);
          p = q;
        }
      } else {
        add(a, b);
      }
    }
  }
  int64_t bad = 0;
  for (const auto& [k, v] : count) bad += v != 0;
  return bad;
}

}  // namespace goxel::voxel::formats::testing

#endif  // GOXEL_TESTS_FORMATS_TEST_UTIL_H_
