#include "rpc/params.h"

#include <algorithm>
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

ParamSpec Alias(std::string name, std::string canonical, int component) {
  ParamSpec s;
  s.name = std::move(name);
  s.alias_of = std::move(canonical);
  s.component = component;
  return s;
}

namespace {

const JsonValue* FindIn(const JsonValue& object, std::string_view name) {
  auto it = object.FindMember(
      JsonValue(rapidjson::StringRef(name.data(), name.size())));
  return it != object.MemberEnd() ? &it->value : nullptr;
}

bool NamesWhole(const ParamSpec& s, std::string_view name) {
  return s.name == name || (s.component < 0 && s.alias_of == name);
}

}  // namespace

const JsonValue* Params::Get(std::string_view name) const {
  if (raw_ == nullptr) return nullptr;
  const JsonValue* v = nullptr;
  if (raw_->IsObject()) {
    v = FindIn(*raw_, name);
    // Not there by this name: by a v14 name of its whole value.
    if ((v == nullptr || v->IsNull()) && specs_ != nullptr) {
      for (const ParamSpec& s : *specs_) {
        if (s.component >= 0 || s.alias_of != name) continue;
        const JsonValue* a = FindIn(*raw_, s.name);
        if (a != nullptr && !a->IsNull()) return a;
      }
    }
  } else if (raw_->IsArray() && specs_ != nullptr) {
    for (size_t i = 0; i < specs_->size(); ++i) {
      if (NamesWhole((*specs_)[i], name)) {
        if (i < raw_->Size()) v = &(*raw_)[static_cast<rapidjson::SizeType>(i)];
        break;
      }
    }
  }
  if (v != nullptr && v->IsNull()) return nullptr;
  return v;
}

namespace {

// Levenshtein distance, capped work: names are short.
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min(
          {row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

// Words people (and models) use for the canonical names.
struct Synonym {
  const char* word;
  const char* canonical;
};
constexpr Synonym kSynonyms[] = {
    {"center", "position"},    {"centre", "position"},  {"pos", "position"},
    {"location", "position"},  {"point", "position"},   {"origin", "position"},
    {"coords", "position"},    {"colour", "color"},     {"rgb", "color"},
    {"rgba", "color"},         {"dimensions", "size"},  {"dims", "size"},
    {"extent", "size"},        {"file", "path"},        {"filename", "path"},
    {"file_path", "path"},     {"output", "path"},      {"output_file", "path"},
    {"layer_index", "layer"},  {"shape", "shape_type"}, {"type", "shape_type"},
    {"project", "project_id"},
};

}  // namespace

std::string NearestName(std::string_view name,
                        const std::vector<std::string>& candidates) {
  for (const Synonym& s : kSynonyms) {
    if (name != s.word) continue;
    for (const std::string& c : candidates)
      if (c == s.canonical) return c;
  }
  std::string best;
  size_t best_d = SIZE_MAX;
  for (const std::string& c : candidates) {
    size_t d = EditDistance(name, c);
    // A prefix ("center" of "center_x") is a plausible guess too.
    if (c.size() > name.size() && c.compare(0, name.size(), name) == 0 &&
        name.size() >= 3) {
      d = std::min<size_t>(d, 1);
    }
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  const size_t limit = std::max<size_t>(2, name.size() / 3);
  return best_d <= limit ? best : std::string();
}

Status Params::CheckNames(const std::vector<std::string>& ignored) const {
  if (raw_ == nullptr || !raw_->IsObject() || specs_ == nullptr) {
    return Status::Ok();
  }
  std::vector<std::string> unknown;
  for (auto m = raw_->MemberBegin(); m != raw_->MemberEnd(); ++m) {
    std::string_view key(m->name.GetString(), m->name.GetStringLength());
    const ParamSpec* row = nullptr;
    for (const ParamSpec& s : *specs_) {
      if (s.name == key) {
        row = &s;
        break;
      }
    }
    if (row == nullptr) {
      if (std::find(ignored.begin(), ignored.end(), key) == ignored.end())
        unknown.emplace_back(key);
      continue;
    }
    if (!row->alias_of.empty() && !m->value.IsNull()) {
      const JsonValue* canonical = FindIn(*raw_, row->alias_of);
      if (canonical != nullptr && !canonical->IsNull()) {
        return Status::InvalidParams(
                   "parameter '" + row->name + "' is the v14 name of " +
                   (row->component >= 0 ? "part of " : "") + "'" +
                   row->alias_of + "', which is given too: give one")
            .With("param", row->name)
            .With("canonical", row->alias_of);
      }
    }
  }
  if (unknown.empty()) return Status::Ok();
  std::vector<std::string> accepted, names;
  for (const ParamSpec& s : *specs_) {
    names.push_back(s.name);
    if (s.alias_of.empty()) accepted.push_back(s.name);
  }
  std::string message = "unknown parameter";
  message += unknown.size() > 1 ? "s " : " ";
  std::string suggestion;
  for (size_t i = 0; i < unknown.size(); ++i) {
    message += (i ? ", '" : "'") + unknown[i] + "'";
  }
  std::string near = NearestName(unknown[0], names);
  if (!near.empty()) {
    // Suggest the canonical name of a v14 alias ("center" → center_x →
    // position).
    for (const ParamSpec& s : *specs_) {
      if (s.name == near && !s.alias_of.empty()) near = s.alias_of;
    }
    suggestion = near;
    message += "; did you mean '" + near + "'?";
  }
  if (accepted.empty()) {
    message += "; this method takes no params";
  } else {
    message += suggestion.empty() ? "; accepted: " : " accepted: ";
    for (size_t i = 0; i < accepted.size(); ++i) {
      message += (i ? ", " : "") + accepted[i];
    }
  }
  Status s = Status::InvalidParams(std::move(message))
                 .With("param", unknown[0])
                 .With("unknown", std::move(unknown))
                 .With("accepted", std::move(accepted));
  if (!suggestion.empty()) s.With("suggestion", suggestion);
  return s;
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
