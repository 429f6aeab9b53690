// Layer: one named volume of a project, and what file formats read and write.
//
// Thread contract: a value type; not thread-safe. Copying a Layer is cheap
// (the Volume inside shares its blocks copy-on-write).
#ifndef GOXEL_VOXEL_LAYER_H_
#define GOXEL_VOXEL_LAYER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "voxel/volume.h"

namespace goxel::voxel {

struct Layer {
  int32_t id = 0;    // unique within a project; 0 is never used.
  std::string name;  // "Layer 1", "background", …
  bool visible = true;
  float opacity = 1.0f;  // 0..1, informational (Goxel has none).
  Rgba color{255, 255, 255,
             255};  // the layer's tint in the UI (Goxel "color").
  Volume volume;
};

// A chunk of a file kept as bytes so that saving back to the same format
// writes it again (a .gox camera, light, materials, preview). Added by the
// formats engineer; other code may ignore it.
struct KeptChunk {
  std::string format;         // short format name, e.g. "gox".
  std::string type;           // the chunk's tag, e.g. "CAMR".
  std::vector<uint8_t> data;  // the chunk's payload.
};

// What a file holds: layers (in order, bottom first) and what else a format
// carries that we keep. Formats read into and write from this; Project builds
// from it and exports to it.
struct Scene {
  std::vector<Layer> layers;
  // Canvas size when the file says one (informational; 0 when unknown).
  int32_t width = 0, height = 0, depth = 0;
  // Chunks kept from the file read, written back by the same format.
  std::vector<KeptChunk> kept_chunks;
};

}  // namespace goxel::voxel

#endif  // GOXEL_VOXEL_LAYER_H_
