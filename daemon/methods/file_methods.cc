// File methods: load, save, export, import, list_formats; FileMethods
// start-up and the path policy. Lock order: autosave → workspace → project.
#include "methods/file_methods.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "base/clock.h"
#include "base/file_io.h"
#include "base/heap.h"
#include "methods/args.h"
#include "methods/edit_budget.h"
#include "ops/log.h"
#include "voxel/formats/registry.h"
#include "voxel/status_codes.h"

namespace goxel::methods {

namespace {

using rpc::kAllocates;
using rpc::kMutating;
using rpc::kPooled;
using rpc::kReadOnly;
using voxel::formats::FindFormat;
using voxel::formats::FindFormatForPath;
using voxel::formats::FormatInfo;

// $XDG_DATA_HOME/goxel, else $HOME/.local/share/goxel ("" without both).
std::string UserDataDir() {
  const char* xdg = getenv("XDG_DATA_HOME");
  if (xdg != nullptr && xdg[0] == '/') return std::string(xdg) + "/goxel";
  const char* home = getenv("HOME");
  if (home != nullptr && home[0] == '/') {
    return std::string(home) + "/.local/share/goxel";
  }
  return "";
}

std::string CurrentDir() {
  char buf[4096];
  return getcwd(buf, sizeof buf) != nullptr ? std::string(buf) : "/";
}

// "a/b/model.vox" → "model".
std::string Stem(const std::string& path) {
  return std::filesystem::path(path).stem().string();
}

double MillisSince(uint64_t start_ns) {
  return static_cast<double>(MonotonicNanos() - start_ns) / 1e6;
}

// The format named by param `format` (short name, display name or
// extension), else the one of the path's extension, else `fallback` (may be
// null: then an error).
Result<const FormatInfo*> PickFormat(const Params& p, const std::string& path,
                                     const char* fallback, bool for_write) {
  auto name = p.String("format", "");
  if (!name.ok()) return name.status();
  const FormatInfo* f = nullptr;
  if (!name->empty()) {
    f = FindFormat(*name);
    if (f == nullptr) {
      return Status::InvalidParams("unknown format: " + *name)
          .With("param", "format")
          .With("got", *name);
    }
  } else {
    f = FindFormatForPath(path);
    if (f == nullptr && fallback != nullptr) f = FindFormat(fallback);
    if (f == nullptr) {
      return Status::InvalidParams(
                 "cannot tell the format from the path; pass format")
          .With("param", "format")
          .With("path", path);
    }
  }
  if (for_write ? !f->can_write() : !f->can_read()) {
    return Status::InvalidParams(std::string("format ") + std::string(f->name) +
                                 " cannot be " +
                                 (for_write ? "written" : "read"))
        .With("param", "format")
        .With("format", std::string(f->name));
  }
  return f;
}

// Reads and parses a file a client named. Errors carry the path.
Result<voxel::Scene> ReadScene(const FileMethods& fm, const std::string& path,
                               const FormatInfo& format) {
  const auto& limits = fm.options().read_limits;
  auto bytes = fm.ReadFile(path);
  if (!bytes.ok()) return bytes.status();
  // What the file decodes to counts against the memory limit as it is
  // built: past it, the reader's volumes stop growing and the read fails.
  voxel::MemoryBudget budget;
  {
    auto scene = format.read(*bytes, limits);
    if (!budget.exceeded()) {
      if (!scene.ok()) return Status(scene.status()).With("path", path);
      return scene;
    }
  }
  ReturnFreedMemory();
  return Status(MemoryLimitError(budget, "reading this file"))
      .With("path", path);
}

// A file a request names (load_project, import_model), read: its resolved
// path, its format, its scene, and the name to give it (the `name` param,
// else the file's stem).
struct NamedFile {
  std::string path;
  const FormatInfo* format = nullptr;
  voxel::Scene scene;
  std::string name;
};

Result<NamedFile> ReadNamedFile(const FileMethods& fm, const Params& p,
                                const std::string& requested) {
  NamedFile f;
  auto path = fm.Resolve(requested, /*must_exist=*/true);
  if (!path.ok()) return path.status();
  f.path = std::move(path).value();
  auto format = PickFormat(p, f.path, "gox", /*for_write=*/false);
  if (!format.ok()) return format.status();
  f.format = *format;
  auto scene = ReadScene(fm, f.path, *f.format);
  if (!scene.ok()) return scene.status();
  f.scene = std::move(scene).value();
  auto name = ReadName(p, "name", Stem(f.path));
  if (!name.ok()) return name.status();
  f.name = std::move(name).value();
  return f;
}

Result<voxel::formats::WriteOptions> ReadWriteOptions(const Params& p) {
  voxel::formats::WriteOptions o;
  auto scale = p.Number("scale", 1.0);
  if (!scale.ok()) return scale.status();
  if (!std::isfinite(*scale) || *scale <= 0 || *scale > 1e6) {
    return Status::InvalidParams("scale must be a number in (0, 1e6]")
        .With("param", "scale");
  }
  o.scale = static_cast<float>(*scale);
  struct Flag {
    const char* name;
    bool* value;
  };
  for (Flag f :
       {Flag{"merge_vertices", &o.merge_vertices},
        Flag{"optimize_mesh", &o.optimize_mesh}, Flag{"ascii", &o.ascii},
        Flag{"visible_only", &o.visible_only}}) {
    auto b = p.Bool(f.name, *f.value);
    if (!b.ok()) return b.status();
    *f.value = *b;
  }
  return o;
}

// The open project whose file is `path` (saved to it, or loaded from it in
// any format), or null. Locks: the workspace's (List), then each project's
// shared.
Result<ProjectRef> FindOpenFile(Workspace& ws, const std::string& path) {
  for (const ProjectRef& ref : ws.List(nullptr)) {
    CallReaderLock lock(&ref->mu, ws.Wait());
    if (!lock.held()) return lock.Busy(ref->id);
    const voxel::Project& pr = ref->View();
    if (pr.file_path() == path || pr.source_path() == path) return ref;
  }
  return ProjectRef();
}

// load_project of a file an open project came from: that project, made
// active, with already_open: true.
Status AnswerAlreadyOpen(Workspace& ws, const ProjectRef& ref,
                         const std::string& path, const FormatInfo& format,
                         Call& call) {
  GOXEL_RETURN_IF_ERROR(ws.SetActive(ref->id));
  CallReaderLock lock(&ref->mu, ws.Wait());
  if (!lock.held()) return lock.Busy(ref->id);
  const voxel::Project& pr = ref->View();
  auto& a = call.alloc();
  JsonValue& r = call.result();
  r.SetObject();
  Put(r, "success", true, a);
  PutString(r, "path", path, a);
  PutString(r, "project_id", ref->id, a);
  PutString(r, "name", pr.name(), a);
  PutString(r, "format", format.name, a);
  Put(r, "layer_count", static_cast<int64_t>(pr.layers().size()), a);
  Put(r, "voxel_count", pr.CountVoxels(), a);
  Put(r, "load_time_ms", 0.0, a);
  Put(r, "version", pr.version(), a);
  Put(r, "already_open", true, a);
  Put(r, "dirty", pr.dirty(), a);
  return Status::Ok();
}

Status LoadProject(FileMethods& fm, Call& call) {
  const uint64_t start = MonotonicNanos();
  const Params& p = call.params();
  auto requested = p.String("path");
  if (!requested.ok()) return requested.status();
  auto copy = p.Bool("copy", false);
  if (!copy.ok()) return copy.status();
  if (!*copy) {
    auto path = fm.Resolve(*requested, /*must_exist=*/true);
    if (!path.ok()) return path.status();
    auto format = PickFormat(p, *path, "gox", /*for_write=*/false);
    if (!format.ok()) return format.status();
    auto open = FindOpenFile(fm.workspace(), *path);
    if (!open.ok()) return open.status();
    if (*open) {
      return AnswerAlreadyOpen(fm.workspace(), *open, *path, **format, call);
    }
  }
  auto file = ReadNamedFile(fm, p, *requested);
  if (!file.ok()) return file.status();
  const std::string& path = file->path;
  const FormatInfo* format = file->format;
  const std::string& name = file->name;
  voxel::Project project =
      voxel::Project::FromScene(std::move(file->scene), name);
  project.SetHistoryDepth(fm.workspace().options().history_depth);
  // save_project without a path writes back only to a .gox file.
  if (format->name == "gox") project.MarkSaved(path);
  project.set_source_path(path);
  const int64_t voxels = project.CountVoxels();
  const int64_t layers = static_cast<int64_t>(project.layers().size());
  const uint64_t version = project.version();
  ProjectRef ref = fm.workspace().Open(std::move(project), /*activate=*/true);
  auto& a = call.alloc();
  JsonValue& r = call.result();
  r.SetObject();
  Put(r, "success", true, a);
  PutString(r, "path", path, a);
  PutString(r, "project_id", ref->id, a);
  PutString(r, "name", name, a);
  PutString(r, "format", format->name, a);
  Put(r, "layer_count", layers, a);
  Put(r, "voxel_count", voxels, a);
  Put(r, "load_time_ms", MillisSince(start), a);
  Put(r, "version", version, a);
  Put(r, "already_open", false, a);
  Put(r, "dirty", false, a);
  return Status::Ok();
}

Status SaveProject(FileMethods& fm, Call& call) {
  const uint64_t start = MonotonicNanos();
  const Params& p = call.params();
  auto ref = ResolveProject(fm.workspace(), p);
  if (!ref.ok()) return ref.status();
  auto taken = TakeSnapshot(**ref, fm.workspace().Wait());
  if (!taken.ok()) return taken.status();
  const ProjectSnapshot& snap = *taken;
  auto requested = p.String("path", snap.file_path);
  if (!requested.ok()) return requested.status();
  if (requested->empty()) return Params::Missing("path", "a .gox path");
  const FormatInfo* by_ext = FindFormatForPath(*requested);
  if (by_ext != nullptr && by_ext->name != "gox") {
    return Status::InvalidParams(
               "save_project writes .gox; use export_model for " +
               std::string(by_ext->name))
        .With("param", "path")
        .With("path", *requested);
  }
  if (by_ext == nullptr) *requested += ".gox";
  auto path = fm.Resolve(*requested, /*must_exist=*/false);
  if (!path.ok()) return path.status();
  const FormatInfo* gox = FindFormat("gox");
  auto bytes = gox->write(snap.scene, voxel::formats::WriteOptions());
  if (!bytes.ok()) return bytes.status();
  GOXEL_RETURN_IF_ERROR(fm.WriteFile(*path, *bytes));
  bool clean = false;
  {
    // The file is written: a project still busy after the lock timeout
    // stays dirty (and autosaved) rather than failing a save that happened.
    CallWriterLock lock(&(*ref)->mu, fm.workspace().Wait());
    voxel::Project* pr = lock.held() ? &(*ref)->Edit() : nullptr;
    // Edits made while we wrote are not in the file: the project stays
    // dirty (and autosaved) then.
    if (pr == nullptr) {
      // Busy: not even the file path is recorded.
    } else if (pr->state_id() == snap.state_id) {
      pr->MarkSaved(*path);
      clean = true;
    } else {
      pr->set_file_path(*path);
    }
  }
  if (clean) fm.autosaver().Remove((*ref)->id);
  auto& a = call.alloc();
  JsonValue& r = call.result();
  r.SetObject();
  Put(r, "success", true, a);
  PutString(r, "path", *path, a);
  PutString(r, "project_id", (*ref)->id, a);
  Put(r, "dirty", !clean, a);
  Put(r, "save_time_ms", MillisSince(start), a);
  Put(r, "version", snap.version, a);
  return Status::Ok();
}

Status ExportModel(FileMethods& fm, Call& call) {
  const uint64_t start = MonotonicNanos();
  const Params& p = call.params();
  auto requested = p.String("path");
  if (!requested.ok()) return requested.status();
  auto format = PickFormat(p, *requested, nullptr, /*for_write=*/true);
  if (!format.ok()) return format.status();
  auto options = ReadWriteOptions(p);
  if (!options.ok()) return options.status();
  auto ref = ResolveProject(fm.workspace(), p);
  if (!ref.ok()) return ref.status();
  auto path = fm.Resolve(*requested, /*must_exist=*/false);
  if (!path.ok()) return path.status();
  auto snap = TakeSnapshot(**ref, fm.workspace().Wait());
  if (!snap.ok()) return snap.status();
  auto bytes = (*format)->write(snap->scene, *options);
  if (!bytes.ok()) return bytes.status();
  GOXEL_RETURN_IF_ERROR(fm.WriteFile(*path, *bytes));
  auto& a = call.alloc();
  JsonValue& r = call.result();
  r.SetObject();
  Put(r, "success", true, a);
  PutString(r, "path", *path, a);
  PutString(r, "format", (*format)->name, a);
  PutString(r, "project_id", (*ref)->id, a);
  Put(r, "bytes", static_cast<uint64_t>(bytes->size()), a);
  Put(r, "export_time_ms", MillisSince(start), a);
  return Status::Ok();
}

// Draws `src` into `dst` shifted by `offset`.
void CopyShifted(const voxel::Volume& src, Vec3i offset, voxel::Volume* dst) {
  src.ForEachVoxel([&](Vec3i q, Rgba c) {
    (void)dst->Set({q.x + offset.x, q.y + offset.y, q.z + offset.z}, c);
  });
}

// -32003 when shifting `v` by `offset` leaves the int32 range.
Status CheckShift(const voxel::Volume& v, Vec3i offset) {
  auto bounds = v.Bounds();
  if (!bounds) return Status::Ok();
  const int64_t lo[3] = {bounds->min.x, bounds->min.y, bounds->min.z};
  const int64_t hi[3] = {bounds->max.x, bounds->max.y, bounds->max.z};
  const int64_t d[3] = {offset.x, offset.y, offset.z};
  for (int i = 0; i < 3; ++i) {
    if (lo[i] + d[i] < INT32_MIN || hi[i] + d[i] > INT32_MAX) {
      return Status::Error(voxel::kInvalidPosition,
                           "offset moves the model outside the int32 range")
          .With("param", "offset");
    }
  }
  return Status::Ok();
}

Status ImportModel(FileMethods& fm, Call& call) {
  const Params& p = call.params();
  auto requested = p.String("path");
  if (!requested.ok()) return requested.status();
  auto ref = ResolveProject(fm.workspace(), p);
  if (!ref.ok()) return ref.status();
  Vec3i offset{0, 0, 0};
  if (const JsonValue* o = p.Get("offset")) {
    auto v = Vec3FromJson(*o, "offset");
    if (!v.ok()) return v.status();
    offset = *v;
  }
  auto file = ReadNamedFile(fm, p, *requested);
  if (!file.ok()) return file.status();
  voxel::Volume merged = voxel::formats::FlattenScene(file->scene, false);
  GOXEL_RETURN_IF_ERROR(CheckShift(merged, offset));
  if (offset.x != 0 || offset.y != 0 || offset.z != 0) {
    voxel::Volume shifted;
    CopyShifted(merged, offset, &shifted);
    merged = std::move(shifted);
  }
  const int64_t voxels = merged.CountVoxels();
  GOXEL_RETURN_IF_ERROR(CheckVoxelCap(
      voxels, fm.workspace().options().max_voxels_per_call, "import_model"));
  int32_t layer_id;
  uint64_t version;
  {
    OpenProject& op = **ref;
    CallWriterLock lock(&op.mu, fm.workspace().Wait());
    GOXEL_RETURN_IF_ERROR(AdmitEdit(lock, op, p));
    voxel::Project& pr = op.Edit();
    layer_id = pr.CreateLayer(file->name);
    pr.BeginEdit();
    *pr.MutableVolume(layer_id) = std::move(merged);
    pr.EndEdit();
    version = pr.version();
  }
  auto& a = call.alloc();
  JsonValue& r = call.result();
  r.SetObject();
  Put(r, "success", true, a);
  PutString(r, "path", file->path, a);
  PutString(r, "format", file->format->name, a);
  PutString(r, "project_id", (*ref)->id, a);
  Put(r, "layer_id", layer_id, a);
  PutString(r, "layer_name", file->name, a);
  Put(r, "voxel_count", voxels, a);
  Put(r, "version", version, a);
  return Status::Ok();
}

Status ListFormats(Call& call) {
  auto& a = call.alloc();
  JsonValue list(rapidjson::kArrayType);
  for (const FormatInfo& f : voxel::formats::AllFormats()) {
    JsonValue o(rapidjson::kObjectType);
    PutString(o, "name", f.name, a);
    PutString(o, "display_name", f.display_name, a);
    JsonValue ext(rapidjson::kArrayType);
    for (std::string_view e : f.extensions)
      ext.PushBack(rpc::MakeString(e, a), a);
    o.AddMember("extensions", ext, a);
    Put(o, "read", f.can_read(), a);
    Put(o, "write", f.can_write(), a);
    list.PushBack(o, a);
  }
  JsonValue& r = call.result();
  r.SetObject();
  Put(r, "count", static_cast<uint64_t>(list.Size()), a);
  r.AddMember("formats", list, a);
  return Status::Ok();
}

}  // namespace

FilesOptions FilesOptionsFromConfig(const ops::Config& config,
                                    const WorkspaceOptions& workspace) {
  FilesOptions o;
  o.data_dir = config.data_directory;
  if (o.data_dir.empty()) {
    o.data_dir = config.daemonize ? "/var/lib/goxel" : UserDataDir();
    o.create_data_dir = !config.daemonize;
  }
  if (o.data_dir.empty()) return o;  // no HOME: CheckDataDir says so
  if (o.data_dir[0] != '/') o.data_dir = CurrentDir() + "/" + o.data_dir;
  while (o.data_dir.size() > 1 && o.data_dir.back() == '/')
    o.data_dir.pop_back();
  o.allowed_roots = config.allowed_paths;
  // A file the daemon wrote must read back: what bounds a read is the
  // memory limit (checked as the file decodes, ReadScene), not a count of
  // voxels or blocks below what the engine can hold.
  const int64_t max_bytes = o.read_limits.max_bytes;
  o.read_limits = voxel::formats::EngineReadLimits();
  o.read_limits.max_bytes = max_bytes;
  (void)workspace;
  o.autosave_interval_seconds = config.autosave_interval_seconds;
  // Half the shutdown timeout for busy projects; the rest for writing.
  o.final_autosave_wait_ms =
      std::max<int64_t>(int64_t{config.shutdown_timeout_seconds} * 500, 100);
  return o;
}

FileMethods::FileMethods(FilesOptions options, Workspace* ws)
    : options_(std::move(options)), ws_(ws) {
  AutosaveOptions a;
  a.data_dir = options_.data_dir;
  a.state_dir = state_dir();
  a.interval_seconds = options_.autosave_interval_seconds;
  a.final_lock_wait_ms = options_.final_autosave_wait_ms;
  autosave_ = std::make_unique<Autosaver>(ws_, std::move(a));
  ws_->SetOnClose([this](const std::string& id) { autosave_->Remove(id); });
}

FileMethods::~FileMethods() = default;

Status FileMethods::Register(rpc::MethodTable* table) {
  rpc::MethodTable v14;  // rows as written, then through WithV14Aliases
  GOXEL_RETURN_IF_ERROR(RegisterFileMethods(&v14, this));
  GOXEL_RETURN_IF_ERROR(RegisterRenderMethods(&v14, this));
  return AddWithV14Aliases(v14, table);
}

Status FileMethods::Start() {
  std::error_code ec;
  if (!std::filesystem::is_directory(options_.data_dir, ec)) {
    ops::DefaultLogger().Warning(
        "files",
        "the data directory does not exist: file methods will refuse every "
        "relative path and autosave cannot write",
        {{"data_directory", options_.data_dir}});
  }
  autosave_->Prepare();
  autosave_->Start();
  ops::DefaultLogger().Info(
      "files", "file methods ready",
      {{"data_directory", options_.data_dir},
       {"autosave_dir", autosave_->dir()},
       {"autosave_interval_seconds", options_.autosave_interval_seconds}});
  return Status::Ok();
}

Status FileMethods::Stop() { return autosave_->Stop(); }

Status FileMethods::CheckDataDir() const {
  const std::string& dir = options_.data_dir;
  auto fail = [&dir](const std::string& reason) {
    return Status::Error(StatusCode::kInvalidParams,
                         "unusable data directory " + dir + ": " + reason +
                             " (set --data-dir, GOXEL_DATA_DIR or "
                             "paths.data_directory)")
        .With("data_directory", dir)
        .With("reason", reason);
  };
  if (dir.empty()) {
    return Status::InvalidParams(
        "no data directory: neither XDG_DATA_HOME nor HOME is set; set "
        "--data-dir, GOXEL_DATA_DIR or paths.data_directory");
  }
  std::error_code ec;
  if (options_.create_data_dir) {
    std::filesystem::create_directories(dir, ec);
    if (ec) return fail("cannot create it: " + ec.message());
  }
  if (!std::filesystem::exists(dir, ec)) return fail("it does not exist");
  if (!std::filesystem::is_directory(dir, ec)) return fail("not a directory");
  if (access(dir.c_str(), W_OK | X_OK) != 0) {
    return fail(std::string("not writable by uid ") + std::to_string(getuid()) +
                ": " + strerror(errno));
  }
  return Status::Ok();
}

Result<std::string> FileMethods::Resolve(const std::string& requested,
                                         bool must_exist) const {
  GOXEL_RETURN_IF_ERROR(CheckPrintable(requested, "path"));
  if (!must_exist) {
    // The file name needs something before its extension: "." + ".gox",
    // "sub/" + ".gox" would write hidden files no one asked for.
    const size_t slash = requested.rfind('/');
    const std::string base =
        slash == std::string::npos ? requested : requested.substr(slash + 1);
    const size_t dot = base.rfind('.');
    const std::string stem =
        dot == std::string::npos ? base : base.substr(0, dot);
    if (stem.empty() || stem == "." || stem == "..") {
      return Status::InvalidParams("path has no file name: " + requested)
          .With("param", "path")
          .With("expected", "a file name before the extension")
          .With("got", requested);
    }
  }
  auto resolved = ResolvePath(requested, options_.data_dir,
                              options_.allowed_roots, must_exist);
  if (!resolved.ok()) return resolved;
  std::error_code ec;
  const auto state = std::filesystem::weakly_canonical(state_dir(), ec);
  if (!ec && PathIsInside(*resolved, state.string())) {
    return Status::Error(
               StatusCode::kPermissionDenied,
               "path is reserved for the daemon's own state: " + requested)
        .With("path", requested)
        .With("reserved", state.string());
  }
  return resolved;
}

Result<std::string> FileMethods::RootOf(const std::string& path) const {
  std::string best;
  std::vector<std::string> roots = options_.allowed_roots;
  roots.insert(roots.begin(), options_.data_dir);
  for (const std::string& root : roots) {
    std::error_code ec;
    const std::string real = std::filesystem::canonical(root, ec).string();
    if (!ec && PathIsInside(path, real) && path != real &&
        real.size() > best.size())
      best = real;
  }
  if (best.empty()) {
    return Status::Error(StatusCode::kPermissionDenied,
                         "path is outside the allowed roots: " + path)
        .With("path", path);
  }
  return best;
}

Result<std::vector<uint8_t>> FileMethods::ReadFile(
    const std::string& resolved) const {
  auto root = RootOf(resolved);
  if (!root.ok()) return root.status();
  return ReadFileBytesBeneath(*root, resolved, options_.read_limits.max_bytes);
}

Status FileMethods::WriteFile(const std::string& resolved,
                              std::span<const uint8_t> bytes) const {
  auto root = RootOf(resolved);
  if (!root.ok()) return root.status();
  return AtomicWriteFileBeneath(*root, resolved, bytes);
}

Status RegisterFileMethods(rpc::MethodTable* t, FileMethods* files) {
  FileMethods& fm = *files;
  const uint32_t kRead = kPooled | kReadOnly;
  const uint32_t kLoad = kPooled | kMutating | kAllocates;
  const ParamSpec path{"path", "string", true,
                       "file path; relative to the data directory"};
  const ParamSpec format{"format", "string", false,
                         "short name, Goxel display name or extension "
                         "(default: the path's extension)"};
  GOXEL_RETURN_IF_ERROR(t->Add(
      {"goxel.load_project",
       "Opens a file (any readable format, .gox by default) as a new "
       "project and makes it active. A file an open project was loaded "
       "from (any format) or saved to is not read again: that project is "
       "made active and returned with already_open: true (and its unsaved "
       "changes), unless copy is true.",
       {path,
        format,
        {"name", "string", false, "default: the file's stem"},
        {"copy", "boolean", false,
         "open a second, independent project even when the file is open "
         "(default false)"}},
       "{success, path, project_id, name, format, layer_count, voxel_count, "
       "load_time_ms, version, already_open, dirty}",
       kLoad,
       [&fm](Call& c) { return LoadProject(fm, c); }}));
  GOXEL_RETURN_IF_ERROR(t->Add(
      {"goxel.save_project",
       "Writes the project as .gox (atomically), marks it saved and removes "
       "its autosave. Without path: the project's own .gox file.",
       {{"path", "string", false, ".gox path (\".gox\" added when absent)"},
        ProjectIdParam()},
       "{success, path, project_id, dirty, save_time_ms, version (the "
       "one written)}",
       kRead,
       [&fm](Call& c) { return SaveProject(fm, c); }}));
  GOXEL_RETURN_IF_ERROR(t->Add(
      {"goxel.export_model",
       "Writes the project in another format (see list_formats).",
       {path,
        format,
        {"scale", "number", false, "mesh: size of one voxel (default 1)"},
        {"merge_vertices", "boolean", false, "mesh: share vertices (true)"},
        {"optimize_mesh", "boolean", false, "mesh: merge faces (true)"},
        {"ascii", "boolean", false, "ply: ASCII (false)"},
        {"visible_only", "boolean", false, "skip hidden layers (true)"},
        ProjectIdParam()},
       "{success, path, format, project_id, bytes, export_time_ms}",
       kRead,
       [&fm](Call& c) { return ExportModel(fm, c); }}));
  GOXEL_RETURN_IF_ERROR(t->Add(Versioned(
      {"goxel.import_model",
       "Reads a file into a new layer (its layers merged) of the project.",
       {path,
        format,
        {"name", "string", false, "layer name (default: the file's stem)"},
        {"offset", "position", false, "[x, y, z] shift (default 0,0,0)"},
        ProjectIdParam()},
       "{success, path, format, project_id, layer_id, layer_name, "
       "voxel_count}",
       kLoad,
       [&fm](Call& c) { return ImportModel(fm, c); }})));
  return t->Add({"goxel.list_formats",
                 "Every file format: names, extensions, read/write.",
                 {},
                 "{count, formats: [{name, display_name, extensions, read, "
                 "write}]}",
                 kRead,
                 [](Call& c) { return ListFormats(c); }});
}

}  // namespace goxel::methods
