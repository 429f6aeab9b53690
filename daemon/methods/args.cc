#include "methods/args.h"

#include <cmath>
#include <cstdio>

#include "methods/examples.h"
#include "methods/status_codes.h"
#include "voxel/status_codes.h"
#include "voxel/tools.h"

namespace goxel::methods {

namespace {

constexpr const char* kCoordExpected = "a number (int32 range)";
constexpr const char* kChannelExpected = "an integer 0..255";
constexpr const char* kColorExpected =
    "a colour: [r,g,b(,a)] with integers 0..255 or \"#rrggbb[aa]\"";

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<Rgba> HexToColor(const JsonValue& v, std::string_view param) {
  std::string_view s(v.GetString(), v.GetStringLength());
  if (!s.empty() && s[0] == '#') s.remove_prefix(1);
  if (s.size() != 6 && s.size() != 8) {
    return Params::Wrong(param, kColorExpected, v);
  }
  uint8_t ch[4] = {0, 0, 0, 255};
  for (size_t i = 0; i < s.size(); i += 2) {
    int hi = HexDigit(s[i]), lo = HexDigit(s[i + 1]);
    if (hi < 0 || lo < 0) return Params::Wrong(param, kColorExpected, v);
    ch[i / 2] = static_cast<uint8_t>(hi * 16 + lo);
  }
  if (ch[3] == 0) ch[3] = 255;
  return Rgba{ch[0], ch[1], ch[2], ch[3]};
}

// -32602 for a v14 call that gives some parts of a value and not `part`
// (e.g. r without g): names the part, its companions and the canonical
// form, since the part is optional on its own.
Status MissingV14Part(std::string_view part, std::string_view together,
                      std::string_view canonical, std::string_view form) {
  return Status::InvalidParams(
             "missing parameter '" + std::string(part) + "': v14's " +
             std::string(together) + " go together; give all of them, or '" +
             std::string(canonical) + "' as " + std::string(form))
      .With("param", std::string(part))
      .With("expected", "all of " + std::string(together))
      .With("canonical", std::string(canonical));
}

}  // namespace

Result<int32_t> CoordFromJson(const JsonValue& v, std::string_view param) {
  if (v.IsInt()) return v.GetInt();
  if (!v.IsNumber()) return Params::Wrong(param, kCoordExpected, v);
  double d = std::floor(v.GetDouble());
  if (!(d >= INT32_MIN && d <= INT32_MAX)) {
    return Status::Error(voxel::kInvalidPosition,
                         "parameter '" + std::string(param) +
                             "' is outside the int32 coordinate range")
        .With("param", std::string(param))
        .With("expected", std::string(kCoordExpected))
        .With("got", rpc::ToJsonText(v));
  }
  return static_cast<int32_t>(d);
}

Result<Vec3i> Vec3FromJson(const JsonValue& v, std::string_view param) {
  std::string base(param);
  if (v.IsArray()) {
    if (v.Size() != 3) return Params::Wrong(param, "[x, y, z]", v);
    int32_t c[3];
    for (rapidjson::SizeType i = 0; i < 3; ++i) {
      auto r = CoordFromJson(v[i], base + "[" + std::to_string(i) + "]");
      if (!r.ok()) return r.status();
      c[i] = *r;
    }
    return Vec3i{c[0], c[1], c[2]};
  }
  if (v.IsObject()) {
    Params fields(&v, nullptr);
    int32_t c[3];
    const char* names[3] = {"x", "y", "z"};
    for (int i = 0; i < 3; ++i) {
      const JsonValue* f = fields.Get(names[i]);
      std::string name = base + "." + names[i];
      if (f == nullptr) return Params::Missing(name, kCoordExpected);
      auto r = CoordFromJson(*f, name);
      if (!r.ok()) return r.status();
      c[i] = *r;
    }
    return Vec3i{c[0], c[1], c[2]};
  }
  return Params::Wrong(param, "[x, y, z] or {x, y, z}", v);
}

Result<Vec3i> ReadPosition(const Params& p) {
  if (const JsonValue* pos = p.Get("position")) {
    return Vec3FromJson(*pos, "position");
  }
  int32_t c[3];
  const char* names[3] = {"x", "y", "z"};
  const bool v14 = p.Has("x") || p.Has("y") || p.Has("z");
  for (int i = 0; i < 3; ++i) {
    const JsonValue* v = p.Get(names[i]);
    if (v == nullptr) {
      // Name what the caller's form lacks: one of v14's x, y, z, or position.
      if (v14)
        return MissingV14Part(names[i], "x, y and z", "position", "[x, y, z]");
      return Params::Missing("position", "[x, y, z] (v14: x, y, z)");
    }
    auto r = CoordFromJson(*v, names[i]);
    if (!r.ok()) return r.status();
    c[i] = *r;
  }
  return Vec3i{c[0], c[1], c[2]};
}

Result<Vec3i> ReadVec3Param(const Params& p, std::string_view name,
                            std::string_view v14_prefix, Vec3i fallback) {
  if (const JsonValue* v = p.Get(name)) return Vec3FromJson(*v, name);
  int32_t c[3] = {fallback.x, fallback.y, fallback.z};
  const char* axes[3] = {"x", "y", "z"};
  for (int i = 0; i < 3 && !v14_prefix.empty(); ++i) {
    std::string field = std::string(v14_prefix) + axes[i];
    const JsonValue* v = p.Get(field);
    if (v == nullptr) continue;
    auto r = CoordFromJson(*v, field);
    if (!r.ok()) return r.status();
    c[i] = *r;
  }
  return Vec3i{c[0], c[1], c[2]};
}

Result<uint8_t> ChannelFromJson(const JsonValue& v, std::string_view param) {
  if (v.IsInt()) {
    int i = v.GetInt();
    if (i >= 0 && i <= 255) return static_cast<uint8_t>(i);
    return Params::Wrong(param, kChannelExpected, v);
  }
  auto i = v.IsNumber() ? rpc::JsonToInt64(v) : std::nullopt;
  if (!i || *i < 0 || *i > 255) {
    return Params::Wrong(param, kChannelExpected, v);
  }
  return static_cast<uint8_t>(*i);
}

Result<Rgba> ColorFromJson(const JsonValue& v, std::string_view param) {
  if (v.IsString()) return HexToColor(v, param);
  if (!v.IsArray() || v.Size() < 3 || v.Size() > 4) {
    return Params::Wrong(param, kColorExpected, v);
  }
  uint8_t ch[4] = {0, 0, 0, 255};
  for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
    auto c = ChannelFromJson(
        v[i], std::string(param) + "[" + std::to_string(i) + "]");
    if (!c.ok()) return c.status();
    ch[i] = *c;
  }
  if (ch[3] == 0) ch[3] = 255;
  return Rgba{ch[0], ch[1], ch[2], ch[3]};
}

