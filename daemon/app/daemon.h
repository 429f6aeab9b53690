// Daemon: the running goxel-daemon, from a loaded Config to exit.
//
// Run() does, in order (ARCHITECTURE.md, ops/README.md): make configured
// paths absolute → Daemonize (-D; the launcher exits 0 once we are ready,
// 1 with our reason otherwise) → chdir --working-dir → log file → PID file
// (locked; a second daemon refuses) → method table → pool → socket (bound,
// or inherited by socket activation) → drop privileges (when root) → READY=1
// (+ MAINPID after daemonizing) and the launcher released → serve → STOPPING=1
// on shutdown → drain → remove the socket and the PID file.
//
// While serving, the loop's tick samples RSS (for the memory limit),
// refreshes the metrics, sends STATUS= every monitoring.status_interval
// seconds and WATCHDOG=1 while the pool makes progress; SIGHUP reopens the
// log file and reloads the config file (live keys applied, restart keys
// logged) between RELOADING=1 and READY=1; SIGUSR1 logs a status snapshot.
//
// Thread contract: construct and Run on the main thread; the event
// handlers run on the loop thread (which is the main thread).
#ifndef GOXEL_APP_DAEMON_H_
#define GOXEL_APP_DAEMON_H_

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "app/live_settings.h"
#include "app/pool_progress.h"
#include "app/request_policy.h"
#include "methods/admin.h"
#include "methods/file_methods.h"
#include "methods/ops_methods.h"
#include "methods/workspace.h"
#include "ops/cli.h"
#include "ops/config_loader.h"
#include "ops/metrics.h"
#include "ops/pid_file.h"
#include "pool/thread_pool.h"
#include "rpc/method_table.h"
#include "server/server.h"

namespace goxel::app {

class Daemon {
 public:
  Daemon(ops::CommandLine cli, ops::EnvLookup env, ops::LoadedConfig loaded,
         std::string version);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Serves until shut down; returns the process exit code.
  int Run();

 private:
  // Start-up (daemon.cc).
  // Makes relative paths absolute against the start-up directory.
  void ResolvePaths(ops::Config* config) const;
  Status PrepareProcess();
  Status BuildMethodTable();
  Status StartServer();
  Status DropPrivilegesIfRoot();
  void AnnounceReady();
  int Fail(const Status& status);

  // Events on the loop thread (daemon_events.cc).
  void InstallEventHooks(server::ServerHooks* hooks);
  void OnTick();
  void OnReload();
  void OnStatusSignal();
  void OnStopping();
  void RefreshMetrics();
  // Health problems ("" none): stuck workers, autosave off or failing.
  std::vector<std::string> HealthProblems() const;
  // Shutdown bound: a thread that ends the process once the shutdown
  // timeout has passed, after a last autosave of what it can lock, even
  // when a worker is stuck in a method (its job can never be joined).
  void StartStopGuard();
  void FinishStop();
  void SendWatchdog(uint64_t now_ns);
  // On the tick: once the pool has finished work and then stayed idle for
  // kIdleBeforeReturnNs, a pool job gives freed memory back to the system
  // (base/heap.h), once per idle period.
  void ReturnMemoryWhenIdle(uint64_t now_ns);
  Result<ops::ConfigChange> SetConfig(std::string_view patch);
  Status ReloadConfigFile(ops::ConfigChange* change);
  void ApplyLiveConfig();

  ops::CommandLine cli_;
  ops::EnvLookup env_;
  ops::Config config_;  // the effective config; loop thread after start
  std::vector<std::string> warnings_;
  const std::string version_;
  std::string start_dir_;  // the working directory we were started in
  bool daemonized_ = false;
  int listen_fd_ = -1;  // a socket-activated listener, or -1

  LiveSettings live_;
  ops::Metrics metrics_;
  ops::PidFile pid_file_;
  rpc::MethodTable table_;
  methods::AdminContext admin_;
  methods::OpsMethodsContext ops_ctx_;
  std::unique_ptr<methods::Workspace> workspace_;
  std::unique_ptr<methods::FileMethods> files_;  // issue 5: files, autosave
  std::unique_ptr<pool::ThreadPool> pool_;
  std::unique_ptr<RequestPolicy> policy_;
  std::unique_ptr<server::Server> server_;

  uint64_t watchdog_usec_ = 0;
  PoolProgress progress_{0};
  PoolProgress stuck_{0};       // monitoring.stuck_worker_seconds
  bool workers_stuck_ = false;  // loop thread

  // Freed memory goes back to the system once the pool has been idle for
  // kIdleBeforeReturnNs after finishing work (ReturnMemoryWhenIdle).
  static constexpr uint64_t kIdleBeforeReturnNs = 1000000000;
  uint64_t pool_completed_seen_ = 0;         // loop thread
  uint64_t pool_completed_changed_ns_ = 0;   // loop thread
  uint64_t pool_completed_returned_ = 0;     // loop thread
  std::atomic<uint64_t> memory_returns_{0};  // returns done, for `status`

  // Shared with the detached stop guard thread, which may wake after the
  // Daemon is gone (then it sees `done` and touches nothing else).
  struct StopState {
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;                // guarded by mu
    bool final_pass_started = false;  // guarded by mu
  };
  std::shared_ptr<StopState> stop_ = std::make_shared<StopState>();
  bool stop_guard_started_ = false;  // loop thread
  uint64_t last_watchdog_ns_ = 0;
  uint64_t last_status_ns_ = 0;
};

}  // namespace goxel::app

#endif  // GOXEL_APP_DAEMON_H_
