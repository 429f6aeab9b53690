// Colour quantisation for palette formats (.vox). Internal to goxel_formats.
//
// Thread contract: pure functions, thread-safe.
#ifndef GOXEL_VOXEL_FORMATS_PALETTE_H_
#define GOXEL_VOXEL_FORMATS_PALETTE_H_

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "voxel/volume.h"

namespace goxel::voxel::formats {

// Packs an opaque colour's r, g, b into 24 bits (alpha is ignored).
inline uint32_t PackRgb(Rgba c) {
  return uint32_t{c.r} | uint32_t{c.g} << 8 | uint32_t{c.b} << 16;
}

// A palette of at most `max_colors` colours and, for every input colour, the
// index of the palette entry that stands for it.
struct Quantized {
  std::vector<Rgba> palette;
  std::unordered_map<uint32_t, int> index_of;  // PackRgb(colour) -> index.
};

// Builds a palette for `histogram` (PackRgb(colour) -> voxel count). With at
// most max_colors distinct colours the palette is exact; otherwise median cut
// (split the box with the widest channel range at its weighted median) and
// each box's weighted mean colour.
Quantized QuantizeColors(const std::unordered_map<uint32_t, int64_t>& histogram,
                         int max_colors);

}  // namespace goxel::voxel::formats

#endif  // GOXEL_VOXEL_FORMATS_PALETTE_H_
