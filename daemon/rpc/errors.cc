#include "rpc/errors.h"

namespace goxel::rpc {

int ErrorCodeFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 0;
    case StatusCode::kParseError:
      return kParseErrorCode;
    case StatusCode::kInvalidRequest:
      return kInvalidRequestCode;
    case StatusCode::kMethodNotFound:
      return kMethodNotFoundCode;
    case StatusCode::kInvalidParams:
      return kInvalidParamsCode;
    case StatusCode::kInternal:
      return kInternalErrorCode;
    case StatusCode::kServerError:
      return kServerErrorCode;
    case StatusCode::kProjectNotFound:
      return -32001;
    case StatusCode::kLayerNotFound:
      return -32002;
    case StatusCode::kInvalidPosition:
      return -32003;
    case StatusCode::kFileNotFound:
      return -32004;
    case StatusCode::kPermissionDenied:
      return -32005;
    case StatusCode::kResourceExhausted:
      return -32006;
    case StatusCode::kConcurrentAccess:
      return -32007;
    case StatusCode::kIoError:
    case StatusCode::kWouldBlock:  // never sent: the request is re-run
      return kServerErrorCode;
  }
  return kInternalErrorCode;
}

}  // namespace goxel::rpc
