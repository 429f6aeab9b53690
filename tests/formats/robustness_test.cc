// Truncated, corrupted and lying inputs give errors, never crashes, and
// never allocate past the limits.
#include <gtest/gtest.h>

#include <random>

#include "test_util.h"
#include "voxel/formats/registry.h"

namespace goxel::voxel::formats {
namespace {

const char* kSamples[][2] = {
    {"gox", "goxel/v14-scene.gox"},
    {"gox", "vengi/rgb.gox"},
    {"gox", "goxel/upstream-example1-v1.gox"},
    {"vox", "vengi/robo.vox"},
    {"vox", "vox/chr_knight.vox"},
    {"qb", "goxel/v14-scene.qb"},
    {"txt", "goxel/v14-scene.txt"},
};

TEST(Robustness, TruncatedFilesFailCleanly) {
  for (const auto& [fmt, file] : kSamples) {
    const std::vector<uint8_t> bytes = testing::ReadTestFile(file);
    ASSERT_FALSE(bytes.empty()) << file;
    const FormatInfo* f = FindFormat(fmt);
    int errors = 0, cuts = 0;
    for (size_t len = 0; len < bytes.size(); len += 1 + bytes.size() / 300) {
      auto r = f->read(std::span(bytes.data(), len), ReadLimits());
      ++cuts;
      if (!r.ok()) {
        ++errors;
        EXPECT_NE(r.status().Find("format"), nullptr) << file;
      }
    }
    // Binary formats must notice nearly every cut (a cut exactly at a chunk
    // boundary may still be a valid file).
    if (std::string(fmt) != "txt") {
      EXPECT_GT(errors, cuts * 8 / 10) << file;
    }
  }
}

TEST(Robustness, RandomCorruptionNeverCrashes) {
  std::mt19937 rng(1234);
  for (const auto& [fmt, file] : kSamples) {
    const std::vector<uint8_t> orig = testing::ReadTestFile(file);
    ASSERT_FALSE(orig.empty()) << file;
    const FormatInfo* f = FindFormat(fmt);
    for (int round = 0; round < 150; ++round) {
      std::vector<uint8_t> b = orig;
      for (int k = 0; k < 1 + round % 8; ++k) b[rng() % b.size()] = rng();
      auto r = f->read(b, ReadLimits());
      if (!r.ok()) {
        EXPECT_TRUE(r.status().code() == StatusCode::kInvalidParams ||
                    r.status().code() == StatusCode::kResourceExhausted)
            << r.status().ToString();
      }
    }
  }
}

TEST(Robustness, VoxClaimingMoreVoxelsThanItHoldsIsRefused) {
  std::vector<uint8_t> b = {'V', 'O', 'X', ' ', 150, 0, 0, 0};
  auto put = [&](const char* s) { b.insert(b.end(), s, s + 4); };
  auto i32 = [&](int32_t v) {
    const auto* p = reinterpret_cast<const uint8_t*>(&v);
    b.insert(b.end(), p, p + 4);
  };
  put("MAIN"), i32(0), i32(12 + 12 + 12 + 4 + 4);
  put("SIZE"), i32(12), i32(0), i32(1), i32(1), i32(1);
  put("XYZI"), i32(8), i32(0), i32(2000000000), i32(0x01000000);
  auto r = FindFormat("vox")->read(b, ReadLimits());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidParams);
  EXPECT_EQ(std::get<std::string>(*r.status().Find("format")), "vox");
  EXPECT_NE(r.status().Find("offset"), nullptr);
}

// A .vox scene graph built from group nodes: `children[g]` lists the
// children of group node g (node ids = indexes). No shapes, no models.
std::vector<uint8_t> VoxGroups(
    const std::vector<std::vector<int32_t>>& groups) {
  std::vector<uint8_t> body;
  auto i32 = [&](std::vector<uint8_t>* out, int32_t v) {
    const auto* p = reinterpret_cast<const uint8_t*>(&v);
    out->insert(out->end(), p, p + 4);
  };
  for (size_t g = 0; g < groups.size(); ++g) {
    std::vector<uint8_t> content;
    i32(&content, static_cast<int32_t>(g));  // node id
    i32(&content, 0);                        // empty attribute dict
    i32(&content, static_cast<int32_t>(groups[g].size()));
    for (int32_t c : groups[g]) i32(&content, c);
    body.insert(body.end(), {'n', 'G', 'R', 'P'});
    i32(&body, static_cast<int32_t>(content.size()));
    i32(&body, 0);
    body.insert(body.end(), content.begin(), content.end());
  }
  std::vector<uint8_t> b = {'V', 'O', 'X', ' ', 150, 0, 0, 0};
  b.insert(b.end(), {'M', 'A', 'I', 'N'});
  i32(&b, 0);
  i32(&b, static_cast<int32_t>(body.size()));
  b.insert(b.end(), body.begin(), body.end());
  return b;
}

// Found by fuzz_formats_vox (the file is in tests/fuzz/corpus/formats/vox):
// a group that holds itself four times made the walk visit about 4^64
// nodes, hanging a worker forever.
TEST(Robustness, VoxSceneGraphCycleIsRefused) {
  const std::vector<uint8_t> b = VoxGroups({{0, 0, 0, 0}});
  auto r = FindFormat("vox")->read(b, ReadLimits());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidParams);
  EXPECT_NE(r.status().message().find("cycle"), std::string::npos)
      << r.status().ToString();
  // A cycle further down, through another group.
  auto deep = FindFormat("vox")->read(VoxGroups({{1}, {2, 2}, {1}}), {});
  ASSERT_FALSE(deep.ok());
  EXPECT_NE(deep.status().message().find("cycle"), std::string::npos);
}