Result<std::optional<Rgba>> ReadColorOpt(const Params& p) {
  if (const JsonValue* c = p.Get("color")) {
    auto r = ColorFromJson(*c, "color");
    if (!r.ok()) return r.status();
    return std::optional<Rgba>(*r);
  }
  const JsonValue* fields[4] = {p.Get("r"), p.Get("g"), p.Get("b"), p.Get("a")};
  if (!fields[0] && !fields[1] && !fields[2]) {
    if (fields[3]) {
      return MissingV14Part("r", "r, g and b", "color",
                            "[r, g, b(, a)] or \"#rrggbb(aa)\"");
    }
    return std::optional<Rgba>();
  }
  const char* names[4] = {"r", "g", "b", "a"};
  uint8_t ch[4] = {0, 0, 0, 255};
  for (int i = 0; i < 4; ++i) {
    if (fields[i] == nullptr) {
      if (i == 3) break;
      return MissingV14Part(names[i], "r, g and b", "color",
                            "[r, g, b(, a)] or \"#rrggbb(aa)\"");
    }
    auto c = ChannelFromJson(*fields[i], names[i]);
    if (!c.ok()) return c.status();
    ch[i] = *c;
  }
  if (ch[3] == 0) ch[3] = 255;  // v14: a <= 0 means opaque.
  return std::optional<Rgba>(Rgba{ch[0], ch[1], ch[2], ch[3]});
}

