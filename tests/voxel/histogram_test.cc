// Volume::Colors(), the kept colour histogram, against a recount of every
// voxel (property tests with fixed seeds): after random edits of every kind,
// undo and redo, batches, snapshots edited apart and VolumeBuilder loads.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <utility>
#include <vector>

#include "voxel/project.h"
#include "voxel/volume.h"

namespace goxel::voxel {
namespace {

uint32_t KeyOf(Rgba c) {
  return uint32_t{c.r} << 24 | uint32_t{c.g} << 16 | uint32_t{c.b} << 8 | c.a;
}

// The histogram recounted voxel by voxel.
std::map<uint32_t, int64_t> Recount(const Volume& v) {
  std::map<uint32_t, int64_t> m;
  v.ForEachVoxel([&m](Vec3i, Rgba c) { ++m[KeyOf(c)]; });
  return m;
}

void ExpectKeptEqualsRecount(const Volume& v) {
  const auto kept = v.Colors();
  std::map<uint32_t, int64_t> got;
  uint32_t last = 0;
  int64_t total = 0;
  for (size_t i = 0; i < kept->size(); ++i) {
    const ColorTally& t = (*kept)[i];
    ASSERT_GT(t.count, 0);
    ASSERT_NE(t.color.a, 0);
    if (i > 0) {
      ASSERT_LT(last, KeyOf(t.color)) << "sorted, no duplicates";
    }
    last = KeyOf(t.color);
    got[last] = t.count;
    total += t.count;
  }
  EXPECT_EQ(got, Recount(v));
  EXPECT_EQ(total, v.CountVoxels());
  // Asked again, the same histogram (the kept one, not a new count).
  EXPECT_EQ(v.Colors(), kept);
}

// The cache was bounded by entries only: 16 histograms of millions of
// colours each stayed in memory, outside the memory limit. Now it holds
// kHistogramCacheBytes at most and does not keep a larger histogram.
TEST(Colors, TheCacheIsBoundedInBytes) {
  // One colour per voxel: a histogram past the bound.
  const int n = int(kHistogramCacheBytes / int64_t(sizeof(ColorTally))) + 1000;
  std::vector<VoxelValue> edits;
  for (int i = 0; i < n; ++i) {
    edits.push_back({{i % 256, (i / 256) % 256, i / 65536},
                     {uint8_t(i), uint8_t(i >> 8), uint8_t(i >> 16), 255}});
  }
  Volume big;
  ASSERT_EQ(big.SetVoxels(edits), n);
  const auto first = big.Colors();
  EXPECT_EQ(int64_t(first->size()), n);
  EXPECT_LE(HistogramCacheBytes(), kHistogramCacheBytes);
  const auto again = big.Colors();  // counted again, not kept
  EXPECT_NE(again, first);
  ASSERT_EQ(again->size(), first->size());
  EXPECT_EQ(again->back().color, first->back().color);
  // Small ones are still kept.
  Volume small;
  small.Set({1, 2, 3}, {4, 5, 6, 255});
  const auto kept = small.Colors();
  EXPECT_EQ(small.Colors(), kept);
  EXPECT_GT(HistogramCacheBytes(), 0);
  EXPECT_LE(HistogramCacheBytes(), kHistogramCacheBytes);
}

Rgba RandomColor(std::mt19937& rng, int colors) {
  return Rgba{uint8_t(rng() % colors), uint8_t(rng() % 3), 7, 255};
}

Vec3i RandomPoint(std::mt19937& rng) {
  if (rng() % 3 == 0) {
    return {int32_t(rng() % (1 << 22)) - (1 << 21),
            int32_t(rng() % (1 << 22)) - (1 << 21), int32_t(rng() % 64)};
  }
  return {int32_t(rng() % 48) - 24, int32_t(rng() % 48) - 24,
          int32_t(rng() % 48) - 24};
}

// One random edit of any kind: a Set, a removal, a box fill or clear, a
// batch, a whole block.
void RandomEdit(std::mt19937& rng, Volume* v) {
  switch (rng() % 6) {
    case 0:
    case 1:
      v->Set(RandomPoint(rng), RandomColor(rng, 300));
      break;
    case 2:
      v->Set(RandomPoint(rng), Rgba{});
      break;
    case 3: {
      const Vec3i a = RandomPoint(rng);
      const int s = int(rng() % 40);
      v->FillBox({a, {a.x + s, a.y + s / 2, a.z + 3}},
                 rng() % 4 == 0 ? Rgba{} : RandomColor(rng, 5));
      break;
    }
    case 4: {
      std::vector<VoxelValue> batch;
      const int n = int(rng() % 600);
      for (int i = 0; i < n; ++i)
        batch.push_back(
            {RandomPoint(rng), rng() % 6 == 0 ? Rgba{} : RandomColor(rng, 40)});
      v->SetVoxels(batch);
      break;
    }
    case 5: {
      std::vector<Rgba> cells(kBlockVoxels);
      for (Rgba& c : cells)
        if (rng() % 3 == 0) c = RandomColor(rng, 1 + int(rng() % 20));
      const Vec3i p = RandomPoint(rng);
      v->SetBlock({p.x & ~15, p.y & ~15, p.z & ~15}, cells.data());
      break;
    }
  }
}

TEST(Colors, KeptHistogramEqualsRecountAfterRandomEdits) {
  std::mt19937 rng(16);
  Volume v;
  ExpectKeptEqualsRecount(v);
  for (int step = 0; step < 300; ++step) {
    RandomEdit(rng, &v);
    if (step % 7 == 0) ExpectKeptEqualsRecount(v);
  }
  ExpectKeptEqualsRecount(v);
  v.Clear();
  ExpectKeptEqualsRecount(v);
  EXPECT_TRUE(v.Colors()->empty());
}

TEST(Colors, SnapshotsEditedApartKeepTheirOwnHistograms) {
  std::mt19937 rng(7);
  Volume a;
  for (int i = 0; i < 40; ++i) RandomEdit(rng, &a);
  ExpectKeptEqualsRecount(a);
  std::vector<Volume> snaps;
  for (int round = 0; round < 30; ++round) {
    snaps.push_back(a);  // shares the trie and the version
    EXPECT_EQ(snaps.back().Colors(), a.Colors());
    RandomEdit(rng, &a);
    RandomEdit(rng, &snaps.back());
  }
  for (const Volume& s : snaps) ExpectKeptEqualsRecount(s);
  ExpectKeptEqualsRecount(a);
  // A moved-from volume is empty and must not answer with the histogram of
  // the volume it was moved into.
  Volume moved = std::move(a);
  ExpectKeptEqualsRecount(a);  // NOLINT(bugprone-use-after-move)
  EXPECT_TRUE(a.Colors()->empty());
  ExpectKeptEqualsRecount(moved);
  Volume assigned;
  assigned = std::move(moved);
  ExpectKeptEqualsRecount(moved);  // NOLINT(bugprone-use-after-move)
  ExpectKeptEqualsRecount(assigned);
}

TEST(Colors, UndoAndRedoShowTheHistogramOfEachStep) {
  std::mt19937 rng(3);
  Project p;
  const int32_t id = p.layers()[0].id;
  std::vector<std::map<uint32_t, int64_t>> states{
      Recount(p.layers()[0].volume)};
  for (int step = 0; step < 25; ++step) {
    p.BeginEdit();
    RandomEdit(rng, p.MutableVolume(id));
    RandomEdit(rng, p.MutableVolume(id));
    if (!p.EndEdit()) continue;
    ExpectKeptEqualsRecount(p.layers()[0].volume);
    states.push_back(Recount(p.layers()[0].volume));
  }
  for (size_t i = states.size() - 1; i > 0; --i) {
    ASSERT_TRUE(p.Undo());
    ExpectKeptEqualsRecount(p.layers()[0].volume);
    EXPECT_EQ(Recount(p.layers()[0].volume), states[i - 1]);
  }
  for (size_t i = 1; i < states.size(); ++i) {
    ASSERT_TRUE(p.Redo());
    ExpectKeptEqualsRecount(p.layers()[0].volume);
    EXPECT_EQ(Recount(p.layers()[0].volume), states[i]);
  }
}

TEST(Colors, BuilderLoadsAndEveryBlockForm) {
  std::mt19937 rng(11);
  VolumeBuilder b;
  std::vector<Rgba> cells(kBlockVoxels);
  for (int i = 0; i < 40; ++i) {
    const int form = i % 4;  // uniform, sparse, palette, full
    for (int k = 0; k < kBlockVoxels; ++k) {
      switch (form) {
        case 0:
          cells[k] = Rgba{9, 9, 9, 255};
          break;
        case 1:
          cells[k] = rng() % 100 == 0 ? RandomColor(rng, 250) : Rgba{};
          break;
        case 2:
          cells[k] = rng() % 2 ? RandomColor(rng, 30) : Rgba{};
          break;
        case 3:
          cells[k] = Rgba{uint8_t(rng()), uint8_t(rng() % 2), 5,
                          uint8_t(1 + rng() % 2)};
          break;
      }
    }
    const Vec3i p = RandomPoint(rng);
    b.AddBlock({p.x & ~15, p.y & ~15, p.z & ~15}, cells.data());
  }
  std::vector<std::pair<uint16_t, Rgba>> sparse;
  for (int i = 0; i < 50; ++i)
    sparse.push_back({uint16_t(rng() % kBlockVoxels), RandomColor(rng, 9)});
  b.AddBlockCells({1 << 20, 0, 0}, sparse);
  Volume v = b.Finish();
  const auto forms = v.CountBlockForms();
  for (int64_t n : forms) EXPECT_GT(n, 0) << "every block form is covered";
  ExpectKeptEqualsRecount(v);
  for (int i = 0; i < 10; ++i) {
    RandomEdit(rng, &v);
    ExpectKeptEqualsRecount(v);
  }
}

}  // namespace
}  // namespace goxel::voxel
