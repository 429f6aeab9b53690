// Status and Result<T>: errors as values.
//
// A Status is a code, a message a person can read, and an ordered list of
// detail fields that say what and where (the parameter, the limit, the file
// offset). Our code does not throw: functions that can fail return a Status
// or a Result<T>. The rpc/ module maps a Status to a JSON-RPC error object in
// exactly one place (rpc/errors.cc); nothing else knows the numbers.
//
// Thread contract: values; a Status is safe to copy and move across threads.
#ifndef GOXEL_BASE_STATUS_H_
#define GOXEL_BASE_STATUS_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace goxel {

// What went wrong, independent of the wire. rpc/errors.cc gives each its
// JSON-RPC code.
enum class StatusCode {
  kOk = 0,
  kParseError,         // bytes are not JSON                     -32700
  kInvalidRequest,     // JSON, but not a JSON-RPC request       -32600
  kMethodNotFound,     //                                        -32601
  kInvalidParams,      // missing, mistyped, out of range, bad file data -32602
  kInternal,           // a bug or an unexpected failure         -32603
  kServerError,        // busy, limits, shutting down            -32000
  kProjectNotFound,    //                                        -32001
  kLayerNotFound,      //                                        -32002
  kInvalidPosition,    // position or region out of range        -32003
  kFileNotFound,       //                                        -32004
  kPermissionDenied,   // path outside the allowed roots, EACCES -32005
  kResourceExhausted,  // voxel caps, memory limit               -32006
  kConcurrentAccess,   //                                        -32007
  kIoError,            // a read or write failed (disk full…)    -32000
  // Internal, never on the wire: a call tried on the loop thread found a
  // lock taken and must be run on a worker instead.
  kWouldBlock,
};

// A detail value: what `data` in a JSON-RPC error will carry for one key.
using DetailValue =
    std::variant<int64_t, double, bool, std::string, std::vector<std::string>,
                 std::vector<int64_t>>;

struct DetailField {
  std::string key;
  DetailValue value;
};

class [[nodiscard]] Status {
 public:
  // An OK status carries no allocation.
  Status() = default;

  static Status Ok() { return Status(); }
  static Status Error(StatusCode code, std::string message);

  static Status ParseError(std::string m) {
    return Error(StatusCode::kParseError, std::move(m));
  }
  static Status InvalidRequest(std::string m) {
    return Error(StatusCode::kInvalidRequest, std::move(m));
  }
  static Status InvalidParams(std::string m) {
    return Error(StatusCode::kInvalidParams, std::move(m));
  }
  static Status Internal(std::string m) {
    return Error(StatusCode::kInternal, std::move(m));
  }
  static Status ServerError(std::string m) {
    return Error(StatusCode::kServerError, std::move(m));
  }
  static Status NotFound(StatusCode code, std::string m) {
    return Error(code, std::move(m));
  }
  static Status ResourceExhausted(std::string m) {
    return Error(StatusCode::kResourceExhausted, std::move(m));
  }
  static Status IoError(std::string m) {
    return Error(StatusCode::kIoError, std::move(m));
  }

  bool ok() const { return rep_ == nullptr; }
  StatusCode code() const { return rep_ ? rep_->code : StatusCode::kOk; }
  const std::string& message() const;
  const std::vector<DetailField>& details() const;

  // Adds a detail field and returns *this, for chaining:
  //   return Status::InvalidParams("x must be an integer").With("param", "x");
  Status& With(std::string key, DetailValue value) &;
  Status&& With(std::string key, DetailValue value) &&;

  // Looks a detail up by key; nullptr when absent.
  const DetailValue* Find(std::string_view key) const;

  // "invalid params: x must be an integer (param=x)"; for logs and tests.
  std::string ToString() const;

 private:
  struct Rep {
    StatusCode code;
    std::string message;
    std::vector<DetailField> details;
  };
  std::shared_ptr<Rep> rep_;  // null when OK; copy-on-write in With().
  void Detach();
};

// "key=value, key=value" for detail fields; for logs.
std::string DetailsText(const std::vector<DetailField>& fields);

// The name of a code, e.g. "invalid params"; for logs.
const char* StatusCodeName(StatusCode code);

// Either a T or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {}  // NOLINT

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace goxel

// Returns from the calling function when `expr` (a Status) is not OK.
#define GOXEL_RETURN_IF_ERROR(expr)                \
  do {                                             \
    ::goxel::Status goxel_status_ = (expr);        \
    if (!goxel_status_.ok()) return goxel_status_; \
  } while (0)

#endif  // GOXEL_BASE_STATUS_H_