// Without a cycle, shared nodes still multiply paths: 40 levels of four
// references to the next group are 4^40 paths. The walk stops at its bound.
TEST(Robustness, VoxSceneGraphWithExponentialPathsIsBounded) {
  std::vector<std::vector<int32_t>> groups;
  for (int32_t g = 0; g < 40; ++g)
    groups.push_back({g + 1, g + 1, g + 1, g + 1});
  groups.push_back({});
  auto r = FindFormat("vox")->read(VoxGroups(groups), ReadLimits());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(r.status().Find("limit"), nullptr);
}

// A .vox file of one 8-voxel model placed by `copies` shape references of
// one group (node 0 -> shape node 1 -> model 0), all at the origin.
std::vector<uint8_t> VoxPlacedCopies(int copies) {
  std::vector<uint8_t> body;
  auto chunk = [&](const char* tag, const std::vector<int32_t>& words) {
    body.insert(body.end(), tag, tag + 4);
    const int32_t head[2] = {static_cast<int32_t>(words.size() * 4), 0};
    const auto* h = reinterpret_cast<const uint8_t*>(head);
    body.insert(body.end(), h, h + sizeof head);
    const auto* w = reinterpret_cast<const uint8_t*>(words.data());
    body.insert(body.end(), w, w + words.size() * 4);
  };
  chunk("SIZE", {2, 2, 2});
  std::vector<int32_t> xyzi = {8};
  for (int32_t i = 0; i < 8; ++i)  // x, y, z, colour index 1
    xyzi.push_back((i & 1) | ((i >> 1) & 1) << 8 | ((i >> 2) & 1) << 16 |
                   1 << 24);
  chunk("XYZI", xyzi);
  std::vector<int32_t> group = {0, 0, copies};  // id, no attributes, count
  group.insert(group.end(), static_cast<size_t>(copies), int32_t{1});
  chunk("nGRP", group);
  chunk("nSHP", {1, 0, 1, 0, 0});  // id, no attributes, model 0, no attrs
  std::vector<uint8_t> b = {'V', 'O', 'X', ' ', 150, 0,
                            0,   0,   'M', 'A', 'I', 'N'};
  const int32_t sizes[2] = {0, static_cast<int32_t>(body.size())};
  const auto* m = reinterpret_cast<const uint8_t*>(sizes);
  b.insert(b.end(), m, m + sizeof sizes);
  b.insert(b.end(), body.begin(), body.end());
  return b;
}

// The file holds 8 voxels, but every instance places them again: the
// voxels placed count against the limit, not only the voxels stored.
TEST(Robustness, VoxInstancesAreBoundedByTheVoxelsTheyPlace) {
  ReadLimits limits;
  limits.max_voxels = 1000;
  auto fits = FindFormat("vox")->read(VoxPlacedCopies(125), limits);
  ASSERT_TRUE(fits.ok()) << fits.status().ToString();
  ASSERT_EQ(fits->layers.size(), 125u);  // unnamed instances: one layer each
  EXPECT_EQ(fits->layers[124].volume.CountVoxels(), 8);
  auto over = FindFormat("vox")->read(VoxPlacedCopies(126), limits);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(over.status().message().find("placed"), std::string::npos)
      << over.status().ToString();
}

// Found by fuzz_formats_qb: a raw matrix with one zero side and two huge
// ones holds no cells, so it must cost nothing to read (it used to walk
// 65536 x 65536 empty rows).
TEST(Robustness, QbEmptyMatrixWithHugeSidesReadsAsEmpty) {
  std::vector<uint8_t> b;
  auto u32 = [&](uint32_t v) {
    const auto* p = reinterpret_cast<const uint8_t*>(&v);
    b.insert(b.end(), p, p + 4);
  };
  u32(0x101), u32(0), u32(0), u32(0), u32(0), u32(1);  // raw, one matrix
  b.push_back(1), b.push_back('m');                    // name "m"
  u32(0), u32(65536), u32(65536);                      // 0 x 65536 x 65536
  u32(0), u32(0), u32(0);                              // position
  auto r = FindFormat("qb")->read(b, ReadLimits());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->layers.size(), 1u);
  EXPECT_EQ(r->layers[0].name, "m");
  EXPECT_EQ(r->layers[0].volume.CountVoxels(), 0);
}

TEST(Robustness, LimitsAreEnforced) {
  ReadLimits small;
  small.max_voxels = 1000;
  auto menger =
      FindFormat("vox")->read(testing::ReadTestFile("vox/menger.vox"), small);
  EXPECT_EQ(menger.status().code(), StatusCode::kResourceExhausted);
  small = ReadLimits();
  small.max_bytes = 100;
  auto gox = FindFormat("gox")->read(
      testing::ReadTestFile("goxel/v14-scene.gox"), small);
  EXPECT_EQ(gox.status().code(), StatusCode::kResourceExhausted);
  small = ReadLimits();
  small.max_blocks = 2;
  auto tiles = FindFormat("gox")->read(
      testing::ReadTestFile("goxel/v14-scene.gox"), small);
  EXPECT_EQ(tiles.status().code(), StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace goxel::voxel::formats
