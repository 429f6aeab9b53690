// Tools: apply shapes to a volume, lines, flood fill, region copy and move.
//
// Every shape-based tool can be counted first (CountCells) without touching
// the volume, so callers can refuse work above a voxel cap before doing it.
//
// Thread contract: functions; not thread-safe for the volume they edit
// (same rules as Volume). Shapes are only read.
#ifndef GOXEL_VOXEL_TOOLS_H_
#define GOXEL_VOXEL_TOOLS_H_

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <vector>

#include "base/status.h"
#include "voxel/shapes.h"
#include "voxel/volume.h"

namespace goxel::voxel {

enum class ApplyMode {
  kAdd,     // set every cell to the colour (alpha 0: remove)
  kRemove,  // empty every cell
  kPaint,   // recolour the cells that already hold a voxel; others untouched
};

// Number of cells inside `shape`. Stops as soon as the count exceeds
// `limit` and returns that partial count (> limit). Cost: O(rows) for box,
// ellipsoid, sphere, cylinder; O(cells of Bounds()) for cone, torus, hollow
// shapes; O(points * radius^2) for lines.
int64_t CountCells(const Shape& shape,
                   int64_t limit = std::numeric_limits<int64_t>::max());

// Applies `shape` to `volume`; returns the number of cells whose colour
// changed. A Box in kAdd/kRemove mode takes Volume::FillBox's fast path.
int64_t ApplyShape(Volume& volume, const Shape& shape, ApplyMode mode,
                   Rgba color);

// The cells of a 3D DDA line from a to b inclusive: n + 1 points for
// n = max |b - a| over the axes, point k = a + round(k (b - a) / n) (halves
// rounded away from zero). Consecutive points are 26-neighbours.
std::vector<Vec3i> LinePoints(Vec3i a, Vec3i b);
// A brush stroke: the union over LinePoints(a, b) of Sphere(point, radius).
// radius 0 is the bare line.
std::unique_ptr<Shape> MakeLine(Vec3i a, Vec3i b, int32_t radius);

struct FloodFillOptions {
  Box region;         // cells outside are neither visited nor filled
  int tolerance = 0;  // per channel (r, g, b, a), 0..255
  int64_t max_voxels = int64_t{1} << 24;  // cap on the connected set
};

struct FloodFillResult {
  int64_t matched = 0;  // cells in the connected set
  int64_t changed = 0;  // cells whose colour changed
};

// Flood fill from `seed`: the 6-connected set of cells inside the region
// whose colour matches the seed's within `tolerance` on every channel, set
// to `color` (alpha 0 removes them). An empty seed fills empty space: only
// empty cells match, so the fill is bounded by the region and by voxels.
// Errors (nothing is changed): kInvalidPosition when the seed is outside
// the region; kResourceExhausted when the set exceeds max_voxels;
// kInvalidParams for a tolerance outside 0..255.
Result<FloodFillResult> FloodFill(Volume& volume, Vec3i seed, Rgba color,
                                  const FloodFillOptions& options);

// Number of non-empty voxels inside `box`. O(blocks overlapping the box).
int64_t CountInBox(const Volume& volume, const Box& box);

// Calls f(position, colour) for each non-empty voxel inside `box`, in a
// deterministic order (blocks by z, y, x; then z, y, x within a block), so
// callers can page through the result with offset/limit. Stop early by
// returning false from f.
void ForEachVoxelInBox(const Volume& volume, const Box& box,
                       const std::function<bool(Vec3i, Rgba)>& f);

// Copies the voxels of `box` in `src` to the cells shifted by `offset` in
// `dst`. Non-empty voxels overwrite; empty source cells leave `dst` as it
// was. `src` may be `dst` (overlap reads a snapshot taken first). Returns
// the number of destination cells changed; kInvalidPosition when the moved
// box leaves the int32 range.
Result<int64_t> CopyRegion(const Volume& src, const Box& box, Vec3i offset,
                           Volume* dst);
// Moves the voxels of `box` by `offset` inside `volume`: the source box is
// emptied, then the voxels are pasted at their new place (so where source
// and destination overlap, the moved voxels win). Returns the number of
// voxels moved; kInvalidPosition as CopyRegion.
Result<int64_t> MoveRegion(Volume* volume, const Box& box, Vec3i offset);

}  // namespace goxel::voxel

#endif  // GOXEL_VOXEL_TOOLS_H_
