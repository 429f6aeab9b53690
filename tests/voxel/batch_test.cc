// Bulk paths of the engine against the one-at-a-time ones (property tests
// with fixed seeds): Volume::SetVoxels against Set in a loop, and
// VolumeBuilder against SetBlock.
#include <gtest/gtest.h>

#include <random>
#include <utility>
#include <vector>

#include "voxel/block.h"
#include "voxel/volume.h"

namespace goxel::voxel {
namespace {

// Same voxels, counts, bounds, memory estimate and block forms.
void ExpectSameVolume(const Volume& a, const Volume& b) {
  ASSERT_EQ(a.CountVoxels(), b.CountVoxels());
  EXPECT_EQ(a.BlockCount(), b.BlockCount());
  EXPECT_EQ(a.Bounds(), b.Bounds());
  EXPECT_EQ(a.MemoryBytes(), b.MemoryBytes());
  EXPECT_EQ(a.CountBlockForms(), b.CountBlockForms());
  int64_t n = 0;
  a.ForEachVoxel([&](Vec3i p, Rgba c) {
    ASSERT_EQ(b.Get(p), c) << p.x << "," << p.y << "," << p.z;
    ++n;
  });
  EXPECT_EQ(n, a.CountVoxels());
}

// A batch of n edits: near (dense, many per block), far (one per block),
// removals, repeats of one cell with different colours, at int32 extremes.
std::vector<VoxelValue> RandomEdits(std::mt19937& rng, int n) {
  std::vector<VoxelValue> e;
  auto coord = [&rng](int spread) {
    return int32_t(int(rng() % (2 * spread)) - spread);
  };
  for (int i = 0; i < n; ++i) {
    const int kind = int(rng() % 10);
    Vec3i p;
    if (kind < 4) {
      p = {coord(24), coord(24), coord(24)};
    } else if (kind < 8) {
      p = {coord(1 << 20), coord(1 << 20), coord(1 << 20)};
    } else if (kind == 8 && !e.empty()) {
      p = e[rng() % e.size()].p;  // the same cell again
    } else {
      p = {rng() % 2 ? INT32_MIN + int32_t(rng() % 20)
                     : INT32_MAX - int32_t(rng() % 20),
           coord(40), INT32_MIN};
    }
    const bool remove = rng() % 5 == 0;
    const Rgba c = remove ? Rgba{uint8_t(rng()), 0, 0, 0}
                          : Rgba{uint8_t(rng() % 6), 2, 3, 255};
    e.push_back({p, c});
  }
  return e;
}

TEST(SetVoxels, MatchesSetInOrderWithSnapshots) {
  std::mt19937 rng(11);
  Volume batched, looped;
  std::vector<std::pair<Volume, Volume>> snapshots;
  for (int round = 0; round < 40; ++round) {
    const int n = round % 10 == 9 ? 20000 : int(rng() % 3000);
    const auto edits = RandomEdits(rng, n);
    int64_t changed = 0;
    for (const VoxelValue& e : edits) changed += looped.Set(e.p, e.c);
    const uint64_t before = batched.version();
    EXPECT_EQ(batched.SetVoxels(edits), changed) << "round " << round;
    EXPECT_EQ(batched.version() != before, changed > 0);
    ExpectSameVolume(batched, looped);
    if (round % 4 == 0) snapshots.push_back({batched, looped});
  }
  // Snapshots taken between batches kept their content.
  for (const auto& [b, l] : snapshots) ExpectSameVolume(b, l);
  // Removing everything leaves an empty volume.
  std::vector<VoxelValue> clear;
  looped.ForEachVoxel([&](Vec3i p, Rgba) { clear.push_back({p, Rgba{}}); });
  EXPECT_EQ(batched.SetVoxels(clear), looped.CountVoxels());
  EXPECT_TRUE(batched.Empty());
  EXPECT_EQ(batched.BlockCount(), 0u);
  EXPECT_FALSE(batched.Bounds().has_value());
  EXPECT_EQ(batched.SetVoxels({}), 0);
}

TEST(SetVoxels, ScatteredIntoALargeVolumeAndBack) {
  // 30k blocks, then a batch touching a few of them and many new ones.
  Volume v, w;
  std::vector<VoxelValue> base;
  for (int i = 0; i < 30000; ++i)
    base.push_back({{(i % 200) * 16, (i / 200) * 16, -5}, {1, 2, 3, 255}});
  v.SetVoxels(base);
  for (const VoxelValue& e : base) w.Set(e.p, e.c);
  ExpectSameVolume(v, w);
  const Volume snapshot = v;
  std::vector<VoxelValue> more;
  for (int i = 0; i < 5000; ++i)
    more.push_back({{(i % 200) * 16 + 1, (i / 200) * 32, -5}, {4, 5, 6, 255}});
  for (int i = 0; i < 3000; i += 3) more.push_back({base[i].p, Rgba{}});
  int64_t changed = 0;
  for (const VoxelValue& e : more) changed += w.Set(e.p, e.c);
  EXPECT_EQ(v.SetVoxels(more), changed);
  ExpectSameVolume(v, w);
  EXPECT_EQ(snapshot.CountVoxels(), 30000);
  EXPECT_EQ(snapshot.Get(base[0].p), (Rgba{1, 2, 3, 255}));
  // Only what the batch touched differs from the snapshot.
  int64_t differing = 0;
  v.ForEachBlockDifferentFrom(snapshot, [&](Vec3i) { ++differing; });
  EXPECT_LE(differing, 5000 + 1000);
}

TEST(SetVoxels, StopsUnderAnExceededBudget) {
  Volume v;
  std::vector<VoxelValue> edits;
  for (int i = 0; i < 100000; ++i)
    edits.push_back({{i * 16, 0, 0}, {1, 2, 3, 255}});
  {
    MemoryBudget budget(uint64_t(EngineBytes()) + (1 << 20));
    v.SetVoxels(edits);
    EXPECT_TRUE(budget.exceeded());
    EXPECT_LT(v.CountVoxels(), 100000);
    // Counts stay exact for what was applied.
    int64_t n = 0;
    v.ForEachVoxel([&](Vec3i, Rgba) { ++n; });
    EXPECT_EQ(n, v.CountVoxels());
    EXPECT_EQ(v.SetVoxels(edits), 0);  // changes nothing while exceeded
  }
}

// Random blocks: sparse, palette, full, uniform and empty ones, some
// origins given twice.
TEST(VolumeBuilder, MatchesSetBlock) {
  std::mt19937 rng(5);
  Volume expected;
  VolumeBuilder builder;
  std::vector<Vec3i> origins;
  for (int b = 0; b < 3000; ++b) {
    Vec3i o;
    if (!origins.empty() && rng() % 10 == 0) {
      o = origins[rng() % origins.size()];
    } else {
      o = {int32_t(rng() % 4000 - 2000) * 16, int32_t(rng() % 64 - 32) * 16,
           (rng() % 2 ? INT32_MIN : 0x7FFFFFF0)};
      origins.push_back(o);
    }
    std::vector<Rgba> cells(kBlockVoxels);
    std::vector<std::pair<uint16_t, Rgba>> pairs;
    const int form = int(rng() % 6);
    const int n = form == 0   ? 0
                  : form <= 2 ? int(1 + rng() % 40)
                  : form == 3 ? int(300 + rng() % 500)
                              : kBlockVoxels;
    const int colours = form == 5 ? 1 : int(1 + rng() % 300);
    for (int i = 0; i < n; ++i) {
      const uint16_t at =
          n == kBlockVoxels ? uint16_t(i) : uint16_t(rng() % kBlockVoxels);
      const Rgba c{uint8_t(rng() % colours), uint8_t(rng() % colours % 7), 9,
                   uint8_t(rng() % 13 == 0 && form != 5 ? 0 : 255)};
      cells[at] = c.a ? c : Rgba{};
      pairs.emplace_back(at, c);
    }
    expected.SetBlock(o, cells.data());
    if (rng() % 2)
      builder.AddBlock(o, cells.data());
    else
      builder.AddBlockCells(o, pairs);
  }
  const Volume built = builder.Finish();
  EXPECT_EQ(builder.size(), 0u);
  ExpectSameVolume(built, expected);
  // The built volume edits like any other.
  Volume copy = built;
  expected.Set({1, 2, 3}, {7, 7, 7, 255});
  copy.Set({1, 2, 3}, {7, 7, 7, 255});
  ExpectSameVolume(copy, expected);
}

TEST(VolumeBuilder, LaterCellsAndBlocksWin) {
  VolumeBuilder b;
  const std::pair<uint16_t, Rgba> cells[] = {{5, {1, 1, 1, 255}},
                                             {5, {2, 2, 2, 255}},
                                             {6, {3, 3, 3, 255}},
                                             {6, {0, 0, 0, 0}},
                                             {7, {4, 4, 4, 255}}};
  b.AddBlockCells({16, 0, 0}, cells);
  const std::pair<uint16_t, Rgba> gone[] = {{1, {9, 9, 9, 255}}};
  b.AddBlockCells({32, 0, 0}, gone);
  const std::pair<uint16_t, Rgba> eraser[] = {{1, {9, 9, 9, 0}}};
  b.AddBlockCells({32, 0, 0}, eraser);  // empty: leaves no block
  const Volume v = b.Finish();
  EXPECT_EQ(v.CountVoxels(), 2);
  EXPECT_EQ(v.BlockCount(), 1u);
  EXPECT_EQ(v.Get({21, 0, 0}), (Rgba{2, 2, 2, 255}));
  EXPECT_EQ(v.Get({22, 0, 0}), Rgba{});
  EXPECT_EQ(v.Get({23, 0, 0}), (Rgba{4, 4, 4, 255}));
  EXPECT_EQ(v.Bounds(), (Box{{21, 0, 0}, {23, 0, 0}}));
  VolumeBuilder none;
  EXPECT_TRUE(none.Finish().Empty());
}

// A batch that changes nothing after a snapshot copies no trie path (the
// engine counter does not move) and keeps the version.
TEST(SetVoxels, NoOpBatchAfterSnapshotCopiesNothing) {
  Volume v;
  std::vector<VoxelValue> edits;
  for (int i = 0; i < 5000; ++i)
    edits.push_back({{i * 16, i % 7, -i}, {uint8_t(i), 2, 3, 255}});
  edits.push_back({{3, 3, 3}, {9, 9, 9, 0}});  // removing an empty cell
  ASSERT_EQ(v.SetVoxels(edits), 5000);
  const Volume snapshot = v;
  const uint64_t version = v.version();
  const int64_t bytes = EngineBytes();
  EXPECT_EQ(v.SetVoxels(edits), 0);
  EXPECT_EQ(EngineBytes(), bytes);
  EXPECT_EQ(v.version(), version);
  EXPECT_EQ(v.version(), snapshot.version());
  // One real change among them still applies (and copies its path).
  edits[4000].c = {1, 1, 1, 255};
  EXPECT_EQ(v.SetVoxels(edits), 1);
  EXPECT_NE(v.version(), version);
  EXPECT_EQ(v.Get({4000 * 16, 4000 % 7, -4000}), (Rgba{1, 1, 1, 255}));
  EXPECT_EQ(snapshot.Get({4000 * 16, 4000 % 7, -4000}),
            (Rgba{uint8_t(4000), 2, 3, 255}));
}

// VolumeBuilder puts its blocks in slabs (block.h): a slab lives while any
// block in it does, in the volume or a snapshot, and dropping the last
// holder unmaps it and gives its bytes back to the engine counter.
TEST(VolumeBuilder, SlabsGoWithTheirLastBlock) {
  const int64_t slabs_before = BlockSlabCount();
  const int64_t bytes_before = EngineBytes();
  {
    VolumeBuilder b;
    for (int i = 0; i < 60000; ++i) {
      const std::pair<uint16_t, Rgba> cell[] = {
          {uint16_t(i % kBlockVoxels), {uint8_t(i), 1, 2, 255}}};
      b.AddBlockCells({i * 16, -16, 32}, cell);
    }
    Volume v = b.Finish();
    EXPECT_GE(BlockSlabCount() - slabs_before, 3);  // 60000 blocks
    EXPECT_EQ(v.CountVoxels(), 60000);
    Volume snapshot = v;
    // In place (no longer shared after the copy-on-write of the path) and
    // grown past the slot: the block's storage is on the heap.
    for (int c = 0; c < kBlockVoxels; ++c)
      v.Set({c & 15, -16 + ((c >> 4) & 15), 32 + (c >> 8)},
            {uint8_t(c), uint8_t(c >> 8), 3, 255});
    for (int c = 0; c < kBlockVoxels; ++c)
      v.Set({c & 15, -16 + ((c >> 4) & 15), 32 + (c >> 8)},
            {uint8_t(c), uint8_t(c >> 8), 4, 255});
    EXPECT_EQ(v.CountVoxels(), 60000 - 1 + kBlockVoxels);
    v.FillBox({{16 * 100, -16, 32}, {16 * 30000, -1, 47}}, {});
    EXPECT_EQ(snapshot.CountVoxels(), 60000);
    EXPECT_EQ(snapshot.Get({16 * 200 + 200 % 16, -16 + (200 >> 4) % 16,
                            32 + (200 >> 8)}),
              (Rgba{200, 1, 2, 255}));
    v = Volume();
    EXPECT_GE(BlockSlabCount() - slabs_before, 3);  // the snapshot holds them
  }
  EXPECT_EQ(BlockSlabCount(), slabs_before);
  EXPECT_EQ(EngineBytes(), bytes_before);
}

TEST(Block, FromSortedCellsPicksWhatFromCellsPicks) {
  std::mt19937 rng(9);
  for (int round = 0; round < 300; ++round) {
    const int n = round < 100 ? int(rng() % 70) : int(rng() % 1200);
    const int colours = int(1 + rng() % (round % 3 == 0 ? 2 : 400));
    std::vector<Rgba> cells(kBlockVoxels);
    for (int i = 0; i < n; ++i)
      cells[rng() % kBlockVoxels] =
          Rgba{uint8_t(rng() % colours), uint8_t(rng() % colours / 3), 1, 255};
    std::vector<uint64_t> words;
    for (int i = 0; i < kBlockVoxels; ++i)
      if (cells[i].a)
        words.push_back(uint64_t(i) << 32 | Block::Pack(cells[i]));
    std::unique_ptr<Block> a(Block::FromCells(cells.data()));
    std::unique_ptr<Block> b(
        Block::FromSortedCells(words.data(), int(words.size())));
    EXPECT_EQ(a->kind(), b->kind());
    EXPECT_EQ(a->count(), b->count());
    EXPECT_EQ(a->bounds(), b->bounds());
    EXPECT_EQ(a->Bytes(), b->Bytes());
    std::vector<Rgba> decoded(kBlockVoxels);
    b->Decode(decoded.data());
    EXPECT_EQ(decoded, cells);
    // Both grow alike from here (same sparse cap).
    for (int i = 0; i < 600; ++i) {
      const int at = int(rng() % kBlockVoxels);
      const Rgba c{uint8_t(rng() % 3), 0, 0, 255};
      a->Set(at, c);
      b->Set(at, c);
      ASSERT_EQ(a->kind(), b->kind());
    }
  }
}

}  // namespace
}  // namespace goxel::voxel
