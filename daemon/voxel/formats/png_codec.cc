// PNG through libpng's simplified API (png_image), which reports errors
// through return values instead of longjmp, so no C++ frame is ever skipped.
#include "voxel/formats/png_codec.h"

#include <png.h>

#include <cstring>
#include <string>

namespace goxel::voxel::formats {
namespace {

constexpr int kMaxSide = 65535;

Status PngError(const png_image& image, std::string reason) {
  std::string msg = image.message[0] ? std::string(image.message) : reason;
  return Status::InvalidParams("invalid PNG data: " + msg)
      .With("format", "png")
      .With("offset", int64_t{0})
      .With("reason", msg);
}

}  // namespace

Result<std::vector<uint8_t>> EncodePng(const uint8_t* rgba, int w, int h,
                                       bool fast) {
  if (w <= 0 || h <= 0 || w > kMaxSide || h > kMaxSide || rgba == nullptr) {
    return Status::InvalidParams("PNG size out of range")
        .With("width", int64_t{w})
        .With("height", int64_t{h});
  }
  png_image image;
  std::memset(&image, 0, sizeof(image));
  image.version = PNG_IMAGE_VERSION;
  image.width = static_cast<png_uint_32>(w);
  image.height = static_cast<png_uint_32>(h);
  image.format = PNG_FORMAT_RGBA;
  image.flags = fast ? PNG_IMAGE_FLAG_FAST : 0;
  png_alloc_size_t size = 0;
  // First pass computes the size; second pass writes.
  if (!png_image_write_to_memory(&image, nullptr, &size, 0, rgba, 0, nullptr)) {
    std::string msg = image.message;
    png_image_free(&image);
    return Status::Internal("PNG encoding failed: " + msg);
  }
  std::vector<uint8_t> out(size);
  if (!png_image_write_to_memory(&image, out.data(), &size, 0, rgba, 0,
                                 nullptr)) {
    std::string msg = image.message;
    png_image_free(&image);
    return Status::Internal("PNG encoding failed: " + msg);
  }
  out.resize(size);
  return out;
}

Result<PngImage> DecodePng(std::span<const uint8_t> bytes, int64_t max_pixels) {
  png_image image;
  std::memset(&image, 0, sizeof(image));
  image.version = PNG_IMAGE_VERSION;
  if (bytes.size() < 8 || png_sig_cmp(bytes.data(), 0, 8) != 0) {
    return Status::InvalidParams("invalid PNG data: bad signature")
        .With("format", "png")
        .With("offset", int64_t{0})
        .With("reason", "bad signature");
  }
  if (!png_image_begin_read_from_memory(&image, bytes.data(), bytes.size())) {
    Status s = PngError(image, "bad header");
    png_image_free(&image);
    return s;
  }
  const int64_t pixels = int64_t{image.width} * image.height;
  if (pixels > max_pixels) {
    png_image_free(&image);
    return Status::ResourceExhausted("PNG image too large")
        .With("format", "png")
        .With("pixels", pixels)
        .With("max_pixels", max_pixels);
  }
  image.format = PNG_FORMAT_RGBA;
  PngImage out;
  out.width = static_cast<int>(image.width);
  out.height = static_cast<int>(image.height);
  out.rgba.resize(PNG_IMAGE_SIZE(image));
  if (!png_image_finish_read(&image, nullptr, out.rgba.data(), 0, nullptr)) {
    Status s = PngError(image, "bad image data");
    png_image_free(&image);
    return s;
  }
  return out;
}

}  // namespace goxel::voxel::formats
