#include "voxel/render/contact_sheet.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <string>

namespace goxel::render {
namespace {

// 5x7 glyphs, one byte per row, bit 4 the leftmost column.
struct Glyph {
  char c;
  uint8_t rows[7];
};
constexpr Glyph kFont[] = {
    {'A', {14, 17, 17, 31, 17, 17, 17}}, {'B', {30, 17, 17, 30, 17, 17, 30}},
    {'C', {14, 17, 16, 16, 16, 17, 14}}, {'D', {30, 17, 17, 17, 17, 17, 30}},
    {'E', {31, 16, 16, 30, 16, 16, 31}}, {'F', {31, 16, 16, 30, 16, 16, 16}},
    {'G', {14, 17, 16, 23, 17, 17, 15}}, {'H', {17, 17, 17, 31, 17, 17, 17}},
    {'I', {14, 4, 4, 4, 4, 4, 14}},      {'J', {7, 2, 2, 2, 2, 18, 12}},
    {'K', {17, 18, 20, 24, 20, 18, 17}}, {'L', {16, 16, 16, 16, 16, 16, 31}},
    {'M', {17, 27, 21, 21, 17, 17, 17}}, {'N', {17, 17, 25, 21, 19, 17, 17}},
    {'O', {14, 17, 17, 17, 17, 17, 14}}, {'P', {30, 17, 17, 30, 16, 16, 16}},
    {'Q', {14, 17, 17, 17, 21, 18, 13}}, {'R', {30, 17, 17, 30, 20, 18, 17}},
    {'S', {15, 16, 16, 14, 1, 1, 30}},   {'T', {31, 4, 4, 4, 4, 4, 4}},
    {'U', {17, 17, 17, 17, 17, 17, 14}}, {'V', {17, 17, 17, 17, 17, 10, 4}},
    {'W', {17, 17, 17, 21, 21, 21, 10}}, {'X', {17, 17, 10, 4, 10, 17, 17}},
    {'Y', {17, 17, 10, 4, 4, 4, 4}},     {'Z', {31, 1, 2, 4, 8, 16, 31}},
    {'0', {14, 17, 19, 21, 25, 17, 14}}, {'1', {4, 12, 4, 4, 4, 4, 14}},
    {'2', {14, 17, 1, 2, 4, 8, 31}},     {'3', {30, 1, 1, 14, 1, 1, 30}},
    {'4', {2, 6, 10, 18, 31, 2, 2}},     {'5', {31, 16, 30, 1, 1, 17, 14}},
    {'6', {6, 8, 16, 30, 17, 17, 14}},   {'7', {31, 1, 2, 4, 8, 8, 8}},
    {'8', {14, 17, 17, 14, 17, 17, 14}}, {'9', {14, 17, 17, 15, 1, 2, 12}},
    {'-', {0, 0, 0, 31, 0, 0, 0}},
};

const Glyph* FindGlyph(char c) {
  c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const Glyph& g : kFont)
    if (g.c == c) return &g;
  return nullptr;
}

void FillRect(Image* im, int x0, int y0, int w, int h, voxel::Rgba c) {
  const int x1 = std::min(im->width, x0 + w), y1 = std::min(im->height, y0 + h);
  for (int y = std::max(0, y0); y < y1; ++y)
    for (int x = std::max(0, x0); x < x1; ++x) {
      uint8_t* p = &im->rgba[(size_t(y) * im->width + x) * 4];
      p[0] = c.r, p[1] = c.g, p[2] = c.b, p[3] = c.a;
    }
}

// Copies `tile` into `sheet` with its top-left corner at (x, y).
void Blit(const Image& tile, int x, int y, Image* sheet) {
  for (int row = 0; row < tile.height; ++row) {
    std::memcpy(&sheet->rgba[(size_t(y + row) * sheet->width + x) * 4],
                &tile.rgba[size_t(row) * tile.width * 4],
                size_t(tile.width) * 4);
  }
}

voxel::Rgba LabelColor(voxel::Rgba bg) {
  const double luma = 0.299 * bg.r + 0.587 * bg.g + 0.114 * bg.b;
  if (bg.a == 0 || luma < 128) return {255, 255, 255, 255};
  return {0, 0, 0, 255};
}

Status TooSmall(const char* param, int got, int needed) {
  return Status::InvalidParams(std::string(param) + " " + std::to_string(got) +
                               " is too small for this many views: each "
                               "tile needs at least " +
                               std::to_string(needed) + " pixels")
      .With("param", std::string(param))
      .With("limit", int64_t{needed});
}

}  // namespace

void DrawText(Image* image, int x, int y, int scale, std::string_view text,
              voxel::Rgba color) {
  for (char ch : text) {
    if (const Glyph* g = FindGlyph(ch)) {
      for (int r = 0; r < 7; ++r)
        for (int c = 0; c < 5; ++c)
          if (g->rows[r] & (16 >> c))
            FillRect(image, x + c * scale, y + r * scale, scale, scale, color);
    }
    x += 6 * scale;
  }
}

Result<Sheet> RenderSheet(const std::vector<const voxel::Volume*>& volumes,
                          const SheetOptions& options) {
  const int n = static_cast<int>(options.views.size());
  if (n < 1 || n > kMaxSheetViews) {
    return Status::InvalidParams("views: give 1 to " +
                                 std::to_string(kMaxSheetViews) + " views")
        .With("param", std::string("views"))
        .With("got", int64_t{n});
  }
  RenderOptions look = options.look;
  look.camera = Camera{};
  GOXEL_RETURN_IF_ERROR(ValidateRenderOptions(look));
  const int cols = static_cast<int>(std::ceil(std::sqrt(double(n))));
  const int rows = (n + cols - 1) / cols;
  const int tile_w = look.width / cols, tile_h = look.height / rows;
  const int scale = std::max(1, std::min(tile_w, tile_h) / 128);
  const int band = options.labels ? 7 * scale + 4 * scale : 0;
  constexpr int kMinPicture = 8;
  if (tile_w < kMinPicture) return TooSmall("width", look.width, kMinPicture);
  if (tile_h - band < kMinPicture)
    return TooSmall("height", look.height, kMinPicture + band);
  const VoxelGrid grid = VoxelGrid::Build(volumes);
  Sheet sheet;
  sheet.image.width = look.width;
  sheet.image.height = look.height;
  sheet.image.rgba.resize(size_t(look.width) * look.height * 4);
  const voxel::Rgba bg = look.background.a ? look.background : voxel::Rgba{};
  FillRect(&sheet.image, 0, 0, look.width, look.height, bg);
  RenderOptions tile = look;
  tile.width = tile_w;
  tile.height = tile_h - band;
  for (int i = 0; i < n; ++i) {
    const CameraPreset view = options.views[i];
    const int x = (i % cols) * tile_w, y = (i / cols) * tile_h;
    tile.camera = FrameBounds(view, options.projection, grid.bounds(),
                              tile.width, tile.height);
    auto image = RenderGrid(grid, tile);
    if (!image.ok()) return image.status();
    Blit(*image, x, y + band, &sheet.image);
    if (options.labels) {
      DrawText(&sheet.image, x + 2 * scale, y + 2 * scale, scale,
               CameraPresetName(view), LabelColor(look.background));
    }
    sheet.tiles.push_back({view, x, y, tile_w, tile_h});
  }
  return sheet;
}

}  // namespace goxel::render
