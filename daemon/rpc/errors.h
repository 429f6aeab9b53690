// The one place where a Status becomes a JSON-RPC error code.
// Thread contract: stateless; thread-safe.
#ifndef GOXEL_RPC_ERRORS_H_
#define GOXEL_RPC_ERRORS_H_

#include "base/status.h"

namespace goxel::rpc {

inline constexpr int kParseErrorCode = -32700;
inline constexpr int kInvalidRequestCode = -32600;
inline constexpr int kMethodNotFoundCode = -32601;
inline constexpr int kInvalidParamsCode = -32602;
inline constexpr int kInternalErrorCode = -32603;
inline constexpr int kServerErrorCode = -32000;

// The JSON-RPC error code for a (non-OK) status code.
int ErrorCodeFor(StatusCode code);

}  // namespace goxel::rpc

#endif  // GOXEL_RPC_ERRORS_H_
