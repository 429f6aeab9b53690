// RenderSheet: tiles, labels, sizes and errors.
#include "voxel/render/contact_sheet.h"

#include <gtest/gtest.h>

namespace goxel::render {
namespace {

constexpr voxel::Rgba kRed{255, 0, 0, 255};

SheetOptions Options(std::vector<CameraPreset> views, int w = 256,
                     int h = 256) {
  SheetOptions o;
  o.views = std::move(views);
  o.look.width = w;
  o.look.height = h;
  o.look.background = {10, 20, 30, 255};
  return o;
}

bool HasColor(const Image& im, int x0, int y0, int x1, int y1, voxel::Rgba c) {
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x)
      if (im.At(x, y) == c) return true;
  return false;
}

// Pixels in the box that are neither background nor label white.
int ModelPixels(const Image& im, int x0, int y0, int x1, int y1) {
  int n = 0;
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x) {
      const voxel::Rgba p = im.At(x, y);
      n += p != voxel::Rgba{10, 20, 30, 255} &&
           p != voxel::Rgba{255, 255, 255, 255};
    }
  return n;
}

TEST(ContactSheet, FourViewsInATwoByTwoGridEachLabelledAndShowingTheModel) {
  voxel::Volume v;
  v.FillBox({{0, 0, 0}, {7, 3, 5}}, kRed);
  auto sheet = RenderSheet(
      {&v}, Options({CameraPreset::kFront, CameraPreset::kRight,
                     CameraPreset::kTop, CameraPreset::kIsometric}));
  ASSERT_TRUE(sheet.ok()) << sheet.status().ToString();
  EXPECT_EQ(sheet->image.width, 256);
  EXPECT_EQ(sheet->image.height, 256);
  ASSERT_EQ(sheet->tiles.size(), 4u);
  EXPECT_EQ(sheet->tiles[3].x, 128);
  EXPECT_EQ(sheet->tiles[3].y, 128);
  for (const SheetTile& t : sheet->tiles) {
    // The label (white on a dark background) in the band at the top.
    EXPECT_TRUE(HasColor(sheet->image, t.x, t.y, t.x + t.width, t.y + 12,
                         {255, 255, 255, 255}))
        << CameraPresetName(t.view);
    EXPECT_GT(
        ModelPixels(sheet->image, t.x, t.y + 12, t.x + t.width, t.y + t.height),
        100)
        << CameraPresetName(t.view);
  }
}

TEST(ContactSheet, LeftoverPixelsAreBackgroundAndLabelsCanBeOff) {
  voxel::Volume v;
  v.Set({0, 0, 0}, kRed);
  SheetOptions o =
      Options({CameraPreset::kFront, CameraPreset::kBack, CameraPreset::kLeft},
              101, 64);
  o.labels = false;
  auto sheet = RenderSheet({&v}, o);
  ASSERT_TRUE(sheet.ok()) << sheet.status().ToString();
  EXPECT_EQ(sheet->tiles[1].width, 50);  // 2 columns of 50, 1 pixel over
  EXPECT_EQ(sheet->image.At(100, 0), (voxel::Rgba{10, 20, 30, 255}));
  EXPECT_FALSE(HasColor(sheet->image, 0, 0, 101, 64, {255, 255, 255, 255}));
}

TEST(ContactSheet, RefusesNoViewsTooManyAndTilesTooSmall) {
  voxel::Volume v;
  EXPECT_EQ(RenderSheet({&v}, Options({})).status().code(),
            StatusCode::kInvalidParams);
  EXPECT_EQ(RenderSheet({&v}, Options(std::vector<CameraPreset>(
                                  17, CameraPreset::kTop)))
                .status()
                .code(),
            StatusCode::kInvalidParams);
  auto small = RenderSheet(
      {&v}, Options({CameraPreset::kTop, CameraPreset::kFront}, 12, 64));
  ASSERT_FALSE(small.ok());
  EXPECT_EQ(*std::get_if<std::string>(small.status().Find("param")), "width");
}

TEST(ContactSheet, DrawTextPaintsGlyphPixels) {
  Image im;
  im.width = 40;
  im.height = 10;
  im.rgba.assign(40 * 10 * 4, 0);
  DrawText(&im, 0, 0, 1, "T-1", kRed);
  EXPECT_EQ(im.At(0, 0), kRed);  // T's top bar
  EXPECT_EQ(im.At(2, 6), kRed);  // T's stem
  EXPECT_EQ(im.At(0, 6), (voxel::Rgba{}));
  EXPECT_EQ(im.At(6, 3), kRed);  // '-'
}

}  // namespace
}  // namespace goxel::render
