// Shared helpers of the formats: error construction and flattening.
#include "voxel/formats/format.h"

namespace goxel::voxel::formats {

Status FormatError(const char* format, int64_t offset, std::string reason) {
  std::string msg = std::string("invalid ") + format + " file at offset " +
                    std::to_string(offset) + ": " + reason;
  return Status::InvalidParams(std::move(msg))
      .With("format", std::string(format))
      .With("offset", offset)
      .With("reason", std::move(reason));
}

Status LimitError(const char* format, int64_t offset, std::string reason,
                  int64_t limit) {
  std::string msg = std::string(format) + " file exceeds a limit: " + reason +
                    " (limit " + std::to_string(limit) + ")";
  return Status::ResourceExhausted(std::move(msg))
      .With("format", std::string(format))
      .With("offset", offset)
      .With("reason", std::move(reason))
      .With("limit", limit);
}

ReadLimits EngineReadLimits() {
  ReadLimits l;
  l.max_voxels = int64_t{1} << 40;
  l.max_blocks = int64_t{1} << 30;
  return l;
}

Status CannotHold(const char* format, std::string reason, int64_t limit) {
  std::string msg = std::string("cannot write a ") + format +
                    " file: " + reason + " (the format's limit is " +
                    std::to_string(limit) +
                    "); nothing was written. Use the gox format, which holds "
                    "any project";
  return Status::ResourceExhausted(std::move(msg))
      .With("format", std::string(format))
      .With("reason", std::move(reason))
      .With("limit", limit);
}

Status CheckLayerCount(const char* format, size_t layers) {
  const int64_t limit = ReadLimits{}.max_layers;
  if (static_cast<int64_t>(layers) <= limit) return Status::Ok();
  return CannotHold(format, std::to_string(layers) + " layers", limit);
}

Volume FlattenScene(const Scene& scene, bool visible_only) {
  const Layer* only = nullptr;
  int used = 0;
  for (const Layer& l : scene.layers) {
    if (visible_only && !l.visible) continue;
    only = &l;
    ++used;
  }
  if (used == 1) return only->volume;  // O(1) copy-on-write share.
  Volume out;
  for (const Layer& l : scene.layers) {
    if (visible_only && !l.visible) continue;
    l.volume.ForEachVoxel([&](Vec3i p, Rgba c) { out.Set(p, c); });
  }
  return out;
}

}  // namespace goxel::voxel::formats
