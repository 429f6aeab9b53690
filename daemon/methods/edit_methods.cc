// Voxel edit methods: single voxels (the hot path: no allocation beyond the
// result, one workspace reader lock, one project writer lock), batches and
// v14's batch_operations. Every call is one undo step.
#include "methods/args.h"
#include "methods/edit_budget.h"
#include "methods/goxel_methods.h"
#include "rpc/errors.h"
#include "voxel/tools.h"

namespace goxel::methods {

namespace {

using rpc::kAllocates;
using rpc::kMutating;
using rpc::kPooled;

constexpr uint32_t kEdit = kPooled | kMutating;
constexpr uint32_t kEditAlloc = kPooled | kMutating | kAllocates;

struct VoxelEntry {
  Vec3i p;
  Rgba c;
};

// Reads one channel of an entry into *out.
inline Status Channel(const JsonValue& v, const char* name, uint8_t* out) {
  if (v.IsInt() && v.GetInt() >= 0 && v.GetInt() <= 255) {
    *out = static_cast<uint8_t>(v.GetInt());
    return Status::Ok();
  }
  auto c = ChannelFromJson(v, name);
  if (!c.ok()) return c.status();
  *out = *c;
  return Status::Ok();
}

inline Status Coord(const JsonValue& v, const char* name, int32_t* out) {
  if (v.IsInt()) {
    *out = v.GetInt();
    return Status::Ok();
  }
  auto c = CoordFromJson(v, name);
  if (!c.ok()) return c.status();
  *out = *c;
  return Status::Ok();
}

// An object entry {x,y,z | position, r,g,b,a | color}: one pass over its
// members (parse cost matters for 100k-voxel batches). Unknown keys are
// ignored. `need_color` false: a missing colour keeps out->c.
Status ParseObjectEntry(const JsonValue& e, bool need_color, VoxelEntry* out) {
  const JsonValue* xyz[3] = {nullptr, nullptr, nullptr};
  const JsonValue* rgba[4] = {nullptr, nullptr, nullptr, nullptr};
  const JsonValue* position = nullptr;
  const JsonValue* color = nullptr;
  for (auto m = e.MemberBegin(); m != e.MemberEnd(); ++m) {
    const char* k = m->name.GetString();
    rapidjson::SizeType n = m->name.GetStringLength();
    if (n == 1) {
      switch (k[0]) {
        case 'x':
          xyz[0] = &m->value;
          break;
        case 'y':
          xyz[1] = &m->value;
          break;
        case 'z':
          xyz[2] = &m->value;
          break;
        case 'r':
          rgba[0] = &m->value;
          break;
        case 'g':
          rgba[1] = &m->value;
          break;
        case 'b':
          rgba[2] = &m->value;
          break;
        case 'a':
          rgba[3] = &m->value;
          break;
        default:
          break;
      }
    } else if (n == 8 && memcmp(k, "position", 8) == 0) {
      position = &m->value;
    } else if (n == 5 && memcmp(k, "color", 5) == 0) {
      color = &m->value;
    }
  }
  if (position && !position->IsNull()) {
    auto p = Vec3FromJson(*position, "position");
    if (!p.ok()) return p.status();
    out->p = *p;
  } else {
    static const char* kNames[3] = {"x", "y", "z"};
    int32_t c[3];
    for (int i = 0; i < 3; ++i) {
      if (xyz[i] == nullptr || xyz[i]->IsNull()) {
        return Params::Missing(kNames[i], "a number (or position: [x,y,z])");
      }
      GOXEL_RETURN_IF_ERROR(Coord(*xyz[i], kNames[i], &c[i]));
    }
    out->p = Vec3i{c[0], c[1], c[2]};
  }
  if (color && !color->IsNull()) {
    auto c = ColorFromJson(*color, "color");
    if (!c.ok()) return c.status();
    out->c = *c;
    return Status::Ok();
  }
  if (rgba[0] || rgba[1] || rgba[2]) {
    static const char* kNames[4] = {"r", "g", "b", "a"};
    uint8_t ch[4] = {0, 0, 0, 255};
    for (int i = 0; i < 4; ++i) {
      if (rgba[i] == nullptr) {
        if (i == 3) break;
        return Params::Missing(kNames[i], "an integer 0..255");
      }
      GOXEL_RETURN_IF_ERROR(Channel(*rgba[i], kNames[i], &ch[i]));
    }
    out->c = Rgba{ch[0], ch[1], ch[2], ch[3] ? ch[3] : uint8_t{255}};
    return Status::Ok();
  }
  if (need_color) return Params::Missing("color", "r, g, b(, a) or color");
  return Status::Ok();
}

// An array entry [x, y, z(, r, g, b(, a))].
Status ParseArrayEntry(const JsonValue& e, bool need_color, VoxelEntry* out) {
  rapidjson::SizeType n = e.Size();
  if (n != 3 && n != 6 && n != 7) {
    return Params::Wrong("", "[x,y,z], [x,y,z,r,g,b] or [x,y,z,r,g,b,a]", e);
  }
  int32_t c[3];
  static const char* kIndex[7] = {"[0]", "[1]", "[2]", "[3]",
                                  "[4]", "[5]", "[6]"};
  for (rapidjson::SizeType i = 0; i < 3; ++i) {
    GOXEL_RETURN_IF_ERROR(Coord(e[i], kIndex[i], &c[i]));
  }
  out->p = Vec3i{c[0], c[1], c[2]};
  if (n == 3) {
    if (need_color) return Params::Missing("color", "r, g, b(, a)");
    return Status::Ok();
  }
  uint8_t ch[4] = {0, 0, 0, 255};
  for (rapidjson::SizeType i = 3; i < n; ++i) {
    GOXEL_RETURN_IF_ERROR(Channel(e[i], kIndex[i], &ch[i - 3]));
  }
  out->c = Rgba{ch[0], ch[1], ch[2], ch[3] ? ch[3] : uint8_t{255}};
  return Status::Ok();
}

Status ParseEntry(const JsonValue& e, bool need_color, VoxelEntry* out) {
  if (e.IsObject()) return ParseObjectEntry(e, need_color, out);
  if (e.IsArray()) return ParseArrayEntry(e, need_color, out);
  return Params::Wrong("", "an object {x,y,z,...} or an array [x,y,z,...]", e);
}

// The array param `name`, required.
Result<const JsonValue*> ReadArray(const Params& p, const char* name,
                                   const char* expected) {
  const JsonValue* v = p.Get(name);
  if (v == nullptr) return Params::Missing(name, expected);
  if (!v->IsArray()) return Params::Wrong(name, expected, *v);
  return v;
}

// Parses every entry of `list` (all-or-nothing); `fallback` colours entries
// without one (nullopt: a colour is required).
Result<std::vector<VoxelEntry>> ParseEntries(const JsonValue& list,
                                             const char* name,
                                             std::optional<Rgba> fallback,
                                             bool colors) {
  std::vector<VoxelEntry> out(list.Size());
  const bool need = colors && !fallback;
  const Rgba fill = fallback.value_or(Rgba{});
  for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
    out[i].c = fill;
    Status s = ParseEntry(list[i], need, &out[i]);
    if (!s.ok()) {
      return PrefixParam(s, std::string(name) + "[" + std::to_string(i) + "]" +
                                (list[i].IsObject() ? "." : ""));
    }
  }
  return out;
}

// The layer an edit went to and the project's version after it.
struct Edited {
  int32_t layer_id = 0;
  uint64_t version = 0;
};

// Resolves project and layer; runs `edit(volume)` as one undo step under
// the project's writer lock, bounded by the memory limit with the request's
// DOM and `held_bytes` (the caller's parsed entries) counted. On the loop
// thread (a kInline method) returns WouldBlock() instead of waiting for the
// lock; on a worker, -32007 when the lock is not free within the lock
// timeout or expected_version differs.
template <typename F>
Result<Edited> EditLayer(Workspace& ws, Call& call, F&& edit,
                         int64_t held_bytes = 0) {
  const Params& p = call.params();
  auto ref = ResolveProject(ws, p);
  if (!ref.ok()) return ref.status();
  OpenProject& op = **ref;
  CallWriterLock lock(&op.mu, ws.Wait(call.caller().on_loop));
  GOXEL_RETURN_IF_ERROR(AdmitEdit(lock, op, p));
  auto layer = ResolveLayer(p, op.project);
  if (!layer.ok()) return layer.status();
  const bool on_loop = call.caller().on_loop;
  if (on_loop && op.project.retired_steps() >= BoundedEdit::kMaxRetiredOnLoop)
    return WouldBlock();  // A worker frees the retired steps first.
  BoundedEdit bounded(&op.project, on_loop, RequestBytes(call) + held_bytes);
  Status s = edit(*op.project.MutableVolume(*layer));
  GOXEL_RETURN_IF_ERROR(bounded.Finish());
  if (!s.ok()) return s;
  return Edited{*layer, op.project.version()};
}

Status AddVoxel(Workspace& ws, Call& call) {
  const Params& p = call.params();
  auto pos = ReadPosition(p);
  if (!pos.ok()) return pos.status();
  auto color = ReadColor(p);
  if (!color.ok()) return color.status();
  auto edited = EditLayer(ws, call, [&](voxel::Volume& v) {
    v.Set(*pos, *color);
    return Status::Ok();
  });
  if (!edited.ok()) return edited.status();
  auto& a = call.alloc();
  JsonValue& r = call.result();
  r.SetObject();
  Put(r, "success", true, a);
  Put(r, "x", pos->x, a);
  Put(r, "y", pos->y, a);
  Put(r, "z", pos->z, a);
  Put(r, "layer_id", edited->layer_id, a);
  r.AddMember("color", ColorArray(*color, a), a);
  Put(r, "version", edited->version, a);
  return Status::Ok();
}

Status RemoveVoxel(Workspace& ws, Call& call) {
  const Params& p = call.params();
  auto pos = ReadPosition(p);
  if (!pos.ok()) return pos.status();
  bool removed = false;
  auto edited = EditLayer(ws, call, [&](voxel::Volume& v) {
    removed = v.Set(*pos, Rgba{});
    return Status::Ok();
  });
  if (!edited.ok()) return edited.status();
  auto& a = call.alloc();
  JsonValue& r = call.result();
  r.SetObject();
  Put(r, "success", true, a);
  Put(r, "x", pos->x, a);
  Put(r, "y", pos->y, a);
  Put(r, "z", pos->z, a);
  Put(r, "layer_id", edited->layer_id, a);
  Put(r, "removed", int64_t{removed ? 1 : 0}, a);  // a count, as remove_voxels
  Put(r, "version", edited->version, a);
  return Status::Ok();
}

// Recolours the voxel at p if there is one; true when there was.
bool PaintOne(voxel::Volume& v, Vec3i p, Rgba c) {
  if (v.Get(p).empty()) return false;
  v.Set(p, c);
  return true;
}

Status PaintVoxels(Workspace& ws, Call& call) {
  const Params& p = call.params();
  auto color = ReadColor(p);
  if (!color.ok()) return color.status();
  const JsonValue* region = p.Get("region");
  std::optional<Vec3i> pos;
  if (region == nullptr) {
    auto r = ReadPosition(p);
    if (!r.ok()) return r.status();
    pos = *r;
  }
  int64_t painted = 0;
  uint64_t version = 0;
  auto ref = ResolveProject(ws, p);
  if (!ref.ok()) return ref.status();
  OpenProject& op = **ref;
  {
    CallWriterLock lock(&op.mu, ws.Wait());
    GOXEL_RETURN_IF_ERROR(AdmitEdit(lock, op, p));
    auto layer = ResolveLayer(p, op.project);
    if (!layer.ok()) return layer.status();
    std::optional<Box> box;
    if (region) {
      auto b = BoxFromJson(*region, "region", &op.project);
      if (!b.ok()) return b.status();
      box = *b;
    }
    BoundedEdit bounded(&op.project);
    voxel::Volume& v = *op.project.MutableVolume(*layer);
    if (box) {
      const voxel::Volume before = v;
      voxel::ForEachVoxelInBox(before, *box, [&](Vec3i q, Rgba) {
        v.Set(q, *color);
        ++painted;
        return true;
      });
    } else {
      painted = PaintOne(v, *pos, *color) ? 1 : 0;
    }
    GOXEL_RETURN_IF_ERROR(bounded.Finish());
    version = op.project.version();
  }
  auto& a = call.alloc();
  call.result().SetObject();
  Put(call.result(), "success", true, a);
  Put(call.result(), "painted", painted, a);
  Put(call.result(), "version", version, a);
  return Status::Ok();
}

// add_voxel_batch's voxels, checked in this order: type, voxel cap,
// fallback colour, entries.
Result<std::vector<VoxelEntry>> BatchEntries(Workspace& ws, Call& call) {
  const Params& p = call.params();
  const int64_t cap = ws.options().max_voxels_per_call;
  auto list = ReadArray(p, "voxels", "an array of voxels");
  if (!list.ok()) return list.status();
  GOXEL_RETURN_IF_ERROR(CheckVoxelCap((*list)->Size(), cap, "add_voxel_batch"));
  auto fallback = ReadColorOpt(p);
  if (!fallback.ok()) return fallback.status();
  return ParseEntries(**list, "voxels", *fallback, true);
}

// What `entries` and SetEntries' copy of them hold.
int64_t EntriesBytes(const std::vector<VoxelEntry>& entries) {
  return static_cast<int64_t>(entries.capacity() * sizeof(VoxelEntry) +
                              entries.size() * sizeof(voxel::VoxelValue));
}

// Sets every entry in order (a later one for the same cell wins) in one
// engine batch (Volume::SetVoxels: grouped by block, one trie walk); returns
// how many changed a cell.
int64_t SetEntries(voxel::Volume& v, const std::vector<VoxelEntry>& entries) {
  std::vector<voxel::VoxelValue> edits;
  edits.reserve(entries.size());
  for (const VoxelEntry& e : entries) edits.push_back({e.p, e.c});
  return v.SetVoxels(edits);
}

Status AddVoxelBatch(Workspace& ws, Call& call) {
  auto entries = BatchEntries(ws, call);
  if (!entries.ok()) return entries.status();
  int64_t changed = 0;
  auto edited = EditLayer(
      ws, call,
      [&](voxel::Volume& v) {
        changed = SetEntries(v, *entries);
        return Status::Ok();
      },
      EntriesBytes(*entries));
  if (!edited.ok()) return edited.status();
  auto& a = call.alloc();
  JsonValue& r = call.result();
  r.SetObject();
  Put(r, "success", true, a);
  Put(r, "added", static_cast<uint64_t>(entries->size()), a);
  Put(r, "changed", changed, a);
  Put(r, "layer_id", edited->layer_id, a);
  Put(r, "version", edited->version, a);
  return Status::Ok();
}

// v14's add_voxels: entries that fail to parse are counted as failed (the
// first ten are described), the others are added.
Status AddVoxels(Workspace& ws, Call& call) {
  const Params& p = call.params();
  auto list = ReadArray(p, "voxels", "an array of voxels");
  if (!list.ok()) return list.status();
  GOXEL_RETURN_IF_ERROR(CheckVoxelCap(
      (*list)->Size(), ws.options().max_voxels_per_call, "add_voxels"));
  auto& a = call.alloc();
  std::vector<VoxelEntry> good;
  good.reserve((*list)->Size());
  JsonValue errors(rapidjson::kArrayType);
  int64_t failed = 0;
  for (rapidjson::SizeType i = 0; i < (*list)->Size(); ++i) {
    VoxelEntry e;
    Status s = ParseEntry((**list)[i], true, &e);
    if (s.ok()) {
      good.push_back(e);
      continue;
    }
    if (++failed <= 10) {
      s = PrefixParam(s, "voxels[" + std::to_string(i) + "]" +
                             ((**list)[i].IsObject() ? "." : ""));
      JsonValue err(rapidjson::kObjectType);
      Put(err, "index", i, a);
      PutString(err, "message", s.message(), a);
      errors.PushBack(err, a);
    }
  }
  auto edited = EditLayer(
      ws, call,
      [&](voxel::Volume& v) {
        SetEntries(v, good);
        return Status::Ok();
      },
      EntriesBytes(good));
  if (!edited.ok()) return edited.status();
  JsonValue& r = call.result();
  r.SetObject();
  Put(r, "success", failed == 0, a);
  Put(r, "added", static_cast<uint64_t>(good.size()), a);
  Put(r, "failed", failed, a);
  r.AddMember("errors", errors, a);
  Put(r, "version", edited->version, a);
  return Status::Ok();
}

Status RemoveVoxels(Workspace& ws, Call& call) {
  const Params& p = call.params();
  const JsonValue* region = p.Get("region");
  std::vector<VoxelEntry> entries;
  if (region == nullptr) {
    auto list = ReadArray(p, "voxels", "an array of positions (or region)");
    if (!list.ok()) return list.status();
    auto parsed = ParseEntries(**list, "voxels", std::nullopt, false);
    if (!parsed.ok()) return parsed.status();
    entries = std::move(*parsed);
  }
  int64_t removed = 0;
  uint64_t version = 0;
  auto ref = ResolveProject(ws, p);
  if (!ref.ok()) return ref.status();
  OpenProject& op = **ref;
  int32_t layer_id;
  {
    CallWriterLock lock(&op.mu, ws.Wait());
    GOXEL_RETURN_IF_ERROR(AdmitEdit(lock, op, p));
    auto layer = ResolveLayer(p, op.project);
    if (!layer.ok()) return layer.status();
    layer_id = *layer;
    std::optional<Box> box;
    if (region) {
      auto b = BoxFromJson(*region, "region", &op.project);
      if (!b.ok()) return b.status();
      box = *b;
    }
    BoundedEdit bounded(&op.project, false,
                        RequestBytes(call) + EntriesBytes(entries));
    voxel::Volume& v = *op.project.MutableVolume(layer_id);
    if (box) {
      removed = v.FillBox(*box, Rgba{});
    } else {
      for (const VoxelEntry& e : entries) removed += v.Set(e.p, Rgba{});
    }
    GOXEL_RETURN_IF_ERROR(bounded.Finish());
    version = op.project.version();
  }
  auto& a = call.alloc();
  call.result().SetObject();
  Put(call.result(), "success", true, a);
  Put(call.result(), "removed", removed, a);
  Put(call.result(), "layer_id", layer_id, a);
  Put(call.result(), "version", version, a);
  return Status::Ok();
}

enum class OpType { kAdd, kRemove, kPaint, kUnknown };

OpType ParseOpType(std::string_view t) {
  if (t == "add_voxel" || t == "add") return OpType::kAdd;
  if (t == "remove_voxel" || t == "remove") return OpType::kRemove;
  if (t == "paint_voxel" || t == "paint_voxels" || t == "paint") {
    return OpType::kPaint;
  }
  return OpType::kUnknown;
}

// One operation of batch_operations; *changed set when it succeeds.
Status RunOperation(const JsonValue& op, voxel::Project& pr, int64_t* changed) {
  if (!op.IsObject()) return Params::Wrong("", "an operation object", op);
  Params p(&op, nullptr);
  auto type = p.String("type");
  if (!type.ok()) return type.status();
  OpType t = ParseOpType(*type);
  if (t == OpType::kUnknown) {
    return Params::Wrong("type", "\"add_voxel\", \"remove_voxel\" or \"paint\"",
                         *p.Get("type"));
  }
  auto pos = ReadPosition(p);
  if (!pos.ok()) return pos.status();
  Rgba color{};
  if (t != OpType::kRemove) {
    auto c = ReadColor(p);
    if (!c.ok()) return c.status();
    color = *c;
  }
  auto layer = ResolveLayer(p, pr);
  if (!layer.ok()) return layer.status();
  voxel::Volume& v = *pr.MutableVolume(*layer);
  if (t == OpType::kPaint) {
    *changed = PaintOne(v, *pos, color) ? 1 : 0;
  } else {
    *changed = v.Set(*pos, color) ? 1 : 0;
  }
  return Status::Ok();
}

Status BatchOperations(Workspace& ws, Call& call) {
  const Params& p = call.params();
  auto list = ReadArray(p, "operations", "an array of operations");
  if (!list.ok()) return list.status();
  const JsonValue& ops = **list;
  GOXEL_RETURN_IF_ERROR(CheckVoxelCap(
      ops.Size(), ws.options().max_voxels_per_call, "batch_operations"));
  auto ref = ResolveProject(ws, p);
  if (!ref.ok()) return ref.status();
  OpenProject& op = **ref;
  auto& a = call.alloc();
  JsonValue results(rapidjson::kArrayType);
  results.Reserve(ops.Size(), a);
  int64_t ok_count = 0;
  uint64_t version = 0;
  {
    CallWriterLock lock(&op.mu, ws.Wait());
    GOXEL_RETURN_IF_ERROR(AdmitEdit(lock, op, p));
    BoundedEdit bounded(&op.project, false, RequestBytes(call));
    for (rapidjson::SizeType i = 0; i < ops.Size(); ++i) {
      int64_t changed = 0;
      Status s = RunOperation(ops[i], op.project, &changed);
      JsonValue item(rapidjson::kObjectType);
      Put(item, "index", i, a);
      const JsonValue* type =
          ops[i].IsObject() ? Params(&ops[i], nullptr).Get("type") : nullptr;
      if (type) item.AddMember("type", JsonValue(*type, a), a);
      Put(item, "success", s.ok(), a);
      if (s.ok()) {
        ++ok_count;
        Put(item, "changed", changed, a);
      } else {
        s = PrefixParam(s, "operations[" + std::to_string(i) + "].");
        JsonValue err(rapidjson::kObjectType);
        Put(err, "code", rpc::ErrorCodeFor(s.code()), a);
        PutString(err, "message", s.message(), a);
        item.AddMember("error", err, a);
      }
      results.PushBack(item, a);
    }
    GOXEL_RETURN_IF_ERROR(bounded.Finish());
    version = op.project.version();
  }
  JsonValue& r = call.result();
  r.SetObject();
  Put(r, "success", ok_count == static_cast<int64_t>(ops.Size()), a);
  Put(r, "total_operations", ops.Size(), a);
  Put(r, "successful_operations", ok_count, a);
  Put(r, "failed_operations", static_cast<int64_t>(ops.Size()) - ok_count, a);
  r.AddMember("results", results, a);
  Put(r, "version", version, a);
  return Status::Ok();
}

std::vector<ParamSpec> VoxelParams(bool with_color) {
  std::vector<ParamSpec> v = {
      {"x", "number", true, "x (or position); numbers are floored"},
      {"y", "number", true, "y"},
      {"z", "number", true, "z"}};
  if (with_color) {
    v.push_back({"r", "integer", true, "red 0..255 (or color)"});
    v.push_back({"g", "integer", true, "green 0..255"});
    v.push_back({"b", "integer", true, "blue 0..255"});
    v.push_back({"a", "integer", false, "alpha 0..255; 0 or absent = 255"});
  }
  v.push_back(LayerIdParam("target layer (default active)"));
  v.push_back(ProjectIdParam());
  v.push_back({"position", "position", false,
               "[x, y, z]: the voxel cell (numbers are floored)"});
  if (with_color) {
    v.push_back({"color", "color", false,
                 "[r,g,b(,a)] 0..255 or \"#rrggbb(aa)\"; alpha absent or 0 "
                 "means 255"});
  }
  return v;
}

ParamSpec VoxelsParam(const char* what) {
  return {"voxels", "array", true, what};
}

}  // namespace

