// Volume: a sparse voxel volume of 16x16x16 RGBA blocks, copy-on-write.
//
// Blocks live in a persistent hash trie keyed by block position (the
// block's origin divided by 16, floored): 16-way branches on 4 bits of the
// key's hash, leaves of up to 16 blocks. Each block is stored in the
// smallest of four forms (block.h: uniform, sparse list, palette, full).
// Copying a Volume is O(1): it shares the trie. The first write after a
// copy copies only the path it touches (at most ~16 branch nodes of 16
// pointers, one leaf, one block), so a snapshot and the edit after it cost
// O(touched blocks), never O(all blocks). Every edit that changes something
// bumps version(), a key callers can use to tell whether anything changed.
//
// Kept, not recounted: the voxel count, the block count, the memory
// estimate (on the Volume) and tight bounds (on every trie node) are
// maintained by each edit, so CountVoxels(), BlockCount(), MemoryBytes()
// and Bounds() are O(1).
//
// Coordinates are signed 32-bit and unbounded: nothing is clipped to a canvas.
// A voxel with alpha 0 is empty; setting a voxel to alpha 0 removes it. Blocks
// that become empty are dropped, so CountVoxels() and BlockCount() stay exact.
//
// Thread contract: not thread-safe. A const Volume may be read from several
// threads at once only if nobody writes it; take a copy (cheap) to read
// outside a lock while others edit the original. That pattern is safe: the
// copy is made under the writer's lock, and a writer only edits a trie node
// or a block in place when it holds the only reference (an acquire load of
// the count, paired with the acq_rel decrement of a copy being destroyed on
// another thread); otherwise it clones that piece first. Distinct Volumes
// that share nodes and blocks may be edited on different threads at once.
#ifndef GOXEL_VOXEL_VOLUME_H_
#define GOXEL_VOXEL_VOLUME_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <utility>
#include <vector>

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

// Bytes the voxel engine holds in this process right now: every block and
// trie node of every Volume (projects, undo steps, snapshots), counted as
// they are allocated and freed, plus the EngineCharges alive. O(1),
// thread-safe. Shared pieces count once.
int64_t EngineBytes();

// Bytes an edit holds outside the engine while it runs (its request's
// parsed voxels): counted in EngineBytes() while this object lives, and
// checked against the calling thread's MemoryBudget like an allocation of
// the engine, so this edit's budget and every other see them. Declare it
// after the MemoryBudget it is to be checked against.
class EngineCharge {
 public:
  explicit EngineCharge(int64_t bytes);
  ~EngineCharge();
  EngineCharge(const EngineCharge&) = delete;
  EngineCharge& operator=(const EngineCharge&) = delete;

 private:
  int64_t bytes_;
};

// The engine memory limit for MemoryBudget's default: 0 (none) until the
// daemon sets it from its configuration. Thread-safe.
void SetEngineMemoryLimit(uint64_t bytes);
uint64_t EngineMemoryLimit();

// A memory bound for the edits made on the calling thread while it is in
// scope: an allocation that takes EngineBytes() past `limit` marks it
// exceeded, and from then on Volume edits on this thread change nothing
// (they return as if nothing changed), so the caller can roll the edit back
// and report the limit. A limit of 0 bounds nothing. Nests (the innermost
// wins). Not thread-safe: one thread's stack object.
class MemoryBudget {
 public:
  explicit MemoryBudget(uint64_t limit = EngineMemoryLimit());
  ~MemoryBudget();
  MemoryBudget(const MemoryBudget&) = delete;
  MemoryBudget& operator=(const MemoryBudget&) = delete;

  uint64_t limit() const { return limit_; }
  bool exceeded() const { return exceeded_; }
  // The highest EngineBytes() seen past the limit.
  int64_t reached() const { return reached_; }
  // Called by the engine as it allocates.
  void Observe(int64_t engine_bytes);
  // True when the calling thread's innermost budget is exceeded.
  static bool ThreadExceeded();

 private:
  uint64_t limit_;
  bool exceeded_ = false;
  int64_t reached_ = 0;
  MemoryBudget* outer_;
};

