// Files we write read back identically; mesh exports are closed; bad bytes
// give errors, never crashes.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "test_util.h"
#include "voxel/formats/gox.h"
#include "voxel/formats/mesh.h"
#include "voxel/formats/png_codec.h"
#include "voxel/formats/registry.h"
#include "voxel/formats/txt.h"
#include "voxel/formats/vox.h"

namespace goxel::voxel::formats {
namespace {

using testing::Voxels;

// Three layers: a multi-coloured block with negative coordinates, a hidden
// sparse layer wider than 256 (so .vox must split it), and a sphere.
Scene MakeScene() {
  Scene s;
  Layer a;
  a.id = 1;
  a.name = "bricks";
  for (int x = -20; x < 5; ++x)
    for (int y = -3; y < 9; ++y)
      for (int z = 0; z < 7; ++z)
        a.volume.Set({x, y, z},
                     Rgba{static_cast<uint8_t>(x * 9),
                          static_cast<uint8_t>((y & 3) * 20), 77, 255});
  Layer b;
  b.id = 7;
  b.name = "far apart";
  b.visible = false;
  b.color = {10, 20, 30, 255};
  for (int i = 0; i < 40; ++i)
    b.volume.Set({i * 17 - 300, i % 5, -i}, Rgba{200, 10, 10, 255});
  Layer c;
  c.id = 3;
  c.name = "ball";
  for (int x = -6; x <= 6; ++x)
    for (int y = -6; y <= 6; ++y)
      for (int z = -6; z <= 6; ++z)
        if (x * x + y * y + z * z <= 36)
          c.volume.Set({x + 30, y, z}, Rgba{20, 200, 90, 255});
  s.layers = {a, b, c};
  return s;
}

void ExpectSameLayers(const Scene& a, const Scene& b, bool check_meta) {
  ASSERT_EQ(a.layers.size(), b.layers.size());
  for (size_t i = 0; i < a.layers.size(); ++i) {
    EXPECT_EQ(a.layers[i].name, b.layers[i].name);
    EXPECT_EQ(Voxels(a.layers[i].volume), Voxels(b.layers[i].volume)) << i;
    if (check_meta) {
      EXPECT_EQ(a.layers[i].visible, b.layers[i].visible);
    }
  }
}

TEST(RoundTrip, GoxKeepsEverything) {
  const Scene s = MakeScene();
  auto bytes = WriteGox(s, WriteOptions());
  ASSERT_TRUE(bytes.ok());
  auto back = ReadGox(*bytes, ReadLimits());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ExpectSameLayers(s, *back, true);
  for (size_t i = 0; i < s.layers.size(); ++i) {
    EXPECT_EQ(back->layers[i].id, s.layers[i].id);
    EXPECT_EQ(back->layers[i].color, s.layers[i].color);
  }
}

TEST(RoundTrip, GoxWritesIdenticalTilesOnce) {
  Scene s;
  Layer l;
  l.id = 1;
  l.volume.FillBox({{0, 0, 0}, {63, 15, 15}}, Rgba{1, 2, 3, 255});
  s.layers = {l, l};
  auto bytes = WriteGox(s, WriteOptions());
  ASSERT_TRUE(bytes.ok());
  const std::string text(bytes->begin(), bytes->end());
  size_t tiles = 0;
  for (size_t p = text.find("BL16"); p != std::string::npos;
       p = text.find("BL16", p + 1))
    ++tiles;
  EXPECT_EQ(tiles, 1u);  // 8 blocks, one content.
}

TEST(RoundTrip, V14GoxRewritesWithItsChunks) {
  auto s = ReadGox(testing::ReadTestFile("goxel/v14-scene.gox"), ReadLimits());
  ASSERT_TRUE(s.ok());
  auto bytes = WriteGox(*s, WriteOptions());
  ASSERT_TRUE(bytes.ok());
  auto back = ReadGox(*bytes, ReadLimits());
  ASSERT_TRUE(back.ok());
  ExpectSameLayers(*s, *back, true);
  EXPECT_EQ(back->kept_chunks.size(), s->kept_chunks.size());
  EXPECT_EQ(back->width, 32);
}

TEST(RoundTrip, VoxSplitsAndPlacesLayers) {
  const Scene s = MakeScene();
  auto bytes = WriteVox(s, WriteOptions());
  ASSERT_TRUE(bytes.ok());
  auto back = ReadVox(*bytes, ReadLimits());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ExpectSameLayers(s, *back, true);
}

TEST(RoundTrip, VoxQuantisesToAtMost255Colours) {
  Scene s;
  Layer l;
  l.name = "rainbow";
  for (int i = 0; i < 1000; ++i)
    l.volume.Set({i % 10, (i / 10) % 10, i / 100},
                 Rgba{static_cast<uint8_t>(i), static_cast<uint8_t>(i / 4),
                      static_cast<uint8_t>(255 - i % 256), 255});
  s.layers = {l};
  auto bytes = WriteVox(s, WriteOptions());
  ASSERT_TRUE(bytes.ok());
  auto back = ReadVox(*bytes, ReadLimits());
  ASSERT_TRUE(back.ok());
  std::set<uint32_t> colours;
  int64_t worst = 0;
  l.volume.ForEachVoxel([&](Vec3i p, Rgba c) {
    const Rgba q = back->layers[0].volume.Get(p);
    ASSERT_EQ(q.a, 255);
    colours.insert(testing::Pack(q));
    worst = std::max<int64_t>(
        worst, std::abs(q.r - c.r) + std::abs(q.g - c.g) + std::abs(q.b - c.b));
  });
  EXPECT_LE(colours.size(), 255u);
  EXPECT_GT(colours.size(), 200u);
  EXPECT_LT(worst, 60);  // median cut keeps every colour near its original.
}

TEST(RoundTrip, TxtAndQb) {
  const Scene s = MakeScene();
  WriteOptions all;
  all.visible_only = false;
  auto txt = WriteTxt(s, all);
  ASSERT_TRUE(txt.ok());
  auto t = ReadTxt(*txt, ReadLimits());
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(Voxels(t->layers[0].volume), Voxels(FlattenScene(s, false)));
  auto qb = WriteQb(s, WriteOptions());
  ASSERT_TRUE(qb.ok());
  auto q = ReadQb(*qb, ReadLimits());
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  ExpectSameLayers(s, *q, false);  // .qb has no visibility flag.
}

TEST(Png, EncodeDecodeRoundTrip) {
  std::vector<uint8_t> px(37 * 11 * 4);
  for (size_t i = 0; i < px.size(); ++i) px[i] = static_cast<uint8_t>(i * 7);
  auto png = EncodePng(px.data(), 37, 11);
  ASSERT_TRUE(png.ok());
  auto img = DecodePng(*png, 1000);
  ASSERT_TRUE(img.ok());
  EXPECT_EQ(img->width, 37);
  EXPECT_EQ(img->height, 11);
  EXPECT_EQ(img->rgba, px);
  EXPECT_EQ(DecodePng(*png, 100).status().code(),
            StatusCode::kResourceExhausted);
}

TEST(Registry, FindsByNameDisplayNameAndExtension) {
  EXPECT_EQ(FindFormat("gox")->name, "gox");
  EXPECT_EQ(FindFormat("MAGICA VOXEL")->name, "vox");
  EXPECT_EQ(FindFormat("Wavefront")->name, "obj");
  EXPECT_EQ(FindFormat(".glb")->name, "glb");
  EXPECT_EQ(FindFormatForPath("a/b.c/model.QB")->name, "qb");
  EXPECT_EQ(FindFormatForPath("a.b/noext"), nullptr);
  EXPECT_EQ(FindFormat("nope"), nullptr);
  EXPECT_TRUE(FindFormat("vox")->can_read());
  EXPECT_FALSE(FindFormat("obj")->can_read());
  for (const FormatInfo& f : AllFormats()) EXPECT_TRUE(f.can_write());
}

}  // namespace
}  // namespace goxel::voxel::formats