Status RegisterEditMethods(rpc::MethodTable* t, Workspace* ws) {
  Workspace& w = *ws;
  GOXEL_RETURN_IF_ERROR(t->Add(Versioned(
      {"goxel.add_voxel", "Sets one voxel.", VoxelParams(true),
       "{success, x, y, z, layer_id, color: [r,g,b,a]}",
       kEditAlloc | rpc::kInline, [&w](Call& c) { return AddVoxel(w, c); }})));
  GOXEL_RETURN_IF_ERROR(t->Add(
      Versioned({"goxel.remove_voxel", "Empties one voxel.", VoxelParams(false),
                 "{success, x, y, z, layer_id, removed}", kEdit | rpc::kInline,
                 [&w](Call& c) { return RemoveVoxel(w, c); }})));
  std::vector<ParamSpec> paint = VoxelParams(true);
  paint[0].required = paint[1].required = paint[2].required = false;
  paint.push_back({"region", "region", false,
                   "{min, max} or \"selection\": paint every voxel inside "
                   "instead of one"});
  GOXEL_RETURN_IF_ERROR(t->Add(Versioned(
      {"goxel.paint_voxels",
       "Recolours existing voxels (empty cells stay empty): the one at "
       "x,y,z, or every voxel in region.",
       paint, "{success, painted}", kEdit | kAllocates,
       [&w](Call& c) { return PaintVoxels(w, c); }})));
  GOXEL_RETURN_IF_ERROR(t->Add(Versioned(
      {"goxel.add_voxel_batch",
       "Sets many voxels in one request and one undo step; all-or-nothing "
       "validation.",
       {VoxelsParam("[{x,y,z,r,g,b,a} | {position,color} | [x,y,z,r,g,b(,a)]]"),
        LayerIdParam("target layer (default active)"),
        ProjectIdParam(),
        {"color", "color", false, "colour of entries that carry none"}},
       "{success, added, changed, layer_id}",
       kEditAlloc,
       [&w](Call& c) { return AddVoxelBatch(w, c); }})));
  GOXEL_RETURN_IF_ERROR(t->Add(Versioned(
      {"add_voxels",
       "v14 batch add: bad entries are counted as failed, the rest added.",
       {VoxelsParam("[{x,y,z,r,g,b,a}]"),
        LayerIdParam("target layer (default active)"), ProjectIdParam()},
       "{success, added, failed, errors: [{index, message}] (first 10)}",
       kEditAlloc,
       [&w](Call& c) { return AddVoxels(w, c); }})));
  GOXEL_RETURN_IF_ERROR(t->Add(Versioned(
      {"goxel.remove_voxels",
       "Empties many voxels: a list of positions, or every cell of region.",
       {{"voxels", "array", false, "[{x,y,z} | [x,y,z]] (or region)"},
        {"region", "region", false, "{min, max} or \"selection\""},
        LayerIdParam("target layer (default active)"),
        ProjectIdParam()},
       "{success, removed, layer_id}",
       kEdit,
       [&w](Call& c) { return RemoveVoxels(w, c); }})));
  GOXEL_RETURN_IF_ERROR(t->Add(Versioned(
      {"goxel.batch_operations",
       "Runs add, remove and paint operations in order as one undo step; "
       "a failed operation does not stop the others.",
       {{"operations", "array", true,
         "[{type: add_voxel|remove_voxel|paint, x,y,z | position, "
         "r,g,b,a | color, layer_id?}]"},
        ProjectIdParam()},
       "{success, total_operations, successful_operations, "
       "failed_operations, results: [{index, type, success, changed | "
       "error: {code, message}}]}",
       kEditAlloc,
       [&w](Call& c) { return BatchOperations(w, c); }})));
  return Status::Ok();
}

}  // namespace goxel::methods
