#include "voxel/tools.h"

#include <algorithm>
#include <bitset>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <unordered_map>
#include <utility>

#include "voxel/status_codes.h"

namespace goxel::voxel {
namespace {

using i128 = __int128;

bool Fits32(int64_t v) {
  return v >= std::numeric_limits<int32_t>::min() &&
         v <= std::numeric_limits<int32_t>::max();
}

int32_t Clamp32(int64_t v) {
  return static_cast<int32_t>(
      std::clamp<int64_t>(v, std::numeric_limits<int32_t>::min(),
                          std::numeric_limits<int32_t>::max()));
}

int64_t SqrtFloor(int64_t v) {
  if (v <= 0) return 0;
  int64_t s = static_cast<int64_t>(std::sqrt(static_cast<long double>(v)));
  while (s > 0 && s * s > v) --s;
  while ((s + 1) * (s + 1) <= v) ++s;
  return s;
}

// round(num / den) for den > 0, halves away from zero.
int64_t RoundDiv(i128 num, i128 den) {
  if (num >= 0) return static_cast<int64_t>((2 * num + den) / (2 * den));
  return -static_cast<int64_t>((-2 * num + den) / (2 * den));
}

void MergeSpans(std::vector<Span>* row) {
  std::sort(row->begin(), row->end(),
            [](Span a, Span b) { return a.x0 < b.x0; });
  size_t n = 0;
  for (Span s : *row) {
    if (n > 0 && int64_t{s.x0} <= int64_t{(*row)[n - 1].x1} + 1) {
      (*row)[n - 1].x1 = std::max((*row)[n - 1].x1, s.x1);
    } else {
      (*row)[n++] = s;
    }
  }
  row->resize(n);
}

class LineShape final : public Shape {
 public:
  LineShape(Vec3i a, Vec3i b, int32_t radius)
      : points_(LinePoints(a, b)), r_(std::max(radius, 0)) {}

  Box Bounds() const override {
    const Vec3i& a = points_.front();
    const Vec3i& b = points_.back();
    return {{Clamp32(int64_t{std::min(a.x, b.x)} - r_),
             Clamp32(int64_t{std::min(a.y, b.y)} - r_),
             Clamp32(int64_t{std::min(a.z, b.z)} - r_)},
            {Clamp32(int64_t{std::max(a.x, b.x)} + r_),
             Clamp32(int64_t{std::max(a.y, b.y)} + r_),
             Clamp32(int64_t{std::max(a.z, b.z)} + r_)}};
  }
  bool Contains(Vec3i p) const override {
    const int64_t r2 = r_ * r_;
    for (const Vec3i& q : points_) {
      const int64_t dx = int64_t{p.x} - q.x, dy = int64_t{p.y} - q.y,
                    dz = int64_t{p.z} - q.z;
      if (std::abs(dx) <= r_ && std::abs(dy) <= r_ && std::abs(dz) <= r_ &&
          dx * dx + dy * dy + dz * dz <= r2)
        return true;
    }
    return false;
  }
  void Row(int32_t y, int32_t z, std::vector<Span>* out) const override {
    std::vector<Span> row;
    for (const Vec3i& q : points_) AddDisc(q, y, z, &row);
    MergeSpans(&row);
    out->insert(out->end(), row.begin(), row.end());
  }
  void ForEachSpan(
      const std::function<bool(int32_t, int32_t, Span)>& f) const override {
    std::map<std::pair<int64_t, int64_t>, std::vector<Span>> rows;  // (z, y)
    for (const Vec3i& q : points_)
      for (int64_t z = int64_t{q.z} - r_; z <= int64_t{q.z} + r_; ++z)
        for (int64_t y = int64_t{q.y} - r_; y <= int64_t{q.y} + r_; ++y) {
          if (!Fits32(y) || !Fits32(z)) continue;
          std::vector<Span> spans;
          AddDisc(q, int32_t(y), int32_t(z), &spans);
          if (!spans.empty()) rows[{z, y}].push_back(spans[0]);
        }
    for (auto& [key, row] : rows) {
      MergeSpans(&row);
      for (Span s : row)
        if (!f(int32_t(key.second), int32_t(key.first), s)) return;
    }
  }

 private:
  // The row (y, z) slice of Sphere(q, r_).
  void AddDisc(Vec3i q, int32_t y, int32_t z, std::vector<Span>* out) const {
    const int64_t dy = int64_t{y} - q.y, dz = int64_t{z} - q.z;
    if (std::abs(dy) > r_ || std::abs(dz) > r_) return;
    const int64_t rem = r_ * r_ - dy * dy - dz * dz;
    if (rem < 0) return;
    const int64_t s = SqrtFloor(rem);
    out->push_back({Clamp32(q.x - s), Clamp32(q.x + s)});
  }

