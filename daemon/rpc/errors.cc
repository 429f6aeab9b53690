#include "rpc/errors.h"

namespace goxel::rpc {

namespace {

constexpr uint16_t V(StatusCode code) { return static_cast<uint16_t>(code); }

// A code of a module rpc/ does not include (it sits beside or above rpc/),
// by value, as its ModuleCode constant defines it; tests/rpc/errors_test.cc
// checks each constant against this table.
constexpr uint16_t V(StatusCode range, uint16_t index) {
  return V(range) + index;
}

}  // namespace

int ErrorCodeFor(StatusCode code) {
  switch (V(code)) {  // by value: module codes are not enumerators
    case V(StatusCode::kOk):
      return 0;
    case V(kParseError):
      return -32700;
    case V(kInvalidRequest):
      return -32600;
    case V(kMethodNotFound):
      return -32601;
    case V(StatusCode::kInvalidParams):
      return -32602;
    case V(StatusCode::kInternal):
      return -32603;
    case V(StatusCode::kServerError):
    case V(StatusCode::kIoError):
    case V(StatusCode::kWouldBlock):  // never sent: the request is re-run
      return -32000;
    case V(StatusCode::kMethodsCodes, 1):  // methods::kProjectNotFound
      return -32001;
    case V(StatusCode::kVoxelCodes, 1):  // voxel::kLayerNotFound
      return -32002;
    case V(StatusCode::kVoxelCodes, 2):  // voxel::kInvalidPosition
      return -32003;
    case V(StatusCode::kFileNotFound):
      return -32004;
    case V(StatusCode::kPermissionDenied):
      return -32005;
    case V(StatusCode::kResourceExhausted):
      return -32006;
    case V(StatusCode::kMethodsCodes, 2):  // methods::kConcurrentAccess
      return -32007;
    default:
      return -32603;  // a code nobody defined: a bug
  }
}

}  // namespace goxel::rpc
