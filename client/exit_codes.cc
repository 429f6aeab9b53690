#include "client/exit_codes.h"

#include <variant>

namespace goxel::client {

Status Fail(ExitCode code, std::string message) {
  StatusCode sc = StatusCode::kServerError;
  if (code == kExitUsage) sc = StatusCode::kInvalidParams;
  return Status::Error(sc, std::move(message)).With("exit_code", int64_t{code});
}

int ExitCodeOf(const Status& status) {
  if (status.ok()) return kExitOk;
  const DetailValue* v = status.Find("exit_code");
  if (v && std::holds_alternative<int64_t>(*v)) {
    return static_cast<int>(std::get<int64_t>(*v));
  }
  return kExitRpcError;
}

}  // namespace goxel::client
