// The JSON-RPC protocol's own codes, and the one place where a status code
// becomes a JSON-RPC error number.
// Thread contract: constants and a stateless function; thread-safe.
#ifndef GOXEL_RPC_ERRORS_H_
#define GOXEL_RPC_ERRORS_H_

#include "base/status.h"

namespace goxel::rpc {

// Bytes that are not JSON.
inline constexpr ModuleCode kParseError{StatusCode::kRpcCodes, 1,
                                        "parse error"};
// JSON, but not a JSON-RPC request (or nested too deep, too large).
inline constexpr ModuleCode kInvalidRequest{StatusCode::kRpcCodes, 2,
                                            "invalid request"};
inline constexpr ModuleCode kMethodNotFound{StatusCode::kRpcCodes, 3,
                                            "method not found"};

// The JSON-RPC error code for a (non-OK) status code: generic, the
// protocol's above, or another module's (voxel/status_codes.h,
// methods/status_codes.h).
int ErrorCodeFor(StatusCode code);

}  // namespace goxel::rpc

#endif  // GOXEL_RPC_ERRORS_H_
