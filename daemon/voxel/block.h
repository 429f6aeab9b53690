// Block: the cells of one 16x16x16 block, stored in the smallest of four
// representations (an engine-internal header: Volume's users never see it;
// tests compare every representation with the plain array).
//
//   kUniform  every cell one colour (a filled block): 4 bytes.
//   kSparse   sorted (index, colour) pairs: 8 bytes a voxel, while that is
//             smaller than a palette (up to kMaxSparse voxels).
//   kPalette  up to 256 colours (entry 0 is empty) and 1, 2, 4 or 8-bit
//             indices packed in 64-bit words: 512 B to 4 KiB.
//   kFull     the RGBA array (16 KiB), only when no other form is smaller.
//
// Invariants: count() is the number of non-empty cells and bounds() their
// tight local box; empty cells are stored as all-zero colours. A block is
// never empty inside a Volume (an empty block is dropped). Edits pick the
// representation again when they grow it past its form (Set) or rewrite
// many cells (Assign); every form reads in O(1) or O(log kMaxSparse).
//
// Reference counted: `refs` counts the map leaves holding the block. A block
// with refs > 1 is immutable (copy-on-write); Unique() is an acquire load
// that pairs with the acq_rel decrement in Unref, so a copy released on
// another thread happens before the sole holder's writes.
//
// Memory: every block adds its heap bytes to a process-wide counter
// (EngineBytes in volume.h) as it allocates and frees.
//
// Thread contract: not thread-safe; a shared (refs > 1) block is read-only
// and may be read from any thread.
#ifndef GOXEL_VOXEL_BLOCK_H_
#define GOXEL_VOXEL_BLOCK_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "voxel/volume.h"

namespace goxel::voxel {

// A tight box of cells inside one block, local coordinates 0..15, inclusive.
// Empty when x0 > x1.
struct LocalBox {
  uint8_t x0 = 16, y0 = 16, z0 = 16, x1 = 0, y1 = 0, z1 = 0;
  bool empty() const { return x0 > x1; }
  void Add(int x, int y, int z);
  // True when cell (x, y, z) lies on one of the box's faces.
  bool OnFace(int x, int y, int z) const;
  friend bool operator==(const LocalBox&, const LocalBox&) = default;
};

class BlockSlab;

// Hands out Block objects from slabs: 2 MiB mappings (advised as one huge
// page), so a bulk load of a million blocks makes tens of allocations and
// page faults instead of a million of each. Ownership: a slab is counted
// by its live blocks plus the allocator filling it; it is unmapped when
// the last of them goes (Block::Unref of its last block, or the allocator's
// destruction), on whatever thread that happens. A block's own storage
// (sparse list, palette, full array) stays on the heap, so a block edited
// in place never outgrows its slot. Not thread-safe (one thread fills it);
// the blocks it made are ordinary blocks for everyone else.
class BlockSlabAllocator {
 public:
  BlockSlabAllocator() = default;
  BlockSlabAllocator(const BlockSlabAllocator&) = delete;
  BlockSlabAllocator& operator=(const BlockSlabAllocator&) = delete;
  ~BlockSlabAllocator();
  // Room for one Block, its slab counted one more live block; null when no
  // slab can be mapped (the caller then uses the heap).
  void* Allocate();

 private:
  BlockSlab* slab_ = nullptr;
};

// Slabs mapped in this process right now (tests: dropping every volume
// made from them unmaps them). Thread-safe.
int64_t BlockSlabCount();

class Block {
 public:
  enum class Kind : uint8_t { kUniform, kSparse, kPalette, kFull };
  static constexpr int kMaxSparse = 512;

  // An empty block (kSparse, no voxels).
  Block();
  // A block of kBlockVoxels cells of colour c (c.a != 0).
  static Block* NewUniform(Rgba c);
  // A block holding `cells` (kBlockVoxels colours, BlockIndex order) in its
  // smallest form; count() == 0 when all are empty.
  static Block* FromCells(const Rgba* cells,
                          BlockSlabAllocator* slab = nullptr);
  // The same block from its non-empty cells: n words of (index << 32 |
  // Pack(colour)), indices strictly increasing, no empty colour. Picks the
  // same form as FromCells, without a pass over the 4096 cells when the
  // block stays a sparse list.
  static Block* FromSortedCells(const uint64_t* words, int n,
                                BlockSlabAllocator* slab = nullptr);
  Block(const Block& o);
  Block& operator=(const Block&) = delete;
  ~Block();

  Kind kind() const { return kind_; }
  int count() const { return count_; }
  const LocalBox& bounds() const { return bounds_; }
  // Heap bytes of this block (object and storage).
  size_t Bytes() const;

