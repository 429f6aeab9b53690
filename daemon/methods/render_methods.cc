// Render methods: goxel.render_scene (a PNG file, or base64 in `image`) and
// goxel.render_image (base64 in `image_data`). The params are read and
// checked first; the visible layers are copied under the project's reader
// lock; framing, ray casting and PNG encoding run after releasing it.
#include <cmath>
#include <optional>

#include "base/base64.h"
#include "base/clock.h"
#include "base/file_io.h"
#include "base/stop_flag.h"
#include "methods/args.h"
#include "methods/file_methods.h"
#include "methods/read_budget.h"
#include "voxel/formats/png_codec.h"
#include "voxel/render/renderer.h"

namespace goxel::methods {

namespace {

using render::Camera;
using render::CameraPreset;
using render::Projection;
using render::RenderOptions;
using render::Vec3d;
using rpc::kPooled;
using rpc::kReadOnly;

// What the params ask for; the camera is finished once the bounds are known.
struct RenderRequest {
  RenderOptions options = [] {
    RenderOptions o;
    o.cancel = &ProcessStopping();  // a stop does not wait for renders
    return o;
  }();
  std::optional<Vec3d> position, target;
  CameraPreset preset = CameraPreset::kIsometric;
  std::optional<Projection> projection;
  std::optional<double> ortho_height;
};

Result<Vec3d> Vec3dFromJson(const JsonValue& v, std::string_view param) {
  constexpr const char* kExpected = "[x, y, z] numbers";
  if (v.IsObject() && v.HasMember("x") && v.HasMember("y") &&
      v.HasMember("z") && v["x"].IsNumber() && v["y"].IsNumber() &&
      v["z"].IsNumber()) {
    return Vec3d{v["x"].GetDouble(), v["y"].GetDouble(), v["z"].GetDouble()};
  }
  if (!v.IsArray() || v.Size() != 3) return Params::Wrong(param, kExpected, v);
  double c[3];
  for (rapidjson::SizeType i = 0; i < 3; ++i) {
    if (!v[i].IsNumber() || !std::isfinite(v[i].GetDouble()))
      return Params::Wrong(param, kExpected, v);
    c[i] = v[i].GetDouble();
  }
  return Vec3d{c[0], c[1], c[2]};
}

// The first present param of `names` as a Vec3d (nullopt when none).
Result<std::optional<Vec3d>> ReadVec3d(const Params& p,
                                       std::initializer_list<const char*> names,
                                       const JsonValue* object = nullptr) {
  for (const char* n : names) {
    const JsonValue* v = p.Get(n);
    if (object != nullptr && v == nullptr && object->HasMember(n) &&
        !(*object)[n].IsNull())
      v = &(*object)[n];
    if (v == nullptr) continue;
    auto r = Vec3dFromJson(*v, n);
    if (!r.ok()) return r.status();
    return std::optional<Vec3d>(*r);
  }
  return std::optional<Vec3d>();
}

Result<Projection> ParseProjection(const JsonValue& v) {
  if (v.IsString()) {
    std::string_view s = v.GetString();
    if (s == "perspective") return Projection::kPerspective;
    if (s == "orthographic" || s == "ortho") return Projection::kOrthographic;
  }
  return Params::Wrong("projection", "\"perspective\" or \"orthographic\"", v);
}

Status ReadNumber(const Params& p, const char* name, double* out) {
  auto n = p.Number(name, *out);
  if (!n.ok()) return n.status();
  *out = *n;
  return Status::Ok();
}

Status ReadCamera(const Params& p, RenderRequest* rq) {
  const JsonValue* cam = p.Get("camera");
  const JsonValue* obj = cam != nullptr && cam->IsObject() ? cam : nullptr;
  if (cam != nullptr && cam->IsString()) {
    auto preset = render::ParseCameraPreset(cam->GetString());
    if (!preset.ok()) return preset.status();
    rq->preset = *preset;
  } else if (cam != nullptr && obj == nullptr) {
    return Params::Wrong("camera", "a preset name or {position, target, up}",
                         *cam);
  }
  auto pos = ReadVec3d(p, {"camera_position", "position"}, obj);
  auto target = ReadVec3d(p, {"camera_target", "target"}, obj);
  auto up = ReadVec3d(p, {"camera_up", "up"}, obj);
  for (const auto* r : {&pos, &target, &up})
    if (!r->ok()) return r->status();
  rq->position = *pos;
  rq->target = *target;
  if (*up) rq->options.camera.up = **up;
  if (rq->target && !rq->position) {
    return Status::InvalidParams("camera_target needs camera_position")
        .With("param", "camera_position");
  }
  const JsonValue* proj = p.Get("projection");
  if (proj == nullptr && obj != nullptr && obj->HasMember("projection"))
    proj = &(*obj)["projection"];
  if (proj != nullptr) {
    auto pr = ParseProjection(*proj);
    if (!pr.ok()) return pr.status();
    rq->projection = *pr;
  }
  double fov = rq->options.camera.fov_degrees;
  if (obj != nullptr && obj->HasMember("fov") && (*obj)["fov"].IsNumber())
    fov = (*obj)["fov"].GetDouble();
  GOXEL_RETURN_IF_ERROR(ReadNumber(p, "fov", &fov));
  rq->options.camera.fov_degrees = fov;
  if (p.Has("ortho_height")) {
    double h = 0;
    GOXEL_RETURN_IF_ERROR(ReadNumber(p, "ortho_height", &h));
    rq->ortho_height = h;
  }
  return Status::Ok();
}

Status ReadLook(const Params& p, RenderOptions* o) {
  auto transparent = p.Bool("transparent", false);
  if (!transparent.ok()) return transparent.status();
  if (const JsonValue* bg = p.Get("background")) {
    if (bg->IsString() && std::string_view(bg->GetString()) == "transparent") {
      *transparent = true;
    } else {
      auto c = ColorFromJson(*bg, "background");
      if (!c.ok()) return c.status();
      o->background = *c;
    }
  }
  if (*transparent) o->background = {0, 0, 0, 0};
  struct Flag {
    const char* name;
    bool* value;
  };
  for (Flag f : {Flag{"ambient_occlusion", &o->ambient_occlusion},
                 Flag{"shadows", &o->shadows}}) {
    auto b = p.Bool(f.name, *f.value);
    if (!b.ok()) return b.status();
    *f.value = *b;
  }
  if (const JsonValue* aa = p.Get("antialias")) {
    if (aa->IsBool()) {
      o->antialias = aa->GetBool() ? 2 : 1;
    } else {
      auto n = p.IntInRange("antialias", 1, render::kMaxAntialias, 1);
      if (!n.ok()) return n.status();
      o->antialias = static_cast<int>(*n);
    }
  }
  GOXEL_RETURN_IF_ERROR(ReadNumber(p, "ambient", &o->ambient));
  GOXEL_RETURN_IF_ERROR(ReadNumber(p, "diffuse", &o->diffuse));
  auto sun = ReadVec3d(p, {"sun_direction"});
  if (!sun.ok()) return sun.status();
  if (*sun) o->sun_direction = **sun;
  return Status::Ok();
}

Result<RenderRequest> ReadRenderRequest(const Params& p) {
  RenderRequest rq;
  auto w = p.IntInRange("width", 1, render::kMaxSide, 512);
  if (!w.ok()) return w.status();
  auto h = p.IntInRange("height", 1, render::kMaxSide, 512);
  if (!h.ok()) return h.status();
  rq.options.width = static_cast<int>(*w);
  rq.options.height = static_cast<int>(*h);
  auto format = p.String("format", "png");
  if (!format.ok()) return format.status();
  if (*format != "png") {
    return Status::InvalidParams("render formats: png")
        .With("param", "format")
        .With("expected", std::string("png"))
        .With("got", *format);
  }
  GOXEL_RETURN_IF_ERROR(ReadCamera(p, &rq));
  GOXEL_RETURN_IF_ERROR(ReadLook(p, &rq.options));
  // Checks sizes and light terms now; the camera once it is framed.
  RenderOptions probe = rq.options;
  probe.camera = Camera{};
  GOXEL_RETURN_IF_ERROR(render::ValidateRenderOptions(probe));
  return rq;
}

// Frames the camera: explicit position (target: the model's centre by
// default), else the preset fitted to the bounds (orthographic default).
void FinishCamera(const std::optional<voxel::Box>& bounds, RenderRequest* rq) {
  RenderOptions& o = rq->options;
  const Vec3d up = o.camera.up;
  const double fov = o.camera.fov_degrees;
  if (!rq->position) {
    o.camera = render::FrameBounds(
        rq->preset, rq->projection.value_or(Projection::kOrthographic), bounds,
        o.width, o.height, fov);
  } else {
    const voxel::Box b = bounds.value_or(voxel::Box{});
    const Vec3d lo{double(b.min.x), double(b.min.y), double(b.min.z)};
    const Vec3d hi{b.max.x + 1.0, b.max.y + 1.0, b.max.z + 1.0};
    o.camera.projection = rq->projection.value_or(Projection::kPerspective);
    o.camera.position = *rq->position;
    o.camera.target = rq->target.value_or((lo + hi) * 0.5);
    o.camera.up = up;
    o.camera.fov_degrees = fov;
    const Vec3d d = hi - lo;
    o.camera.ortho_height = std::sqrt(Dot(d, d)) * 1.1;
  }
  if (rq->ortho_height) o.camera.ortho_height = *rq->ortho_height;
}

struct Rendered {
  std::vector<uint8_t> png;
  int width = 0, height = 0;
  double render_ms = 0, encode_ms = 0;
  std::string project_id;
};

Result<Rendered> RenderProject(FileMethods& fm, const Params& p) {
  auto rq = ReadRenderRequest(p);
  if (!rq.ok()) return rq.status();
  auto ref = ResolveProject(fm.workspace(), p);
  if (!ref.ok()) return ref.status();
  std::vector<voxel::Layer> layers;
  {
    CallReaderLock lock(&(*ref)->mu, fm.workspace().Wait());
    if (!lock.held()) return lock.Busy((*ref)->id);
    layers = (*ref)->project.layers();  // copy-on-write: O(layers)
  }
  const uint64_t start = MonotonicNanos();
  std::vector<const voxel::Volume*> volumes;
  for (const voxel::Layer& l : layers)
    if (l.visible) volumes.push_back(&l.volume);
  FinishCamera(render::SceneBounds(volumes), &*rq);
  auto image = render::Render(volumes, rq->options);
  if (!image.ok()) return image.status();
  Rendered out;
  out.render_ms = static_cast<double>(MonotonicNanos() - start) / 1e6;
  const uint64_t encode_start = MonotonicNanos();
  auto png = voxel::formats::EncodePng(image->rgba.data(), image->width,
                                       image->height, /*fast=*/true);
  if (!png.ok()) return png.status();
  out.encode_ms = static_cast<double>(MonotonicNanos() - encode_start) / 1e6;
  out.png = std::move(png).value();
  out.width = image->width;
  out.height = image->height;
  out.project_id = (*ref)->id;
  return out;
}

void PutCommon(const Rendered& r, JsonValue& o, JsonAllocator& a) {
  Put(o, "success", true, a);
  Put(o, "width", r.width, a);
  Put(o, "height", r.height, a);
  PutString(o, "format", "png", a);
  Put(o, "render_time_ms", r.render_ms, a);
  Put(o, "encode_time_ms", r.encode_ms, a);
  Put(o, "bytes", static_cast<uint64_t>(r.png.size()), a);
  PutString(o, "project_id", r.project_id, a);
}

Status RenderScene(FileMethods& fm, Call& call) {
  const Params& p = call.params();
  auto out_path = p.String("path", "");
  if (!out_path.ok()) return out_path.status();
  std::string resolved;
  if (!out_path->empty()) {
    auto r = fm.Resolve(*out_path, /*must_exist=*/false);
    if (!r.ok()) return r.status();
    resolved = *r;
  }
  auto rendered = RenderProject(fm, p);
  if (!rendered.ok()) return rendered.status();
  if (!resolved.empty())
    GOXEL_RETURN_IF_ERROR(fm.WriteFile(resolved, rendered->png));
  auto& a = call.alloc();
  JsonValue& r = call.result();
  r.SetObject();
  PutCommon(*rendered, r, a);
  ReadReservation reserved;
  if (resolved.empty()) {
    GOXEL_RETURN_IF_ERROR(reserved.Reserve(
        Base64ReplyBytes(rendered->png.size()), "render_scene"));
    PutString(r, "image", Base64Encode(rendered->png), a);
  } else {
    PutString(r, "path", resolved, a);
  }
  return Status::Ok();
}

Status RenderImage(FileMethods& fm, Call& call) {
  auto rendered = RenderProject(fm, call.params());
  if (!rendered.ok()) return rendered.status();
  auto& a = call.alloc();
  JsonValue& r = call.result();
  r.SetObject();
  ReadReservation reserved;
  GOXEL_RETURN_IF_ERROR(
      reserved.Reserve(Base64ReplyBytes(rendered->png.size()), "render_image"));
  PutCommon(*rendered, r, a);
  PutString(r, "image", Base64Encode(rendered->png), a);
  return Status::Ok();
}

// The params both methods take after their first ones.
std::vector<ParamSpec> LookParams() {
  return {{"camera", "string|object", false,
           "preset (front, back, left, right, top, bottom, isometric; default "
           "isometric; see docs/API.md for where each looks from) or "
           "{position, target, up, fov, projection}"},
          {"camera_position", "vec3", false,
           "[x, y, z]: where the camera is (world units; then perspective "
           "by default)"},
          {"camera_target", "vec3", false,
           "[x, y, z] it looks at (default: the model's centre)"},
          {"camera_up", "vec3", false, "[x, y, z] (default [0, 0, 1]: +z up)"},
          {"fov", "number", false, "perspective: vertical degrees (45)"},
          {"projection", "string", false,
           "perspective | orthographic (presets: orthographic)"},
          {"ortho_height", "number", false, "orthographic: world units shown"},
          {"background", "", false,
           "[r,g,b(,a)], \"#rrggbb(aa)\" or \"transparent\"", "", -1,
           R"({"oneOf":[{"type":"array","items":{"type":"integer",)"
           R"("minimum":0,"maximum":255},"minItems":3,"maxItems":4},)"
           R"({"type":"string"}]})"},
          {"transparent", "boolean", false, "transparent background (false)"},
          {"ambient_occlusion", "boolean", false, "(false)"},
          {"shadows", "boolean", false, "(false)"},
          {"antialias", "integer", false, "samples per pixel side 1..4 (1)"},
          {"ambient", "number", false, "ambient light (0.35)"},
          {"diffuse", "number", false, "sun light (0.65)"},
          {"sun_direction", "vec3", false, "[x, y, z] toward the sun"},
          rpc::Alias("position", "camera_position"),
          rpc::Alias("target", "camera_target"),
          rpc::Alias("up", "camera_up"),
          ProjectIdParam()};
}

}  // namespace

Status RegisterRenderMethods(rpc::MethodTable* t, FileMethods* files) {
  FileMethods& fm = *files;
  const ParamSpec width{"width", "integer", false, "pixels (512)"};
  const ParamSpec height{"height", "integer", false, "pixels (512)"};
  const ParamSpec format{"format", "string", false, "\"png\" (only)"};
  std::vector<ParamSpec> scene_params = {
      width,
      height,
      format,
      {"output_path", "string", false,
       "PNG file to write (relative: in the data directory); without it "
       "the image comes back as base64 in `image`"}};
  std::vector<ParamSpec> image_params = {width, height, format};
  for (const ParamSpec& s : LookParams()) {
    scene_params.push_back(s);
    image_params.push_back(s);
  }
  GOXEL_RETURN_IF_ERROR(t->Add(
      {"goxel.render_scene",
       "Renders the visible layers to a PNG file (path, written "
       "atomically), or returns it as base64 in `image`.",
       scene_params,
       "{success, width, height, format, render_time_ms, encode_time_ms, "
       "bytes, project_id, path | image}",
       kPooled | kReadOnly, [&fm](Call& c) { return RenderScene(fm, c); }}));
  return t->Add({"goxel.render_image",
                 "Renders the visible layers and returns the PNG as base64 "
                 "in `image`.",
                 image_params,
                 "{success, width, height, format, render_time_ms, "
                 "encode_time_ms, bytes, project_id, image}",
                 kPooled | kReadOnly,
                 [&fm](Call& c) { return RenderImage(fm, c); }});
}

}  // namespace goxel::methods
