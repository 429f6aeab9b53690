// Volume: a sparse voxel volume of 16x16x16 RGBA blocks, copy-on-write.
//
// Blocks live in a hash map keyed by block position (the block's origin
// divided by 16, floored). Copying a Volume is O(1): the block map and the
// blocks are shared and reference counted; the first write to a shared map or
// a shared block copies just that piece. Every edit that changes something
// bumps version(), a key callers can use to tell whether anything changed
// (caches, autosave, renders).
//
// Coordinates are signed 32-bit and unbounded: nothing is clipped to a canvas.
// A voxel with alpha 0 is empty; setting a voxel to alpha 0 removes it. Blocks
// that become empty are dropped, so CountVoxels() and BlockCount() stay exact.
//
// Thread contract: not thread-safe. A const Volume may be read from several
// threads at once only if nobody writes it; take a copy (cheap) to read
// outside a lock while others edit the original. That pattern is safe: the
// copy is made under the writer's lock, and a writer only edits a map or a
// block in place when it holds the only reference (an acquire load of the
// count, paired with the acq_rel decrement of a copy being destroyed on
// another thread); otherwise it clones that piece first. Distinct Volumes
// that share blocks may be edited on different threads at once.
#ifndef GOXEL_VOXEL_VOLUME_H_
#define GOXEL_VOXEL_VOLUME_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

namespace goxel::voxel {

inline constexpr int kBlockSize = 16;
inline constexpr int kBlockVoxels = kBlockSize * kBlockSize * kBlockSize;

struct Rgba {
  uint8_t r = 0, g = 0, b = 0, a = 0;
  bool empty() const { return a == 0; }
  friend bool operator==(const Rgba&, const Rgba&) = default;
};

struct Vec3i {
  int32_t x = 0, y = 0, z = 0;
  friend bool operator==(const Vec3i&, const Vec3i&) = default;
};

// An inclusive axis-aligned box: min.x <= x <= max.x, and so on.
struct Box {
  Vec3i min, max;
  bool Contains(Vec3i p) const {
    return p.x >= min.x && p.x <= max.x && p.y >= min.y && p.y <= max.y &&
           p.z >= min.z && p.z <= max.z;
  }
  // Number of cells, as 64-bit (a box may hold more than 2^31); 0 for an
  // inverted box; saturates at INT64_MAX (the whole int32 space is 2^96).
  int64_t CellCount() const {
    if (min.x > max.x || min.y > max.y || min.z > max.z) return 0;
    const __int128 n = (__int128{max.x} - min.x + 1) *
                       (__int128{max.y} - min.y + 1) *
                       (__int128{max.z} - min.z + 1);
    return n > INT64_MAX ? INT64_MAX : static_cast<int64_t>(n);
  }
  friend bool operator==(const Box&, const Box&) = default;
};

// Index of a voxel inside its block's data: x + y*16 + z*256 with local
// coordinates 0..15.
inline int BlockIndex(int lx, int ly, int lz) {
  return lx + ly * kBlockSize + lz * kBlockSize * kBlockSize;
}

class Volume {
 public:
  Volume();
  Volume(const Volume&) = default;             // O(1), shares blocks.
  Volume& operator=(const Volume&) = default;  // O(1), shares blocks.
  Volume(Volume&&) noexcept = default;
  Volume& operator=(Volume&&) noexcept = default;
  ~Volume();

  // The colour at p; alpha 0 when empty.
  Rgba Get(Vec3i p) const;
  // Sets p to c; c.a == 0 removes the voxel. Returns true if anything changed.
  bool Set(Vec3i p, Rgba c);

  // Sets every cell of `box` to c (c.a == 0 clears the box). Whole blocks
  // inside the box take a fast path (one shared uniform block, no per-voxel
  // work). Returns the number of cells whose colour changed.
  int64_t FillBox(const Box& box, Rgba c);

  // Removes every voxel.
  void Clear();

  // Replaces the whole block whose origin is `origin` (a multiple of 16 on
  // every axis) with `data` (kBlockVoxels colours, BlockIndex order). A block
  // that is all empty is dropped. For readers of block-based files.
  void SetBlock(Vec3i origin, const Rgba* data);

  bool Empty() const { return CountVoxels() == 0; }
  // Number of non-empty voxels; O(1).
  int64_t CountVoxels() const;
  // Number of allocated (non-empty) blocks.
  size_t BlockCount() const;
  // Bytes used by this volume's blocks and map (shared blocks counted once
  // per volume): an estimate for get_project_info and limits.
  size_t MemoryBytes() const;
  // Tight bounds of the non-empty voxels; nullopt when empty. O(blocks).
  std::optional<Box> Bounds() const;

  // Changes on every edit that changed something; never repeats within a
  // process (a global counter), so two volumes never share a version unless
  // one is an unedited copy of the other.
  uint64_t version() const { return version_; }

  // Calls f(origin, data) for every non-empty block, data in BlockIndex
  // order. Order of blocks is unspecified.
  void ForEachBlock(
      const std::function<void(Vec3i origin, const Rgba* data)>& f) const;

  // Calls f(position, colour) for every non-empty voxel.
  template <typename F>
  void ForEachVoxel(F&& f) const {
    ForEachBlock([&f](Vec3i origin, const Rgba* data) {
      for (int z = 0; z < kBlockSize; ++z)
        for (int y = 0; y < kBlockSize; ++y)
          for (int x = 0; x < kBlockSize; ++x) {
            const Rgba& c = data[BlockIndex(x, y, z)];
            if (c.a) f(Vec3i{origin.x + x, origin.y + y, origin.z + z}, c);
          }
    });
  }

  // The data of the block holding p (kBlockVoxels colours, BlockIndex
  // order), or nullptr when that block is empty. Valid until the next edit.
  const Rgba* BlockData(Vec3i p) const;

  // Opaque implementation (block map); defined in volume.cc.
  struct Impl;

 private:
  // The block map, cloned first if another Volume shares it.
  Impl& MutableImpl();

  std::shared_ptr<Impl> impl_;
  uint64_t version_ = 0;
};

}  // namespace goxel::voxel

#endif  // GOXEL_VOXEL_VOLUME_H_
