// libFuzzer target for one format reader, chosen at compile time by
// GOXEL_FUZZ_FORMAT ("gox", "vox", "txt", "qb") or GOXEL_FUZZ_PNG.
#include <cstddef>
#include <cstdint>
#include <span>

#include "voxel/formats/png_codec.h"
#include "voxel/formats/registry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> bytes(data, size);
#ifdef GOXEL_FUZZ_PNG
  auto img = goxel::voxel::formats::DecodePng(bytes, 1 << 20);
  (void)img;
#else
  goxel::voxel::formats::ReadLimits limits;
  limits.max_voxels = 1 << 20;  // keep each run small and fast.
  limits.max_blocks = 1 << 10;
  static const auto* format =
      goxel::voxel::formats::FindFormat(GOXEL_FUZZ_FORMAT);
  auto scene = format->read(bytes, limits);
  (void)scene;
#endif
  return 0;
}
