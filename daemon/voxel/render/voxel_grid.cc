#include "voxel/render/voxel_grid.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace goxel::render {
namespace {

using voxel::kBlockSize;
using voxel::kBlockVoxels;
using voxel::Rgba;
using voxel::Vec3i;

// Largest dense block table (entries); beyond it blocks go in a hash map.
constexpr int64_t kMaxDenseBlocks = int64_t{1} << 21;

// Floor division by 16 (arithmetic shift; C++20 defines it for negatives).
int32_t BlockCoord(int32_t v) { return v >> 4; }

voxel::Box Union(const voxel::Box& a, const voxel::Box& b) {
  return {{std::min(a.min.x, b.min.x), std::min(a.min.y, b.min.y),
           std::min(a.min.z, b.min.z)},
          {std::max(a.max.x, b.max.x), std::max(a.max.y, b.max.y),
           std::max(a.max.z, b.max.z)}};
}

}  // namespace

// A ray prepared for traversal: arrays, reciprocals, steps.
struct VoxelGrid::Ray {
  double org[3];
  double dir[3];
  double inv[3];  // 1 / dir, or +inf when dir is 0 on that axis.
  int step[3];    // sign of dir: -1, 0 or +1.
  double t_end;

  // Ray parameter at which the ray crosses the next boundary at multiples of
  // `size` on `axis`, from cell-or-block coordinate `c`.
  double Next(int axis, int32_t c, int size) const {
    const double boundary = (double(c) + (step[axis] > 0 ? 1 : 0)) * size;
    return (boundary - org[axis]) * inv[axis];
  }
};

VoxelGrid VoxelGrid::Build(const std::vector<const voxel::Volume*>& volumes) {
  VoxelGrid grid;
  size_t blocks = 0;
  for (const voxel::Volume* volume : volumes) {
    if (volume != nullptr) blocks += volume->BlockCount();
  }
  grid.origins_.reserve(blocks);
  grid.cells_.reserve(blocks * kBlockVoxels);
  grid.sparse_.reserve(blocks);
  for (const voxel::Volume* volume : volumes) {
    if (volume == nullptr) continue;
    const std::optional<voxel::Box> b = volume->Bounds();
    if (!b) continue;
    grid.bounds_ = grid.bounds_ ? Union(*grid.bounds_, *b) : *b;
    volume->ForEachBlock([&grid](Vec3i origin, const Rgba* data) {
      const Vec3i key{BlockCoord(origin.x), BlockCoord(origin.y),
                      BlockCoord(origin.z)};
      auto [it, inserted] =
          grid.sparse_.try_emplace(key, int32_t(grid.origins_.size()));
      if (inserted) {
        grid.origins_.push_back(key);
        grid.cells_.insert(grid.cells_.end(), data, data + kBlockVoxels);
        return;
      }
      Rgba* cells = grid.cells_.data() + size_t(it->second) * kBlockVoxels;
      for (int i = 0; i < kBlockVoxels; ++i) {
        if (data[i].a != 0) cells[i] = data[i];
      }
    });
  }
  if (grid.bounds_) grid.BuildIndex();
  return grid;
}

void VoxelGrid::BuildIndex() {
  block_min_ = {BlockCoord(bounds_->min.x), BlockCoord(bounds_->min.y),
                BlockCoord(bounds_->min.z)};
  block_max_ = {BlockCoord(bounds_->max.x), BlockCoord(bounds_->max.y),
                BlockCoord(bounds_->max.z)};
  const int64_t nx = int64_t{block_max_.x} - block_min_.x + 1;
  const int64_t ny = int64_t{block_max_.y} - block_min_.y + 1;
  const int64_t nz = int64_t{block_max_.z} - block_min_.z + 1;
  if (nx * ny * nz > kMaxDenseBlocks) return;  // keep the hash map.
  dense_nx_ = nx;
  dense_ny_ = ny;
  dense_.assign(size_t(nx * ny * nz), -1);
  for (size_t i = 0; i < origins_.size(); ++i) {
    const Vec3i& o = origins_[i];
    dense_[size_t(((o.z - block_min_.z) * ny + (o.y - block_min_.y)) * nx +
                  (o.x - block_min_.x))] = int32_t(i);
  }
  sparse_.clear();
}

