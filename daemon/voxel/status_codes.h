// The engine's own failures, beside base's generic codes (rpc/errors.cc
// gives each its JSON-RPC number).
// Thread contract: constants.
#ifndef GOXEL_VOXEL_STATUS_CODES_H_
#define GOXEL_VOXEL_STATUS_CODES_H_

#include "base/status.h"

namespace goxel::voxel {

// No layer has the id or name asked for.
inline constexpr ModuleCode kLayerNotFound{StatusCode::kVoxelCodes, 1,
                                           "layer not found"};
// A position or region outside the int32 grid or the volume's bounds.
inline constexpr ModuleCode kInvalidPosition{StatusCode::kVoxelCodes, 2,
                                             "invalid position"};

}  // namespace goxel::voxel

#endif  // GOXEL_VOXEL_STATUS_CODES_H_
