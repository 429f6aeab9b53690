// Shape methods: procedural_shape, fill_region, brush_stroke, flood_fill
// and select_region. Each counts the cells it would touch (tools.h
// CountCells) and refuses above the per-call cap (-32006) before editing.
#include <algorithm>

#include "methods/args.h"
#include "methods/edit_budget.h"
#include "methods/goxel_methods.h"
#include "voxel/shapes.h"
#include "voxel/tools.h"

namespace goxel::methods {

namespace {

using rpc::kAllocates;
using rpc::kMutating;
using rpc::kPooled;
using voxel::ApplyMode;
using voxel::Shape;

constexpr uint32_t kEditAlloc = kPooled | kMutating | kAllocates;
constexpr int32_t kMaxSize = 1 << 30;

// The colour of an edit in `mode` (remove needs none).
Result<Rgba> ReadModeColor(const Params& p, ApplyMode mode) {
  if (mode == ApplyMode::kRemove) return Rgba{};
  return ReadColor(p);
}

int32_t Along(Vec3i v, voxel::Axis axis) {
  return axis == voxel::Axis::kX ? v.x : axis == voxel::Axis::kY ? v.y : v.z;
}

// Refuses a shape above the cap: first by its bounds (bounding the work
// of counting), then by its exact cell count.
Status CheckShape(const Shape& s, int64_t cap, std::string_view what) {
  const int64_t bounds = s.Bounds().CellCount();
  if (bounds > cap * 8) {
    return CheckVoxelCap(bounds, cap * 8, std::string(what) + " bounding box")
        .With("reason", std::string("bounding box too large"));
  }
  return CheckVoxelCap(voxel::CountCells(s, cap), cap, what);
}

int32_t Clamp32(int64_t v) {
  return static_cast<int32_t>(std::clamp<int64_t>(v, INT32_MIN, INT32_MAX));
}

// `b` without its one-cell shell (inverted, so empty, when b is thin).
Box Inner(const Box& b) {
  return Box{{Clamp32(int64_t{b.min.x} + 1), Clamp32(int64_t{b.min.y} + 1),
              Clamp32(int64_t{b.min.z} + 1)},
             {Clamp32(int64_t{b.max.x} - 1), Clamp32(int64_t{b.max.y} - 1),
              Clamp32(int64_t{b.max.z} - 1)}};
}

int64_t HollowBoxCells(const Box& b) {
  return b.CellCount() - Inner(b).CellCount();
}

// The one-cell shell of `b` (the cells of MakeHollow(MakeBox(b))) as six
// face boxes on the FillBox fast path: x faces whole, y faces inside the x
// range, z faces inside both. Returns the cells changed.
int64_t FillHollowBox(voxel::Volume& v, const Box& b, Rgba c) {
  const Box in = Inner(b);
  int64_t n = v.FillBox({b.min, {b.min.x, b.max.y, b.max.z}}, c);
  if (b.max.x != b.min.x)
    n += v.FillBox({{b.max.x, b.min.y, b.min.z}, b.max}, c);
  n += v.FillBox({{in.min.x, b.min.y, b.min.z}, {in.max.x, b.min.y, b.max.z}},
                 c);
  if (b.max.y != b.min.y) {
    n += v.FillBox({{in.min.x, b.max.y, b.min.z}, {in.max.x, b.max.y, b.max.z}},
                   c);
  }
  n += v.FillBox({{in.min.x, in.min.y, b.min.z}, {in.max.x, in.max.y, b.min.z}},
                 c);
  if (b.max.z != b.min.z) {
    n += v.FillBox(
        {{in.min.x, in.min.y, b.max.z}, {in.max.x, in.max.y, b.max.z}}, c);
  }
  return n;
}

struct ShapeRequest {
  std::string type;   // "box" for "cube"
  std::string asked;  // as the request named it (the result echoes it)
  std::unique_ptr<Shape> shape;  // null for boxes (box below)
  std::optional<Box> box;
  bool hollow = false;
};

Result<ShapeRequest> BuildShape(const Params& p) {
  ShapeRequest req;
  auto type = p.String("shape_type", "box");
  if (!type.ok()) return type.status();
  req.asked = *type;
  req.type = *type == "cube" ? "box" : *type;  // v14's name of the box
  auto sz = ReadVec3Param(p, "size", "size_", Vec3i{10, 10, 10});
  if (!sz.ok()) return sz.status();
  int64_t size[3] = {sz->x, sz->y, sz->z};
  for (int i = 0; i < 3; ++i) {
    if (size[i] < 1) {
      // The name the caller used: size, or v14's size_x, size_y, size_z.
      std::string name =
          p.Has("size") ? "size" : "size_" + std::string(1, "xyz"[i]);
      return Status::InvalidParams("parameter '" + name +
                                   "': every side must be at least 1")
          .With("param", name)
          .With("expected", std::string("sides >= 1"));
    }
  }
  auto c = ReadVec3Param(p, "position", "center_", Vec3i{});
  if (!c.ok()) return c.status();
  auto hollow = p.Bool("hollow", false);
  if (!hollow.ok()) return hollow.status();
  req.hollow = *hollow;
  auto axis = ReadAxis(p);
  if (!axis.ok()) return axis.status();
  const Vec3i ctr = *c;
  const int64_t along =
      Along(Vec3i{int32_t(size[0]), int32_t(size[1]), int32_t(size[2])}, *axis);
  auto radius =
      p.IntInRange("radius", 0, kMaxSize, std::min(size[0], size[1]) / 2);
  if (!radius.ok()) return radius.status();
  int32_t rad = static_cast<int32_t>(*radius);
  if (req.type == "line") {
    // From `start` to `end` (default: through position along axis, the
    // size on that axis long), `radius` thick (default 0: one cell).
    const JsonValue* start = p.Get("start");
    const JsonValue* end = p.Get("end");
    if ((start == nullptr) != (end == nullptr)) {
      return Params::Missing(start ? "end" : "start",
                             "[x, y, z] (a line needs both start and end)");
    }
    Vec3i a = ctr, b = ctr;
    if (start != nullptr) {
      auto s0 = Vec3FromJson(*start, "start");
      if (!s0.ok()) return s0.status();
      auto s1 = Vec3FromJson(*end, "end");
      if (!s1.ok()) return s1.status();
      a = *s0;
      b = *s1;
    } else {
      int32_t* lo = *axis == voxel::Axis::kX   ? &a.x
                    : *axis == voxel::Axis::kY ? &a.y
                                               : &a.z;
      int32_t* hi = *axis == voxel::Axis::kX   ? &b.x
                    : *axis == voxel::Axis::kY ? &b.y
                                               : &b.z;
      *lo = Clamp32(int64_t{*lo} - along / 2);
      *hi = Clamp32(int64_t{*lo} + along - 1);
    }
    auto thick = p.IntInRange("radius", 0, 1024, 0);
    if (!thick.ok()) return thick.status();
    req.shape = voxel::MakeLine(a, b, int32_t(*thick));
    if (req.hollow) req.shape = voxel::MakeHollow(std::move(req.shape));
    return req;
  }
  if (req.type == "box") {
    Vec3i lo{static_cast<int32_t>(ctr.x - size[0] / 2),
             static_cast<int32_t>(ctr.y - size[1] / 2),
             static_cast<int32_t>(ctr.z - size[2] / 2)};
    req.box = Box{lo,
                  {static_cast<int32_t>(lo.x + size[0] - 1),
                   static_cast<int32_t>(lo.y + size[1] - 1),
                   static_cast<int32_t>(lo.z + size[2] - 1)}};
    return req;
  }
  if (req.type == "sphere" || req.type == "ellipsoid") {
    Vec3i radii = p.Has("radius") && req.type == "sphere"
                      ? Vec3i{rad, rad, rad}
                      : Vec3i{int32_t(size[0] / 2), int32_t(size[1] / 2),
                              int32_t(size[2] / 2)};
    req.shape = voxel::MakeEllipsoid(ctr, radii);
  } else if (req.type == "cylinder") {
    auto h = p.IntInRange("height", 1, kMaxSize, along);
    if (!h.ok()) return h.status();
    req.shape = voxel::MakeCylinder(ctr, rad, int32_t(*h / 2), *axis);
  } else if (req.type == "cone") {
    auto h = p.IntInRange("height", 1, kMaxSize, along);
    if (!h.ok()) return h.status();
    Vec3i base = ctr;
    int32_t* a = *axis == voxel::Axis::kX   ? &base.x
                 : *axis == voxel::Axis::kY ? &base.y
                                            : &base.z;
    *a = static_cast<int32_t>(*a - *h / 2);
    req.shape = voxel::MakeCone(base, rad, int32_t(*h), *axis);
  } else if (req.type == "torus") {
    auto minor = p.IntInRange("minor_radius", 0, kMaxSize,
                              std::max<int64_t>(1, size[0] / 8));
    if (!minor.ok()) return minor.status();
    auto major =
        p.IntInRange("major_radius", 0, kMaxSize,
                     std::max<int64_t>(*minor + 1, size[0] / 2 - *minor));
    if (!major.ok()) return major.status();
    req.shape = voxel::MakeTorus(ctr, int32_t(*major), int32_t(*minor), *axis);
  } else {
    return Params::Wrong("shape_type",
                         "\"box\" (or \"cube\"), \"sphere\", \"ellipsoid\", "
                         "\"cylinder\", \"cone\", \"torus\" or \"line\"",
                         *p.Get("shape_type"));
  }
  if (req.hollow) req.shape = voxel::MakeHollow(std::move(req.shape));
  return req;
}

// Applies a box (filled or hollow) in `mode`; returns cells changed.
int64_t ApplyBox(voxel::Volume& v, const Box& b, bool hollow, ApplyMode mode,
                 Rgba c) {
  if (mode == ApplyMode::kPaint) {
    auto shape =
        hollow ? voxel::MakeHollow(voxel::MakeBox(b)) : voxel::MakeBox(b);
    return voxel::ApplyShape(v, *shape, mode, c);
  }
  Rgba color = mode == ApplyMode::kRemove ? Rgba{} : c;
  return hollow ? FillHollowBox(v, b, color) : v.FillBox(b, color);
}

// Runs `edit(volume)` on the resolved layer as one undo step and sets
// *version to the project's version after it. -32007 when the project's
// lock is not free within the lock timeout or expected_version differs.
template <typename F>
Status EditLayer(Workspace& ws, const Params& p, uint64_t* version, F&& edit) {
  auto ref = ResolveProject(ws, p);
  if (!ref.ok()) return ref.status();
  OpenProject& op = **ref;
  CallWriterLock lock(&op.mu, ws.Wait());
  GOXEL_RETURN_IF_ERROR(AdmitEdit(lock, op, p));
  auto layer = ResolveLayer(p, op.project);
  if (!layer.ok()) return layer.status();
  BoundedEdit bounded(&op.project);
  Status s = edit(op.project, *op.project.MutableVolume(*layer));
  GOXEL_RETURN_IF_ERROR(bounded.Finish());
  *version = op.project.version();
  return s;
}

Status ProceduralShape(Workspace& ws, Call& call) {
  const Params& p = call.params();
  auto req = BuildShape(p);
  if (!req.ok()) return req.status();
  auto mode = ReadMode(p);
  if (!mode.ok()) return mode.status();
  auto color = ReadModeColor(p, *mode);
  if (!color.ok()) return color.status();
  const int64_t cap = ws.options().max_voxels_per_call;
  int64_t cells = 0;
  if (req->box) {
    cells = req->hollow ? HollowBoxCells(*req->box) : req->box->CellCount();
    GOXEL_RETURN_IF_ERROR(CheckVoxelCap(cells, cap, "procedural_shape"));
  } else {
    GOXEL_RETURN_IF_ERROR(CheckShape(*req->shape, cap, "procedural_shape"));
    cells = voxel::CountCells(*req->shape, cap);
  }
  int64_t changed = 0;
  uint64_t version = 0;
  GOXEL_RETURN_IF_ERROR(
      EditLayer(ws, p, &version, [&](voxel::Project&, voxel::Volume& v) {
        changed = req->box ? ApplyBox(v, *req->box, req->hollow, *mode, *color)
                           : voxel::ApplyShape(v, *req->shape, *mode, *color);
        return Status::Ok();
      }));
  auto& a = call.alloc();
  JsonValue& r = call.result();
  r.SetObject();
  Put(r, "success", true, a);
  PutString(r, "shape_type", req->asked, a);
  Put(r, "voxels_created", changed, a);
  Put(r, "cells", cells, a);
  Put(r, "version", version, a);
  return Status::Ok();
}

Status FillRegion(Workspace& ws, Call& call) {
  const Params& p = call.params();
  auto clear = p.Bool("clear", false);
  if (!clear.ok()) return clear.status();
  std::optional<Rgba> color;
  if (!*clear) {
    auto c = ReadColor(p);
    if (!c.ok()) return c.status();
    color = *c;
  }
  const JsonValue* min = p.Get("min");
  const JsonValue* max = p.Get("max");
  const JsonValue* region = p.Get("region");
  int64_t changed = 0, cells = 0;
  const int64_t cap = ws.options().max_voxels_per_call;
  uint64_t version = 0;
  GOXEL_RETURN_IF_ERROR(EditLayer(
      ws, p, &version, [&](voxel::Project& pr, voxel::Volume& v) -> Status {
        Result<Box> box = Status::Ok();
        if (region) {
          box = BoxFromJson(*region, "region", &pr);
        } else if (min || max) {
          if (!min) return Params::Missing("min", "[x, y, z]");
          if (!max) return Params::Missing("max", "[x, y, z]");
          box = BoxFromCorners(*min, *max, "min", "max");
        } else if (pr.selection()) {
          box = *pr.selection();
        } else {
          return Params::Missing("min",
                                 "[x, y, z] (with max), region, or a "
                                 "selection");
        }
        if (!box.ok()) return box.status();
        cells = box->CellCount();
        if (color)
          GOXEL_RETURN_IF_ERROR(CheckVoxelCap(cells, cap, "fill_region"));
        changed = v.FillBox(*box, color.value_or(Rgba{}));
        return Status::Ok();
      }));
  auto& a = call.alloc();
  JsonValue& r = call.result();
  r.SetObject();
  Put(r, "success", true, a);
  Put(r, "voxels_changed", changed, a);
  Put(r, "cells", cells, a);
  Put(r, "version", version, a);
  return Status::Ok();
}

Status BrushStroke(Workspace& ws, Call& call) {
  const Params& p = call.params();
  std::vector<Vec3i> points;
  if (const JsonValue* list = p.Get("points")) {
    if (!list->IsArray() || list->Size() == 0) {
      return Params::Wrong("points", "a non-empty array of [x,y,z]", *list);
    }
    for (rapidjson::SizeType i = 0; i < list->Size(); ++i) {
      auto v = Vec3FromJson((*list)[i], "points[" + std::to_string(i) + "]");
      if (!v.ok()) return v.status();
      points.push_back(*v);
    }
  } else {
    const JsonValue* start = p.Get("start");
    const JsonValue* end = p.Get("end");
    if (!start)
      return Params::Missing("points", "[[x,y,z], ...] (or start, end)");
    auto s = Vec3FromJson(*start, "start");
    if (!s.ok()) return s.status();
    points.push_back(*s);
    if (end) {
      auto e = Vec3FromJson(*end, "end");
      if (!e.ok()) return e.status();
      points.push_back(*e);
    }
  }
  auto radius = p.IntInRange("radius", 0, 1024, 0);
  if (!radius.ok()) return radius.status();
  auto mode = ReadMode(p);
  if (!mode.ok()) return mode.status();
  auto color = ReadModeColor(p, *mode);
  if (!color.ok()) return color.status();
  std::vector<std::unique_ptr<Shape>> segments;
  const int64_t cap = ws.options().max_voxels_per_call;
  int64_t cells = 0;
  for (size_t i = 0; i == 0 || i + 1 < points.size(); ++i) {
    Vec3i b = points.size() > 1 ? points[i + 1] : points[i];
    segments.push_back(voxel::MakeLine(points[i], b, int32_t(*radius)));
    cells += voxel::CountCells(*segments.back(), cap - cells);
    GOXEL_RETURN_IF_ERROR(CheckVoxelCap(cells, cap, "brush_stroke"));
  }
  int64_t changed = 0;
  uint64_t version = 0;
  GOXEL_RETURN_IF_ERROR(
      EditLayer(ws, p, &version, [&](voxel::Project&, voxel::Volume& v) {
        for (const auto& s : segments)
          changed += ApplyShape(v, *s, *mode, *color);
        return Status::Ok();
      }));
  auto& a = call.alloc();
  JsonValue& r = call.result();
  r.SetObject();
  Put(r, "success", true, a);
  Put(r, "points", static_cast<uint64_t>(points.size()), a);
  Put(r, "segments", static_cast<uint64_t>(segments.size()), a);
  Put(r, "voxels_changed", changed, a);
  Put(r, "version", version, a);
  return Status::Ok();
}

// The default flood region: the canvas (centred on the origin) and the
// layer's voxels, grown by one cell so a fill can flow around them.
Box DefaultFloodRegion(const voxel::Project& pr, const voxel::Volume& v) {
  Box b{{-pr.width() / 2, -pr.height() / 2, -pr.depth() / 2},
        {pr.width() - pr.width() / 2 - 1, pr.height() - pr.height() / 2 - 1,
         pr.depth() - pr.depth() / 2 - 1}};
  if (auto vb = v.Bounds()) {
    b.min = {std::min(b.min.x, vb->min.x), std::min(b.min.y, vb->min.y),
             std::min(b.min.z, vb->min.z)};
    b.max = {std::max(b.max.x, vb->max.x), std::max(b.max.y, vb->max.y),
             std::max(b.max.z, vb->max.z)};
  }
  auto grow = [](int32_t v, int d) {
    int64_t g = int64_t{v} + d;
    return static_cast<int32_t>(std::clamp<int64_t>(g, INT32_MIN, INT32_MAX));
  };
  return Box{{grow(b.min.x, -1), grow(b.min.y, -1), grow(b.min.z, -1)},
             {grow(b.max.x, 1), grow(b.max.y, 1), grow(b.max.z, 1)}};
}

Status FloodFill(Workspace& ws, Call& call) {
  const Params& p = call.params();
  auto seed = ReadPosition(p);
  if (!seed.ok()) return seed.status();
  auto color = ReadColor(p);
  if (!color.ok()) return color.status();
  auto tolerance = p.IntInRange("tolerance", 0, 255, 0);
  if (!tolerance.ok()) return tolerance.status();
  const int64_t cap = ws.options().max_voxels_per_call;
  auto max_voxels = p.IntInRange("max_voxels", 1, cap, cap);
  if (!max_voxels.ok()) return max_voxels.status();
  const JsonValue* region = p.Get("region");
  voxel::FloodFillResult result;
  uint64_t version = 0;
  GOXEL_RETURN_IF_ERROR(EditLayer(
      ws, p, &version, [&](voxel::Project& pr, voxel::Volume& v) -> Status {
        voxel::FloodFillOptions o;
        if (region) {
          auto b = BoxFromJson(*region, "region", &pr);
          if (!b.ok()) return b.status();
          o.region = *b;
        } else {
          o.region = DefaultFloodRegion(pr, v);
        }
        o.tolerance = static_cast<int>(*tolerance);
        o.max_voxels = *max_voxels;
        auto r = voxel::FloodFill(v, *seed, *color, o);
        if (!r.ok()) return r.status();
        result = *r;
        return Status::Ok();
      }));
  auto& a = call.alloc();
  JsonValue& r = call.result();
  r.SetObject();
  Put(r, "success", true, a);
  Put(r, "voxels_filled", result.changed, a);
  Put(r, "matched", result.matched, a);
  Put(r, "version", version, a);
  return Status::Ok();
}

Status SelectRegion(Workspace& ws, Call& call) {
  const Params& p = call.params();
  auto clear = p.Bool("clear", false);
  if (!clear.ok()) return clear.status();
  std::optional<Box> box;
  if (!*clear) {
    const JsonValue* region = p.Get("region");
    const JsonValue* min = p.Get("min");
    const JsonValue* max = p.Get("max");
    Result<Box> b = Status::Ok();
    if (region) {
      b = BoxFromJson(*region, "region", nullptr);
    } else {
      if (!min) return Params::Missing("min", "[x, y, z] (or region)");
      if (!max) return Params::Missing("max", "[x, y, z]");
      b = BoxFromCorners(*min, *max, "min", "max");
    }
    if (!b.ok()) return b.status();
    box = *b;
  }
  auto ref = ResolveProject(ws, p);
  if (!ref.ok()) return ref.status();
  OpenProject& op = **ref;
  int64_t count = 0;
  uint64_t version = 0;
  {
    CallWriterLock lock(&op.mu, ws.Wait());
    GOXEL_RETURN_IF_ERROR(AdmitEdit(lock, op, p));
    op.project.set_selection(box);
    if (box) {
      for (const auto& l : op.project.layers())
        count += voxel::CountInBox(l.volume, *box);
    }
    version = op.project.version();
  }
  auto& a = call.alloc();
  JsonValue& r = call.result();
  r.SetObject();
  Put(r, "success", true, a);
  if (box) {
    r.AddMember("selection", BoxJson(*box, a), a);
  } else {
    r.AddMember("selection", JsonValue(), a);
  }
  Put(r, "voxel_count", count, a);
  Put(r, "cells", box ? box->CellCount() : 0, a);
  Put(r, "version", version, a);
  return Status::Ok();
}

std::vector<ParamSpec> ColorParams() {
  return {{"r", "integer", false, "red 0..255 (or color)"},
          {"g", "integer", false, "green 0..255"},
          {"b", "integer", false, "blue 0..255"},
          {"a", "integer", false, "alpha 0..255; 0 or absent = 255"}};
}

std::vector<ParamSpec> Concat(std::vector<std::vector<ParamSpec>> parts) {
  std::vector<ParamSpec> out;
  for (auto& part : parts)
    for (auto& s : part) out.push_back(std::move(s));
  return out;
}

ParamSpec ColorParam() {
  return {"color", "color", false,
          "[r,g,b(,a)] 0..255 or \"#rrggbb(aa)\" (needed unless mode is "
          "remove)"};
}

ParamSpec ModeParam() {
  return {"mode", "string", false,
          "\"add\" (default), \"remove\" or \"paint\""};
}

}  // namespace

Status RegisterShapeMethods(rpc::MethodTable* t, Workspace* ws) {
  Workspace& w = *ws;
  GOXEL_RETURN_IF_ERROR(t->Add(Versioned(
      {"goxel.procedural_shape",
       "Draws a shape (filled, or a one-cell shell with hollow) around the "
       "cell `position` (default [0,0,0]). box: size[0]*size[1]*size[2] "
       "cells from position - floor(size/2). sphere: radius (default "
       "min(size x, y)/2) around position. ellipsoid: radii size/2 per axis. "
       "cylinder, cone: radius and height along axis (default the size on "
       "that axis); the cone's apex points to +axis. torus: major_radius, "
       "minor_radius around axis. line: from start to end (or along axis "
       "through position), radius thick (0: one cell). cube is box.",
       Concat({{{"shape_type", "string", true,
                 "box, sphere, ellipsoid, cylinder, cone, torus or line "
                 "(cube: box)",
                 "", -1,
                 R"({"enum":["box","sphere","ellipsoid","cylinder","cone",)"
                 R"("torus","line","cube"]})"},
                {"size_x", "integer", false, ""},
                {"size_y", "integer", false, ""},
                {"size_z", "integer", false, ""},
                {"center_x", "number", false, ""},
                {"center_y", "number", false, ""},
                {"center_z", "number", false, ""}},
               ColorParams(),
               {LayerIdParam("target layer (default active)"),
                {"hollow", "boolean", false, "a one-cell shell"},
                ProjectIdParam(),
                ColorParam(),
                ModeParam(),
                {"axis", "string", false, "x, y or z (default z)", "", -1,
                 R"({"enum":["x","y","z"]})"},
                {"radius", "integer", false,
                 "sphere, cylinder, cone radius; line thickness"},
                {"height", "integer", false, "cylinder/cone height"},
                {"major_radius", "integer", false, "torus ring radius"},
                {"minor_radius", "integer", false, "torus tube radius"},
                {"position", "position", false,
                 "[x, y, z]: the centre cell (default [0, 0, 0]; numbers "
                 "are floored)"},
                {"size", "position", false,
                 "[x, y, z] sides in cells (default [10, 10, 10])"},
                {"start", "position", false, "line: first cell"},
                {"end", "position", false, "line: last cell"}}}),
       "{success, shape_type, voxels_created (cells changed), cells}",
       kEditAlloc, [&w](Call& c) { return ProceduralShape(w, c); }})));
  GOXEL_RETURN_IF_ERROR(t->Add(Versioned(
      {"goxel.fill_region",
       "Fills a box with a colour, or empties it with clear:true. The box is "
       "min/max, region, or the selection.",
       Concat({{{"min", "position", false, "[x, y, z]"},
                {"max", "position", false, "[x, y, z]"}},
               ColorParams(),
               {{"clear", "boolean", false, "empty the box instead"},
                LayerIdParam("target layer (default active)"),
                ProjectIdParam(),
                ColorParam(),
                {"region", "region", false, "{min, max} or \"selection\""}}}),
       "{success, voxels_changed, cells}", kEditAlloc,
       [&w](Call& c) { return FillRegion(w, c); }})));
  GOXEL_RETURN_IF_ERROR(t->Add(Versioned(
      {"goxel.brush_stroke",
       "Strokes a polyline through points with a spherical brush.",
       Concat({{{"points", "array", false, "[[x,y,z], ...] (or start, end)"},
                {"radius", "integer", false, "brush radius 0..1024 (0: line)"}},
               ColorParams(),
               {LayerIdParam("target layer (default active)"),
                ProjectIdParam(),
                ColorParam(),
                ModeParam(),
                {"start", "position", false, "first point"},
                {"end", "position", false, "last point"}}}),
       "{success, points, segments, voxels_changed}", kEditAlloc,
       [&w](Call& c) { return BrushStroke(w, c); }})));
  GOXEL_RETURN_IF_ERROR(t->Add(Versioned(
      {"goxel.flood_fill",
       "6-connected flood fill from x,y,z of the cells matching the seed's "
       "colour (within tolerance per channel); an empty seed fills empty "
       "space. Bounded by region (default: canvas and layer bounds plus one "
       "cell) and max_voxels (-32006 when exceeded, nothing changed).",
       Concat({{{"x", "number", true, "seed x (or position)"},
                {"y", "number", true, "seed y"},
                {"z", "number", true, "seed z"}},
               ColorParams(),
               {LayerIdParam("target layer (default active)"),
                {"tolerance", "integer", false, "0..255 per channel"},
                {"region", "region", false, "{min, max} or \"selection\""},
                {"max_voxels", "integer", false, "cap (default the call cap)"},
                ProjectIdParam(),
                {"position", "position", false, "[x, y, z]"},
                ColorParam()}}),
       "{success, voxels_filled, matched}", kEditAlloc,
       [&w](Call& c) { return FloodFill(w, c); }})));
  GOXEL_RETURN_IF_ERROR(t->Add(Versioned(
      {"goxel.select_region",
       "Sets (or with clear:true clears) the project's selection box; "
       "region params of later calls accept \"selection\", and fill_region "
       "and get_voxels_region use it when given no box.",
       {{"min", "position", false, "[x, y, z]"},
        {"max", "position", false, "[x, y, z]"},
        {"clear", "boolean", false, "clear the selection"},
        ProjectIdParam(),
        {"region", "region", false, "{min, max}"}},
       "{success, selection: {min, max}|null, voxel_count, cells}",
       kPooled | kMutating,
       [&w](Call& c) { return SelectRegion(w, c); }})));
  return Status::Ok();
}

}  // namespace goxel::methods