const Rgba* VoxelGrid::FindBlock(int32_t bx, int32_t by, int32_t bz) const {
  int32_t index = -1;
  if (!dense_.empty()) {
    if (bx < block_min_.x || bx > block_max_.x || by < block_min_.y ||
        by > block_max_.y || bz < block_min_.z || bz > block_max_.z) {
      return nullptr;
    }
    const int64_t nx = int64_t{block_max_.x} - block_min_.x + 1;
    const int64_t ny = int64_t{block_max_.y} - block_min_.y + 1;
    index =
        dense_[size_t(((bz - block_min_.z) * ny + (by - block_min_.y)) * nx +
                      (bx - block_min_.x))];
  } else {
    const auto it = sparse_.find(Vec3i{bx, by, bz});
    if (it != sparse_.end()) index = it->second;
  }
  return index < 0 ? nullptr : cells_.data() + size_t(index) * kBlockVoxels;
}

Rgba VoxelGrid::Get(Vec3i p) const {
  const Rgba* cells =
      FindBlock(BlockCoord(p.x), BlockCoord(p.y), BlockCoord(p.z));
  if (cells == nullptr) return Rgba{};
  return cells[voxel::BlockIndex(p.x & 15, p.y & 15, p.z & 15)];
}

uint32_t VoxelGrid::PlaneMask(Vec3i center, int axis_u, int axis_v) const {
  const int32_t c[3] = {center.x, center.y, center.z};
  const int32_t lu = c[axis_u] & 15, lv = c[axis_v] & 15;
  uint32_t mask = 0;
  if (lu >= 1 && lu <= 14 && lv >= 1 && lv <= 14) {
    // Fast path: all nine cells lie in center's block.
    const Rgba* cells =
        FindBlock(BlockCoord(c[0]), BlockCoord(c[1]), BlockCoord(c[2]));
    if (cells == nullptr) return 0;
    const int stride[3] = {1, kBlockSize, kBlockSize * kBlockSize};
    const int middle = voxel::BlockIndex(c[0] & 15, c[1] & 15, c[2] & 15);
    for (int dv = -1, bit = 0; dv <= 1; ++dv) {
      for (int du = -1; du <= 1; ++du, ++bit) {
        const int i = middle + du * stride[axis_u] + dv * stride[axis_v];
        if (cells[i].a != 0) mask |= 1u << bit;
      }
    }
    return mask;
  }
  for (int dv = -1, bit = 0; dv <= 1; ++dv) {
    for (int du = -1; du <= 1; ++du, ++bit) {
      int32_t p[3] = {c[0], c[1], c[2]};
      p[axis_u] += du;
      p[axis_v] += dv;
      if (Occupied({p[0], p[1], p[2]})) mask |= 1u << bit;
    }
  }
  return mask;
}