Result<Rgba> ReadColor(const Params& p) {
  auto c = ReadColorOpt(p);
  if (!c.ok()) return c.status();
  if (!c->has_value()) {
    return Params::Missing(
        "color", "r, g, b(, a) or color: " + std::string(kColorExpected));
  }
  return **c;
}

Result<Box> BoxFromCorners(const JsonValue& min, const JsonValue& max,
                           std::string_view min_name,
                           std::string_view max_name) {
  auto lo = Vec3FromJson(min, min_name);
  if (!lo.ok()) return lo.status();
  auto hi = Vec3FromJson(max, max_name);
  if (!hi.ok()) return hi.status();
  if (lo->x > hi->x || lo->y > hi->y || lo->z > hi->z) {
    return Status::Error(voxel::kInvalidPosition,
                         "invalid region: " + std::string(min_name) +
                             " must not exceed " + std::string(max_name) +
                             " on any axis")
        .With("param", std::string(min_name))
        .With("min", rpc::ToJsonText(min))
        .With("max", rpc::ToJsonText(max));
  }
  return Box{*lo, *hi};
}

Result<Box> BoxFromJson(const JsonValue& v, std::string_view param,
                        const voxel::Project* project) {
  std::string base(param);
  if (v.IsString() && std::string_view(v.GetString()) == "selection") {
    if (project == nullptr || !project->selection()) {
      return Status::Error(voxel::kInvalidPosition,
                           "no selection: call goxel.select_region first")
          .With("param", base);
    }
    return *project->selection();
  }
  if (!v.IsObject()) {
    return Params::Wrong(param, "{min: [x,y,z], max: [x,y,z]} or \"selection\"",
                         v);
  }
  Params fields(&v, nullptr);
  const JsonValue* lo = fields.Get("min");
  const JsonValue* hi = fields.Get("max");
  if (lo == nullptr) return Params::Missing(base + ".min", "[x, y, z]");
  if (hi == nullptr) return Params::Missing(base + ".max", "[x, y, z]");
  return BoxFromCorners(*lo, *hi, base + ".min", base + ".max");
}

Result<std::string> ReadProjectId(const Params& p) {
  const JsonValue* v = p.Get("project_id");
  if (v == nullptr) return std::string();
  if (!v->IsString()) return Params::Wrong("project_id", "a string (UUID)", *v);
  return std::string(v->GetString(), v->GetStringLength());
}

Status CheckPrintable(std::string_view text, std::string_view param) {
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::string what;
    if (c < 0x20 || c == 0x7f) {
      what = "a control character";
    } else if (c == 0xe2 && i + 2 < text.size()) {
      const auto b1 = static_cast<unsigned char>(text[i + 1]);
      const auto b2 = static_cast<unsigned char>(text[i + 2]);
      if ((b1 == 0x80 && b2 >= 0xaa && b2 <= 0xae) ||
          (b1 == 0x81 && b2 >= 0xa6 && b2 <= 0xa9)) {
        what = "a bidirectional override";
      }
    }
    if (!what.empty()) {
      return Status::InvalidParams(std::string(param) + " contains " + what +
                                   " at byte " + std::to_string(i))
          .With("param", std::string(param))
          .With("expected", "printable text")
          .With("got", std::string(text.substr(0, 64)))
          .With("offset", static_cast<int64_t>(i));
    }
  }
  return Status::Ok();
}

Result<std::string> ReadName(const Params& p, const char* param,
                             const std::string& fallback) {
  auto name = p.String(param, fallback);
  if (!name.ok()) return name.status();
  GOXEL_RETURN_IF_ERROR(CheckPrintable(*name, param));
  return name;
}

Result<ProjectRef> ResolveProject(Workspace& ws, const Params& p) {
  const JsonValue* v = p.Get("project_id");
  if (v == nullptr) {
    // v14's clients send positional params (an array, maybe empty) and
    // expect a document to exist: open one for them, only them.
    if (p.positional()) return ws.FindOrOpenDefault();
    return ws.Find({});
  }
  if (!v->IsString()) return Params::Wrong("project_id", "a string (UUID)", *v);
  return ws.Find(std::string_view(v->GetString(), v->GetStringLength()));
}

