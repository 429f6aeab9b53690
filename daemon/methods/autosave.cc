#include "methods/autosave.h"

#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <vector>

#include "base/clock.h"
#include "base/file_io.h"
#include "ops/log.h"
#include "rpc/json.h"
#include "voxel/formats/registry.h"

namespace goxel::methods {

namespace {

namespace fs = std::filesystem;
using voxel::formats::FindFormat;

constexpr const char* kComponent = "autosave";

std::string GoxPath(const std::string& dir, const std::string& id) {
  return dir + "/" + id + ".gox";
}
std::string MetaPath(const std::string& dir, const std::string& id) {
  return dir + "/" + id + ".json";
}

// A project id as Workspace::NewUuid writes it (36 characters, hex and
// dashes): the only file names Restore() trusts.
bool LooksLikeUuid(const std::string& s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    const char c = s[i];
    if (dash ? c != '-' : !isxdigit(static_cast<unsigned char>(c)))
      return false;
  }
  return true;
}

std::string MetaJson(const std::string& id, const ProjectSnapshot& snap,
                     const std::string& instance, bool active) {
  rapidjson::StringBuffer buf;
  rpc::JsonWriter w(buf);
  w.StartObject();
  w.Key("project_id");
  w.String(id.c_str());
  w.Key("name");
  w.String(snap.name.c_str());
  w.Key("file_path");
  w.String(snap.file_path.c_str());
  w.Key("instance");
  w.String(instance.c_str());
  w.Key("active");
  w.Bool(active);
  w.Key("saved_ms");
  w.Int64(WallMillis());
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

Status MakeDir(const std::string& dir) {
  if (mkdir(dir.c_str(), 0750) == 0 || errno == EEXIST) return Status::Ok();
  return Status::IoError("cannot create the autosave directory " + dir + ": " +
                         strerror(errno))
      .With("path", dir);
}

// Makes a freshly restored (clean) project dirty without an undo step: its
// changes are not saved anywhere but in the autosave.
void MarkUnsaved(voxel::Project* p, size_t history_depth) {
  p->SetHistoryDepth(0);
  const voxel::Layer& first = p->layers().front();
  const int32_t id = first.id;
  const bool visible = first.visible;
  (void)p->SetLayerVisible(id, !visible);
  (void)p->SetLayerVisible(id, visible);
  p->SetHistoryDepth(history_depth);
}

}  // namespace

Result<ProjectSnapshot> TakeSnapshot(OpenProject& op, LockWait wait) {
  ProjectSnapshot s;
  CallReaderLock lock(&op.mu, wait);
  if (!lock.held()) return lock.Busy(op.id);
  const voxel::Project& p = op.View();
  s.scene = p.ToScene();
  s.name = p.name();
  s.file_path = p.file_path();
  s.state_id = p.state_id();
  s.version = p.version();
  s.dirty = p.dirty();
  return s;
}

Status WriteGoxFile(const ProjectSnapshot& snapshot, const std::string& path) {
  const voxel::formats::FormatInfo* gox = FindFormat("gox");
  if (gox == nullptr || !gox->can_write())
    return Status::Internal("the gox writer is missing");
  auto bytes = gox->write(snapshot.scene, voxel::formats::WriteOptions());
  if (!bytes.ok()) return bytes.status();
  return AtomicWriteFile(path, *bytes);
}

Autosaver::Autosaver(Workspace* ws, AutosaveOptions options)
    : ws_(ws), options_(std::move(options)) {}

Autosaver::~Autosaver() {
  {
    std::lock_guard<std::mutex> lock(timer_mu_);
    stopping_ = true;
  }
  timer_cv_.notify_all();
  if (timer_.joinable()) timer_.join();
}

void Autosaver::Start() {
  if (options_.interval_seconds <= 0 || timer_.joinable()) return;
  timer_ = std::thread([this] { TimerLoop(); });
}

void Autosaver::Stop() {
  {
    std::lock_guard<std::mutex> lock(timer_mu_);
    stopping_ = true;
  }
  timer_cv_.notify_all();
  if (timer_.joinable()) timer_.join();
  if (options_.interval_seconds <= 0) return;
  const int written = RunPass();
  ops::DefaultLogger().Info(kComponent, "final autosave pass",
                            {{"written", written}, {"dir", options_.dir}});
}

void Autosaver::TimerLoop() {
  const auto interval = std::chrono::seconds(options_.interval_seconds);
  std::unique_lock<std::mutex> lock(timer_mu_);
  while (!stopping_) {
    if (timer_cv_.wait_for(lock, interval, [this] { return stopping_; })) break;
    lock.unlock();
    RunPass();
    lock.lock();
  }
}

int Autosaver::RunPass() {
  ProjectRef active;
  std::vector<ProjectRef> all = ws_->List(&active);
  int written = 0;
  for (const ProjectRef& ref : all) {
    Result<bool> r = WriteOne(ref, ref == active);
    if (!r.ok()) {
      ops::DefaultLogger().Error(
          kComponent, "cannot autosave a project",
          {{"project_id", ref->id}, {"error", r.status().ToString()}});
    } else if (*r) {
      ++written;
    }
  }
  // Projects closed without the close hook seeing them (none expected):
  // their autosaves go too.
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> gone;
  for (const auto& [id, state] : written_) {
    bool open = false;
    for (const ProjectRef& ref : all) open = open || ref->id == id;
    if (!open && !ws_->Find(id).ok()) gone.push_back(id);
  }
  for (const std::string& id : gone) RemoveFilesLocked(id);
  return written;
}

Result<bool> Autosaver::WriteOne(const ProjectRef& ref, bool active) {
  auto taken = TakeSnapshot(*ref);  // waits: autosave is no request
  if (!taken.ok()) return taken.status();
  const ProjectSnapshot& snap = *taken;
  if (!snap.dirty) {
    std::lock_guard<std::mutex> lock(mu_);
    if (written_.count(ref->id)) RemoveFilesLocked(ref->id);
    return false;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = written_.find(ref->id);
    if (it != written_.end() && it->second == snap.state_id) return false;
  }
  const voxel::formats::FormatInfo* gox = FindFormat("gox");
  auto bytes = gox->write(snap.scene, voxel::formats::WriteOptions());
  if (!bytes.ok()) return bytes.status();
  std::string meta = MetaJson(ref->id, snap, options_.instance, active);
  std::lock_guard<std::mutex> lock(mu_);
  // Closed or saved while we encoded: no autosave (Remove already ran or
  // will find nothing to remove).
  if (!ws_->Find(ref->id).ok()) return false;
  {
    ReaderLock plock(&ref->mu);
    if (!ref->project.dirty()) return false;
  }
  GOXEL_RETURN_IF_ERROR(MakeDir(options_.dir));
  GOXEL_RETURN_IF_ERROR(
      AtomicWriteFile(GoxPath(options_.dir, ref->id), *bytes));
  GOXEL_RETURN_IF_ERROR(AtomicWriteFile(
      MetaPath(options_.dir, ref->id),
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(meta.data()),
                               meta.size())));
  written_[ref->id] = snap.state_id;
  return true;
}

