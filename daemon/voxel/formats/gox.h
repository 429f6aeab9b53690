// Goxel's native .gox format (versions 1 and 2; we write version 2).
//
// Layout: "GOX " + int32 version, then chunks {char[4] type, int32 length,
// data, int32 crc (written as 0, never checked)}. BL16 chunks hold one 16^3
// block each as a 64x64 RGBA PNG whose pixels are the block's voxels in
// BlockIndex order (x + 16*y + 256*z); identical blocks are written once.
// LAYR chunks hold int32 block count, per block {tile index, x, y, z, 0} (the
// block origin; in version 1 the block centre, origin = centre - 8), then a
// dict {int32 key size (0 ends), key, int32 value size, value}.
// IMG, PREV, MATE, CAMR and LIGH chunks are kept as bytes in
// Scene::kept_chunks and written back; unknown chunks are skipped.
//
// Thread contract: pure functions, thread-safe.
#ifndef GOXEL_VOXEL_FORMATS_GOX_H_
#define GOXEL_VOXEL_FORMATS_GOX_H_

#include "voxel/formats/format.h"

namespace goxel::voxel::formats {

// Parses a .gox file. Layers keep name, id, visible and color; clone layers
// (base_id) get a copy of their base layer's voxels (their matrix is not
// applied). Errors: FormatError for malformed bytes, LimitError past limits.
Result<Scene> ReadGox(std::span<const uint8_t> bytes, const ReadLimits& limits);

// Writes `scene` as Goxel 0.10+ writes it: IMG, PREV (when kept), BL16 (unique
// blocks, in first-use order), MATE, LAYR (name, mat, id, base_id, material,
// color, visible), CAMR, LIGH. Never fails for a valid scene.
Result<std::vector<uint8_t>> WriteGox(const Scene& scene,
                                      const WriteOptions& options);

}  // namespace goxel::voxel::formats

#endif  // GOXEL_VOXEL_FORMATS_GOX_H_
