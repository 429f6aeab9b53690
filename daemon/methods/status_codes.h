// The workspace's own failures, beside base's generic codes and the
// engine's (rpc/errors.cc gives each its JSON-RPC number).
// Thread contract: constants.
#ifndef GOXEL_METHODS_STATUS_CODES_H_
#define GOXEL_METHODS_STATUS_CODES_H_

#include "base/status.h"

namespace goxel::methods {

// No open project has the id asked for.
inline constexpr ModuleCode kProjectNotFound{StatusCode::kMethodsCodes, 1,
                                             "project not found"};
// The project's lock stayed taken past the lock timeout, or the project is
// being restored from its autosave.
inline constexpr ModuleCode kConcurrentAccess{StatusCode::kMethodsCodes, 2,
                                              "concurrent access"};

}  // namespace goxel::methods

#endif  // GOXEL_METHODS_STATUS_CODES_H_
