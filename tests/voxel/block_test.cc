// Block representations against the plain RGBA array, and the trie against a
// std::map, on random edits (property tests with fixed seeds).
#include "voxel/block.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <thread>
#include <tuple>
#include <vector>

#include "voxel/volume.h"

namespace goxel::voxel {
namespace {

using Cells = std::vector<Rgba>;

LocalBox BoundsOf(const Cells& cells) {
  LocalBox b;
  for (int i = 0; i < kBlockVoxels; ++i)
    if (cells[i].a) b.Add(i & 15, (i >> 4) & 15, i >> 8);
  return b;
}

// Checks every read of `b` against the plain array.
void ExpectSame(const Block& b, const Cells& cells) {
  int n = 0;
  for (int i = 0; i < kBlockVoxels; ++i) {
    ASSERT_EQ(b.Get(i), cells[i]) << "cell " << i;
    n += cells[i].a != 0;
  }
  EXPECT_EQ(b.count(), n);
  EXPECT_EQ(b.bounds(), BoundsOf(cells));
  Cells decoded(kBlockVoxels);
  b.Decode(decoded.data());
  EXPECT_EQ(decoded, cells);
  int visited = 0, last = -1;
  b.ForEachCell([&](int i, Rgba c) {
    EXPECT_GT(i, last);
    last = i;
    EXPECT_EQ(c, cells[i]);
    ++visited;
  });
  EXPECT_EQ(visited, n);
}

// Random edits drawn from `colours` colours, with the given share of
// removals, visiting every representation as the block fills and empties.
void RunRandomEdits(uint32_t seed, int colours, int edits, int remove_pct) {
  std::mt19937 rng(seed);
  std::vector<Rgba> palette;
  for (int i = 0; i < colours; ++i)
    palette.push_back(Rgba{uint8_t(rng()), uint8_t(rng()), uint8_t(i), 255});
  Cells cells(kBlockVoxels);
  Block b;
  std::array<bool, 4> seen{};
  for (int e = 0; e < edits; ++e) {
    const int i = int(rng() % kBlockVoxels);
    const Rgba c = int(rng() % 100) < remove_pct
                       ? Rgba{9, 9, 9, 0}
                       : palette[rng() % palette.size()];
    const Rgba old = b.Set(i, c);
    EXPECT_EQ(old, cells[i]);
    cells[i] = c.a ? c : Rgba{};
    seen[int(b.kind())] = true;
    if (e % 997 == 0) ExpectSame(b, cells);
  }
  ExpectSame(b, cells);
  // A copy reads the same and edits independently.
  Block copy(b);
  ExpectSame(copy, cells);
  copy.Set(0, Rgba{1, 2, 3, 255});
  ExpectSame(b, cells);
  EXPECT_TRUE(seen[int(Block::Kind::kSparse)]);
}

TEST(Block, FewColoursMatchTheArray) { RunRandomEdits(1, 3, 20000, 30); }
TEST(Block, ManyColoursMatchTheArray) { RunRandomEdits(2, 1000, 20000, 20); }
TEST(Block, PaletteWidthsMatchTheArray) {
  for (int colours : {1, 2, 5, 17, 255, 256, 300})
    RunRandomEdits(100 + colours, colours, 12000, 25);
}

TEST(Block, PicksTheSmallestForm) {
  Cells cells(kBlockVoxels);
  std::unique_ptr<Block> empty(Block::FromCells(cells.data()));
  EXPECT_EQ(empty->count(), 0);
  cells[5] = Rgba{1, 2, 3, 255};
  std::unique_ptr<Block> one(Block::FromCells(cells.data()));
  EXPECT_EQ(one->kind(), Block::Kind::kSparse);
  EXPECT_LE(one->Bytes(), 160u);
  std::fill(cells.begin(), cells.end(), Rgba{4, 5, 6, 255});
  std::unique_ptr<Block> full_one(Block::FromCells(cells.data()));
  EXPECT_EQ(full_one->kind(), Block::Kind::kUniform);
  for (int i = 0; i < kBlockVoxels; i += 2) cells[i] = Rgba{7, 8, 9, 255};
  std::unique_ptr<Block> two(Block::FromCells(cells.data()));
  EXPECT_EQ(two->kind(), Block::Kind::kPalette);
  EXPECT_LE(two->Bytes(), 1300u);  // 2-bit indices
  std::mt19937 rng(3);
  for (Rgba& c : cells) c = Rgba{uint8_t(rng()), uint8_t(rng()), 1, 255};
  std::unique_ptr<Block> noisy(Block::FromCells(cells.data()));
  EXPECT_EQ(noisy->kind(), Block::Kind::kFull);
  ExpectSame(*noisy, cells);
}

TEST(Block, UniformBecomesCompactOnFirstEdit) {
  std::unique_ptr<Block> b(Block::NewUniform(Rgba{1, 1, 1, 255}));
  Cells cells(kBlockVoxels, Rgba{1, 1, 1, 255});
  b->Set(100, Rgba{});
  cells[100] = Rgba{};
  EXPECT_EQ(b->kind(), Block::Kind::kPalette);
  ExpectSame(*b, cells);
}

// --- The trie (Volume) against a map, with snapshots ---

using Key = std::tuple<int32_t, int32_t, int32_t>;
using Model = std::map<Key, uint32_t>;

void ExpectVolumeIs(const Volume& v, const Model& m) {
  EXPECT_EQ(v.CountVoxels(), int64_t(m.size()));
  int64_t n = 0;
  v.ForEachVoxel([&](Vec3i p, Rgba c) {
    auto it = m.find({p.x, p.y, p.z});
    ASSERT_NE(it, m.end());
    EXPECT_EQ(Block::Pack(c), it->second);
    ++n;
  });
  EXPECT_EQ(n, int64_t(m.size()));
  if (m.empty()) {
    EXPECT_FALSE(v.Bounds().has_value());
    return;
  }
  Box b{{INT32_MAX, INT32_MAX, INT32_MAX}, {INT32_MIN, INT32_MIN, INT32_MIN}};
  for (const auto& [k, c] : m) {
    const auto [x, y, z] = k;
    b.min = {std::min(b.min.x, x), std::min(b.min.y, y), std::min(b.min.z, z)};
    b.max = {std::max(b.max.x, x), std::max(b.max.y, y), std::max(b.max.z, z)};
  }
  ASSERT_TRUE(v.Bounds().has_value());
  EXPECT_EQ(*v.Bounds(), b);
}

TEST(VolumeTrie, RandomEditsWithSnapshotsStayExact) {
  std::mt19937 rng(7);
  Volume v;
  Model m;
  std::vector<std::pair<Volume, Model>> snapshots;
  auto coord = [&rng](int spread) {
    return int32_t(int(rng() % (2 * spread)) - spread);
  };
  for (int e = 0; e < 60000; ++e) {
    const int spread = (e % 3 == 0) ? 4000 : 40;  // far and near
    const Vec3i p{coord(spread), coord(spread), coord(spread)};
    const bool remove = rng() % 4 == 0;
    const Rgba c = remove ? Rgba{} : Rgba{uint8_t(rng() % 4), 1, 2, 255};
    const bool changed = v.Set(p, c);
    const Key k{p.x, p.y, p.z};
    const bool had = m.count(k) != 0;
    if (remove) {
      EXPECT_EQ(changed, had);
      m.erase(k);
    } else {
      EXPECT_EQ(changed, !had || m[k] != Block::Pack(c));
      m[k] = Block::Pack(c);
    }
    if (e % 5000 == 0) snapshots.push_back({v, m});
    if (e % 7001 == 0) {  // A box fill, then a box clear, near the middle.
      const Box box{{coord(40), coord(40), coord(40)}, {0, 0, 0}};
      const Box fixed{{std::min(box.min.x, 0), std::min(box.min.y, 0),
                       std::min(box.min.z, 0)},
                      {20, 20, 20}};
      v.FillBox(fixed, Rgba{5, 5, 5, 255});
      for (int32_t z = fixed.min.z; z <= fixed.max.z; ++z)
        for (int32_t y = fixed.min.y; y <= fixed.max.y; ++y)
          for (int32_t x = fixed.min.x; x <= fixed.max.x; ++x)
            m[{x, y, z}] = Block::Pack(Rgba{5, 5, 5, 255});
      const Box clear{{-10, -10, -10}, {5, 30, 7}};
      v.FillBox(clear, Rgba{});
      for (int32_t z = clear.min.z; z <= clear.max.z; ++z)
        for (int32_t y = clear.min.y; y <= clear.max.y; ++y)
          for (int32_t x = clear.min.x; x <= clear.max.x; ++x)
            m.erase({x, y, z});
    }
  }
  ExpectVolumeIs(v, m);
  for (const auto& [snap, model] : snapshots) ExpectVolumeIs(snap, model);
  const int64_t engine = EngineBytes();
  snapshots.clear();
  EXPECT_LT(EngineBytes(), engine);
  v.Clear();
  ExpectVolumeIs(v, {});
}

TEST(VolumeTrie, EditAfterSnapshotCopiesOnlyItsPath) {
  Volume v;
  for (int i = 0; i < 100000; ++i)
    v.Set({i * 16, (i % 7) * 16, 0}, {1, 2, 3, 255});
  const int64_t before = EngineBytes();
  Volume snapshot = v;
  EXPECT_EQ(EngineBytes(), before);  // A copy allocates nothing.
  v.Set({5, 0, 0}, {9, 9, 9, 255});
  // One block, one leaf and a few branch nodes: far below one byte a block.
  EXPECT_LT(EngineBytes() - before, 8192);
  EXPECT_EQ(snapshot.Get({5, 0, 0}), Rgba{});
  EXPECT_EQ(v.Get({5, 0, 0}), (Rgba{9, 9, 9, 255}));
}

TEST(VolumeTrie, IsolatedVoxelsAreSmall) {
  const int64_t before = EngineBytes();
  Volume v;
  for (int i = 0; i < 20000; ++i)
    v.Set({i * 32, -i * 16, i * 48}, {1, 2, 3, 255});
  const double per_voxel = double(EngineBytes() - before) / 20000.0;
  EXPECT_LE(per_voxel, 256.0);
  EXPECT_LE(double(v.MemoryBytes()) / 20000.0, 256.0);
}

TEST(VolumeTrie, BudgetStopsEditsPastTheLimit) {
  Volume v;
  {
    MemoryBudget budget(uint64_t(EngineBytes()) + (1 << 20));
    for (int i = 0; i < 100000; ++i) v.Set({i * 16, 0, 0}, {1, 2, 3, 255});
    EXPECT_TRUE(budget.exceeded());
    EXPECT_GT(budget.reached(), int64_t(budget.limit()));
    EXPECT_TRUE(MemoryBudget::ThreadExceeded());
  }
  EXPECT_FALSE(MemoryBudget::ThreadExceeded());
  EXPECT_LT(v.CountVoxels(), 100000);
  EXPECT_TRUE(v.Set({-1, -1, -1}, {1, 2, 3, 255}));
}

// Snapshots are read on other threads while the owner keeps editing (run
// under TSan and ASan: the sanitizer builds of this test).
TEST(VolumeTrie, SnapshotsReadOnThreadsWhileOwnerEdits) {
  Volume v;
  for (int i = 0; i < 3000; ++i) v.Set({i, i % 50, -i}, {1, 1, 1, 255});
  std::vector<std::thread> readers;
  for (int round = 0; round < 8; ++round) {
    Volume snap = v;
    const int64_t expected = snap.CountVoxels();
    readers.emplace_back([s = std::move(snap), expected]() {
      int64_t n = 0;
      s.ForEachVoxel([&](Vec3i, Rgba) { ++n; });
      EXPECT_EQ(n, expected);
      EXPECT_TRUE(s.Bounds().has_value());
    });
    for (int i = 0; i < 500; ++i) {
      v.Set({i, i % 50, -i}, {2, 2, 2, 255});
      v.Set({100000 + round * 1000 + i, 0, 0}, {3, 3, 3, 255});
      v.Set({i, (i + 1) % 50, -i}, {});
    }
  }
  for (auto& t : readers) t.join();
}

}  // namespace
}  // namespace goxel::voxel
