// .txt reader and writer.
#include "voxel/formats/txt.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <string_view>
#include <tuple>

namespace goxel::voxel::formats {
namespace {

constexpr char kFormat[] = "txt";

bool ParseInt(std::string_view& s, int32_t* v) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
  if (ec != std::errc()) return false;
  s.remove_prefix(p - s.data());
  return true;
}

bool ParseColor(std::string_view& s, Rgba* c) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  uint32_t v = 0;
  if (s.size() < 6) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + 6, v, 16);
  if (ec != std::errc() || p != s.data() + 6) return false;
  s.remove_prefix(6);
  *c = {static_cast<uint8_t>(v >> 16), static_cast<uint8_t>(v >> 8),
        static_cast<uint8_t>(v), 255};
  return true;
}

bool OnlySpace(std::string_view s) {
  return s.find_first_not_of(" \t\r") == std::string_view::npos;
}

}  // namespace

Result<Scene> ReadTxt(std::span<const uint8_t> bytes,
                      const ReadLimits& limits) {
  if (static_cast<int64_t>(bytes.size()) > limits.max_bytes) {
    return LimitError(kFormat, 0, "file too large", limits.max_bytes);
  }
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()),
                              bytes.size());
  Layer layer;
  layer.id = 1;
  layer.name = "Layer 1";
  int64_t voxels = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    const int64_t at = static_cast<int64_t>(pos);
    pos = end + 1;
    if (OnlySpace(line) || line.find_first_not_of(" \t") == line.find('#')) {
      continue;
    }
    Vec3i p;
    Rgba c;
    if (!ParseInt(line, &p.x) || !ParseInt(line, &p.y) ||
        !ParseInt(line, &p.z) || !ParseColor(line, &c) || !OnlySpace(line)) {
      return FormatError(kFormat, at, "expected \"X Y Z RRGGBB\"");
    }
    if (++voxels > limits.max_voxels) {
      return LimitError(kFormat, at, "too many voxels", limits.max_voxels);
    }
    layer.volume.Set(p, c);
    if ((voxels & 0xfff) == 0 &&
        static_cast<int64_t>(layer.volume.BlockCount()) > limits.max_blocks) {
      return LimitError(kFormat, at, "too many blocks", limits.max_blocks);
    }
  }
  if (static_cast<int64_t>(layer.volume.BlockCount()) > limits.max_blocks) {
    return LimitError(kFormat, 0, "too many blocks", limits.max_blocks);
  }
  Scene scene;
  scene.layers.push_back(std::move(layer));
  return scene;
}

Result<std::vector<uint8_t>> WriteTxt(const Scene& scene,
                                      const WriteOptions& options) {
  const Volume v = FlattenScene(scene, options.visible_only);
  std::vector<std::pair<Vec3i, Rgba>> voxels;
  voxels.reserve(static_cast<size_t>(v.CountVoxels()));
  v.ForEachVoxel([&](Vec3i p, Rgba c) { voxels.push_back({p, c}); });
  std::sort(voxels.begin(), voxels.end(), [](const auto& a, const auto& b) {
    return std::tie(a.first.z, a.first.y, a.first.x) <
           std::tie(b.first.z, b.first.y, b.first.x);
  });
  std::string out = "# Goxel daemon\n# One line per voxel\n# X Y Z RRGGBB\n";
  char line[64];
  for (const auto& [p, c] : voxels) {
    const int n = std::snprintf(line, sizeof(line), "%d %d %d %02x%02x%02x\n",
                                p.x, p.y, p.z, c.r, c.g, c.b);
    out.append(line, n);
  }
  return std::vector<uint8_t>(out.begin(), out.end());
}

}  // namespace goxel::voxel::formats
