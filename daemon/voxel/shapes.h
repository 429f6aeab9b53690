// Shapes: exact integer solids, as predicates over cells plus row spans.
//
// A cell p is the unit cube [p, p+1); "distance" below is measured between
// cell centres, so a shape centred on cell c is symmetric around c. Every
// shape says exactly which cells are inside, so tests can compare counts
// with closed forms or brute force:
//   Box       min <= p <= max on every axis.
//   Ellipsoid sum over axes (d_i / r_i)^2 <= 1 with d = p - center; an axis
//             with r_i == 0 requires d_i == 0. Sphere(c, r): |d|^2 <= r^2.
//   Cylinder  along `axis`: |d_axis| <= half_length and the two other
//             components satisfy d_u^2 + d_v^2 <= radius^2.
//   Cone      base disc at center, apex towards +axis: level t = d_axis in
//             [0, height-1], cross-section d_u^2 + d_v^2 <= (r (h-t) / h)^2.
//   Torus     around `axis`: (sqrt(d_u^2 + d_v^2) - major)^2 + d_axis^2 <=
//             minor^2.
//   Hollow(s) the cells of s with at least one 6-neighbour outside s (a
//             one-cell shell; watertight for 6-connected paths).
// Lines (brush strokes) are in tools.h.
//
// Thread contract: shapes are immutable values; thread-safe to share.
#ifndef GOXEL_VOXEL_SHAPES_H_
#define GOXEL_VOXEL_SHAPES_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "voxel/volume.h"

namespace goxel::voxel {

enum class Axis { kX = 0, kY = 1, kZ = 2 };

// A run of cells x0..x1 (inclusive) in one row of constant y and z.
struct Span {
  int32_t x0, x1;
  friend bool operator==(const Span&, const Span&) = default;
};

class Shape {
 public:
  virtual ~Shape() = default;
  // A box holding every inside cell (may be larger than tight).
  virtual Box Bounds() const = 0;
  // True when cell p is inside.
  virtual bool Contains(Vec3i p) const = 0;
  // Appends the inside spans of row (y, z), sorted and disjoint, to *out.
  // The default scans Bounds() with Contains(); shapes override it when
  // they can do better.
  virtual void Row(int32_t y, int32_t z, std::vector<Span>* out) const;
  // Calls f(y, z, span) for every non-empty span, each cell once, until f
  // returns false. The default walks the rows of Bounds() in (z, y) order.
  virtual void ForEachSpan(
      const std::function<bool(int32_t y, int32_t z, Span s)>& f) const;
  // The box when this shape is exactly a Box (for FillBox fast paths).
  virtual const Box* AsBox() const { return nullptr; }
};

std::unique_ptr<Shape> MakeBox(const Box& box);
std::unique_ptr<Shape> MakeEllipsoid(Vec3i center, Vec3i radii);
std::unique_ptr<Shape> MakeSphere(Vec3i center, int32_t radius);
std::unique_ptr<Shape> MakeCylinder(Vec3i center, int32_t radius,
                                    int32_t half_length, Axis axis);
std::unique_ptr<Shape> MakeCone(Vec3i base_center, int32_t radius,
                                int32_t height, Axis axis);
std::unique_ptr<Shape> MakeTorus(Vec3i center, int32_t major, int32_t minor,
                                 Axis axis);
// The one-cell shell of `inner` (see above). Takes ownership.
std::unique_ptr<Shape> MakeHollow(std::unique_ptr<Shape> inner);

// Negative radii and lengths are taken as 0 and a height below 1 as 1.
// Bounds are clamped to the int32 range. Geometry is computed in 128-bit
// integers, so any int32 inputs are exact; the cost of Row() is what callers
// must bound (see CountCells in tools.h).

}  // namespace goxel::voxel

#endif  // GOXEL_VOXEL_SHAPES_H_
