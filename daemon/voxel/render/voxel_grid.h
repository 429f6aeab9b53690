// VoxelGrid: the renderer's read-only copy of the visible voxels, merged from
// several volumes, with a ray tracer over it.
//
// Build() copies every non-empty block of the input volumes into one flat
// array (later volumes win where both have a voxel), indexed either by a
// dense table over the blocks' bounding box or, when that box is huge and
// sparse, by a hash map. A voxel with any alpha > 0 is opaque.
//
// Trace() walks a ray through the grid with a two-level DDA: block by block,
// skipping missing blocks, then cell by cell inside present ones, so the cost
// is the number of blocks plus cells the ray actually crosses.
//
// Thread contract: immutable after Build(); const methods are thread-safe.
#ifndef GOXEL_VOXEL_RENDER_VOXEL_GRID_H_
#define GOXEL_VOXEL_RENDER_VOXEL_GRID_H_

#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "voxel/render/vec3.h"
#include "voxel/volume.h"

namespace goxel::render {

class VoxelGrid {
 public:
  // Where a ray first enters an occupied cell.
  struct Hit {
    voxel::Vec3i cell;
    int axis = 0;    // axis of the face the ray entered through (0=x,1=y,2=z).
    int normal = 0;  // +1 or -1: the face's outward normal along `axis`.
    double t = 0;    // ray parameter of the entry point.
    voxel::Rgba color;  // the cell's colour.
  };

  // Merges `volumes` (bottom first; null pointers are skipped). The volumes
  // are only read during the call.
  static VoxelGrid Build(const std::vector<const voxel::Volume*>& volumes);

  bool empty() const { return !bounds_.has_value(); }
  // Tight bounds of the merged voxels; nullopt when empty.
  const std::optional<voxel::Box>& bounds() const { return bounds_; }
  size_t block_count() const { return origins_.size(); }

  // The merged colour at p (alpha 0 when empty).
  voxel::Rgba Get(voxel::Vec3i p) const;
  bool Occupied(voxel::Vec3i p) const { return Get(p).a != 0; }

  // Occupancy of the 3 x 3 cells around `center` in the plane spanned by
  // axes `axis_u` and `axis_v`: bit (du + 1) + 3 * (dv + 1) is set when the
  // cell center + du * e_u + dv * e_v is occupied, du, dv in {-1, 0, 1}.
  uint32_t PlaneMask(voxel::Vec3i center, int axis_u, int axis_v) const;

  // Finds the first occupied cell along origin + t * dir for t in
  // [t_min, t_max] (dir need not be unit, but must be non-zero). When the
  // origin is inside an occupied cell, that cell is hit at t_min with the
  // face facing against dir's largest component. Returns false on a miss.
  bool Trace(Vec3d origin, Vec3d dir, double t_min, double t_max,
             Hit* hit) const;

 private:
  struct KeyHash {
    size_t operator()(const voxel::Vec3i& k) const {
      return (uint64_t(uint32_t(k.x)) * 0x9E3779B97F4A7C15ull) ^
             (uint64_t(uint32_t(k.y)) * 0xC2B2AE3D27D4EB4Full) ^
             (uint64_t(uint32_t(k.z)) * 0x165667B19E3779F9ull);
    }
  };
  struct Ray;

  // The cells of the block at block coordinates (bx, by, bz), or nullptr.
  const voxel::Rgba* FindBlock(int32_t bx, int32_t by, int32_t bz) const;
  void BuildIndex();
  bool TraceBlock(const Ray& ray, const voxel::Rgba* cells, const int32_t b[3],
                  double* t, int* axis, Hit* hit) const;

  std::optional<voxel::Box> bounds_;
  voxel::Vec3i block_min_, block_max_;   // block coordinates, inclusive.
  int64_t dense_nx_ = 0, dense_ny_ = 0;  // dense table row and layer sizes.
  std::vector<voxel::Vec3i> origins_;    // block i's origin / 16.
  std::vector<voxel::Rgba> cells_;       // block i at i * kBlockVoxels.
  std::vector<int32_t> dense_;           // block index or -1; empty if sparse.
  std::unordered_map<voxel::Vec3i, int32_t, KeyHash> sparse_;
};

}  // namespace goxel::render

#endif  // GOXEL_VOXEL_RENDER_VOXEL_GRID_H_
