#include "app/daemon.h"

#include <grp.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>

#include "base/clock.h"
#include "base/heap.h"
#include "methods/goxel_methods.h"
#include "ops/daemonize.h"
#include "ops/log.h"
#include "ops/notify.h"
#include "ops/socket_activation.h"

namespace goxel::app {
namespace {

std::string CurrentDir() {
  char buf[4096];
  return getcwd(buf, sizeof buf) != nullptr ? std::string(buf) : "/";
}

void MakeAbsolute(const std::string& base, std::string* path) {
  if (!path->empty() && (*path)[0] != '/') *path = base + "/" + *path;
}

server::ServerOptions ServerOptionsFrom(const ops::Config& c) {
  server::ServerOptions o;
  o.socket_path = c.socket_path;
  o.socket_mode = c.socket_permissions;
  o.max_connections = static_cast<size_t>(c.max_connections);
  o.framer.max_text_bytes = static_cast<size_t>(c.max_request_bytes);
  o.max_pending_reply_bytes = static_cast<size_t>(c.max_pending_reply_bytes);
  o.shutdown_timeout_ms = int64_t{c.shutdown_timeout_seconds} * 1000;
  // server.timeout_seconds: how long a client may leave its replies unread
  // (reading paused by back-pressure) before it is disconnected.
  o.write_stall_timeout_ms = int64_t{c.timeout_seconds} * 1000;
  o.idle_timeout_ms = int64_t{c.idle_timeout_seconds} * 1000;
  o.request_timeout_ms = int64_t{c.request_timeout_seconds} * 1000;
  return o;
}

Result<int> GroupId(const std::string& name,
                    const char* key = "security.socket_group") {
  if (name.empty()) return -1;
  struct group gr, *found = nullptr;
  char buf[4096];
  if (getgrnam_r(name.c_str(), &gr, buf, sizeof buf, &found) != 0 ||
      found == nullptr) {
    return Status::InvalidParams(std::string(key) + ": no group named \"" +
                                 name + "\"");
  }
  return static_cast<int>(found->gr_gid);
}

}  // namespace

Daemon::Daemon(ops::CommandLine cli, ops::EnvLookup env,
               ops::LoadedConfig loaded, std::string version)
    : cli_(std::move(cli)),
      env_(std::move(env)),
      config_(std::move(loaded.config)),
      warnings_(std::move(loaded.warnings)),
      version_(std::move(version)) {}

Daemon::~Daemon() = default;

// Paths are resolved against the directory we were started in, before
// --daemonize or --working-dir change it.
void Daemon::ResolvePaths(ops::Config* c) const {
  for (std::string* p : {&c->socket_path, &c->pid_file, &c->log_file,
                         &c->config_file, &c->working_dir, &c->data_directory})
    MakeAbsolute(start_dir_, p);
}

int Daemon::Fail(const Status& status) {
  ops::Logger& log = ops::DefaultLogger();
  log.Log(ops::LogLevel::kError, "daemon-main", status.message(),
          status.details());
  if (!log.path().empty() && !daemonized_)
    fprintf(stderr, "goxel-daemon: %s\n", status.message().c_str());
  ops::NotifyParentFailed(status.message());
  return 1;
}

Status Daemon::PrepareProcess() {
  start_dir_ = CurrentDir();
  KeepFreedMemory();  // before the threads (base/heap.h)
  ResolvePaths(&config_);
  if (!config_.config_file.empty()) cli_.config_file = config_.config_file;
  // Before forking: LISTEN_PID names the pid systemd started.
  auto activated = ops::TakeActivatedSocket();
  if (!activated.ok()) return activated.status();
  if (config_.daemonize) {
    ops::DaemonizeOptions d;
    d.working_dir = config_.working_dir.empty() ? "/" : config_.working_dir;
    GOXEL_RETURN_IF_ERROR(ops::Daemonize(d));
    daemonized_ = true;
  } else if (!config_.working_dir.empty() &&
             chdir(config_.working_dir.c_str()) != 0) {
    return Status::IoError("cannot change to --working-dir " +
                           config_.working_dir + ": " + strerror(errno));
  }
  ops::Logger& log = ops::DefaultLogger();
  if (!config_.log_file.empty())
    GOXEL_RETURN_IF_ERROR(log.OpenFile(config_.log_file));
  live_.Apply(config_);
  for (const auto& w : warnings_) log.Warning("config", w);
  if (activated->fd >= 0) {
    log.Info("daemon-main",
             "using the socket handed over by " + activated->source,
             {{"fd", activated->fd}, {"socket", activated->path}});
    admin_.socket_path = activated->path;
  }
  listen_fd_ = activated->fd;
  if (!config_.pid_file.empty())
    GOXEL_RETURN_IF_ERROR(pid_file_.Acquire(config_.pid_file, getpid()));
  return Status::Ok();
}

Status Daemon::BuildMethodTable() {
  admin_.version = version_;
  if (admin_.socket_path.empty()) admin_.socket_path = config_.socket_path;
  admin_.start_wall_ms = WallMillis();
  admin_.start_mono_ns = MonotonicNanos();
  admin_.table = &table_;
  admin_.hidden = [this](const rpc::MethodSpec& m) {
    return m.name == "metrics" &&
           !live_.metrics_enabled.load(std::memory_order_relaxed);
  };
  admin_.stats = [this] {
    methods::RuntimeStats r;
    const server::ServerStats& ss = server_->stats();
    r.connections = ss.connections_open.load(std::memory_order_relaxed);
    r.connections_accepted = ss.connections_accepted.load();
    r.connections_rejected = ss.connections_rejected.load();
    r.requests_served = ss.requests_served.load();
    r.replies_direct = ss.replies_direct.load();
    r.bytes_in = ss.bytes_in.load();
    r.bytes_out = ss.bytes_out.load();
    pool::PoolStats ps = pool_->Stats();
    r.queue_depth = ps.queue_depth;
    r.queue_capacity = ps.queue_capacity;
    r.queue_peak = ps.queue_peak;
    r.workers = ps.workers;
    r.workers_busy = ps.busy;
    r.worker_wakeups = ps.wakeups;
    r.rss_bytes = live_.rss_bytes.load(std::memory_order_relaxed);
    r.memory_returns = memory_returns_.load(std::memory_order_relaxed);
    return r;
  };
  admin_.health_problems = [this] { return HealthProblems(); };
  admin_.extend_status = [this](rpc::JsonValue* r, rpc::JsonAllocator& a) {
    methods::AddMetricsToStatus(ops_ctx_, r, a);
  };
  GOXEL_RETURN_IF_ERROR(methods::RegisterAdminMethods(
      &table_, &admin_, config_.enable_debug_methods));
  // The methods engineer's goxel.* methods over one Workspace.
  methods::WorkspaceOptions workspace_options;
  workspace_options.version = version_;
  workspace_options.lock_timeout_ms = config_.lock_timeout_ms;
  workspace_ = std::make_unique<methods::Workspace>(workspace_options);
  GOXEL_RETURN_IF_ERROR(
      methods::RegisterGoxelMethods(&table_, workspace_.get()));
  if (config_.enable_debug_methods) {
    GOXEL_RETURN_IF_ERROR(
        methods::RegisterDebugProjectMethods(&table_, workspace_.get()));
  }
  // Issue 5: file and render methods; autosaves restored before serving.
  files_ = std::make_unique<methods::FileMethods>(
      methods::FilesOptionsFromConfig(config_, workspace_options),
      workspace_.get());
  GOXEL_RETURN_IF_ERROR(files_->Register(&table_));
  ops_ctx_.metrics = &metrics_;
  ops_ctx_.refresh = [this] { RefreshMetrics(); };
  ops_ctx_.metrics_enabled = &live_.metrics_enabled;
  ops_ctx_.config_json = [this] { return ops::ConfigToJson(config_); };
  ops_ctx_.set_config = [this](std::string_view p) { return SetConfig(p); };
  ops_ctx_.shutdown = [this] { server_->RequestShutdown(); };
  return methods::RegisterOpsMethods(&table_, &ops_ctx_);
}

Status Daemon::StartServer() {
  pool_ = std::make_unique<pool::ThreadPool>(
      static_cast<size_t>(config_.workers),
      static_cast<size_t>(config_.queue_size), config_.enable_priority_queue);
  metrics_.SetWorkers(config_.workers);
  policy_ = std::make_unique<RequestPolicy>(&table_, &live_, &metrics_);
  auto admin_gid = GroupId(config_.admin_group, "security.admin_group");
  if (!admin_gid.ok()) return admin_gid.status();
  policy_->set_admin_gid(*admin_gid);
  server::ServerHooks hooks;
  policy_->Install(&hooks);
  InstallEventHooks(&hooks);
  server::ServerOptions options = ServerOptionsFrom(config_);
  options.listen_fd = listen_fd_;
  auto gid = GroupId(config_.socket_group);
  if (!gid.ok()) return gid.status();
  options.socket_gid = *gid;
  stuck_ = PoolProgress(uint64_t(config_.stuck_worker_seconds) * 1000000000ull);
  watchdog_usec_ = ops::notify::WatchdogIntervalUsec();
  if (watchdog_usec_ > 0) {
    // Tick at least twice per watchdog period.
    options.tick_interval_ms = std::clamp<int64_t>(
        static_cast<int64_t>(watchdog_usec_ / 2000), 10, 1000);
    progress_ = PoolProgress(watchdog_usec_ * 1000);
  }
  server_ = std::make_unique<server::Server>(options, &table_, pool_.get(),
                                             std::move(hooks));
  return server_->Start();
}

Status Daemon::DropPrivilegesIfRoot() {
  if (config_.user.empty() && config_.group.empty()) return Status::Ok();
  if (geteuid() != 0) {
    ops::DefaultLogger().Info(
        "daemon-main", "not started as root: keeping the current user",
        {{"user", config_.user}, {"group", config_.group}});
    return Status::Ok();
  }
  GOXEL_RETURN_IF_ERROR(ops::DropPrivileges(config_.user, config_.group));
  ops::DefaultLogger().Info("daemon-main", "dropped privileges",
                            {{"user", config_.user},
                             {"group", config_.group},
                             {"uid", static_cast<unsigned>(getuid())},
                             {"gid", static_cast<unsigned>(getgid())}});
  return Status::Ok();
}

void Daemon::AnnounceReady() {
  uint64_t rss = ops::ResidentMemoryBytes();
  live_.rss_bytes.store(rss, std::memory_order_relaxed);
  metrics_.SetRss(rss);
  if (daemonized_) (void)ops::notify::MainPid(getpid());
  (void)ops::notify::Ready();
  (void)ops::notify::SetStatus(metrics_.StatusLine());
  last_status_ns_ = last_watchdog_ns_ = MonotonicNanos();
  if (watchdog_usec_ > 0) (void)ops::notify::Watchdog();
  ops::NotifyParentReady();
  ops::DefaultLogger().Info("daemon-main", "Daemon started successfully",
                            {{"socket", admin_.socket_path},
                             {"pid_file", config_.pid_file},
                             {"workers", config_.workers},
                             {"queue_size", config_.queue_size},
                             {"max_connections", config_.max_connections},
                             {"watchdog_usec", watchdog_usec_},
                             {"version", version_}});
}

int Daemon::Run() {
  Status s = PrepareProcess();
  if (s.ok()) s = BuildMethodTable();
  if (s.ok()) s = StartServer();
  bool bound = s.ok() && listen_fd_ < 0;
  if (s.ok()) s = DropPrivilegesIfRoot();
  // As the user that will serve: never start and then fail every save.
  if (s.ok()) s = files_->CheckDataDir();
  // Autosave's state directory and lock, in the data directory that now
  // exists (the foreground default is created by the check), owned by the
  // serving user.
  if (s.ok()) s = files_->Start();
  if (!s.ok()) {
    // Clean up before the parent of --daemonize hears of the failure: once
    // it has, it exits and the caller may look for the PID file.
    if (pool_) pool_->Shutdown(0);
    server_.reset();
    if (bound) unlink(config_.socket_path.c_str());
    pid_file_.Remove();
    return Fail(s);
  }
  AnnounceReady();
  files_->StartRestore();  // after READY: clients see "restoring" meanwhile
  s = server_->Run();
  {
    std::lock_guard<std::mutex> lock(stop_->mu);
    stop_->final_pass_started = true;
  }
  // The final autosave pass, after requests drained.
  Status saved = files_->Stop();
  pool_->Shutdown(0);
  pid_file_.Remove();
  FinishStop();
  if (!saved.ok()) {
    ops::DefaultLogger().Log(ops::LogLevel::kError, "daemon-main",
                             "stopped with unsaved work: " + saved.message(),
                             saved.details());
    return 1;
  }
  if (!s.ok()) {
    ops::DefaultLogger().Error("daemon-main", "unclean shutdown",
                               {{"error", s.ToString()}});
    return 1;
  }
  ops::DefaultLogger().Info(
      "daemon-main", "Daemon stopped",
      {{"requests_served", server_->stats().requests_served.load()}});
  return 0;
}

void Daemon::FinishStop() {
  std::lock_guard<std::mutex> lock(stop_->mu);
  stop_->done = true;
  stop_->cv.notify_all();
}

void Daemon::StartStopGuard() {
  if (stop_guard_started_) return;
  stop_guard_started_ = true;
  // A timeout of 0 drops queued requests at once; the final autosave still
  // gets 2 s then.
  const int64_t ms = int64_t{config_.shutdown_timeout_seconds} * 1000;
  const auto timeout = std::chrono::milliseconds(ms > 0 ? ms : 2000);
  const std::string socket = listen_fd_ < 0 ? config_.socket_path : "";
  std::thread([this, state = stop_, timeout, socket] {
    std::unique_lock<std::mutex> lock(state->mu);
    auto done = [&state] { return state->done; };
    if (state->cv.wait_for(lock, timeout, done)) return;
    // A final pass under way gets a little more: its lock waits are bounded.
    if (state->final_pass_started &&
        state->cv.wait_for(lock, std::chrono::seconds(3), done)) {
      return;
    }
    // Not done: the Daemon is alive (FinishStop waits for this lock).
    ops::Logger& log = ops::DefaultLogger();
    log.Error("daemon-main",
              "shutdown timeout passed with work still running: exiting "
              "without waiting for it",
              {{"workers_busy", pool_->busy()},
               {"shutdown_timeout_seconds", config_.shutdown_timeout_seconds}});
    std::vector<std::string> failed;
    if (!state->final_pass_started) {
      // Projects a stuck call holds cannot be copied: they are named.
      files_->autosaver().RunPass(&failed, methods::LockWait{true, 0});
    }
    for (const std::string& f : failed)
      log.Error("daemon-main", "not saved at exit", {{"project", f}});
    if (!socket.empty()) unlink(socket.c_str());
    pid_file_.Remove();
    _exit(1);
  }).detach();
}

}  // namespace goxel::app
