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

// What went wrong, independent of the wire. The generic codes are for any
// module. A module with failures of its own (the JSON-RPC protocol's, the
// engine's, the workspace's) declares them as ModuleCode constants in its
// own header, with values in the range reserved for it below. rpc/errors.cc
// gives every code its JSON-RPC number; nothing else knows the numbers.
enum class StatusCode : uint16_t {
  kOk = 0,
  kInvalidParams,      // missing, mistyped, out of range, bad file data
  kInternal,           // a bug or an unexpected failure
  kServerError,        // busy, limits, shutting down
  kFileNotFound,       // a file or directory is absent
  kPermissionDenied,   // path outside the allowed roots, EACCES
  kResourceExhausted,  // voxel caps, memory limit
  kIoError,            // a read or write failed (disk full…)
  // Internal, never on the wire: a call tried on the loop thread found a
  // lock taken and must be run on a worker instead.
  kWouldBlock,
  // The first value of each module's range (256 codes each).
  kRpcCodes = 0x100,      // rpc/errors.h: the JSON-RPC protocol's
  kVoxelCodes = 0x200,    // voxel/status_codes.h: the engine's
  kMethodsCodes = 0x300,  // methods/status_codes.h: projects and their locks
};

// A code a module owns: a value in the module's range and the name logs
// show. It converts to StatusCode, so `s.code() == voxel::kLayerNotFound`
// and `case voxel::kLayerNotFound:` read as for a generic code.
class ModuleCode {
 public:
  constexpr ModuleCode(StatusCode range, uint8_t index, const char* name)
      : code_(static_cast<StatusCode>(static_cast<uint16_t>(range) + index)),
        name_(name) {}
  constexpr operator StatusCode() const { return code_; }  // NOLINT
  constexpr const char* name() const { return name_; }

 private:
  StatusCode code_;
  const char* name_;
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
  // A module's own code: the status keeps its name for ToString().
  static Status Error(ModuleCode code, std::string message);

  static Status InvalidParams(std::string m) {
    return Error(StatusCode::kInvalidParams, std::move(m));
  }
  static Status Internal(std::string m) {
    return Error(StatusCode::kInternal, std::move(m));
  }
  static Status ServerError(std::string m) {
    return Error(StatusCode::kServerError, std::move(m));
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

  // The code's name: "invalid params", "layer not found"; for logs.
  const char* CodeName() const;
  // "invalid params: x must be an integer (param=x)"; for logs and tests.
  std::string ToString() const;

 private:
  struct Rep {
    StatusCode code;
    const char* name;  // a ModuleCode's name; null for a generic code
    std::string message;
    std::vector<DetailField> details;
  };
  std::shared_ptr<Rep> rep_;  // null when OK; copy-on-write in With().
  void Detach();
};

// "key=value, key=value" for detail fields; for logs.
std::string DetailsText(const std::vector<DetailField>& fields);

// The name of a generic code, e.g. "invalid params"; for a module's code
// only its module ("rpc error"): Status::CodeName() knows its own name.
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
