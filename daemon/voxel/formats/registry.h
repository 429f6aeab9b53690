// The table of file formats: one row per format, read by load/save/export,
// list_formats and the docs.
//
// Thread contract: the table is immutable; every function is thread-safe.
#ifndef GOXEL_VOXEL_FORMATS_REGISTRY_H_
#define GOXEL_VOXEL_FORMATS_REGISTRY_H_

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "voxel/formats/format.h"

namespace goxel::voxel::formats {

struct FormatInfo {
  std::string_view name;          // short name: "gox", "vox", "obj", ...
  std::string_view display_name;  // Goxel's: "Goxel", "Magica voxel", ...
  std::vector<std::string_view> extensions;  // without the dot, lower case.
  ReadFn read = nullptr;    // null when the format cannot be read.
  WriteFn write = nullptr;  // null when it cannot be written.
  bool can_read() const { return read != nullptr; }
  bool can_write() const { return write != nullptr; }
};

// Every format, in a stable order (gox first).
const std::vector<FormatInfo>& AllFormats();

// Finds a format by short name, display name (both case-insensitive) or file
// extension (with or without the leading dot); nullptr when none matches.
const FormatInfo* FindFormat(std::string_view name);

// Finds a format by the extension of `path` ("a/b.VOX" -> vox); nullptr when
// the path has no known extension.
const FormatInfo* FindFormatForPath(std::string_view path);

// PNG slices (write only): the flattened scene's bounding box cut into z
// slices of w x h pixels, laid side by side left to right (lowest z first),
// image row 0 = highest y. Empty scenes give a 1x1 transparent image.
Result<std::vector<uint8_t>> WritePngSlices(const Scene& scene,
                                            const WriteOptions& options);

}  // namespace goxel::voxel::formats

#endif  // GOXEL_VOXEL_FORMATS_REGISTRY_H_