// One cell of a batch edit: its position and colour (alpha 0 removes).
struct VoxelValue {
  Vec3i p;
  Rgba c;
};

// One colour of a histogram and how many voxels have it.
struct ColorTally {
  Rgba color;
  int64_t count = 0;
};
// Every colour of a volume with its count, sorted by the colour as one
// number: r << 24 | g << 16 | b << 8 | a.
using ColorHistogram = std::vector<ColorTally>;

// The most Volume::Colors()' process-wide cache holds, and what it holds
// now (thread-safe).
inline constexpr int64_t kHistogramCacheBytes = int64_t{4} << 20;
int64_t HistogramCacheBytes();

class Block;               // block.h (engine-internal)
class BlockSlabAllocator;  // block.h

class Volume {
 public:
  Volume();
  Volume(const Volume& o);             // O(1), shares the trie.
  Volume& operator=(const Volume& o);  // O(1), shares the trie.
  Volume(Volume&& o) noexcept;
  Volume& operator=(Volume&& o) noexcept;
  ~Volume();

  // The colour at p; alpha 0 when empty.
  Rgba Get(Vec3i p) const;
  // Sets p to c; c.a == 0 removes the voxel. Returns true if anything changed.
  bool Set(Vec3i p, Rgba c);

  // Sets edits[i].p to edits[i].c for every i, with the result of calling
  // Set in order (a later entry for the same cell wins); returns how many of
  // those Sets would have returned true. The edits are grouped by block
  // first and the trie is walked once for all of them (each touched node
  // and block visited once, new subtrees built bottom up), so a batch costs
  // O(n log n + touched blocks) instead of n walks from the root.
  int64_t SetVoxels(std::span<const VoxelValue> edits);

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

  bool Empty() const { return voxels_ == 0; }
  // Number of non-empty voxels; O(1).
  int64_t CountVoxels() const { return voxels_; }
  // Number of allocated (non-empty) blocks; O(1).
  size_t BlockCount() const { return static_cast<size_t>(blocks_); }
  // Bytes used by this volume's blocks and trie (a block shared between
  // entries counted once per entry): an estimate for get_project_info and
  // limits. O(1).
  size_t MemoryBytes() const { return static_cast<size_t>(bytes_); }
  // Tight bounds of the non-empty voxels; nullopt when empty. O(1).
  std::optional<Box> Bounds() const;

  // The colours of this volume with their counts. Kept by version(): equal
  // versions hold equal content, so a small process-wide cache keyed by
  // version answers repeated queries in O(1) (the caller reads O(colours));
  // the first query after an edit counts block by block (a uniform block in
  // O(1), a compact block in O(its voxels), without decoding it) outside the
  // cache's lock. The cache holds at most kHistogramCacheBytes (outside
  // the memory limit): a histogram larger than that is not kept. Thread-
  // safe, like other const reads.
  std::shared_ptr<const ColorHistogram> Colors() const;

  // Changes on every edit that changed something; never repeats within a
  // process (a global counter), so two volumes never share a version unless
  // one is an unedited copy of the other.
  uint64_t version() const { return version_; }

  // Calls f(origin, data) for every non-empty block, data in BlockIndex
  // order (decoded into a buffer for compact blocks: valid during the
  // call). Order of blocks is unspecified.
  void ForEachBlock(
      const std::function<void(Vec3i origin, const Rgba* data)>& f) const;
  // Calls f(origin) for every non-empty block, without decoding.
  void ForEachBlockOrigin(const std::function<void(Vec3i origin)>& f) const;
  // Calls f(origin) for every block that may differ between this volume
  // and `other` (either may be empty there). Subtrees and blocks the two
  // share are skipped: comparing a volume with an edited copy costs what the
  // edit touched, not what the volume holds.
  void ForEachBlockDifferentFrom(
      const Volume& other, const std::function<void(Vec3i origin)>& f) const;

