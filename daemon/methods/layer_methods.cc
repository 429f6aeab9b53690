// Layer methods: list, create, delete, merge, visibility, active layer.
#include "methods/args.h"
#include "methods/goxel_methods.h"

namespace goxel::methods {

namespace {

using rpc::kMutating;
using rpc::kPooled;
using rpc::kReadOnly;

constexpr uint32_t kRead = kPooled | kReadOnly;
constexpr uint32_t kEdit = kPooled | kMutating;

JsonValue LayerJson(const voxel::Layer& l, bool active, JsonAllocator& a) {
  JsonValue o(rapidjson::kObjectType);
  Put(o, "id", l.id, a);
  PutString(o, "name", l.name, a);
  Put(o, "visible", l.visible, a);
  Put(o, "active", active, a);
  Put(o, "voxel_count", l.volume.CountVoxels(), a);
  Put(o, "opacity", static_cast<double>(l.opacity), a);
  o.AddMember("color", ColorArray(l.color, a), a);
  return o;
}

Status ListLayers(Workspace& ws, Call& call) {
  auto ref = ResolveProject(ws, call.params());
  if (!ref.ok()) return ref.status();
  OpenProject& op = **ref;
  auto& a = call.alloc();
  JsonValue layers(rapidjson::kArrayType);
  CallReaderLock lock(&op.mu, ws.Wait());
  if (!lock.held()) return lock.Busy(op.id);
  const voxel::Project& pr = op.View();
  for (const auto& l : pr.layers()) {
    layers.PushBack(LayerJson(l, l.id == pr.active_layer_id(), a), a);
  }
  JsonValue& r = call.result();
  r.SetObject();
  Put(r, "count", static_cast<uint64_t>(pr.layers().size()), a);
  Put(r, "active_layer_id", pr.active_layer_id(), a);
  r.AddMember("layers", layers, a);
  return Status::Ok();
}

Status CreateLayer(Workspace& ws, Call& call) {
  const Params& p = call.params();
  auto ref = ResolveProject(ws, p);
  if (!ref.ok()) return ref.status();
  auto name = ReadName(p, "name", "");
  if (!name.ok()) return name.status();
  auto color = ReadColorOpt(p);
  if (!color.ok()) return color.status();
  auto visible = p.Bool("visible", true);
  if (!visible.ok()) return visible.status();
  Rgba c = color->value_or(Rgba{255, 255, 255, 255});
  OpenProject& op = **ref;
  CallWriterLock lock(&op.mu, ws.Wait());
  GOXEL_RETURN_IF_ERROR(AdmitEdit(lock, op, p));
  int32_t id = op.project.CreateLayer(*name, c, *visible);
  const voxel::Layer& l = *op.project.FindLayer(id);
  auto& a = call.alloc();
  JsonValue& r = call.result();
  r.SetObject();
  Put(r, "success", true, a);
  PutString(r, "name", l.name, a);
  Put(r, "visible", l.visible, a);
  r.AddMember("color", ColorArray(l.color, a), a);
  Put(r, "layer_id", id, a);
  Put(r, "version", op.project.version(), a);
  return Status::Ok();
}

// The layer (id or name) in param `name`; required, and it must exist.
Result<int32_t> RequiredLayer(const Params& p, const voxel::Project& pr,
                              std::string_view name) {
  if (!p.Has(name)) return Params::Missing(name, "a layer id or name");
  return ResolveLayer(p, pr, name);  // <= 0: the active layer, as in v14
}

Status DeleteLayer(Workspace& ws, Call& call) {
  const Params& p = call.params();
  auto ref = ResolveProject(ws, p);
  if (!ref.ok()) return ref.status();
  OpenProject& op = **ref;
  CallWriterLock lock(&op.mu, ws.Wait());
  GOXEL_RETURN_IF_ERROR(AdmitEdit(lock, op, p));
  auto layer = RequiredLayer(p, op.project, "layer");
  if (!layer.ok()) return layer.status();
  const int32_t id = *layer;
  GOXEL_RETURN_IF_ERROR(op.project.DeleteLayer(id));
  auto& a = call.alloc();
  call.result().SetObject();
  Put(call.result(), "success", true, a);
  Put(call.result(), "layer_id", id, a);
  Put(call.result(), "active_layer_id", op.project.active_layer_id(), a);
  Put(call.result(), "version", op.project.version(), a);
  return Status::Ok();
}

Status MergeLayers(Workspace& ws, Call& call) {
  const Params& p = call.params();
  auto ref = ResolveProject(ws, p);
  if (!ref.ok()) return ref.status();
  OpenProject& op = **ref;
  CallWriterLock lock(&op.mu, ws.Wait());
  GOXEL_RETURN_IF_ERROR(AdmitEdit(lock, op, p));
  auto src = RequiredLayer(p, op.project, "source_layer");
  if (!src.ok()) return src.status();
  auto dst = RequiredLayer(p, op.project, "target_layer");
  if (!dst.ok()) return dst.status();
  GOXEL_RETURN_IF_ERROR(op.project.MergeLayers(*src, *dst));
  auto& a = call.alloc();
  JsonValue& r = call.result();
  r.SetObject();
  Put(r, "success", true, a);
  Put(r, "source_layer_id", *src, a);
  Put(r, "target_layer_id", *dst, a);
  Put(r, "voxel_count", op.project.FindLayer(*dst)->volume.CountVoxels(), a);
  Put(r, "version", op.project.version(), a);
  return Status::Ok();
}

Status SetVisibility(Workspace& ws, Call& call) {
  const Params& p = call.params();
  auto ref = ResolveProject(ws, p);
  if (!ref.ok()) return ref.status();
  auto visible = p.Bool("visible");
  if (!visible.ok()) return visible.status();
  OpenProject& op = **ref;
  CallWriterLock lock(&op.mu, ws.Wait());
  GOXEL_RETURN_IF_ERROR(AdmitEdit(lock, op, p));
  auto id = ResolveLayer(p, op.project);
  if (!id.ok()) return id.status();
  GOXEL_RETURN_IF_ERROR(op.project.SetLayerVisible(*id, *visible));
  auto& a = call.alloc();
  call.result().SetObject();
  Put(call.result(), "success", true, a);
  Put(call.result(), "layer_id", *id, a);
  Put(call.result(), "visible", *visible, a);
  Put(call.result(), "version", op.project.version(), a);
  return Status::Ok();
}

Status SetActiveLayer(Workspace& ws, Call& call) {
  const Params& p = call.params();
  auto ref = ResolveProject(ws, p);
  if (!ref.ok()) return ref.status();
  OpenProject& op = **ref;
  CallWriterLock lock(&op.mu, ws.Wait());
  GOXEL_RETURN_IF_ERROR(AdmitEdit(lock, op, p));
  auto id = RequiredLayer(p, op.project, "layer");
  if (!id.ok()) return id.status();
  GOXEL_RETURN_IF_ERROR(op.project.SetActiveLayer(*id));
  auto& a = call.alloc();
  call.result().SetObject();
  Put(call.result(), "success", true, a);
  Put(call.result(), "layer_id", *id, a);
  Put(call.result(), "version", op.project.version(), a);
  return Status::Ok();
}

}  // namespace

Status RegisterLayerMethods(rpc::MethodTable* t, Workspace* ws) {
  Workspace& w = *ws;
  GOXEL_RETURN_IF_ERROR(
      t->Add({"goxel.list_layers",
              "The project's layers, bottom first.",
              {ProjectIdParam()},
              "{count, active_layer_id, layers: [{id, name, visible, active, "
              "voxel_count, opacity, color: [r,g,b,a]}]}",
              kRead,
              [&w](Call& c) { return ListLayers(w, c); }}));
  GOXEL_RETURN_IF_ERROR(t->Add(
      Versioned({"goxel.create_layer",
                 "Adds an empty layer on top and makes it active.",
                 {{"name", "string", false, "layer name (default \"Layer N\")"},
                  {"r", "integer", false, ""},
                  {"g", "integer", false, ""},
                  {"b", "integer", false, ""},
                  {"visible", "boolean", false, "default true"},
                  ProjectIdParam(),
                  {"color", "color", false,
                   "tint as [r,g,b(,a)] or \"#rrggbb(aa)\" (default white)"}},
                 "{success, name, visible, color: [r,g,b,a], layer_id}",
                 kEdit,
                 [&w](Call& c) { return CreateLayer(w, c); }})));
  GOXEL_RETURN_IF_ERROR(t->Add(Versioned(
      {"goxel.delete_layer",
       "Deletes a layer by id or name (the only layer cannot be deleted).",
       {LayerIdParam("the layer to delete"),
        {"layer_name", "string", false, ""},
        ProjectIdParam(),
        {"layer", "layer", true, "the layer to delete: its id or name"}},
       "{success, layer_id, active_layer_id}",
       kEdit,
       [&w](Call& c) { return DeleteLayer(w, c); }})));
  GOXEL_RETURN_IF_ERROR(t->Add(Versioned(
      {"goxel.merge_layers",
       "Draws the source layer over the target (source wins) and deletes "
       "the source.",
       {{"source_layer_id", "integer", true,
         "the layer merged away (id or name)"},
        {"target_layer_id", "integer", true,
         "the layer that receives it (id or name)"},
        ProjectIdParam()},
       "{success, source_layer_id, target_layer_id, voxel_count}",
       kEdit | rpc::kAllocates,
       [&w](Call& c) { return MergeLayers(w, c); }})));
  GOXEL_RETURN_IF_ERROR(t->Add(Versioned(
      {"goxel.set_layer_visibility",
       "Shows or hides a layer (the active layer when layer_id is absent).",
       {LayerIdParam("the layer (default active)"),
        {"visible", "boolean", true, "true shows, false hides"},
        ProjectIdParam()},
       "{success, layer_id, visible}",
       kEdit,
       [&w](Call& c) { return SetVisibility(w, c); }})));
  GOXEL_RETURN_IF_ERROR(t->Add(
      Versioned({"goxel.set_active_layer",
                 "Makes a layer the one edits go to by default.",
                 {{"layer_id", "integer", true, "the layer (id or name)"},
                  ProjectIdParam()},
                 "{success, layer_id}",
                 kEdit,
                 [&w](Call& c) { return SetActiveLayer(w, c); }})));
  return Status::Ok();
}

}  // namespace goxel::methods