bool VoxelGrid::Trace(Vec3d origin, Vec3d dir, double t_min, double t_max,
                      Hit* hit) const {
  if (!bounds_) return false;
  const double lo[3] = {double(bounds_->min.x), double(bounds_->min.y),
                        double(bounds_->min.z)};
  const double hi[3] = {bounds_->max.x + 1.0, bounds_->max.y + 1.0,
                        bounds_->max.z + 1.0};
  Ray ray{{origin.x, origin.y, origin.z}, {dir.x, dir.y, dir.z}, {}, {}, 0};
  // Clip [t_min, t_max] to the bounds (slab test); remember the entry face.
  double t0 = t_min, t1 = t_max;
  int entry_axis = -1;
  for (int a = 0; a < 3; ++a) {
    if (ray.dir[a] == 0.0) {
      if (ray.org[a] < lo[a] || ray.org[a] > hi[a]) return false;
      ray.inv[a] = std::numeric_limits<double>::infinity();
      ray.step[a] = 0;
      continue;
    }
    ray.inv[a] = 1.0 / ray.dir[a];
    ray.step[a] = ray.dir[a] > 0 ? 1 : -1;
    double ta = (lo[a] - ray.org[a]) * ray.inv[a];
    double tb = (hi[a] - ray.org[a]) * ray.inv[a];
    if (ta > tb) std::swap(ta, tb);
    if (ta > t0) {
      t0 = ta;
      entry_axis = a;
    }
    t1 = std::min(t1, tb);
  }
  if (!(t0 <= t1)) return false;
  ray.t_end = t1;

  const int32_t bmin[3] = {block_min_.x, block_min_.y, block_min_.z};
  const int32_t bmax[3] = {block_max_.x, block_max_.y, block_max_.z};
  int32_t b[3];
  for (int a = 0; a < 3; ++a) {
    const double p = ray.org[a] + ray.dir[a] * t0;
    const double cell = std::floor(p / kBlockSize);
    b[a] = int32_t(std::clamp(cell, double(bmin[a]), double(bmax[a])));
  }
  if (entry_axis >= 0) {
    b[entry_axis] =
        ray.step[entry_axis] > 0 ? bmin[entry_axis] : bmax[entry_axis];
  }
  double t = t0;
  int axis = entry_axis;
  for (;;) {
    const Rgba* cells = FindBlock(b[0], b[1], b[2]);
    if (cells != nullptr && TraceBlock(ray, cells, b, &t, &axis, hit)) {
      if (hit->axis < 0) {  // started inside an occupied cell.
        int major = 0;
        for (int a = 1; a < 3; ++a) {
          if (std::abs(ray.dir[a]) > std::abs(ray.dir[major])) major = a;
        }
        hit->axis = major;
        hit->normal = -ray.step[major];
      }
      return true;
    }
    int next_axis = -1;
    double next_t = std::numeric_limits<double>::infinity();
    for (int a = 0; a < 3; ++a) {
      if (ray.step[a] == 0) continue;
      const double ta = ray.Next(a, b[a], kBlockSize);
      if (ta < next_t) {
        next_t = ta;
        next_axis = a;
      }
    }
    if (next_axis < 0 || next_t > ray.t_end) return false;
    b[next_axis] += ray.step[next_axis];
    if (b[next_axis] < bmin[next_axis] || b[next_axis] > bmax[next_axis]) {
      return false;
    }
    t = next_t;
    axis = next_axis;
  }
}

bool VoxelGrid::TraceBlock(const Ray& ray, const Rgba* cells,
                           const int32_t b[3], double* t, int* axis,
                           Hit* hit) const {
  int32_t base[3], c[3];
  double next[3];
  for (int a = 0; a < 3; ++a) {
    base[a] = b[a] * kBlockSize;
    const double p = std::floor(ray.org[a] + ray.dir[a] * *t);
    c[a] = int32_t(std::clamp(p, double(base[a]), double(base[a] + 15)));
  }
  if (*axis >= 0) {
    c[*axis] = ray.step[*axis] > 0 ? base[*axis] : base[*axis] + 15;
  }
  for (int a = 0; a < 3; ++a) {
    next[a] = ray.step[a] == 0 ? std::numeric_limits<double>::infinity()
                               : ray.Next(a, c[a], 1);
  }
  const int stride[3] = {ray.step[0], ray.step[1] * kBlockSize,
                         ray.step[2] * kBlockSize * kBlockSize};
  int index = voxel::BlockIndex(c[0] - base[0], c[1] - base[1], c[2] - base[2]);
  for (;;) {
    const Rgba& cell = cells[index];
    if (cell.a != 0) {
      hit->cell = {c[0], c[1], c[2]};
      hit->color = cell;
      hit->axis = *axis;
      hit->normal = *axis >= 0 ? -ray.step[*axis] : 0;
      hit->t = *t;
      return true;
    }
    int a = 0;  // ties go to the lowest axis, as in Trace().
    if (next[1] < next[a]) a = 1;
    if (next[2] < next[a]) a = 2;
    if (next[a] > ray.t_end) return false;
    c[a] += ray.step[a];
    if (uint32_t(c[a] - base[a]) > 15u) return false;  // left the block.
    index += stride[a];
    *t = next[a];
    *axis = a;
    next[a] = ray.Next(a, c[a], 1);
  }
}

}  // namespace goxel::render
