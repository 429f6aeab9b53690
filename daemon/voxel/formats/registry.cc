// The format table and PNG slices.
#include "voxel/formats/registry.h"

#include <algorithm>
#include <cctype>

#include "voxel/formats/gox.h"
#include "voxel/formats/mesh.h"
#include "voxel/formats/png_codec.h"
#include "voxel/formats/txt.h"
#include "voxel/formats/vox.h"

namespace goxel::voxel::formats {
namespace {

bool EqualsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

const std::vector<FormatInfo>& AllFormats() {
  static const std::vector<FormatInfo> kFormats = {
      {"gox", "Goxel", {"gox"}, ReadGox, WriteGox},
      {"vox", "Magica voxel", {"vox"}, ReadVox, WriteVox},
      {"txt", "Text", {"txt"}, ReadTxt, WriteTxt},
      {"qb", "Qubicle", {"qb"}, ReadQb, WriteQb},
      {"obj", "Wavefront", {"obj"}, nullptr, WriteObj},
      {"ply", "PLY", {"ply"}, nullptr, WritePly},
      {"stl", "STL", {"stl"}, nullptr, WriteStl},
      {"gltf", "glTF", {"gltf"}, nullptr, WriteGltf},
      {"glb", "glTF binary", {"glb"}, nullptr, WriteGlb},
      {"png_slices", "PNG slices", {"png"}, nullptr, WritePngSlices},
  };
  return kFormats;
}

const FormatInfo* FindFormat(std::string_view name) {
  if (!name.empty() && name.front() == '.') name.remove_prefix(1);
  for (const FormatInfo& f : AllFormats()) {
    if (EqualsNoCase(f.name, name) || EqualsNoCase(f.display_name, name)) {
      return &f;
    }
  }
  for (const FormatInfo& f : AllFormats()) {
    for (std::string_view e : f.extensions) {
      if (EqualsNoCase(e, name)) return &f;
    }
  }
  return nullptr;
}

const FormatInfo* FindFormatForPath(std::string_view path) {
  const size_t dot = path.rfind('.');
  const size_t slash = path.rfind('/');
  if (dot == std::string_view::npos ||
      (slash != std::string_view::npos && dot < slash)) {
    return nullptr;
  }
  const std::string_view ext = path.substr(dot + 1);
  for (const FormatInfo& f : AllFormats()) {
    for (std::string_view e : f.extensions) {
      if (EqualsNoCase(e, ext)) return &f;
    }
  }
  return nullptr;
}

Result<std::vector<uint8_t>> WritePngSlices(const Scene& scene,
                                            const WriteOptions& options) {
  const Volume v = FlattenScene(scene, options.visible_only);
  const std::optional<Box> b = v.Bounds();
  if (!b) {
    const uint8_t px[4] = {0, 0, 0, 0};
    return EncodePng(px, 1, 1);
  }
  const int64_t w = int64_t{b->max.x} - b->min.x + 1;
  const int64_t h = int64_t{b->max.y} - b->min.y + 1;
  const int64_t d = int64_t{b->max.z} - b->min.z + 1;
  if (w * d > 65535 || h > 65535 || w * d * h > (int64_t{1} << 28)) {
    return Status::InvalidParams("model too large for PNG slices")
        .With("width", w * d)
        .With("height", h);
  }
  const int iw = static_cast<int>(w * d), ih = static_cast<int>(h);
  std::vector<uint8_t> rgba(static_cast<size_t>(iw) * ih * 4, 0);
  v.ForEachVoxel([&](Vec3i p, Rgba c) {
    const int64_t x = (p.z - b->min.z) * w + (p.x - b->min.x);
    const int64_t y = b->max.y - p.y;
    uint8_t* px = &rgba[(y * iw + x) * 4];
    px[0] = c.r, px[1] = c.g, px[2] = c.b, px[3] = c.a;
  });
  return EncodePng(rgba.data(), iw, ih);
}

}  // namespace goxel::voxel::formats