  std::vector<Vec3i> points_;
  int64_t r_;
};

struct KeyHash {
  size_t operator()(Vec3i k) const {
    uint64_t h = uint64_t{static_cast<uint32_t>(k.x)} * 0x9E3779B97F4A7C15ull;
    h ^= uint64_t{static_cast<uint32_t>(k.y)} * 0xC2B2AE3D27D4EB4Full;
    h ^= uint64_t{static_cast<uint32_t>(k.z)} * 0x165667B19E3779F9ull;
    return h ^ (h >> 31);
  }
};

Vec3i BlockOrigin(Vec3i p) { return {p.x & ~15, p.y & ~15, p.z & ~15}; }

// Origins of the existing blocks overlapping `box`, sorted by (z, y, x).
std::vector<Vec3i> BlocksIn(const Volume& v, const Box& box) {
  std::vector<Vec3i> out;
  if (box.min.x > box.max.x || box.min.y > box.max.y || box.min.z > box.max.z)
    return out;
  const Vec3i lo = BlockOrigin(box.min), hi = BlockOrigin(box.max);
  const int64_t nx = (int64_t{hi.x} - lo.x) / 16 + 1,
                ny = (int64_t{hi.y} - lo.y) / 16 + 1,
                nz = (int64_t{hi.z} - lo.z) / 16 + 1;
  if (i128{nx} * ny * nz <= static_cast<i128>(v.BlockCount())) {
    for (int64_t z = lo.z; z <= hi.z; z += 16)
      for (int64_t y = lo.y; y <= hi.y; y += 16)
        for (int64_t x = lo.x; x <= hi.x; x += 16) {
          const Vec3i o{int32_t(x), int32_t(y), int32_t(z)};
          if (v.HasBlock(o)) out.push_back(o);
        }
    return out;
  }
  v.ForEachBlockOrigin([&](Vec3i o) {
    if (o.x >= lo.x && o.x <= hi.x && o.y >= lo.y && o.y <= hi.y &&
        o.z >= lo.z && o.z <= hi.z)
      out.push_back(o);
  });
  std::sort(out.begin(), out.end(), [](Vec3i a, Vec3i b) {
    return std::tie(a.z, a.y, a.x) < std::tie(b.z, b.y, b.x);
  });
  return out;
}

bool Matches(Rgba seed, Rgba c, int tol) {
  if (seed.a == 0) return c.a == 0;
  if (c.a == 0) return false;
  return std::abs(c.r - seed.r) <= tol && std::abs(c.g - seed.g) <= tol &&
         std::abs(c.b - seed.b) <= tol && std::abs(c.a - seed.a) <= tol;
}

}  // namespace

std::vector<Vec3i> LinePoints(Vec3i a, Vec3i b) {
  const int64_t d[3] = {int64_t{b.x} - a.x, int64_t{b.y} - a.y,
                        int64_t{b.z} - a.z};
  const int64_t n = std::max({std::abs(d[0]), std::abs(d[1]), std::abs(d[2])});
  std::vector<Vec3i> out;
  out.reserve(n + 1);
  if (n == 0) return {a};
  for (int64_t k = 0; k <= n; ++k)
    out.push_back({static_cast<int32_t>(a.x + RoundDiv(i128{k} * d[0], n)),
                   static_cast<int32_t>(a.y + RoundDiv(i128{k} * d[1], n)),
                   static_cast<int32_t>(a.z + RoundDiv(i128{k} * d[2], n))});
  return out;
}

std::unique_ptr<Shape> MakeLine(Vec3i a, Vec3i b, int32_t radius) {
  return std::make_unique<LineShape>(a, b, radius);
}

int64_t CountCells(const Shape& shape, int64_t limit) {
  int64_t n = 0;
  shape.ForEachSpan([&](int32_t, int32_t, Span s) {
    n += int64_t{s.x1} - s.x0 + 1;
    return n <= limit;
  });
  return n;
}

int64_t ApplyShape(Volume& volume, const Shape& shape, ApplyMode mode,
                   Rgba color) {
  if (const Box* box = shape.AsBox(); box && mode != ApplyMode::kPaint)
    return volume.FillBox(*box, mode == ApplyMode::kAdd ? color : Rgba{});
  int64_t changed = 0;
  shape.ForEachSpan([&](int32_t y, int32_t z, Span s) {
    for (int64_t x = s.x0; x <= s.x1; ++x) {
      const Vec3i p{int32_t(x), y, z};
      if (mode == ApplyMode::kAdd) {
        changed += volume.Set(p, color);
        continue;
      }
      if (!volume.HasBlock(p)) {  // Nothing to remove or paint here.
        x |= 15;
        continue;
      }
      if (mode == ApplyMode::kRemove || !volume.Get(p).empty())
        changed += volume.Set(p, mode == ApplyMode::kRemove ? Rgba{} : color);
    }
    return true;
  });
  return changed;
}

Result<FloodFillResult> FloodFill(Volume& volume, Vec3i seed, Rgba color,
                                  const FloodFillOptions& options) {
  if (options.tolerance < 0 || options.tolerance > 255)
    return Status::InvalidParams("tolerance must be within 0..255")
        .With("param", "tolerance");
  if (!options.region.Contains(seed))
    return Status::Error(kInvalidPosition, "flood fill seed outside its region")
        .With("param", "position");
  const Rgba seed_color = volume.Get(seed);
  std::unordered_map<Vec3i, std::bitset<kBlockVoxels>, KeyHash> visited;
  auto mark = [&](Vec3i p) {
    auto& bits = visited[BlockOrigin(p)];
    const int i = BlockIndex(p.x & 15, p.y & 15, p.z & 15);
    if (bits[i]) return false;
    bits[i] = true;
    return true;
  };
  std::vector<Vec3i> stack{seed};
  mark(seed);
  int64_t matched = 0;
  const int d[6][3] = {{-1, 0, 0}, {1, 0, 0},  {0, -1, 0},
                       {0, 1, 0},  {0, 0, -1}, {0, 0, 1}};
  while (!stack.empty()) {
    const Vec3i p = stack.back();
    stack.pop_back();
    if (++matched > options.max_voxels)
      return Status::ResourceExhausted("flood fill exceeds the voxel cap")
          .With("limit", options.max_voxels);
    for (const auto& o : d) {
      const int64_t x = int64_t{p.x} + o[0], y = int64_t{p.y} + o[1],
                    z = int64_t{p.z} + o[2];
      if (!Fits32(x) || !Fits32(y) || !Fits32(z)) continue;
      const Vec3i q{int32_t(x), int32_t(y), int32_t(z)};
      if (!options.region.Contains(q) ||
          !Matches(seed_color, volume.Get(q), options.tolerance))
        continue;
      if (mark(q)) stack.push_back(q);
    }
  }
  FloodFillResult r;
  r.matched = matched;
  for (const auto& [origin, bits] : visited)
    for (int i = 0; i < kBlockVoxels; ++i)
      if (bits[i])
        r.changed +=
            volume.Set({origin.x + (i & 15), origin.y + ((i >> 4) & 15),
                        origin.z + (i >> 8)},
                       color);
  return r;
}

void ForEachVoxelInBox(const Volume& volume, const Box& box,
                       const std::function<bool(Vec3i, Rgba)>& f) {
  bool stopped = false;
  for (Vec3i o : BlocksIn(volume, box)) {
    volume.ForEachVoxelOfBlock(o, box, f, &stopped);
    if (stopped) return;
  }
}

int64_t CountInBox(const Volume& volume, const Box& box) {
  int64_t n = 0;
  ForEachVoxelInBox(volume, box, [&n](Vec3i, Rgba) {
    ++n;
    return true;
  });
  return n;
}

namespace {

Status CheckShift(const Box& box, Vec3i off) {
  if (!Fits32(int64_t{box.min.x} + off.x) ||
      !Fits32(int64_t{box.max.x} + off.x) ||
      !Fits32(int64_t{box.min.y} + off.y) ||
      !Fits32(int64_t{box.max.y} + off.y) ||
      !Fits32(int64_t{box.min.z} + off.z) ||
      !Fits32(int64_t{box.max.z} + off.z))
    return Status::Error(kInvalidPosition,
                         "region moved outside the int32 coordinate range")
        .With("param", "offset");
  return Status::Ok();
}

}  // namespace

Result<int64_t> CopyRegion(const Volume& src, const Box& box, Vec3i offset,
                           Volume* dst) {
  GOXEL_RETURN_IF_ERROR(CheckShift(box, offset));
  const Volume snapshot = src;  // O(1); unaffected by writes to *dst.
  int64_t changed = 0;
  ForEachVoxelInBox(snapshot, box, [&](Vec3i p, Rgba c) {
    changed += dst->Set({p.x + offset.x, p.y + offset.y, p.z + offset.z}, c);
    return true;
  });
  return changed;
}

Result<int64_t> MoveRegion(Volume* volume, const Box& box, Vec3i offset) {
  GOXEL_RETURN_IF_ERROR(CheckShift(box, offset));
  const Volume snapshot = *volume;
  volume->FillBox(box, Rgba{});
  int64_t moved = 0;
  ForEachVoxelInBox(snapshot, box, [&](Vec3i p, Rgba c) {
    volume->Set({p.x + offset.x, p.y + offset.y, p.z + offset.z}, c);
    ++moved;
    return true;
  });
  return moved;
}

}  // namespace goxel::voxel
