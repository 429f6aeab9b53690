#include "voxel/analysis.h"

#include <algorithm>
#include <cstring>
#include <tuple>
#include <unordered_map>

namespace goxel::voxel {
namespace {

void GrowBox(Box& r, Vec3i p) {
  r.min = {std::min(r.min.x, p.x), std::min(r.min.y, p.y),
           std::min(r.min.z, p.z)};
  r.max = {std::max(r.max.x, p.x), std::max(r.max.y, p.y),
           std::max(r.max.z, p.z)};
}

void Grow(std::optional<Box>* b, Vec3i p) {
  if (*b) {
    GrowBox(**b, p);
  } else {
    *b = Box{p, p};
  }
}

// Counts the differences of one block; `before` or `after` may be null
// (an empty block).
void DiffBlock(Vec3i origin, const Rgba* before, const Rgba* after,
               VolumeDiff* d) {
  static const Rgba kEmpty[kBlockVoxels] = {};
  if (!before) before = kEmpty;
  if (!after) after = kEmpty;
  for (int z = 0; z < kBlockSize; ++z)
    for (int y = 0; y < kBlockSize; ++y)
      for (int x = 0; x < kBlockSize; ++x) {
        const int i = BlockIndex(x, y, z);
        const Rgba a = before[i], b = after[i];
        if (a == b || (a.empty() && b.empty())) continue;
        if (a.empty()) {
          ++d->added;
        } else if (b.empty()) {
          ++d->removed;
        } else {
          ++d->recolored;
        }
        Grow(&d->bounds, {origin.x + x, origin.y + y, origin.z + z});
      }
}

uint32_t Pack(Rgba c) {
  uint32_t v;
  std::memcpy(&v, &c, 4);
  return v;
}

bool Before(Vec3i a, Vec3i b) {
  return std::tie(a.x, a.y, a.z) < std::tie(b.x, b.y, b.z);
}

}  // namespace

VolumeDiff DiffVolumes(const Volume& before, const Volume& after) {
  VolumeDiff d;
  std::vector<Rgba> old_cells(kBlockVoxels), new_cells(kBlockVoxels);
  after.ForEachBlockDifferentFrom(before, [&](Vec3i origin) {
    const bool had = before.ReadBlock(origin, old_cells.data());
    const bool has = after.ReadBlock(origin, new_cells.data());
    DiffBlock(origin, had ? old_cells.data() : nullptr,
              has ? new_cells.data() : nullptr, &d);
  });
  return d;
}

Result<std::vector<Component>> ConnectedComponents(const Volume& volume,
                                                   int connectivity,
                                                   int64_t max_voxels) {
  if (connectivity != 6 && connectivity != 18 && connectivity != 26) {
    return Status::InvalidParams("connectivity must be 6, 18 or 26")
        .With("param", std::string("connectivity"))
        .With("got", int64_t{connectivity});
  }
  if (volume.CountVoxels() > max_voxels) {
    return Status::ResourceExhausted(
               "the volume holds " + std::to_string(volume.CountVoxels()) +
               " voxels, more than the " + std::to_string(max_voxels) +
               " one analysis may visit")
        .With("limit", max_voxels)
        .With("requested", volume.CountVoxels());
  }
  std::vector<Vec3i> offsets;
  for (int dz = -1; dz <= 1; ++dz)
    for (int dy = -1; dy <= 1; ++dy)
      for (int dx = -1; dx <= 1; ++dx) {
        const int n = std::abs(dx) + std::abs(dy) + std::abs(dz);
        if (n == 0 || (connectivity == 6 && n > 1) ||
            (connectivity == 18 && n > 2))
          continue;
        offsets.push_back({dx, dy, dz});
      }
  Volume seen;
  std::vector<Component> out;
  std::vector<Vec3i> stack;
  constexpr Rgba kMark{1, 0, 0, 255};
  volume.ForEachVoxel([&](Vec3i start, Rgba) {
    if (!seen.Get(start).empty()) return;
    Component c{0, Box{start, start}, start};
    seen.Set(start, kMark);
    stack.push_back(start);
    while (!stack.empty()) {
      const Vec3i p = stack.back();
      stack.pop_back();
      ++c.count;
      GrowBox(c.bounds, p);
      if (Before(p, c.first)) c.first = p;
      for (const Vec3i& o : offsets) {
        const int64_t x = int64_t{p.x} + o.x, y = int64_t{p.y} + o.y,
                      z = int64_t{p.z} + o.z;
        if (x < INT32_MIN || x > INT32_MAX || y < INT32_MIN || y > INT32_MAX ||
            z < INT32_MIN || z > INT32_MAX)
          continue;
        const Vec3i q{int32_t(x), int32_t(y), int32_t(z)};
        if (volume.Get(q).empty() || !seen.Get(q).empty()) continue;
        seen.Set(q, kMark);
        stack.push_back(q);
      }
    }
    out.push_back(c);
  });
  std::sort(out.begin(), out.end(), [](const Component& a, const Component& b) {
    if (a.count != b.count) return a.count > b.count;
    return Before(a.first, b.first);
  });
  return out;
}

std::vector<ColorCount> CountColorsOf(const Volume& volume) {
  std::vector<ColorCount> out = *volume.Colors();
  std::sort(out.begin(), out.end(),
            [](const ColorCount& a, const ColorCount& b) {
              if (a.count != b.count) return a.count > b.count;
              return Pack(a.color) < Pack(b.color);
            });
  return out;
}

std::optional<Box> UnionBox(const std::optional<Box>& a,
                            const std::optional<Box>& b) {
  if (!a) return b;
  if (!b) return a;
  std::optional<Box> r = a;
  Grow(&r, b->min);
  Grow(&r, b->max);
  return r;
}

}  // namespace goxel::voxel