Status LayerNotFound(const voxel::Project& project, int64_t id) {
  std::vector<int64_t> ids;
  for (const auto& l : project.layers()) ids.push_back(l.id);
  return Status::Error(voxel::kLayerNotFound,
                       "layer not found: " + std::to_string(id))
      .With("layer_id", id)
      .With("layer_ids", std::move(ids));
}

Result<int32_t> ResolveLayer(const Params& p, const voxel::Project& project,
                             std::string_view name, bool allow_all) {
  const JsonValue* v = p.Get(name);
  if (v == nullptr) return allow_all ? kAllLayers : project.active_layer_id();
  if (v->IsString()) {
    std::string layer_name(v->GetString(), v->GetStringLength());
    const voxel::Layer* l = project.FindLayerByName(layer_name);
    if (l == nullptr) {
      std::vector<std::string> names;
      for (const auto& each : project.layers()) names.push_back(each.name);
      return Status::Error(voxel::kLayerNotFound,
                           "no layer named '" + layer_name + "'")
          .With("param", std::string(name))
          .With("layer", layer_name)
          .With("layer_names", std::move(names));
    }
    return l->id;
  }
  auto id = v->IsNumber() ? rpc::JsonToInt64(*v) : std::nullopt;
  if (!id) return Params::Wrong(name, "a layer id (integer) or name", *v);
  if (*id == -1 && allow_all) return kAllLayers;
  // v14: a layer_id <= 0 (its clients send 0 by default) is the active one.
  if (*id <= 0) return project.active_layer_id();
  if (*id < INT32_MIN || *id > INT32_MAX ||
      project.FindLayer(static_cast<int32_t>(*id)) == nullptr) {
    return LayerNotFound(project, *id).With("param", std::string(name));
  }
  return static_cast<int32_t>(*id);
}

Status CheckVoxelCap(int64_t count, int64_t cap, std::string_view what) {
  if (count <= cap) return Status::Ok();
  return Status::ResourceExhausted(std::string(what) +
                                   " would touch more than " +
                                   std::to_string(cap) + " voxels in one call")
      .With("limit", cap)
      .With("requested", count);
}

Status PrefixParam(const Status& s, const std::string& prefix) {
  std::string msg = s.message();
  const DetailValue* param = s.Find("param");
  std::string name;
  if (param && std::holds_alternative<std::string>(*param)) {
    name = std::get<std::string>(*param);
    size_t at = msg.find("'" + name + "'");
    if (at != std::string::npos) msg.insert(at + 1, prefix);
  }
  Status out = Status::Error(s.code(), msg);
  for (const auto& f : s.details()) {
    if (f.key == "param") {
      out.With("param", prefix + name);
    } else {
      out.With(f.key, f.value);
    }
  }
  return out;
}

std::vector<voxel::Volume> SnapshotVolumes(const voxel::Project& project,
                                           int32_t layer_id) {
  std::vector<voxel::Volume> out;
  if (layer_id != kAllLayers) {
    if (const voxel::Layer* l = project.FindLayer(layer_id)) {
      out.push_back(l->volume);
    }
    return out;
  }
  out.reserve(project.layers().size());
  for (const auto& l : project.layers())
    if (!l.volume.Empty()) out.push_back(l.volume);
  return out;
}

voxel::Volume Compose(std::vector<voxel::Volume> volumes) {
  if (volumes.empty()) return voxel::Volume();
  voxel::Volume out = std::move(volumes[0]);
  for (size_t i = 1; i < volumes.size(); ++i) {
    volumes[i].ForEachVoxel([&out](Vec3i p, Rgba c) { out.Set(p, c); });
  }
  return out;
}

Rgba ComposedGet(const voxel::Project& project, Vec3i p) {
  const auto& layers = project.layers();
  for (auto it = layers.rbegin(); it != layers.rend(); ++it) {
    Rgba c = it->volume.Get(p);
    if (!c.empty()) return c;
  }
  return Rgba{};
}

