#include "rpc/params.h"

#include <cmath>

namespace goxel::rpc {

std::optional<int64_t> JsonToInt64(const JsonValue& v) {
  if (v.IsInt64()) return v.GetInt64();
  if (v.IsUint64()) return std::nullopt;  // > INT64_MAX
  if (v.IsDouble()) {
    double d = v.GetDouble();
    if (std::isfinite(d) && std::floor(d) == d && d >= -9.2e18 && d <= 9.2e18) {
      return static_cast<int64_t>(d);
    }
  }
  return std::nullopt;
}

const JsonValue* Params::Get(std::string_view name) const {
  if (raw_ == nullptr) return nullptr;
  const JsonValue* v = nullptr;
  if (raw_->IsObject()) {
    auto it = raw_->FindMember(
        JsonValue(rapidjson::StringRef(name.data(), name.size())));
    if (it != raw_->MemberEnd()) v = &it->value;
  } else if (raw_->IsArray() && specs_ != nullptr) {
    for (size_t i = 0; i < specs_->size(); ++i) {
      if ((*specs_)[i].name == name) {
        if (i < raw_->Size()) v = &(*raw_)[static_cast<rapidjson::SizeType>(i)];
        break;
      }
    }
  }
  if (v != nullptr && v->IsNull()) return nullptr;
  return v;
}

const RawParam* Params::Raw(std::string_view name) const {
  if (raw_params_ == nullptr) return nullptr;
  for (const RawParam& r : *raw_params_) {
    if (r.name == name) return r.text != nullptr ? &r : nullptr;
  }
  return nullptr;
}

Status Params::CheckShape(bool accepts_any) const {
  if (accepts_any || raw_ == nullptr || !raw_->IsArray()) return Status::Ok();
  size_t n = specs_ ? specs_->size() : 0;
  if (raw_->Size() > n) {
    return Status::InvalidParams(
               "too many positional params: expected at most " +
               std::to_string(n) + ", got " + std::to_string(raw_->Size()))
        .With("expected_max", static_cast<int64_t>(n))
        .With("got", static_cast<int64_t>(raw_->Size()));
  }
  return Status::Ok();
}

Status Params::Missing(std::string_view name, std::string_view expected) {
  return Status::InvalidParams("missing required parameter '" +
                               std::string(name) + "' (" +
                               std::string(expected) + ")")
      .With("param", std::string(name))
      .With("expected", std::string(expected));
}

Status Params::Wrong(std::string_view name, std::string_view expected,
                     const JsonValue& got) {
  std::string got_text = JsonPreview(got, 64);
  if (got_text.size() > 64) got_text = got_text.substr(0, 61) + "...";
  return Status::InvalidParams("parameter '" + std::string(name) +
                               "': expected " + std::string(expected) +
                               ", got " + JsonTypeName(got) + " " + got_text)
      .With("param", std::string(name))
      .With("expected", std::string(expected))
      .With("got", got_text);
}

Result<int64_t> Params::Int(std::string_view name) const {
  const JsonValue* v = Get(name);
  if (v == nullptr) return Missing(name, "an integer");
  auto i = v->IsNumber() ? JsonToInt64(*v) : std::nullopt;
  if (!i) return Wrong(name, "an integer", *v);
  return *i;
}

Result<int64_t> Params::Int(std::string_view name, int64_t fallback) const {
  if (!Has(name)) return fallback;
  return Int(name);
}

Result<double> Params::Number(std::string_view name) const {
  const JsonValue* v = Get(name);
  if (v == nullptr) return Missing(name, "a number");
  if (!v->IsNumber()) return Wrong(name, "a number", *v);
  return v->GetDouble();
}

Result<double> Params::Number(std::string_view name, double fallback) const {
  if (!Has(name)) return fallback;
  return Number(name);
}

Result<std::string> Params::String(std::string_view name) const {
  const JsonValue* v = Get(name);
  if (v == nullptr) return Missing(name, "a string");
  if (!v->IsString()) return Wrong(name, "a string", *v);
  return std::string(v->GetString(), v->GetStringLength());
}

Result<std::string> Params::String(std::string_view name,
                                   std::string_view fallback) const {
  if (!Has(name)) return std::string(fallback);
  return String(name);
}

Result<bool> Params::Bool(std::string_view name) const {
  const JsonValue* v = Get(name);
  if (v == nullptr) return Missing(name, "a boolean");
  if (!v->IsBool()) return Wrong(name, "a boolean", *v);
  return v->GetBool();
}

Result<bool> Params::Bool(std::string_view name, bool fallback) const {
  if (!Has(name)) return fallback;
  return Bool(name);
}

Result<int64_t> Params::IntInRange(std::string_view name, int64_t lo,
                                   int64_t hi,
                                   std::optional<int64_t> fallback) const {
  std::string expected =
      "an integer " + std::to_string(lo) + ".." + std::to_string(hi);
  const JsonValue* v = Get(name);
  if (v == nullptr) {
    if (fallback) return *fallback;
    return Missing(name, expected);
  }
  auto i = v->IsNumber() ? JsonToInt64(*v) : std::nullopt;
  if (!i || *i < lo || *i > hi) return Wrong(name, expected, *v);
  return *i;
}

}  // namespace goxel::rpc
