// MagicaVoxel .vox (RIFF-style chunks; version 150 and the 0.99+ scene graph).
//
// Axis mapping: MagicaVoxel and Goxel are both z-up and right-handed, so a
// voxel keeps its x, y, z (as Goxel's own vox import does). A model's voxel at
// local p (0 <= p < size) lands at world T + R * (p - size/2) (integer
// division), where T and R compose the nTRN translations and rotations from
// the root down. Files without a scene graph put every model at its local
// coordinates (T = size/2, R = identity), one layer per model.
//
// Thread contract: pure functions, thread-safe.
#ifndef GOXEL_VOXEL_FORMATS_VOX_H_
#define GOXEL_VOXEL_FORMATS_VOX_H_

#include "voxel/formats/format.h"

namespace goxel::voxel::formats {

// Parses a .vox file: one layer per shape instance (frame 0 only), named
// after its nTRN "_name" (or "model N"), hidden when the nTRN or its vox
// layer says "_hidden". Consecutive shapes under one group whose transforms
// carry the same non-empty name are merged into one layer (this is how
// WriteVox stores a layer larger than 256 voxels on an axis). Without an RGBA
// chunk the default palette applies; voxels are opaque. Errors: FormatError
// for malformed bytes, LimitError past limits.
Result<Scene> ReadVox(std::span<const uint8_t> bytes, const ReadLimits& limits);

// Writes one model per non-empty layer (split into models of at most 256 per
// axis), one palette (median-cut quantised to 255 colours when the scene has
// more) and a scene graph (root nTRN, nGRP, then nTRN + nSHP per model) that
// places each model where its voxels were. Empty layers are not written.
Result<std::vector<uint8_t>> WriteVox(const Scene& scene,
                                      const WriteOptions& options);

}  // namespace goxel::voxel::formats

#endif  // GOXEL_VOXEL_FORMATS_VOX_H_
