// Types shared by every file format: read limits, write options, and the
// signatures of readers and writers. See registry.h for the table of formats.
//
// Readers take bytes and writers return bytes: no file I/O happens here.
// Thread contract: every reader and writer is a pure function of its
// arguments and is safe to call from several threads at once.
#ifndef GOXEL_VOXEL_FORMATS_FORMAT_H_
#define GOXEL_VOXEL_FORMATS_FORMAT_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"
#include "voxel/layer.h"

namespace goxel::voxel::formats {

// Caps a reader enforces before allocating. A file that claims (or holds)
// more is refused with kResourceExhausted (limits) or kInvalidParams (claims
// larger than the bytes present).
struct ReadLimits {
  int64_t max_voxels = int64_t{64} << 20;  // total over all layers.
  int64_t max_bytes = int64_t{512} << 20;  // input size.
  int32_t max_layers = 4096;
  // 16^3 blocks (16 KiB each once decoded): what bounds memory, since a few
  // voxels scattered far apart each cost a whole block.
  int64_t max_blocks = int64_t{1} << 16;
};

// The limits the daemon reads with: no count below what the engine can hold
// (the memory limit bounds a read as it decodes, voxel::MemoryBudget); only
// claims no engine could hold (2^40 voxels, 2^30 blocks) are refused up
// front. Every file a writer here produces reads back under these.
ReadLimits EngineReadLimits();

// Options for writers; each writer uses the ones that mean something to it.
struct WriteOptions {
  float scale = 1.0f;          // mesh exports: size of one voxel.
  bool merge_vertices = true;  // mesh exports: share identical vertices.
  bool optimize_mesh = true;   // mesh exports: greedy-merge coplanar faces.
  bool ascii = false;          // ply: ASCII instead of binary.
  bool visible_only = true;    // single-volume exports: skip hidden layers.
};

using ReadFn = Result<Scene> (*)(std::span<const uint8_t> bytes,
                                 const ReadLimits& limits);
using WriteFn = Result<std::vector<uint8_t>> (*)(const Scene& scene,
                                                 const WriteOptions& options);

// The error every reader returns for bad bytes: kInvalidParams with details
// {format, offset, reason}.
Status FormatError(const char* format, int64_t offset, std::string reason);

// The error for a file that exceeds ReadLimits: kResourceExhausted with
// details {format, offset, reason, limit}.
Status LimitError(const char* format, int64_t offset, std::string reason,
                  int64_t limit);

// The error for a project a format cannot hold (checked by writers before
// writing anything, so that every file written reads back with the default
// ReadLimits): kResourceExhausted with details {format, reason, limit}.
Status CannotHold(const char* format, std::string reason, int64_t limit);

// Layer count check shared by the layered writers: more layers than
// ReadLimits{}.max_layers is CannotHold.
Status CheckLayerCount(const char* format, size_t layers);

// Merges the layers of `scene` (visible ones only when visible_only) into one
// volume, later layers over earlier ones: what single-volume exports write.
Volume FlattenScene(const Scene& scene, bool visible_only);

}  // namespace goxel::voxel::formats

#endif  // GOXEL_VOXEL_FORMATS_FORMAT_H_
