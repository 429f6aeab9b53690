#include "methods/autosave.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "base/clock.h"
#include "base/file_io.h"
#include "methods/autosave_file.h"
#include "ops/log.h"

namespace goxel::methods {

namespace {

constexpr const char* kComponent = "autosave";
constexpr const char* kExt = ".gxa";
// Temp files are looked for this deep in the data directory, among at most
// this many entries: bounded start-up work.
constexpr int kTempScanDepth = 4;
constexpr int64_t kTempScanEntries = 100000;

// A project id as Workspace::NewUuid writes it (36 characters, hex and
// dashes): the only file names Prepare() trusts.
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

ops::Logger& Log() { return ops::DefaultLogger(); }

// Makes `dir` a real directory: something else there (a file a client
// made, a symlink) is moved aside with a warning. False when impossible.
bool EnsureDir(const std::string& dir) {
  struct stat st;
  if (lstat(dir.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return true;
    const std::string aside = dir + ".moved-" + std::to_string(WallMillis());
    if (rename(dir.c_str(), aside.c_str()) != 0) {
      Log().Error(kComponent, "cannot move aside what is not a directory",
                  {{"path", dir}, {"error", strerror(errno)}});
      return false;
    }
    Log().Warning(kComponent,
                  "the daemon's state path was not a directory: moved aside",
                  {{"path", dir}, {"moved_to", aside}});
  }
  if (mkdir(dir.c_str(), 0750) != 0 && errno != EEXIST) {
    Log().Error(kComponent, "cannot create a state directory",
                {{"path", dir}, {"error", strerror(errno)}});
    return false;
  }
  return lstat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
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

Autosaver::Autosaver(Workspace* ws, AutosaveOptions options)
    : ws_(ws), options_(std::move(options)) {}

Autosaver::~Autosaver() {
  cancel_restore_ = true;
  if (restorer_.joinable()) restorer_.join();
  {
    std::lock_guard<std::mutex> lock(timer_mu_);
    stopping_ = true;
  }
  timer_cv_.notify_all();
  if (timer_.joinable()) timer_.join();
  if (lock_fd_ >= 0) close(lock_fd_);
}

void Autosaver::SetDisabled(std::string reason) {
  Log().Error(kComponent, "autosave is off: " + reason,
              {{"state_dir", options_.state_dir}});
  std::lock_guard<std::mutex> lock(mu_);
  health_.enabled = false;
  health_.disabled_reason = std::move(reason);
}

bool Autosaver::PrepareStateDir() {
  struct stat st;
  if (stat(options_.data_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    // Configuration, not a fault: FileMethods::Start warned already, and
    // health stays "ok" (nothing to protect that could be written).
    std::lock_guard<std::mutex> lock(mu_);
    health_.enabled = false;
    health_.disabled_reason =
        "the data directory " + options_.data_dir + " does not exist";
    health_.degrades = false;
    return false;
  }
  if (!EnsureDir(options_.state_dir) || !EnsureDir(dir())) {
    SetDisabled("cannot create the state directory " + options_.state_dir);
    return false;
  }
  const std::string lock_path = options_.state_dir + "/lock";
  lock_fd_ =
      open(lock_path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0640);
  if (lock_fd_ < 0) {
    SetDisabled("cannot open " + lock_path + ": " + strerror(errno));
    return false;
  }
  if (flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    char buf[32] = {0};
    ssize_t n = pread(lock_fd_, buf, sizeof buf - 1, 0);
    std::string owner = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
    while (!owner.empty() && (owner.back() == '\n' || owner.back() == ' '))
      owner.pop_back();
    close(lock_fd_);
    lock_fd_ = -1;
    SetDisabled("the data directory " + options_.data_dir +
                " is in use by another daemon (pid " +
                (owner.empty() ? "unknown" : owner) + ")");
    return false;
  }
  const std::string pid = std::to_string(getpid()) + "\n";
  if (ftruncate(lock_fd_, 0) != 0 ||
      pwrite(lock_fd_, pid.data(), pid.size(), 0) < 0) {
    Log().Warning(kComponent, "cannot write the pid into the lock file",
                  {{"path", lock_path}, {"error", strerror(errno)}});
  }
  return true;
}

int Autosaver::Prepare() {
  if (!PrepareStateDir()) return 0;
  // Temp files of writes a crash interrupted (ours and clients').
  std::vector<std::string> stale =
      RemoveStaleTempFiles(options_.data_dir, kTempScanDepth, kTempScanEntries);
  if (!stale.empty()) {
    Log().Warning(kComponent, "removed temporary files of crashed writes",
                  {{"count", static_cast<int64_t>(stale.size())},
                   {"first", stale.front()}});
  }
  DIR* d = opendir(dir().c_str());
  if (d == nullptr) {
    SetDisabled("cannot list " + dir() + ": " + strerror(errno));
    return 0;
  }
  std::vector<std::string> ids;
  while (dirent* e = readdir(d)) {
    const std::string name = e->d_name;
    if (name.size() != 36 + 4 || name.compare(36, 4, kExt) != 0) continue;
    const std::string id = name.substr(0, 36);
    if (LooksLikeUuid(id)) ids.push_back(id);
  }
  closedir(d);
  std::sort(ids.begin(), ids.end());
  ProjectRef default_active;
  std::vector<ProjectRef> before = ws_->List(&default_active);
  for (const std::string& id : ids) {
    const std::string path = dir() + "/" + id + kExt;
    // The header and the meta only: the blocks are read after READY.
    auto head = ReadFileBytes(path, 1 << 20);
    std::vector<uint8_t> prefix;
    Result<AutosaveMeta> meta = Status::Internal("unread");
    if (head.ok()) {
      meta = DecodeAutosaveMeta(*head);
    } else if (head.status().code() == StatusCode::kResourceExhausted) {
      // Larger than the prefix we read: read the first MiB only.
      const int fd = open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
      if (fd >= 0) {
        prefix.resize(1 << 20);
        const ssize_t n = pread(fd, prefix.data(), prefix.size(), 0);
        close(fd);
        prefix.resize(n > 0 ? static_cast<size_t>(n) : 0);
        meta = DecodeAutosaveMeta(prefix);
      } else {
        meta = Status::IoError("cannot open " + path + ": " + strerror(errno));
      }
    } else {
      meta = head.status();
    }
    if (!meta.ok()) {
      MoveAside(path, meta.status());
      continue;
    }
    if (meta->project_id != id) {
      MoveAside(path,
                Status::InvalidParams("autosave file names another project: " +
                                      meta->project_id));
      continue;
    }
    voxel::Project placeholder(meta->name.empty() ? "Restored" : meta->name);
    auto ref = ws_->OpenWithId(id, std::move(placeholder), meta->active);
    if (!ref.ok()) {
      Log().Error(kComponent, "cannot restore an autosave",
                  {{"project_id", id}, {"error", ref.status().ToString()}});
      continue;
    }
    (*ref)->restoring_name = meta->name;
    (*ref)->restoring.store(true, std::memory_order_release);
    pending_.push_back({id, path, *ref});
  }
  if (!pending_.empty() && before.size() == 1) {
    const ProjectRef& d = before.front();
    bool pristine;
    {
      ReaderLock lock(&d->mu);
      pristine = !d->project.dirty() && d->project.CountVoxels() == 0 &&
                 d->project.layers().size() == 1;
    }
    if (pristine) {
      // The restored project that was active, else the last one, is.
      ws_->Discard(d->id);
      closed_default_ = true;
    }
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    health_.restoring = static_cast<int>(pending_.size());
  }
  Log().Info(
      kComponent, "autosaves found",
      {{"count", static_cast<int64_t>(pending_.size())}, {"dir", dir()}});
  return static_cast<int>(pending_.size());
}

void Autosaver::StartRestore() {
  if (pending_.empty() || restorer_.joinable()) return;
  restorer_ = std::thread([this] { RestoreLoop(); });
}

void Autosaver::WaitRestored() {
  if (restorer_.joinable()) restorer_.join();
}

void Autosaver::RestoreLoop() {
  const uint64_t start = MonotonicNanos();
  int restored = 0;
  for (const Pending& p : pending_) {
    if (cancel_restore_) break;  // left on disk for the next start
    Status s = RestoreOne(p);
    if (s.ok()) {
      ++restored;
    } else {
      ws_->Discard(p.id);
      MoveAside(p.path, s);
    }
    std::lock_guard<std::mutex> lock(mu_);
    --health_.restoring;
  }
  if (closed_default_ && restored == 0 && !cancel_restore_) {
    ProjectRef active;
    if (ws_->List(&active).empty()) {
      voxel::Project p("Untitled");
      p.SetHistoryDepth(ws_->options().history_depth);
      ws_->Open(std::move(p), /*activate=*/true);
    }
  }
  Log().Info(kComponent, "restored autosaved projects",
             {{"restored", restored},
              {"found", static_cast<int64_t>(pending_.size())},
              {"ms", static_cast<double>(MonotonicNanos() - start) / 1e6}});
}

Status Autosaver::RestoreOne(const Pending& p) {
  auto bytes = ReadFileBytes(p.path, int64_t{1} << 40);
  if (!bytes.ok()) return bytes.status();
  AutosaveMeta meta;
  auto scene = DecodeAutosave(*bytes, &meta);
  if (!scene.ok()) return scene.status();
  if (scene->layers.empty())
    return Status::InvalidParams("autosave file has no layer");
  voxel::Project project = voxel::Project::FromScene(
      std::move(scene).value(), meta.name.empty() ? "Restored" : meta.name);
  project.set_file_path(meta.file_path);
  MarkUnsaved(&project, ws_->options().history_depth);
  const uint64_t state = project.state_id();
  {
    WriterLock lock(&p.placeholder->mu);
    p.placeholder->project = std::move(project);
    p.placeholder->restoring.store(false, std::memory_order_release);
  }
  std::lock_guard<std::mutex> lock(mu_);
  written_[p.id] = state;
  return Status::Ok();
}

void Autosaver::MoveAside(const std::string& path, const Status& why) {
  const std::string aside = path + ".broken-" + std::to_string(WallMillis());
  const bool moved = rename(path.c_str(), aside.c_str()) == 0;
  Log().Warning(kComponent,
                moved ? "an autosave cannot be restored: moved aside"
                      : "an autosave cannot be restored nor moved aside",
                {{"path", path},
                 {"moved_to", moved ? aside : std::string()},
                 {"error", why.ToString()}});
  std::lock_guard<std::mutex> lock(mu_);
  ++health_.restore_failures;
}

void Autosaver::Start() {
  if (options_.interval_seconds <= 0 || timer_.joinable() || lock_fd_ < 0)
    return;
  timer_ = std::thread([this] { TimerLoop(); });
}

Status Autosaver::Stop() {
  cancel_restore_ = true;
  if (restorer_.joinable()) restorer_.join();
  {
    std::lock_guard<std::mutex> lock(timer_mu_);
    stopping_ = true;
  }
  timer_cv_.notify_all();
  if (timer_.joinable()) timer_.join();
  if (options_.interval_seconds <= 0 || lock_fd_ < 0) return Status::Ok();
  std::vector<std::string> failed;
  const int written = RunPass(
      &failed,
      LockWait{false, std::max<int64_t>(options_.final_lock_wait_ms, 1)});
  Log().Info(kComponent, "final autosave pass",
             {{"written", written}, {"dir", dir()}});
  if (failed.empty()) return Status::Ok();
  std::string list;
  for (const std::string& f : failed) list += (list.empty() ? "" : "; ") + f;
  return Status::IoError("the final autosave could not save " +
                         std::to_string(failed.size()) + " project(s): " + list)
      .With("projects", failed);
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

int Autosaver::RunPass(std::vector<std::string>* failed, LockWait wait) {
  if (lock_fd_ < 0) return 0;
  ProjectRef active;
  std::vector<ProjectRef> all = ws_->List(&active);
  int written = 0;
  bool pass_failed = false;
  std::string last_error;
  for (const ProjectRef& ref : all) {
    if (ref->restoring.load(std::memory_order_acquire)) continue;
    Result<bool> r = WriteOne(ref, ref == active, wait);
    if (!r.ok()) {
      pass_failed = true;
      last_error = ref->id + ": " + r.status().ToString();
      if (failed != nullptr) failed->push_back(last_error);
      Log().Error(kComponent, "cannot autosave a project",
                  {{"project_id", ref->id}, {"error", r.status().ToString()}});
    } else if (*r) {
      ++written;
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  health_.last_pass_failed = pass_failed;
  if (pass_failed) {
    ++health_.failed_writes;
    health_.last_error = last_error;
  }
  // Projects closed without the close hook seeing them (none expected):
  // their autosaves go too.
  std::vector<std::string> gone;
  for (const auto& [id, state] : written_)
    if (!ws_->Has(id)) gone.push_back(id);
  for (const std::string& id : gone) RemoveFilesLocked(id);
  return written;
}

Result<bool> Autosaver::WriteOne(const ProjectRef& ref, bool active,
                                 LockWait wait) {
  auto taken = TakeSnapshot(*ref, wait);
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
  AutosaveMeta meta;
  meta.project_id = ref->id;
  meta.name = snap.name;
  meta.file_path = snap.file_path;
  meta.active = active;
  meta.saved_ms = WallMillis();
  auto bytes = EncodeAutosave(meta, snap.scene);
  if (!bytes.ok()) return bytes.status();
  std::lock_guard<std::mutex> lock(mu_);
  // Closed or saved while we encoded: no autosave (Remove already ran or
  // will find nothing to remove).
  if (!ws_->Has(ref->id)) return false;
  {
    CallReaderLock plock(&ref->mu, wait);
    if (!plock.held()) return plock.Busy(ref->id);
    if (!ref->View().dirty()) return false;
  }
  if (!EnsureDir(dir()))
    return Status::IoError("cannot create the autosave directory " + dir());
  GOXEL_RETURN_IF_ERROR(
      AtomicWriteFile(dir() + "/" + ref->id + kExt, *bytes, 0640));
  written_[ref->id] = snap.state_id;
  return true;
}

void Autosaver::Remove(const std::string& project_id) {
  std::lock_guard<std::mutex> lock(mu_);
  RemoveFilesLocked(project_id);
}

void Autosaver::RemoveFilesLocked(const std::string& id) {
  written_.erase(id);
  if (lock_fd_ < 0) return;  // not ours
  const std::string path = dir() + "/" + id + kExt;
  if (unlink(path.c_str()) != 0 && errno != ENOENT) {
    Log().Error(kComponent, "cannot remove an autosave",
                {{"path", path}, {"error", strerror(errno)}});
  }
}

AutosaveHealth Autosaver::health() const {
  std::lock_guard<std::mutex> lock(mu_);
  return health_;
}

}  // namespace goxel::methods