  // The colour of cell i (BlockIndex order).
  Rgba Get(int i) const {
    switch (kind_) {
      case Kind::kUniform:
        return uniform_;
      case Kind::kSparse:
        return GetSparse(i);
      case Kind::kPalette:
        return palette_[PaletteIndex(i)];
      case Kind::kFull:
        return full_[i];
    }
    return {};
  }
  // Sets cell i to c (empty colours normalised to zero); returns the old
  // colour. May change the representation.
  Rgba Set(int i, Rgba c);
  // Replaces every cell with `cells` and picks the smallest form.
  void Assign(const Rgba* cells);
  // Writes all kBlockVoxels cells to out.
  void Decode(Rgba* out) const;
  // Calls f(index, colour) for every non-empty cell, in index order.
  template <typename F>
  void ForEachCell(F&& f) const {
    switch (kind_) {
      case Kind::kUniform:
        for (int i = 0; i < kBlockVoxels; ++i) f(i, uniform_);
        return;
      case Kind::kSparse:
        for (uint64_t e : words_) f(int(e >> 32), Unpack(uint32_t(e)));
        return;
      case Kind::kPalette:
        for (int i = 0; i < kBlockVoxels; ++i)
          if (int k = PaletteIndex(i)) f(i, palette_[k]);
        return;
      case Kind::kFull:
        for (int i = 0; i < kBlockVoxels; ++i)
          if (full_[i].a) f(i, full_[i]);
        return;
    }
  }
  // Calls f(colour, n) for the colours of the non-empty cells, n > 0 cells
  // each (a colour may come more than once): O(1) for a uniform block,
  // O(its voxels) for a sparse list, one pass over the packed indices for a
  // palette. For histograms.
  template <typename F>
  void ForEachColorCount(F&& f) const {
    switch (kind_) {
      case Kind::kUniform:
        f(uniform_, kBlockVoxels);
        return;
      case Kind::kPalette: {
        int n[256] = {};
        for (int i = 0; i < kBlockVoxels; ++i) ++n[PaletteIndex(i)];
        for (size_t k = 1; k < palette_.size(); ++k)
          if (n[k]) f(palette_[k], n[k]);
        return;
      }
      case Kind::kSparse:
      case Kind::kFull:
        ForEachCell([&f](int, Rgba c) { f(c, 1); });
        return;
    }
  }
  // Number of cells whose colour is c.
  int CountEqual(Rgba c) const;

  bool Unique() const { return refs_.load(std::memory_order_acquire) == 1; }
  void Ref() { refs_.fetch_add(1, std::memory_order_relaxed); }
  static void Unref(Block* b) {
    if (b->refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) Destroy(b);
  }

  static uint32_t Pack(Rgba c);
  static Rgba Unpack(uint32_t v);

 private:
  struct InSlab {};
  explicit Block(InSlab);
  // An empty block in `slab` when it has room, else on the heap.
  static Block* NewEmpty(BlockSlabAllocator* slab);
  static void Destroy(Block* b);
  // Bytes this block adds to the engine counter: Bytes(), less the object
  // itself when it lives in a slab (the slab is counted whole).
  size_t OwnBytes() const;
  Rgba GetSparse(int i) const;
  int PaletteIndex(int i) const {
    const int bit = i * bits_;
    return int(words_[bit >> 6] >> (bit & 63)) & ((1 << bits_) - 1);
  }
  void SetPaletteIndex(int i, int k);
  // Sets cell i in place when the current form can hold c; false otherwise.
  bool SetInPlace(int i, Rgba c, Rgba old);
  void RecomputeBounds();
  void ReleaseStorage();
  // Adds the change of Bytes() since the last call to the engine counter.
  void Account();

  std::atomic<int32_t> refs_{1};
  int32_t count_ = 0;
  Kind kind_ = Kind::kSparse;
  uint8_t bits_ = 0;  // kPalette: bits per index (1, 2, 4 or 8).
  // kSparse: the size past which the list is rebuilt (it may then become a
  // palette): where a palette of the colours seen would be smaller.
  uint16_t sparse_cap_ = 0;
  bool in_slab_ = false;  // made by a BlockSlabAllocator (never copied)
  LocalBox bounds_;
  Rgba uniform_;                  // kUniform: the colour.
  uint32_t accounted_ = 0;        // Bytes() last added to the engine counter.
  std::vector<uint64_t> words_;   // kSparse: index << 32 | colour; kPalette:
                                  // packed indices.
  std::vector<Rgba> palette_;     // kPalette: entry 0 is empty.
  std::unique_ptr<Rgba[]> full_;  // kFull: kBlockVoxels colours.
};

// Adds `delta` bytes to the process-wide engine counter (volume.h
// EngineBytes) and checks the calling thread's memory budget.
void AccountEngineBytes(int64_t delta);

}  // namespace goxel::voxel

#endif  // GOXEL_VOXEL_BLOCK_H_
