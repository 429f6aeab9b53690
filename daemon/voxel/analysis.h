// Analysis: what changed between two volumes, which voxels hang together,
// and which colours a volume uses. For agents checking their own work
// (goxel.analyze) and for edit summaries (goxel.edit's dry_run).
//
// Thread contract: pure functions of their inputs; the volumes are only read
// (pass copy-on-write snapshots when others may edit the originals).
#ifndef GOXEL_VOXEL_ANALYSIS_H_
#define GOXEL_VOXEL_ANALYSIS_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "base/status.h"
#include "voxel/volume.h"

namespace goxel::voxel {

// The cells whose colour differs between `before` and `after`.
struct VolumeDiff {
  int64_t added = 0;          // empty before, filled after
  int64_t removed = 0;        // filled before, empty after
  int64_t recolored = 0;      // filled in both, another colour
  std::optional<Box> bounds;  // tight bounds of every changed cell
  int64_t changed() const { return added + removed + recolored; }
};

// Compares two volumes block by block. Blocks the two share (an unedited
// copy-on-write block) are skipped in O(1), so the cost is O(blocks) plus
// O(voxels) of the blocks that differ.
VolumeDiff DiffVolumes(const Volume& before, const Volume& after);

// One set of voxels connected through faces (6-connectivity), edges (18)
// or corners (26).
struct Component {
  int64_t count = 0;
  Box bounds;
  Vec3i first;  // its smallest voxel by (x, y, z): a sample position
};

// Every connected component of `volume`, largest first (ties: by `first`,
// x then y then z, so the order is deterministic). `connectivity` is 6, 18
// or 26 (kInvalidParams otherwise). Cost O(voxels); kResourceExhausted
// (detail "limit") before any work when the volume holds more than
// `max_voxels`.
Result<std::vector<Component>> ConnectedComponents(const Volume& volume,
                                                   int connectivity,
                                                   int64_t max_voxels);

using ColorCount = ColorTally;
// The colours of `volume` with their counts, most common first (ties: by
// colour value). From Volume::Colors(): O(colours log colours) once the
// volume's version has been counted.
std::vector<ColorCount> CountColorsOf(const Volume& volume);

// The union of two optional boxes.
std::optional<Box> UnionBox(const std::optional<Box>& a,
                            const std::optional<Box>& b);

}  // namespace goxel::voxel

#endif  // GOXEL_VOXEL_ANALYSIS_H_