  // Calls f(position, colour) for every non-empty voxel (blocks in
  // unspecified order, the voxels of one block one after the other in
  // BlockIndex order; compact blocks visit only their voxels).
  template <typename F>
  void ForEachVoxel(F&& f) const {
    ForEachVoxelImpl([&f](Vec3i p, Rgba c) { f(p, c); });
  }

  // True when the block holding p has a voxel.
  bool HasBlock(Vec3i p) const;
  // Copies the block holding p (kBlockVoxels colours, BlockIndex order) to
  // out; false (out untouched) when that block is empty.
  bool ReadBlock(Vec3i p, Rgba* out) const;
  // Calls f(position, colour) for the voxels of the block holding p that
  // lie inside `box`.
  void ForEachVoxelOfBlock(Vec3i p, const Box& box,
                           const std::function<bool(Vec3i, Rgba)>& f,
                           bool* stopped) const;

  // How many blocks are stored in each form (block.h), for statistics and
  // tests: uniform, sparse, palette, full. O(blocks).
  std::array<int64_t, 4> CountBlockForms() const;

  // Opaque trie node; defined in volume.cc.
  struct Node;

 private:
  friend class VolumeBuilder;
  void ForEachVoxelImpl(const std::function<void(Vec3i, Rgba)>& f) const;
  // Runs `edit` on the block slot for `key` (inserted empty when `create`),
  // after making the path to it unique; keeps counts and bounds.
  template <typename F>
  void EditBlock(Vec3i key, bool create, F&& edit);
  void Reset();

  Node* root_ = nullptr;
  int64_t voxels_ = 0;
  int64_t blocks_ = 0;
  int64_t bytes_ = 0;
  uint64_t version_ = 0;
};

// Builds a Volume from whole blocks, for file readers: each block is made
// in its final compact form as it is added, and the trie is built once, bottom
// up, by Finish (O(blocks log blocks)), instead of one walk from the root per
// block. A later block at the same origin replaces an earlier one (an empty
// block too: it leaves no block there), as SetBlock does. Under an exceeded
// MemoryBudget (volume.h) the blocks added from then on are dropped, like
// Volume edits.
class VolumeBuilder {
 public:
  VolumeBuilder() = default;
  VolumeBuilder(const VolumeBuilder&) = delete;
  VolumeBuilder& operator=(const VolumeBuilder&) = delete;
  ~VolumeBuilder();

  // The block whose origin is `origin` (a multiple of 16 on every axis):
  // kBlockVoxels colours in BlockIndex order, as Volume::SetBlock.
  void AddBlock(Vec3i origin, const Rgba* cells);
  // The same from its non-empty cells: (BlockIndex, colour) pairs in any
  // order; a later pair for the same index wins and an empty colour clears
  // it. Costs O(n log n), without a pass over the 4096 cells when the block
  // stays a sparse list. Indices must be below kBlockVoxels.
  void AddBlockCells(Vec3i origin,
                     std::span<const std::pair<uint16_t, Rgba>> cells);
  // Room for n more blocks (a reader that knows its block count calls it
  // first, so the list is allocated once instead of grown by doubling).
  void Reserve(size_t n) { blocks_.reserve(blocks_.size() + n); }
  // Blocks added so far (before replacements are resolved).
  size_t size() const { return blocks_.size(); }
  // The volume of every block added; the builder is left empty. Sorts the
  // added list in place (no second list, no merge buffer).
  Volume Finish();

  // One added block (engine-internal; public for volume.cc's helpers).
  struct Added {
    uint64_t hash;  // HashKey(key)
    Vec3i key;
    uint32_t seq;  // order of addition: a later block for a key wins
    Block* block;
  };

 private:
  void Add(Vec3i origin, Block* block);
  BlockSlabAllocator* Slab();
  std::vector<Added> blocks_;
  // The added blocks' objects, in slabs (block.h); made on first use.
  // Owned (deleted by Finish and the destructor).
  BlockSlabAllocator* slab_ = nullptr;
  std::vector<uint64_t> order_, words_;  // AddBlockCells' buffers
};

}  // namespace goxel::voxel

#endif  // GOXEL_VOXEL_VOLUME_H_
