// The autosave file: the daemon's own format, made for a fast restore.
//
// Not .gox: no PNG tiles to decode, no block limit of another program. One
// file per project, <project_id>.gxa, little-endian:
//
//   header (48 bytes)  "GXAUTOSV", u32 version (1), u32 flags (bit 0: body
//                      zlib-compressed), u32 meta_len, u32 meta_crc,
//                      u64 body_len (stored), u64 body_raw_len, u32 body_crc
//                      (of the stored bytes), u32 header_crc (of the 44
//                      bytes before it)
//   meta               JSON {project_id, name, file_path, active, saved_ms}
//   body               u32 layers; per layer: i32 id, u8 visible,
//                      f32 opacity, rgba colour, str name, u64 blocks; per
//                      block: i32 x, y, z (its origin), u16 n, then either
//                      n × (u16 index, rgba) (n < 2731) or, with n = 0xFFFF,
//                      the 4096 colours raw; then u32 kept chunks (str
//                      format, str type, str data) and i32 width, height,
//                      depth. str = u32 length + bytes.
//
// Blocks are written from Volume::ForEachVoxel (no compact block is
// decoded) and read through VolumeBuilder (each block made in its final
// form, the trie built once), so the format does not depend on how a Volume
// stores them. Every length is
// checked against what is left; a file that fails a check, a checksum or
// has another version is refused with a message saying which.
//
// Thread contract: pure functions.
#ifndef GOXEL_METHODS_AUTOSAVE_FILE_H_
#define GOXEL_METHODS_AUTOSAVE_FILE_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"
#include "voxel/layer.h"

namespace goxel::methods {

inline constexpr uint32_t kAutosaveVersion = 1;
inline constexpr size_t kAutosaveHeaderBytes = 48;

struct AutosaveMeta {
  std::string project_id;
  std::string name;
  std::string file_path;
  bool active = false;
  int64_t saved_ms = 0;
};

// Encodes `scene` with `meta`; the body is zlib-compressed (fastest level).
Result<std::vector<uint8_t>> EncodeAutosave(const AutosaveMeta& meta,
                                            const voxel::Scene& scene);

// Reads only the header and the meta (from the first bytes of a file).
// kInvalidParams naming what is wrong (magic, version, checksum, length).
Result<AutosaveMeta> DecodeAutosaveMeta(std::span<const uint8_t> bytes);

// Decodes a whole file.
Result<voxel::Scene> DecodeAutosave(std::span<const uint8_t> bytes,
                                    AutosaveMeta* meta);

}  // namespace goxel::methods

#endif  // GOXEL_METHODS_AUTOSAVE_FILE_H_
