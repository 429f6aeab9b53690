// goxel.edit: a list of operations applied atomically. Every operation is
// read and checked before the project is locked (errors name
// operations[i].field), its layers are resolved under the lock, and the
// operations run on copy-on-write copies of the layers they touch; only
// when all succeeded are the copies put back, inside one BeginEdit/EndEdit
// (one undo step, one version bump). Any error leaves the project as it
// was. dry_run runs the same operations on copies taken under the reader
// lock and reports what would change.
//
// goxel.copy_region and goxel.move_region are the copy and move operations
// as methods of their own (voxel/tools.h CopyRegion, MoveRegion).
#include <algorithm>
#include <map>
#include <memory>

#include "methods/agent_methods.h"
#include "methods/goxel_methods.h"
#include "voxel/analysis.h"
#include "voxel/shapes.h"
#include "voxel/tools.h"

namespace goxel::methods {

namespace {

using rpc::kAllocates;
using rpc::kMutating;
using rpc::kPooled;
using voxel::ApplyMode;
using voxel::Shape;
using voxel::Volume;

constexpr uint32_t kEditAlloc = kPooled | kMutating | kAllocates;
constexpr int64_t kMaxRadius = 1 << 20;
constexpr int64_t kMaxOperations = 100000;

enum class OpKind {
  kSet,
  kRemove,
  kBox,
  kFill,
  kSphere,
  kEllipsoid,
  kCylinder,
  kCone,
  kLine,
  kFloodFill,
  kPaint,
  kCopy,
  kMove,
};

struct OpInfo {
  const char* name;
  OpKind kind;
  std::vector<std::string_view> fields;  // besides op and layer
};

const OpInfo kOps[] = {
    {"set", OpKind::kSet, {"position", "positions", "color"}},
    {"remove", OpKind::kRemove, {"position", "positions"}},
    {"box", OpKind::kBox, {"min", "max", "color", "hollow", "mode"}},
    {"fill", OpKind::kFill, {"min", "max", "color", "mode"}},
    {"sphere",
     OpKind::kSphere,
     {"center", "radius", "color", "hollow", "mode"}},
    {"ellipsoid",
     OpKind::kEllipsoid,
     {"center", "radii", "color", "hollow", "mode"}},
    {"cylinder",
     OpKind::kCylinder,
     {"center", "radius", "height", "axis", "color", "hollow", "mode"}},
    {"cone",
     OpKind::kCone,
     {"base", "radius", "height", "axis", "color", "hollow", "mode"}},
    {"line", OpKind::kLine, {"from", "to", "radius", "color", "mode"}},
    {"flood_fill",
     OpKind::kFloodFill,
     {"position", "color", "tolerance", "min", "max"}},
    {"paint", OpKind::kPaint, {"min", "max", "color", "match"}},
    {"copy", OpKind::kCopy, {"min", "max", "offset", "to", "target_layer"}},
    {"move", OpKind::kMove, {"min", "max", "offset", "to"}},
};

std::string OpNames() {
  std::string s;
  for (const OpInfo& o : kOps)
    s += (s.empty() ? "" : ", ") + std::string(o.name);
  return s;
}

// One operation, read and checked.
struct EditOp {
  const OpInfo* info = nullptr;
  const JsonValue* layer = nullptr;         // null: the call's layer
  const JsonValue* target_layer = nullptr;  // copy: null = same layer
  std::vector<Vec3i> points;                // set, remove
  Rgba color;                               // alpha 0 for remove
  ApplyMode mode = ApplyMode::kAdd;
  std::unique_ptr<Shape> shape;  // shapes, lines, boxes, paint
  Box box;                       // copy, move, flood region, paint
  bool has_box = false;
  Vec3i offset;  // copy, move
  Vec3i seed;    // flood fill
  int tolerance = 0;
  std::optional<Rgba> match;  // paint: only voxels of this colour
  int64_t cells = 0;          // counted before any work
  // Resolved under the lock.
  int32_t layer_id = 0, target_id = 0;
};

Result<Vec3i> RequiredVec3(const Params& p, std::string_view name) {
  const JsonValue* v = p.Get(name);
  if (v == nullptr) return Params::Missing(name, "[x, y, z]");
  return Vec3FromJson(*v, name);
}

Result<Rgba> RequiredColor(const Params& p) {
  const JsonValue* v = p.Get("color");
  if (v == nullptr)
    return Params::Missing("color", "[r,g,b(,a)] or \"#rrggbb(aa)\"");
  return ColorFromJson(*v, "color");
}

// mode and colour of a drawing operation (remove needs no colour).
Status ReadModeAndColor(const Params& p, EditOp* op) {
  auto m = ReadMode(p);
  if (!m.ok()) return m.status();
  op->mode = *m;
  if (op->mode == ApplyMode::kRemove) return Status::Ok();
  auto c = RequiredColor(p);
  if (!c.ok()) return c.status();
  op->color = *c;
  return Status::Ok();
}

Result<std::vector<Vec3i>> ReadPoints(const Params& p) {
  std::vector<Vec3i> out;
  if (const JsonValue* one = p.Get("position")) {
    auto v = Vec3FromJson(*one, "position");
    if (!v.ok()) return v.status();
    out.push_back(*v);
  }
  if (const JsonValue* list = p.Get("positions")) {
    if (!list->IsArray())
      return Params::Wrong("positions", "an array of [x, y, z]", *list);
    for (rapidjson::SizeType i = 0; i < list->Size(); ++i) {
      auto v = Vec3FromJson((*list)[i], "positions[" + std::to_string(i) + "]");
      if (!v.ok()) return v.status();
      out.push_back(*v);
    }
  }
  if (out.empty())
    return Params::Missing("position", "[x, y, z] (or positions)");
  return out;
}

// The shift of copy and move: `offset`, or `to` (the new min corner).
Result<Vec3i> ReadShift(const Params& p, const Box& box) {
  const JsonValue* off = p.Get("offset");
  const JsonValue* to = p.Get("to");
  if ((off == nullptr) == (to == nullptr))
    return Params::Missing("offset",
                           "[dx, dy, dz] (or to: the new min corner)");
  if (off != nullptr) return Vec3FromJson(*off, "offset");
  auto t = Vec3FromJson(*to, "to");
  if (!t.ok()) return t.status();
  const int64_t d[3] = {int64_t{t->x} - box.min.x, int64_t{t->y} - box.min.y,
                        int64_t{t->z} - box.min.z};
  for (int64_t v : d)
    if (v < INT32_MIN || v > INT32_MAX)
      return Params::Wrong("to", "a corner within int32 of min", *to);
  return Vec3i{int32_t(d[0]), int32_t(d[1]), int32_t(d[2])};
}

Result<int32_t> ReadRadius(const Params& p) {
  auto r = p.IntInRange("radius", 0, kMaxRadius, std::nullopt);
  if (!r.ok()) return r.status();
  return static_cast<int32_t>(*r);
}

// Builds the shape of a sphere, ellipsoid, cylinder or cone.
Result<std::unique_ptr<Shape>> ReadSolid(const Params& p, OpKind kind) {
  std::unique_ptr<Shape> s;
  if (kind == OpKind::kEllipsoid) {
    auto c = RequiredVec3(p, "center");
    if (!c.ok()) return c.status();
    auto r = RequiredVec3(p, "radii");
    if (!r.ok()) return r.status();
    if (r->x < 0 || r->y < 0 || r->z < 0 || r->x > kMaxRadius ||
        r->y > kMaxRadius || r->z > kMaxRadius)
      return Params::Wrong("radii", "three radii 0..1048576", *p.Get("radii"));
    s = voxel::MakeEllipsoid(*c, *r);
  } else {
    auto c = RequiredVec3(p, kind == OpKind::kCone ? "base" : "center");
    if (!c.ok()) return c.status();
    auto r = ReadRadius(p);
    if (!r.ok()) return r.status();
    if (kind == OpKind::kSphere) {
      s = voxel::MakeSphere(*c, *r);
    } else {
      auto h = p.IntInRange("height", 1, kMaxRadius, std::nullopt);
      if (!h.ok()) return h.status();
      auto axis = ReadAxis(p);
      if (!axis.ok()) return axis.status();
      s = kind == OpKind::kCylinder
              ? voxel::MakeCylinder(*c, *r, int32_t(*h / 2), *axis)
              : voxel::MakeCone(*c, *r, int32_t(*h), *axis);
    }
  }
  auto hollow = p.Bool("hollow", false);
  if (!hollow.ok()) return hollow.status();
  if (*hollow) s = voxel::MakeHollow(std::move(s));
  return s;
}

// Counts a shape's cells, refusing a huge bounding box before counting.
Result<int64_t> CountShape(const Shape& s, int64_t cap) {
  const int64_t bounds = s.Bounds().CellCount();
  if (bounds > cap * 8) {
    return CheckVoxelCap(bounds, cap * 8, "the bounding box")
        .With("param", std::string("radius"));
  }
  return voxel::CountCells(s, cap);
}

Status ReadDrawing(const Params& p, OpKind kind, int64_t cap, EditOp* op) {
  GOXEL_RETURN_IF_ERROR(ReadModeAndColor(p, op));
  if (kind == OpKind::kBox || kind == OpKind::kFill) {
    auto box = ReadMinMax(p);
    if (!box.ok()) return box.status();
    auto hollow = p.Bool("hollow", false);
    if (!hollow.ok()) return hollow.status();
    op->shape = voxel::MakeBox(*box);
    if (*hollow) {
      if (box->CellCount() > cap * 8)
        return CheckVoxelCap(box->CellCount(), cap * 8, "the hollow box");
      op->shape = voxel::MakeHollow(std::move(op->shape));
    }
  } else if (kind == OpKind::kLine) {
    auto a = RequiredVec3(p, "from");
    if (!a.ok()) return a.status();
    auto b = RequiredVec3(p, "to");
    if (!b.ok()) return b.status();
    auto r = p.IntInRange("radius", 0, 1024, 0);
    if (!r.ok()) return r.status();
    op->shape = voxel::MakeLine(*a, *b, int32_t(*r));
  } else {
    auto s = ReadSolid(p, kind);
    if (!s.ok()) return s.status();
    op->shape = std::move(s).value();
  }
  auto n = op->shape->AsBox() ? op->shape->AsBox()->CellCount()
                              : CountShape(*op->shape, cap);
  if (!n.ok()) return n.status();
  op->cells = *n;
  return Status::Ok();
}

Result<EditOp> ReadOp(const JsonValue& v, int64_t cap) {
  Params p(&v, nullptr);
  const JsonValue* name = p.Get("op");
  if (name == nullptr || !name->IsString()) {
    return name ? Params::Wrong("op", OpNames(), *name)
                : Params::Missing("op", OpNames());
  }
  EditOp op;
  for (const OpInfo& o : kOps)
    if (std::string_view(name->GetString()) == o.name) op.info = &o;
  if (op.info == nullptr) return Params::Wrong("op", OpNames(), *name);
  std::vector<std::string_view> allowed = {"op", "layer"};
  allowed.insert(allowed.end(), op.info->fields.begin(), op.info->fields.end());
  GOXEL_RETURN_IF_ERROR(
      CheckKnownFields(v, std::string("op ") + op.info->name, allowed));
  op.layer = p.Get("layer");
  const OpKind kind = op.info->kind;
  switch (kind) {
    case OpKind::kSet:
    case OpKind::kRemove: {
      auto pts = ReadPoints(p);
      if (!pts.ok()) return pts.status();
      op.points = std::move(pts).value();
      op.cells = static_cast<int64_t>(op.points.size());
      if (kind == OpKind::kSet) {
        auto c = RequiredColor(p);
        if (!c.ok()) return c.status();
        op.color = *c;
      }
      return op;
    }
    case OpKind::kFloodFill: {
      auto seed = RequiredVec3(p, "position");
      if (!seed.ok()) return seed.status();
      op.seed = *seed;
      auto c = RequiredColor(p);
      if (!c.ok()) return c.status();
      op.color = *c;
      auto t = p.IntInRange("tolerance", 0, 255, 0);
      if (!t.ok()) return t.status();
      op.tolerance = static_cast<int>(*t);
      if (p.Has("min") || p.Has("max")) {
        auto b = ReadMinMax(p);
        if (!b.ok()) return b.status();
        op.box = *b;
        op.has_box = true;
      }
      return op;
    }
    case OpKind::kPaint: {
      auto b = ReadMinMax(p);
      if (!b.ok()) return b.status();
      op.box = *b;
      op.has_box = true;
      auto c = RequiredColor(p);
      if (!c.ok()) return c.status();
      op.color = *c;
      if (const JsonValue* m = p.Get("match")) {
        auto mc = ColorFromJson(*m, "match");
        if (!mc.ok()) return mc.status();
        op.match = *mc;
      }
      op.mode = ApplyMode::kPaint;
      op.shape = voxel::MakeBox(op.box);
      op.cells = 0;  // counted when applied: only existing voxels change
      return op;
    }
    case OpKind::kCopy:
    case OpKind::kMove: {
      auto b = ReadMinMax(p);
      if (!b.ok()) return b.status();
      op.box = *b;
      op.has_box = true;
      auto off = ReadShift(p, *b);
      if (!off.ok()) return off.status();
      op.offset = *off;
      op.target_layer = p.Get("target_layer");
      return op;
    }
    default:
      GOXEL_RETURN_IF_ERROR(ReadDrawing(p, kind, cap, &op));
      return op;
  }
}

Status AtOp(const Status& s, size_t i) {
  Status out = PrefixParam(s, "operations[" + std::to_string(i) + "].");
  return std::move(out).With("operation", static_cast<int64_t>(i));
}

// The operations of a call, read and counted. -32006 when their cells add
// up to more than the per-call cap.
Result<std::vector<EditOp>> ReadOps(const JsonValue& list, int64_t cap) {
  std::vector<EditOp> ops;
  ops.reserve(list.Size());
  int64_t cells = 0;
  for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
    if (!list[i].IsObject()) {
      return Params::Wrong("operations[" + std::to_string(i) + "]",
                           "an object {op, ...}", list[i])
          .With("operation", static_cast<int64_t>(i));
    }
    auto op = ReadOp(list[i], cap);
    if (!op.ok()) return AtOp(op.status(), i);
    cells += op->cells;
    if (cells > cap) return AtOp(CheckVoxelCap(cells, cap, "edit"), i);
    ops.push_back(std::move(op).value());
  }
  return ops;
}

// The layers an edit works on: copies of the touched layers' volumes.
struct Work {
  std::map<int32_t, Volume> before, after;
  int64_t budget = 0;  // cells flood fills, copies and moves may still use
  Volume& Of(int32_t id) { return after.at(id); }
};

// Resolves each operation's layers and copies their volumes (O(layers)).
// The caller holds the project's lock.
Status Prepare(const voxel::Project& pr, const JsonValue* call_layer,
               std::vector<EditOp>* ops, Work* work) {
  auto base = LayerFromJson(call_layer, "layer", pr);
  if (!base.ok()) return base.status();
  for (size_t i = 0; i < ops->size(); ++i) {
    EditOp& op = (*ops)[i];
    auto id = op.layer ? LayerFromJson(op.layer, "layer", pr) : base;
    if (!id.ok()) return AtOp(id.status(), i);
    op.layer_id = op.target_id = *id;
    if (op.target_layer) {
      auto t = LayerFromJson(op.target_layer, "target_layer", pr);
      if (!t.ok()) return AtOp(t.status(), i);
      op.target_id = *t;
    }
    for (int32_t l : {op.layer_id, op.target_id}) {
      if (work->before.count(l)) continue;
      work->before.emplace(l, pr.FindLayer(l)->volume);
      work->after.emplace(l, pr.FindLayer(l)->volume);
    }
  }
  return Status::Ok();
}

// Runs one operation on the work copies; *changed = cells changed.
Status ApplyOp(const EditOp& op, Work* work, int64_t* changed) {
  Volume& v = work->Of(op.layer_id);
  switch (op.info->kind) {
    case OpKind::kSet:
    case OpKind::kRemove:
      for (const Vec3i& p : op.points) *changed += v.Set(p, op.color);
      return Status::Ok();
    case OpKind::kPaint: {
      const int64_t n = voxel::CountInBox(v, op.box);
      GOXEL_RETURN_IF_ERROR(CheckVoxelCap(n, work->budget, "paint"));
      work->budget -= n;
      voxel::ForEachVoxelInBox(Volume(v), op.box, [&](Vec3i p, Rgba c) {
        if (!op.match || c == *op.match) *changed += v.Set(p, op.color);
        return true;
      });
      return Status::Ok();
    }
    case OpKind::kFloodFill: {
      voxel::FloodFillOptions o;
      if (op.has_box) {
        o.region = op.box;
      } else {
        auto b = voxel::UnionBox(v.Bounds(), Box{op.seed, op.seed});
        auto grow = [](int32_t c, int d) {
          return static_cast<int32_t>(
              std::clamp<int64_t>(int64_t{c} + d, INT32_MIN, INT32_MAX));
        };
        o.region = {
            {grow(b->min.x, -1), grow(b->min.y, -1), grow(b->min.z, -1)},
            {grow(b->max.x, 1), grow(b->max.y, 1), grow(b->max.z, 1)}};
      }
      o.tolerance = op.tolerance;
      GOXEL_RETURN_IF_ERROR(CheckVoxelCap(1, work->budget, "flood_fill"));
      o.max_voxels = work->budget;
      auto r = voxel::FloodFill(v, op.seed, op.color, o);
      if (!r.ok()) return r.status();
      work->budget -= r->matched;
      *changed = r->changed;
      return Status::Ok();
    }
    case OpKind::kCopy:
    case OpKind::kMove: {
      const int64_t n = voxel::CountInBox(v, op.box);
      GOXEL_RETURN_IF_ERROR(CheckVoxelCap(n, work->budget, op.info->name));
      work->budget -= n;
      auto r = op.info->kind == OpKind::kMove
                   ? voxel::MoveRegion(&v, op.box, op.offset)
                   : voxel::CopyRegion(v, op.box, op.offset,
                                       &work->Of(op.target_id));
      if (!r.ok()) return r.status();
      *changed = *r;
      return Status::Ok();
    }
    default:
      *changed = voxel::ApplyShape(v, *op.shape, op.mode, op.color);
      return Status::Ok();
  }
}

struct EditOutcome {
  std::vector<int64_t> changed;  // per operation
  voxel::VolumeDiff diff;        // over every touched layer
  std::vector<int32_t> layers;
};

Result<EditOutcome> ApplyAll(const std::vector<EditOp>& ops, Work* work) {
  EditOutcome out;
  for (size_t i = 0; i < ops.size(); ++i) {
    int64_t n = 0;
    Status s = ApplyOp(ops[i], work, &n);
    if (!s.ok()) return AtOp(s, i);
    out.changed.push_back(n);
  }
  for (const auto& [id, after] : work->after) {
    voxel::VolumeDiff d = voxel::DiffVolumes(work->before.at(id), after);
    out.diff.added += d.added;
    out.diff.removed += d.removed;
    out.diff.recolored += d.recolored;
    out.diff.bounds = voxel::UnionBox(out.diff.bounds, d.bounds);
    out.layers.push_back(id);
  }
  return out;
}

// Runs `ops` on project `op` (or, with dry_run, on copies of it) and
// writes the outcome; *version is the project's version after.
Status RunEdit(Workspace& ws, const Params& p, std::vector<EditOp>* ops,
               bool dry_run, EditOutcome* out, uint64_t* version) {
  auto ref = ResolveProject(ws, p);
  if (!ref.ok()) return ref.status();
  OpenProject& op = **ref;
  Work work;
  work.budget = ws.options().max_voxels_per_call;
  for (const EditOp& e : *ops) work.budget -= e.cells;
  if (dry_run) {
    {
      CallReaderLock lock(&op.mu, ws.Wait());
      if (!lock.held()) return lock.Busy(op.id);
      GOXEL_RETURN_IF_ERROR(CheckExpectedVersion(p, op));
      GOXEL_RETURN_IF_ERROR(Prepare(op.project, p.Get("layer"), ops, &work));
      *version = op.project.version();
    }
    auto r = ApplyAll(*ops, &work);
    if (!r.ok()) return r.status();
    *out = std::move(r).value();
    return Status::Ok();
  }
  CallWriterLock lock(&op.mu, ws.Wait());
  GOXEL_RETURN_IF_ERROR(AdmitEdit(lock, op, p));
  GOXEL_RETURN_IF_ERROR(Prepare(op.project, p.Get("layer"), ops, &work));
  auto r = ApplyAll(*ops, &work);
  if (!r.ok()) return r.status();
  *out = std::move(r).value();
  if (out->diff.changed() > 0) {
    op.project.BeginEdit();
    for (auto& [id, v] : work.after)
      *op.project.MutableVolume(id) = std::move(v);
    op.project.EndEdit();
  }
  *version = op.project.version();
  return Status::Ok();
}

void PutOutcome(const EditOutcome& o, JsonValue& r, JsonAllocator& a) {
  Put(r, "changed", o.diff.changed(), a);
  Put(r, "added", o.diff.added, a);
  Put(r, "removed", o.diff.removed, a);
  Put(r, "recolored", o.diff.recolored, a);
  if (o.diff.bounds) {
    r.AddMember("bounding_box", BoxJson(*o.diff.bounds, a), a);
  } else {
    r.AddMember("bounding_box", JsonValue(), a);
  }
  JsonValue layers(rapidjson::kArrayType);
  for (int32_t id : o.layers) layers.PushBack(id, a);
  r.AddMember("layers", layers, a);
}

Status Edit(Workspace& ws, Call& call) {
  const Params& p = call.params();
  const JsonValue* list = p.Get("operations");
  if (list == nullptr)
    return Params::Missing("operations", "an array of {op, ...}");
  if (!list->IsArray() || list->Empty())
    return Params::Wrong("operations", "a non-empty array of {op, ...}", *list);
  if (list->Size() > kMaxOperations) {
    return Status::ResourceExhausted("at most " +
                                     std::to_string(kMaxOperations) +
                                     " operations per edit")
        .With("param", std::string("operations"))
        .With("limit", kMaxOperations);
  }
  auto dry = p.Bool("dry_run", false);
  if (!dry.ok()) return dry.status();
  auto ops = ReadOps(*list, ws.options().max_voxels_per_call);
  if (!ops.ok()) return ops.status();
  EditOutcome out;
  uint64_t version = 0;
  GOXEL_RETURN_IF_ERROR(RunEdit(ws, p, &*ops, *dry, &out, &version));
  auto& a = call.alloc();
  JsonValue& r = call.result();
  r.SetObject();
  Put(r, "success", true, a);
  Put(r, "dry_run", *dry, a);
  Put(r, "operations", static_cast<uint64_t>(ops->size()), a);
  PutOutcome(out, r, a);
  JsonValue per(rapidjson::kArrayType);
  for (size_t i = 0; i < ops->size(); ++i) {
    JsonValue e(rapidjson::kObjectType);
    PutString(e, "op", (*ops)[i].info->name, a);
    Put(e, "changed", out.changed[i], a);
    per.PushBack(e, a);
  }
  r.AddMember("results", per, a);
  Put(r, "version", version, a);
  return Status::Ok();
}

// An error of the one operation copy_region or move_region runs, told in
// the call's own terms: `param` without RunEdit's "operations[0]." prefix,
// no `operation` index.
Status AsOwnParams(const Status& s) {
  const std::string prefix = "operations[0].";
  std::string msg = s.message();
  for (size_t at; (at = msg.find(prefix)) != std::string::npos;)
    msg.erase(at, prefix.size());
  Status out = Status::Error(s.code(), msg);
  for (const auto& f : s.details()) {
    if (f.key == "operation") continue;
    const auto* text = std::get_if<std::string>(&f.value);
    if (f.key == "param" && text && text->rfind(prefix, 0) == 0) {
      out.With("param", text->substr(prefix.size()));
    } else {
      out.With(f.key, f.value);
    }
  }
  return out;
}

// copy_region and move_region: one copy or move operation built from the
// call's own params.
Status Region(Workspace& ws, Call& call, const char* name) {
  const Params& p = call.params();
  rapidjson::Document op_doc;
  auto& oa = op_doc.GetAllocator();
  op_doc.SetObject();
  op_doc.AddMember("op", rapidjson::StringRef(name), oa);
  for (const char* k : {"min", "max", "offset", "to", "target_layer"}) {
    if (const JsonValue* v = p.Get(k))
      op_doc.AddMember(rapidjson::StringRef(k), JsonValue(*v, oa), oa);
  }
  if (std::string_view(name) == "move" && p.Has("target_layer")) {
    return Status::InvalidParams(
               "move_region moves within one layer; use copy_region with "
               "target_layer, then fill the source with an edit")
        .With("param", std::string("target_layer"));
  }
  auto op = ReadOp(op_doc, ws.options().max_voxels_per_call);
  if (!op.ok()) return op.status();
  std::vector<EditOp> ops;
  ops.push_back(std::move(op).value());
  EditOutcome out;
  uint64_t version = 0;
  Status s = RunEdit(ws, p, &ops, false, &out, &version);
  if (!s.ok()) return AsOwnParams(s);
  auto& a = call.alloc();
  JsonValue& r = call.result();
  r.SetObject();
  Put(r, "success", true, a);
  Put(r, std::string_view(name) == "move" ? "moved" : "copied", out.changed[0],
      a);
  PutOutcome(out, r, a);
  Put(r, "version", version, a);
  return Status::Ok();
}

std::vector<ParamSpec> RegionParams(bool copy) {
  std::vector<ParamSpec> v = {
      {"min", "position", true, "[x, y, z] source box corner"},
      {"max", "position", true, "[x, y, z] source box corner"},
      {"offset", "position", false, "[dx, dy, dz] shift (or to)"},
      {"to", "position", false, "[x, y, z] where min lands (or offset)"},
      LayerParam("source layer (default active)")};
  if (copy) v.push_back(LayerParam("destination layer (default the source)"));
  if (copy) v.back().name = "target_layer";
  v.push_back(ProjectIdParam());
  return v;
}

}  // namespace

