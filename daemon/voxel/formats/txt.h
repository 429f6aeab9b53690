// Plain-text voxels: one "X Y Z RRGGBB" line per voxel, '#' starts a comment
// line. Goxel's txt export, in Goxel's axes (z up).
//
// Thread contract: pure functions, thread-safe.
#ifndef GOXEL_VOXEL_FORMATS_TXT_H_
#define GOXEL_VOXEL_FORMATS_TXT_H_

#include "voxel/formats/format.h"

namespace goxel::voxel::formats {

// Reads every voxel line into one layer "Layer 1". Blank lines and lines
// starting with '#' are skipped; anything else malformed is a FormatError
// with the line's byte offset.
Result<Scene> ReadTxt(std::span<const uint8_t> bytes, const ReadLimits& limits);

// Writes the flattened scene (visible layers unless options.visible_only is
// false), sorted by z, y, x, after Goxel's three comment lines.
Result<std::vector<uint8_t>> WriteTxt(const Scene& scene,
                                      const WriteOptions& options);

// Qubicle .qb (binary, version 1.1). Reads RGBA and BGRA, compressed (RLE)
// and not, left- and right-handed files, one layer per matrix, mapping
// Qubicle's (x, y, z) to Goxel's (x, z, y) like Goxel (left-handed files
// negate the new y). Writes like Goxel: right-handed, RGBA, uncompressed, one
// matrix per non-empty layer with its tight bounds.
Result<Scene> ReadQb(std::span<const uint8_t> bytes, const ReadLimits& limits);
Result<std::vector<uint8_t>> WriteQb(const Scene& scene,
                                     const WriteOptions& options);

}  // namespace goxel::voxel::formats

#endif  // GOXEL_VOXEL_FORMATS_TXT_H_
