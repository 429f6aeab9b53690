#include "base/status.h"

namespace goxel {

namespace {
const std::string& EmptyString() {
  static const std::string* empty = new std::string();
  return *empty;
}
const std::vector<DetailField>& EmptyDetails() {
  static const std::vector<DetailField>* empty = new std::vector<DetailField>();
  return *empty;
}
}  // namespace

Status Status::Error(StatusCode code, std::string message) {
  Status s;
  if (code == StatusCode::kOk) return s;
  s.rep_ = std::make_shared<Rep>(Rep{code, nullptr, std::move(message), {}});
  return s;
}

Status Status::Error(ModuleCode code, std::string message) {
  Status s = Error(static_cast<StatusCode>(code), std::move(message));
  if (s.rep_) s.rep_->name = code.name();
  return s;
}

const char* Status::CodeName() const {
  return rep_ && rep_->name ? rep_->name : StatusCodeName(code());
}

const std::string& Status::message() const {
  return rep_ ? rep_->message : EmptyString();
}

const std::vector<DetailField>& Status::details() const {
  return rep_ ? rep_->details : EmptyDetails();
}

void Status::Detach() {
  if (rep_ && rep_.use_count() > 1) rep_ = std::make_shared<Rep>(*rep_);
}

Status& Status::With(std::string key, DetailValue value) & {
  if (!rep_) return *this;  // details on OK are meaningless; drop them.
  Detach();
  for (auto& field : rep_->details) {
    if (field.key == key) {
      field.value = std::move(value);
      return *this;
    }
  }
  rep_->details.push_back({std::move(key), std::move(value)});
  return *this;
}

Status&& Status::With(std::string key, DetailValue value) && {
  static_cast<Status&>(*this).With(std::move(key), std::move(value));
  return std::move(*this);
}

const DetailValue* Status::Find(std::string_view key) const {
  if (!rep_) return nullptr;
  for (const auto& field : rep_->details) {
    if (field.key == key) return &field.value;
  }
  return nullptr;
}

const char* StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "ok";
    case StatusCode::kInvalidParams:
      return "invalid params";
    case StatusCode::kInternal:
      return "internal error";
    case StatusCode::kServerError:
      return "server error";
    case StatusCode::kFileNotFound:
      return "file not found";
    case StatusCode::kPermissionDenied:
      return "permission denied";
    case StatusCode::kResourceExhausted:
      return "resource exhausted";
    case StatusCode::kIoError:
      return "i/o error";
    case StatusCode::kWouldBlock:
      return "would block";
    default:
      break;
  }
  switch (static_cast<uint16_t>(code) & 0xff00) {
    case static_cast<uint16_t>(StatusCode::kRpcCodes):
      return "rpc error";
    case static_cast<uint16_t>(StatusCode::kVoxelCodes):
      return "voxel error";
    case static_cast<uint16_t>(StatusCode::kMethodsCodes):
      return "methods error";
  }
  return "unknown";
}

std::string DetailsText(const std::vector<DetailField>& fields) {
  std::string out;
  bool first = true;
  for (const auto& field : fields) {
    if (!first) out += ", ";
    first = false;
    out += field.key;
    out += '=';
    std::visit(
        [&out](const auto& v) {
          using V = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<V, std::string>) {
            out += v;
          } else if constexpr (std::is_same_v<V, bool>) {
            out += v ? "true" : "false";
          } else if constexpr (std::is_same_v<V, std::vector<std::string>>) {
            out += '[';
            for (size_t i = 0; i < v.size(); ++i) {
              if (i) out += ',';
              out += v[i];
            }
            out += ']';
          } else if constexpr (std::is_same_v<V, std::vector<int64_t>>) {
            out += '[';
            for (size_t i = 0; i < v.size(); ++i) {
              if (i) out += ',';
              out += std::to_string(v[i]);
            }
            out += ']';
          } else {
            out += std::to_string(v);
          }
        },
        field.value);
  }
  return out;
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string out = CodeName();
  out += ": ";
  out += message();
  if (!details().empty()) {
    out += " (";
    out += DetailsText(details());
    out += ')';
  }
  return out;
}

}  // namespace goxel