void Autosaver::Remove(const std::string& project_id) {
  std::lock_guard<std::mutex> lock(mu_);
  RemoveFilesLocked(project_id);
}

void Autosaver::RemoveFilesLocked(const std::string& id) {
  written_.erase(id);
  // The sidecar first: a .gox without its sidecar is never restored.
  for (const std::string& path :
       {MetaPath(options_.dir, id), GoxPath(options_.dir, id)}) {
    if (unlink(path.c_str()) != 0 && errno != ENOENT) {
      ops::DefaultLogger().Error(kComponent, "cannot remove an autosave",
                                 {{"path", path}, {"error", strerror(errno)}});
    }
  }
}

Result<int> Autosaver::Restore() {
  std::error_code ec;
  fs::directory_iterator it(options_.dir, ec);
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory) return 0;
    return Status::IoError("cannot list the autosave directory " +
                           options_.dir + ": " + ec.message());
  }
  std::vector<std::string> ids;
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) break;
    const fs::path& p = it->path();
    if (p.extension() == ".json" && LooksLikeUuid(p.stem().string()))
      ids.push_back(p.stem().string());
  }
  ProjectRef default_active;
  std::vector<ProjectRef> before = ws_->List(&default_active);
  int restored = 0;
  for (const std::string& id : ids) {
    bool ok = false;
    Status s = RestoreOne(id, MetaPath(options_.dir, id), &ok);
    if (!s.ok()) {
      ops::DefaultLogger().Error(kComponent, "cannot restore an autosave",
                                 {{"project_id", id}, {"error", s.ToString()}});
    }
    if (ok) ++restored;
  }
  if (restored > 0 && before.size() == 1) {
    const ProjectRef& d = before.front();
    bool pristine;
    {
      ReaderLock lock(&d->mu);
      pristine = !d->project.dirty() && d->project.CountVoxels() == 0 &&
                 d->project.layers().size() == 1;
    }
    if (pristine) (void)ws_->Close(d->id, /*force=*/false);
  }
  ops::DefaultLogger().Info(kComponent, "restored autosaved projects",
                            {{"restored", restored}, {"dir", options_.dir}});
  return restored;
}

Status Autosaver::RestoreOne(const std::string& id,
                             const std::string& meta_path, bool* restored) {
  auto meta_bytes = ReadFileBytes(meta_path, 1 << 16);
  if (!meta_bytes.ok()) return meta_bytes.status();
  rpc::JsonDocument meta;
  meta.Parse(reinterpret_cast<const char*>(meta_bytes->data()),
             meta_bytes->size());
  if (meta.HasParseError() || !meta.IsObject() || !meta.HasMember("instance") ||
      !meta["instance"].IsString()) {
    return Status::InvalidParams("autosave sidecar is not valid")
        .With("path", meta_path);
  }
  if (options_.instance != meta["instance"].GetString()) return Status::Ok();
  auto str = [&](const char* key) {
    return meta.HasMember(key) && meta[key].IsString()
               ? std::string(meta[key].GetString())
               : std::string();
  };
  const bool active = meta.HasMember("active") && meta["active"].IsBool() &&
                      meta["active"].GetBool();
  const std::string gox_path = GoxPath(options_.dir, id);
  auto bytes = ReadFileBytes(gox_path, options_.read_limits.max_bytes);
  if (!bytes.ok()) return bytes.status();
  auto scene = FindFormat("gox")->read(*bytes, options_.read_limits);
  if (!scene.ok()) return scene.status();
  std::string name = str("name");
  voxel::Project p = voxel::Project::FromScene(
      std::move(scene).value(), name.empty() ? "Restored" : name);
  p.set_file_path(str("file_path"));
  MarkUnsaved(&p, ws_->options().history_depth);
  const uint64_t state = p.state_id();
  auto ref = ws_->OpenWithId(id, std::move(p), active);
  if (!ref.ok()) return ref.status();
  std::lock_guard<std::mutex> lock(mu_);
  written_[id] = state;
  *restored = true;
  return Status::Ok();
}

}  // namespace goxel::methods
