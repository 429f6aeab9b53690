// PNG encoding and decoding through libpng, for .gox tiles, PNG slices and the
// renderer's output.
//
// Thread contract: thread-safe (no shared state; every call uses its own
// libpng structures).
#ifndef GOXEL_VOXEL_FORMATS_PNG_CODEC_H_
#define GOXEL_VOXEL_FORMATS_PNG_CODEC_H_

#include <cstdint>
#include <span>
#include <vector>

#include "base/status.h"

namespace goxel::voxel::formats {

// A decoded image: w*h pixels, 4 bytes each (RGBA, 8 bits per channel), rows
// top to bottom.
struct PngImage {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> rgba;
};

// Encodes w*h RGBA pixels (rows top to bottom, 4*w bytes per row) as an
// 8-bit RGBA PNG. `fast` trades file size for speed (libpng's
// PNG_IMAGE_FLAG_FAST: cheaper filtering and compression). Errors:
// kInvalidParams when w or h is not positive or too large (> 65535), kInternal
// when libpng fails.
Result<std::vector<uint8_t>> EncodePng(const uint8_t* rgba, int w, int h,
                                       bool fast = false);

// Decodes any PNG (palette, grey, 16-bit, interlaced...) into 8-bit RGBA.
// Refuses, before allocating pixels, an image whose width*height exceeds
// `max_pixels`. Errors: kInvalidParams with details {format: "png", offset,
// reason} for bytes that are not a valid PNG, kResourceExhausted when the
// image is larger than max_pixels.
Result<PngImage> DecodePng(std::span<const uint8_t> bytes, int64_t max_pixels);

}  // namespace goxel::voxel::formats

#endif  // GOXEL_VOXEL_FORMATS_PNG_CODEC_H_