JsonValue ColorArray(Rgba c, JsonAllocator& a) {
  JsonValue arr(rapidjson::kArrayType);
  arr.Reserve(4, a);
  arr.PushBack(c.r, a).PushBack(c.g, a).PushBack(c.b, a).PushBack(c.a, a);
  return arr;
}

JsonValue Vec3Array(Vec3i v, JsonAllocator& a) {
  JsonValue arr(rapidjson::kArrayType);
  arr.Reserve(3, a);
  arr.PushBack(v.x, a).PushBack(v.y, a).PushBack(v.z, a);
  return arr;
}

JsonValue BoxJson(const Box& b, JsonAllocator& a) {
  JsonValue o(rapidjson::kObjectType);
  o.AddMember("min", Vec3Array(b.min, a), a);
  o.AddMember("max", Vec3Array(b.max, a), a);
  return o;
}

std::string HexColor(Rgba c, bool with_alpha) {
  char buf[10];
  if (with_alpha) {
    snprintf(buf, sizeof buf, "#%02x%02x%02x%02x", c.r, c.g, c.b, c.a);
  } else {
    snprintf(buf, sizeof buf, "#%02x%02x%02x", c.r, c.g, c.b);
  }
  return buf;
}

Status CheckExpectedVersion(const Params& p, const OpenProject& op) {
  const JsonValue* v = p.Get("expected_version");
  if (v == nullptr) return Status::Ok();
  if (!v->IsInt64() || v->GetInt64() < 0) {
    return Params::Wrong("expected_version",
                         "a non-negative integer (a version this project "
                         "reported)",
                         *v);
  }
  const uint64_t expected = static_cast<uint64_t>(v->GetInt64());
  const uint64_t now = op.View().version();
  if (expected == now) return Status::Ok();
  return Status::Error(kConcurrentAccess,
                       "project " + op.id + " changed: expected version " +
                           std::to_string(expected) + ", it is now " +
                           std::to_string(now))
      .With("project_id", op.id)
      .With("expected_version", static_cast<int64_t>(expected))
      .With("version", static_cast<int64_t>(now));
}

Status AdmitEdit(const CallWriterLock& lock, const OpenProject& op,
                 const Params& p) {
  if (!lock.held()) return lock.Busy(op.id);
  return CheckExpectedVersion(p, op);
}

rpc::MethodSpec Versioned(rpc::MethodSpec spec) {
  spec.params.push_back(
      {"expected_version", "integer", false,
       "fail with -32007 and change nothing unless the project's version "
       "(from a result's `version`) is still this"});
  // Results that already list their version keep one mention of it.
  if (!spec.result.empty() && spec.result.back() == '}' &&
      !spec.result.ends_with(" version}")) {
    spec.result.insert(spec.result.size() - 1, ", version");
  }
  return spec;
}

Result<voxel::ApplyMode> ReadMode(const Params& p) {
  auto m = p.String("mode", "add");
  if (!m.ok()) return m.status();
  if (*m == "add") return voxel::ApplyMode::kAdd;
  if (*m == "remove") return voxel::ApplyMode::kRemove;
  if (*m == "paint") return voxel::ApplyMode::kPaint;
  return Params::Wrong("mode", "\"add\", \"remove\" or \"paint\"",
                       *p.Get("mode"));
}

Result<voxel::Axis> ReadAxis(const Params& p) {
  auto s = p.String("axis", "z");
  if (!s.ok()) return s.status();
  if (*s == "x") return voxel::Axis::kX;
  if (*s == "y") return voxel::Axis::kY;
  if (*s == "z") return voxel::Axis::kZ;
  return Params::Wrong("axis", "\"x\", \"y\" or \"z\"", *p.Get("axis"));
}

Result<Box> ReadMinMax(const Params& p) {
  const JsonValue* min = p.Get("min");
  const JsonValue* max = p.Get("max");
  if (min == nullptr) return Params::Missing("min", "[x, y, z]");
  if (max == nullptr) return Params::Missing("max", "[x, y, z]");
  return BoxFromCorners(*min, *max, "min", "max");
}

