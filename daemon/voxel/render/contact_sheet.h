// Contact sheets: several labelled views of the same voxels in one picture,
// so an agent (or a person) sees a model from every side at once.
//
// The views are laid out in a grid of ceil(sqrt(n)) columns, left to right
// then top to bottom, each tile width/columns x height/rows pixels. A tile
// shows its view's name (e.g. "FRONT") in a band along its top, drawn with a
// built-in 5x7 pixel font in black or white, whichever contrasts with the
// background; the view is framed (camera.h FrameBounds) in the rest of the
// tile. Pixels left over by the division show the background.
//
// Thread contract: a pure function of its inputs, like Render().
#ifndef GOXEL_VOXEL_RENDER_CONTACT_SHEET_H_
#define GOXEL_VOXEL_RENDER_CONTACT_SHEET_H_

#include <vector>

#include "base/status.h"
#include "voxel/render/renderer.h"

namespace goxel::render {

inline constexpr int kMaxSheetViews = 16;

struct SheetOptions {
  // Everything but the camera and the size applies to every tile; width
  // and height are the whole sheet's.
  RenderOptions look;
  std::vector<CameraPreset> views;  // 1..kMaxSheetViews
  Projection projection = Projection::kOrthographic;
  bool labels = true;
};

// Where one view landed in the sheet (the tile, label band included).
struct SheetTile {
  CameraPreset view;
  int x = 0, y = 0, width = 0, height = 0;
};

struct Sheet {
  Image image;
  std::vector<SheetTile> tiles;
};

// Renders the views of `volumes` (bottom first, as Render()). Errors:
// InvalidParams naming "views" (none, or more than kMaxSheetViews), or
// "width"/"height" when a tile would be smaller than 8 pixels of picture;
// those of ValidateRenderOptions.
Result<Sheet> RenderSheet(const std::vector<const voxel::Volume*>& volumes,
                          const SheetOptions& options);

// Draws `text` (A-Z, a-z shown as capitals, digits, space and '-'; other
// characters as spaces) at (x, y) with each font pixel a scale x scale
// square, clipped to the image. For labels.
void DrawText(Image* image, int x, int y, int scale, std::string_view text,
              voxel::Rgba color);

}  // namespace goxel::render

#endif  // GOXEL_VOXEL_RENDER_CONTACT_SHEET_H_
