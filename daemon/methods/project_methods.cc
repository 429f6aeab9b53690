// Project methods: create, status and info, list, activate, close, undo,
// redo. Lock order: workspace → project (Workspace::List then each
// project's reader lock).
#include "base/heap.h"
#include "methods/agent_methods.h"
#include "methods/args.h"
#include "methods/edit_budget.h"
#include "methods/goxel_methods.h"

namespace goxel::methods {

namespace {

using rpc::kAllocates;
using rpc::kMutating;
using rpc::kPooled;
using rpc::kReadOnly;
using rpc::MakeString;

constexpr uint32_t kRead = kPooled | kReadOnly;
constexpr uint32_t kEdit = kPooled | kMutating;

Status CreateProject(Workspace& ws, Call& call) {
  const Params& p = call.params();
  auto name = ReadName(p, "name", "Untitled");
  if (!name.ok()) return name.status();
  int64_t size[3] = {64, 64, 64};
  const char* dims[3] = {"width", "height", "depth"};
  if (const JsonValue* v = p.Get("size")) {
    constexpr const char* kExpected = "[x, y, z] with integers 1..65536";
    if (!v->IsArray() || v->Size() != 3) {
      return Params::Wrong("size", kExpected, *v);
    }
    for (rapidjson::SizeType i = 0; i < 3; ++i) {
      auto d = (*v)[i].IsNumber() ? rpc::JsonToInt64((*v)[i]) : std::nullopt;
      if (!d || *d < 1 || *d > 65536)
        return Params::Wrong("size", kExpected, *v);
      size[i] = *d;
    }
  } else {
    for (int i = 0; i < 3; ++i) {
      auto d = p.IntInRange(dims[i], 1, 65536, 64);
      if (!d.ok()) return d.status();
      size[i] = *d;
    }
  }
  auto activate = p.Bool("activate", true);
  if (!activate.ok()) return activate.status();
  voxel::Project project(*name, static_cast<int32_t>(size[0]),
                         static_cast<int32_t>(size[1]),
                         static_cast<int32_t>(size[2]));
  project.SetHistoryDepth(ws.options().history_depth);
  const uint64_t version = project.version();
  ProjectRef ref = ws.Open(std::move(project), *activate);
  auto& a = call.alloc();
  JsonValue& r = call.result();
  r.SetObject();
  Put(r, "success", true, a);
  PutString(r, "name", *name, a);
  Put(r, "width", size[0], a);
  Put(r, "height", size[1], a);
  Put(r, "depth", size[2], a);
  PutString(r, "project_id", ref->id, a);
  Put(r, "active", *activate, a);
  Put(r, "version", version, a);
  return Status::Ok();
}

Status GetStatus(Workspace& ws, Call& call) {
  auto ref = ResolveProject(ws, call.params());
  if (!ref.ok()) return ref.status();
  auto& a = call.alloc();
  JsonValue& r = call.result();
  r.SetObject();
  PutString(r, "version", ws.options().version, a);
  CallReaderLock lock(&(*ref)->mu, ws.Wait());
  if (!lock.held()) return lock.Busy((*ref)->id);
  const voxel::Project& pr = (*ref)->View();
  Put(r, "layer_count", static_cast<int64_t>(pr.layers().size()), a);
  Put(r, "read_only", false, a);
  Put(r, "width", pr.width(), a);
  Put(r, "height", pr.height(), a);
  Put(r, "depth", pr.depth(), a);
  PutString(r, "project_id", (*ref)->id, a);
  PutString(r, "project_name", pr.name(), a);
  Put(r, "voxel_count", pr.CountVoxels(), a);
  Put(r, "active_layer_id", pr.active_layer_id(), a);
  Put(r, "dirty", pr.dirty(), a);
  // "version" is v14's daemon version here; the project's is this one.
  Put(r, "project_version", pr.version(), a);
  return Status::Ok();
}

// The summary list_projects gives for each project (caller holds its lock).
JsonValue Summary(const OpenProject& op, const voxel::Project& pr, bool active,
                  JsonAllocator& a) {
  JsonValue o(rapidjson::kObjectType);
  PutString(o, "project_id", op.id, a);
  PutString(o, "name", pr.name(), a);
  Put(o, "active", active, a);
  Put(o, "layer_count", static_cast<int64_t>(pr.layers().size()), a);
  Put(o, "voxel_count", pr.CountVoxels(), a);
  Put(o, "dirty", pr.dirty(), a);
  PutString(o, "file_path", pr.file_path(), a);
  Put(o, "version", pr.version(), a);
  return o;
}

Status GetProjectInfo(Workspace& ws, Call& call) {
  auto ref = ResolveProject(ws, call.params());
  if (!ref.ok()) return ref.status();
  ProjectRef active;
  ws.List(&active);
  auto& a = call.alloc();
  JsonValue& r = call.result();
  CallReaderLock lock(&(*ref)->mu, ws.Wait());
  if (!lock.held()) return lock.Busy((*ref)->id);
  const voxel::Project& pr = (*ref)->View();
  r = Summary(**ref, pr, active == *ref, a);
  Put(r, "width", pr.width(), a);
  Put(r, "height", pr.height(), a);
  Put(r, "depth", pr.depth(), a);
  Put(r, "active_layer_id", pr.active_layer_id(), a);
  auto bounds = pr.Bounds();
  if (bounds) {
    r.AddMember("bounding_box", BoxJson(*bounds, a), a);
  } else {
    r.AddMember("bounding_box", JsonValue(), a);
  }
  Put(r, "memory_bytes", static_cast<uint64_t>(pr.MemoryBytes()), a);
  Put(r, "undo_steps", static_cast<uint64_t>(pr.undo_size()), a);
  Put(r, "redo_steps", static_cast<uint64_t>(pr.redo_size()), a);
  Put(r, "created_ms", pr.created_ms(), a);
  Put(r, "modified_ms", pr.modified_ms(), a);
  if (pr.selection()) {
    r.AddMember("selection", BoxJson(*pr.selection(), a), a);
  } else {
    r.AddMember("selection", JsonValue(), a);
  }
  return Status::Ok();
}

Status ListProjects(Workspace& ws, Call& call) {
  ProjectRef active;
  std::vector<ProjectRef> all = ws.List(&active);
  auto& a = call.alloc();
  JsonValue list(rapidjson::kArrayType);
  // One lock timeout for the whole call: after one project was waited
  // out, the others are only tried.
  LockWait wait = ws.Wait();
  for (const ProjectRef& ref : all) {
    if (ref->restoring.load(std::memory_order_acquire)) {
      JsonValue o(rapidjson::kObjectType);
      PutString(o, "project_id", ref->id, a);
      PutString(o, "name", ref->restoring_name, a);
      Put(o, "active", ref == active, a);
      Put(o, "restoring", true, a);
      list.PushBack(o, a);
      continue;
    }
    CallReaderLock lock(&ref->mu, wait);
    if (!lock.held()) {
      wait.try_only = true;
      // A project busy past the lock timeout is listed, not an error that
      // would hide all the others.
      JsonValue o(rapidjson::kObjectType);
      PutString(o, "project_id", ref->id, a);
      Put(o, "active", ref == active, a);
      Put(o, "busy", true, a);
      list.PushBack(o, a);
      continue;
    }
    list.PushBack(Summary(*ref, ref->View(), ref == active, a), a);
  }
  JsonValue& r = call.result();
  r.SetObject();
  Put(r, "count", static_cast<uint64_t>(all.size()), a);
  if (active) {
    PutString(r, "active_project_id", active->id, a);
  } else {
    r.AddMember("active_project_id", JsonValue(), a);
  }
  r.AddMember("projects", list, a);
  return Status::Ok();
}

Status SetActiveProject(Workspace& ws, Call& call) {
  auto id = call.params().String("project_id");
  if (!id.ok()) return id.status();
  GOXEL_RETURN_IF_ERROR(ws.SetActive(*id));
  auto& a = call.alloc();
  call.result().SetObject();
  Put(call.result(), "success", true, a);
  PutString(call.result(), "project_id", *id, a);
  return Status::Ok();
}

Status CloseProject(Workspace& ws, Call& call) {
  auto id = ReadProjectId(call.params());
  if (!id.ok()) return id.status();
  auto force = call.params().Bool("force", false);
  if (!force.ok()) return force.status();
  std::string closed = *id;
  if (closed.empty()) {
    auto ref = ws.Find({});
    if (!ref.ok()) return ref.status();
    closed = (*ref)->id;
  }
  auto next = ws.Close(closed, *force);
  if (!next.ok()) return next.status();
  ReturnFreedMemory();  // RSS follows the engine's bytes down.
  auto& a = call.alloc();
  JsonValue& r = call.result();
  r.SetObject();
  Put(r, "success", true, a);
  PutString(r, "project_id", closed, a);
  if (next->empty()) {
    r.AddMember("active_project_id", JsonValue(), a);
  } else {
    PutString(r, "active_project_id", *next, a);
  }
  return Status::Ok();
}

Status UndoRedo(Workspace& ws, Call& call, bool undo) {
  auto ref = ResolveProject(ws, call.params());
  if (!ref.ok()) return ref.status();
  auto& a = call.alloc();
  JsonValue& r = call.result();
  r.SetObject();
  OpenProject& op = **ref;
  CallWriterLock lock(&op.mu, ws.Wait());
  GOXEL_RETURN_IF_ERROR(AdmitEdit(lock, op, call.params()));
  voxel::Project& pr = op.Edit();
  bool done = undo ? pr.Undo() : pr.Redo();
  Put(r, "success", done, a);
  Put(r, undo ? "undone" : "redone", done, a);
  Put(r, "undo_steps", static_cast<uint64_t>(pr.undo_size()), a);
  Put(r, "redo_steps", static_cast<uint64_t>(pr.redo_size()), a);
  Put(r, "voxel_count", pr.CountVoxels(), a);
  Put(r, "version", pr.version(), a);
  return Status::Ok();
}

}  // namespace

Status RegisterProjectMethods(rpc::MethodTable* t, Workspace* ws) {
  Workspace& w = *ws;
  GOXEL_RETURN_IF_ERROR(t->Add(
      {"goxel.create_project",
       "Opens a new empty project (one layer) and makes it the active "
       "project unless activate is false. Projects opened before stay open.",
       {{"name", "string", false, "project name (default \"Untitled\")"},
        rpc::Alias("width", "size", 0),
        rpc::Alias("height", "size", 1),
        rpc::Alias("depth", "size", 2),
        {"activate", "boolean", false, "make it active (default true)"},
        {"size", "position", false,
         "canvas [x, y, z], each 1..65536 (default [64, 64, 64]): metadata "
         "only (kept in files, used by flood_fill's default region); it "
         "limits no edit",
         "", -1,
         R"({"items":{"type":"integer","minimum":1,)"
         R"("maximum":65536}})"}},
       "{success, name, width, height, depth, project_id, active, version}",
       kEdit,
       [&w](Call& c) { return CreateProject(w, c); }}));
  GOXEL_RETURN_IF_ERROR(t->Add(
      {"goxel.get_status",
       "v14 status of the (active) project.",
       {ProjectIdParam()},
       "{version, layer_count, read_only, width, height, depth, project_id, "
       "project_name, voxel_count, active_layer_id, dirty, project_version "
       "(the project's version; `version` is the daemon's)}",
       kRead,
       [&w](Call& c) { return GetStatus(w, c); }}));
  GOXEL_RETURN_IF_ERROR(t->Add(
      {"goxel.get_project_info",
       "Counts, bounding box, memory use, history, dirty flag and file path "
       "of a project.",
       {ProjectIdParam()},
       "{project_id, name, active, layer_count, voxel_count, dirty, "
       "file_path, width, height, depth, active_layer_id, bounding_box: "
       "{min,max}|null, memory_bytes, undo_steps, redo_steps, created_ms, "
       "modified_ms, selection: {min,max}|null, version}",
       kRead,
       [&w](Call& c) { return GetProjectInfo(w, c); }}));
  GOXEL_RETURN_IF_ERROR(t->Add(
      {"goxel.list_projects",
       "Every open project, oldest first. A project whose lock stays taken "
       "past the lock timeout is listed as {project_id, active, busy: true}.",
       {},
       "{count, active_project_id, projects: [{project_id, name, active, "
       "layer_count, voxel_count, dirty, file_path, version} | {project_id, "
       "active, busy}]}",
       kRead,
       [&w](Call& c) { return ListProjects(w, c); }}));
  GOXEL_RETURN_IF_ERROR(
      t->Add({"goxel.set_active_project",
              "Makes a project the daemon-wide active project (used by calls "
              "without project_id).",
              {{"project_id", "string", true, "the project's UUID"}},
              "{success, project_id}",
              kEdit,
              [&w](Call& c) { return SetActiveProject(w, c); }}));
  GOXEL_RETURN_IF_ERROR(t->Add(
      {"goxel.close_project",
       "Closes a project (the active one when project_id is absent). "
       "Refuses (-32000, data.reason \"unsaved_changes\") when it has "
       "unsaved changes, unless force is true.",
       {ProjectIdParam(),
        {"force", "boolean", false, "drop unsaved changes (default false)"}},
       "{success, project_id, active_project_id (null when none left)}",
       kEdit,
       [&w](Call& c) { return CloseProject(w, c); }}));
  GOXEL_RETURN_IF_ERROR(t->Add(
      Versioned({"goxel.undo",
                 "Undoes the last change (one call = one step).",
                 {ProjectIdParam()},
                 "{success, undone, undo_steps, redo_steps, voxel_count}",
                 kEdit,
                 [&w](Call& c) { return UndoRedo(w, c, true); }})));
  GOXEL_RETURN_IF_ERROR(t->Add(
      Versioned({"goxel.redo",
                 "Redoes the last undone change.",
                 {ProjectIdParam()},
                 "{success, redone, undo_steps, redo_steps, voxel_count}",
                 kEdit,
                 [&w](Call& c) { return UndoRedo(w, c, false); }})));
  return Status::Ok();
}

Status RegisterGoxelMethods(rpc::MethodTable* table, Workspace* ws) {
  rpc::MethodTable v14;  // rows as written, then through WithV14Aliases
  GOXEL_RETURN_IF_ERROR(RegisterProjectMethods(&v14, ws));
  GOXEL_RETURN_IF_ERROR(RegisterLayerMethods(&v14, ws));
  GOXEL_RETURN_IF_ERROR(RegisterEditMethods(&v14, ws));
  GOXEL_RETURN_IF_ERROR(RegisterShapeMethods(&v14, ws));
  GOXEL_RETURN_IF_ERROR(RegisterQueryMethods(&v14, ws));
  GOXEL_RETURN_IF_ERROR(RegisterAgentMethods(&v14, ws));
  return AddWithV14Aliases(v14, table);
}

}  // namespace goxel::methods