ParamSpec ProjectIdParam() {
  return {"project_id", "string", false,
          "open project's UUID; the active project when absent"};
}

ParamSpec LayerIdParam(std::string_view what) {
  return {"layer_id", "integer", false, std::string(what)};
}

namespace {

// v14 names and the canonical params they stand for (docs/API.md).
struct V14Name {
  const char* name;
  const char* canonical;
  int component;  // -1: the whole value
  const char* type;
  const char* description;  // of the canonical param
};
constexpr const char* kPositionText =
    "[x, y, z]: a voxel cell (integers; other numbers are floored)";
constexpr const char* kColorText =
    "[r, g, b(, a)] with 0..255 or \"#rrggbb(aa)\"; alpha absent or 0 means "
    "255";
constexpr const char* kSizeText = "[x, y, z] in voxels";
constexpr V14Name kV14Names[] = {
    {"x", "position", 0, "position", kPositionText},
    {"y", "position", 1, "position", kPositionText},
    {"z", "position", 2, "position", kPositionText},
    {"center_x", "position", 0, "position",
     "[x, y, z]: the centre cell (integers; other numbers are floored)"},
    {"center_y", "position", 1, "position", nullptr},
    {"center_z", "position", 2, "position", nullptr},
    {"size_x", "size", 0, "position", kSizeText},
    {"size_y", "size", 1, "position", kSizeText},
    {"size_z", "size", 2, "position", kSizeText},
    {"r", "color", 0, "color", kColorText},
    {"g", "color", 1, "color", kColorText},
    {"b", "color", 2, "color", kColorText},
    {"a", "color", 3, "color", kColorText},
    {"layer_id", "layer", -1, "layer", "a layer id or name"},
    {"layer_name", "layer", -1, "layer", "a layer id or name"},
    {"output_path", "path", -1, "string", "a file path"},
    {"source_layer_id", "source_layer", -1, "layer", "a layer id or name"},
    {"target_layer_id", "target_layer", -1, "layer", "a layer id or name"},
};

const V14Name* FindV14Name(std::string_view name) {
  for (const V14Name& n : kV14Names) {
    if (name == n.name) return &n;
  }
  return nullptr;
}

}  // namespace

rpc::MethodSpec WithV14Aliases(rpc::MethodSpec spec) {
  std::vector<ParamSpec> added;
  auto canonical_row = [&](const std::string& name) -> ParamSpec* {
    for (ParamSpec& s : spec.params)
      if (s.name == name && s.alias_of.empty()) return &s;
    for (ParamSpec& s : added)
      if (s.name == name) return &s;
    return nullptr;
  };
  for (size_t i = 0; i < spec.params.size(); ++i) {
    ParamSpec& row = spec.params[i];
    if (!row.alias_of.empty()) continue;
    const V14Name* n = FindV14Name(row.name);
    if (n == nullptr) continue;
    const bool required = row.required;
    // A whole-value alias's text describes the method's use of it.
    std::string text = n->component < 0 && !row.description.empty()
                           ? row.description
                           : std::string(n->description ? n->description : "");
    row = rpc::Alias(row.name, n->canonical, n->component);
    ParamSpec* c = canonical_row(n->canonical);
    if (c == nullptr) {
      added.push_back({n->canonical, n->type, required, text});
    } else if (required) {
      c->required = true;
    }
  }
  for (ParamSpec& s : added) spec.params.push_back(std::move(s));
  if (spec.examples.empty()) spec.examples = ExamplesOf(spec.name);
  if (spec.ignored.empty()) spec.ignored = IgnoredV14Keys(spec.name);
  return spec;
}

Status AddWithV14Aliases(const rpc::MethodTable& from, rpc::MethodTable* to) {
  for (const rpc::MethodSpec* m : from.All()) {
    GOXEL_RETURN_IF_ERROR(to->Add(WithV14Aliases(*m)));
  }
  return Status::Ok();
}

}  // namespace goxel::methods
