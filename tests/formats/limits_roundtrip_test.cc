// Every file the daemon writes reads back under the limits it reads with
// (EngineReadLimits): round trips at the engine's limits (many blocks, far
// coordinates, many layers, many colours), and writers that refuse, before
// writing, what their format cannot hold.
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <tuple>

#include "test_util.h"
#include "voxel/formats/format.h"
#include "voxel/formats/registry.h"

namespace goxel::voxel::formats {
namespace {

using testing::Voxels;

constexpr int32_t kFar = (1 << 30);

// `layers` layers; together `voxels` voxels, each alone in its 16^3 block,
// scattered over +-far on every axis, in `colours` colours.
Scene ScatteredScene(int layers, int voxels, int colours, uint32_t seed,
                     int32_t far = kFar) {
  std::mt19937 rng(seed);
  Scene s;
  for (int l = 0; l < layers; ++l) {
    Layer layer;
    layer.id = l + 1;
    layer.name = "layer " + std::to_string(l);
    s.layers.push_back(std::move(layer));
  }
  for (int i = 0; i < voxels; ++i) {
    const Vec3i p{int32_t(rng() % (2u * far)) - far,
                  int32_t(rng() % (2u * far)) - far,
                  int32_t(rng() % (2u * far)) - far};
    const uint32_t k = uint32_t(i % colours);
    s.layers[size_t(i) % s.layers.size()].volume.Set(
        {p.x & ~15, p.y & ~15, p.z & ~15},
        Rgba{uint8_t(k), uint8_t(k >> 8), uint8_t(255 - (k & 127)), 255});
  }
  return s;
}

Scene RoundTrip(const char* format, const Scene& s) {
  const FormatInfo* f = FindFormat(format);
  EXPECT_NE(f, nullptr);
  auto bytes = f->write(s, WriteOptions{});
  EXPECT_TRUE(bytes.ok()) << bytes.status().message();
  if (!bytes.ok()) return {};
  ReadLimits limits = EngineReadLimits();
  limits.max_bytes = int64_t{1} << 31;
  auto back = f->read(*bytes, limits);
  EXPECT_TRUE(back.ok()) << back.status().message();
  return back.ok() ? std::move(*back) : Scene{};
}

TEST(LimitsRoundTrip, GoxHoldsManyBlocksFarApartInManyLayersAndColours) {
  // Past the old 65,536-block reader limit, 40 layers, 4,000 colours.
  const Scene s = ScatteredScene(40, 70000, 4000, 1);
  const Scene back = RoundTrip("gox", s);
  ASSERT_EQ(back.layers.size(), s.layers.size());
  for (size_t i = 0; i < s.layers.size(); ++i)
    EXPECT_EQ(Voxels(back.layers[i].volume), Voxels(s.layers[i].volume));
}

TEST(LimitsRoundTrip, GoxHoldsTheMostLayersItsReaderTakes) {
  const int max_layers = ReadLimits{}.max_layers;
  const Scene s = ScatteredScene(max_layers, max_layers, 7, 2);
  EXPECT_EQ(RoundTrip("gox", s).layers.size(), size_t(max_layers));
  const Scene more = ScatteredScene(max_layers + 1, 10, 7, 3);
  auto refused = FindFormat("gox")->write(more, WriteOptions{});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kResourceExhausted);
}

TEST(LimitsRoundTrip, TxtHoldsManyBlocksFarApartAndManyColours) {
  const Scene s = ScatteredScene(1, 70000, 70000, 4);
  const Scene back = RoundTrip("txt", s);
  ASSERT_EQ(back.layers.size(), 1u);
  EXPECT_EQ(Voxels(back.layers[0].volume), Voxels(s.layers[0].volume));
}

TEST(LimitsRoundTrip, QbHoldsFarLayersAndRefusesAnAxisItCannotRead) {
  Scene s;
  std::mt19937 rng(5);
  for (int l = 0; l < 6; ++l) {
    Layer layer;
    layer.id = l + 1;
    layer.name = "m" + std::to_string(l);
    const Vec3i o{kFar - l * 1000000, -kFar + l * 7, l * 100000};
    for (int i = 0; i < 3000; ++i)
      layer.volume.Set({o.x + int32_t(rng() % 40), o.y + int32_t(rng() % 40),
                        o.z + int32_t(rng() % 40)},
                       Rgba{uint8_t(rng()), uint8_t(rng()), uint8_t(l), 255});
    s.layers.push_back(std::move(layer));
  }
  const Scene back = RoundTrip("qb", s);
  ASSERT_EQ(back.layers.size(), s.layers.size());
  for (size_t i = 0; i < s.layers.size(); ++i)
    EXPECT_EQ(Voxels(back.layers[i].volume), Voxels(s.layers[i].volume));
  // One layer spanning more than the reader's 65,536 cells on an axis.
  Scene wide;
  wide.layers.emplace_back();
  wide.layers[0].volume.Set({0, 0, 0}, Rgba{1, 2, 3, 255});
  wide.layers[0].volume.Set({70000, 0, 0}, Rgba{1, 2, 3, 255});
  auto refused = FindFormat("qb")->write(wide, WriteOptions{});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kResourceExhausted);
}

TEST(LimitsRoundTrip, VoxKeepsFarPositionsAndRefusesTooManyModels) {
  // Lossy in colour (a 255-entry palette), exact in positions as far as
  // its reader places models (+-2^24).
  const Scene s = ScatteredScene(3, 3000, 50, 6, (1 << 24) - 4096);
  const Scene back = RoundTrip("vox", s);
  auto positions = [](const Scene& sc) {
    std::set<std::tuple<int, int, int>> out;
    for (const Layer& l : sc.layers)
      l.volume.ForEachVoxel([&](Vec3i p, Rgba) {
        out.insert({p.x, p.y, p.z});
      });
    return out;
  };
  EXPECT_EQ(positions(back), positions(s));
  // One model per occupied 256^3 cell: past the reader's model limit.
  Scene many;
  many.layers.emplace_back();
  for (int i = 0; i <= ReadLimits{}.max_layers; ++i)
    many.layers[0].volume.Set({i * 512, 0, 0}, Rgba{1, 2, 3, 255});
  auto refused = FindFormat("vox")->write(many, WriteOptions{});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kResourceExhausted);
  // Beyond the reach of a model's translation.
  auto far =
      FindFormat("vox")->write(ScatteredScene(1, 10, 3, 7), WriteOptions{});
  ASSERT_FALSE(far.ok());
  EXPECT_EQ(far.status().code(), StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace goxel::voxel::formats