Status RegisterAgentEditMethods(rpc::MethodTable* t, Workspace* ws) {
  Workspace& w = *ws;
  GOXEL_RETURN_IF_ERROR(t->Add(Versioned(
      {"goxel.edit",
       "Applies a list of operations atomically: one undo step, one version "
       "bump, and nothing changed when any operation fails (the error names "
       "operations[i].field). Each operation is {op, layer?, ...}: set "
       "{position|positions, color}; remove {position|positions}; box {min, "
       "max, color, hollow?, mode?}; fill {min, max, color, mode?}; sphere "
       "{center, radius, ...}; ellipsoid {center, radii}; cylinder {center, "
       "radius, height, axis?}; cone {base, radius, height, axis?}; line "
       "{from, to, radius?}; flood_fill {position, color, tolerance?, min?, "
       "max?}; paint {min, max, color, match?}; copy {min, max, offset|to, "
       "target_layer?}; move {min, max, offset|to}. mode: add (default), "
       "remove or paint. dry_run reports what would change.",
       {{"operations", "array", true, "[{op, ...}, ...] applied in order"},
        LayerParam("default layer of the operations (default active)"),
        {"dry_run", "boolean", false,
         "report counts and bounding box, change nothing"},
        ProjectIdParam()},
       "{success, dry_run, operations, changed, added, removed, recolored, "
       "bounding_box: {min, max}|null, layers, results: [{op, changed}]}",
       kEditAlloc,
       [&w](Call& c) { return Edit(w, c); }})));
  GOXEL_RETURN_IF_ERROR(t->Add(Versioned(
      {"goxel.copy_region",
       "Copies the voxels of the box min..max by offset (or to the corner "
       "`to`), onto target_layer when given; empty source cells leave the "
       "destination alone. One undo step.",
       RegionParams(true),
       "{success, copied, changed, added, removed, recolored, bounding_box, "
       "layers}",
       kEditAlloc, [&w](Call& c) { return Region(w, c, "copy"); }})));
  return t->Add(Versioned(
      {"goxel.move_region",
       "Moves the voxels of the box min..max by offset (or to the corner "
       "`to`) within the layer: the source is emptied, the moved voxels win "
       "where they land. One undo step.",
       RegionParams(false),
       "{success, moved, changed, added, removed, recolored, bounding_box, "
       "layers}",
       kEditAlloc, [&w](Call& c) { return Region(w, c, "move"); }}));
}

}  // namespace goxel::methods
