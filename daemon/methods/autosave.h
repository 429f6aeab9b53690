// Autosaver: unsaved projects survive a crash or a restart.
//
// State. The daemon's own files live in <data_dir>/.goxel-daemon/, which no
// client path can reach (FileMethods::Resolve): `lock` (flock'ed by the
// daemon that owns the data directory, with its pid) and autosave/
// <project_id>.gxa (autosave_file.h, written atomically). Autosaves belong
// to the data directory, not to a socket: any daemon started on it restores
// them. A second daemon on the same data directory does not get the lock:
// it serves, but neither restores nor autosaves, logs an error and reports
// health "degraded". Start-up repairs what it cannot use: a state path that
// is not a directory is moved aside, never a reason to refuse to start.
//
// Passes. Every interval each dirty project changed since its last autosave
// is written; saving a project (when that leaves it clean) or closing it
// removes its autosave. A pass that fails to write a project is logged at
// error level and counted; health is "degraded" until a pass succeeds
// again. Stop() runs a final pass (projects whose lock stays busy past
// `final_lock_wait_ms` are skipped) and returns an error naming every
// project it could not save, so the daemon exits non-zero.
//
// Restore, after READY. Prepare() (before serving) lists the .gxa files,
// reads their headers and opens a placeholder project per file, marked
// restoring (-32007 reason "restoring" until done). StartRestore() decodes
// them on a thread of its own and puts each in place. A file that is
// corrupt, truncated or of an unknown version is moved aside to
// <id>.gxa.broken-<ms> with a warning; the others still restore. A crash
// loses at most one interval.
//
// Threads: a timer thread and a restore thread of their own (never the
// loop). mu_ serialises writes and removals of autosave files, so a pass
// that races a save or a close cannot leave a stale file behind. Lock
// order: autosave (mu_) → workspace → project.
//
// Thread contract: Prepare/StartRestore/Start/Stop on the main thread;
// RunPass, Remove and health() are thread-safe.
#ifndef GOXEL_METHODS_AUTOSAVE_H_
#define GOXEL_METHODS_AUTOSAVE_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/status.h"
#include "methods/workspace.h"
#include "voxel/layer.h"

namespace goxel::methods {

// A copy of a project's document taken under its reader lock: O(layers).
struct ProjectSnapshot {
  voxel::Scene scene;
  std::string name;
  std::string file_path;
  uint64_t state_id = 0;
  uint64_t version = 0;  // Project::version()
  bool dirty = false;
};
// Waits for the reader lock as `wait` says (the default: for as long as it
// takes); -32007 (ProjectBusy) when it is not free in time.
Result<ProjectSnapshot> TakeSnapshot(OpenProject& project, LockWait wait = {});

struct AutosaveOptions {
  std::string data_dir;       // absolute
  std::string state_dir;      // absolute; <data_dir>/.goxel-daemon
  int interval_seconds = 30;  // 0: no timer and no final pass
  // How long the final pass waits for a busy project's lock.
  int64_t final_lock_wait_ms = 2000;
};

// What health and status report.
struct AutosaveHealth {
  bool enabled = true;
  std::string disabled_reason;    // when not enabled
  bool degrades = true;           // whether being off makes health degraded
  uint64_t failed_writes = 0;     // since start
  bool last_pass_failed = false;  // degraded while true
  std::string last_error;
  int restoring = 0;         // placeholders not restored yet
  int restore_failures = 0;  // files moved aside at this start
};

class Autosaver {
 public:
  Autosaver(Workspace* ws, AutosaveOptions options);
  ~Autosaver();  // stops the threads; no final pass
  Autosaver(const Autosaver&) = delete;
  Autosaver& operator=(const Autosaver&) = delete;

  // Before serving: repairs the state directory, takes its lock, removes
  // stale temporary files (of dead processes) from it and from the data
  // directory, and opens a restoring placeholder per autosave. Returns how
  // many. When it opened any and the only project open before was the
  // untouched default one, closes that one (reopened if every restore
  // fails). Never fails: problems are logged and reported by health().
  int Prepare();
  // After READY: restores the placeholders on the restore thread.
  void StartRestore();
  // Waits until the restore thread has finished (tests, shutdown).
  void WaitRestored();

  // Starts the timer thread (no-op when the interval is 0 or disabled).
  void Start();
  // Stops the threads, then runs a final pass (when enabled). An error
  // names the projects that could not be saved.
  Status Stop();

  // Writes every dirty project changed since its last autosave and
  // removes the autosaves of clean or closed projects. Returns how many
  // files it wrote; `failed` (optional) gets "id: error" for each failure.
  int RunPass(std::vector<std::string>* failed = nullptr, LockWait wait = {});

  // Removes the autosave of `project_id` (after a close, or a save that
  // left the project clean).
  void Remove(const std::string& project_id);

  AutosaveHealth health() const;
  std::string dir() const { return options_.state_dir + "/autosave"; }

 private:
  struct Pending {
    std::string id;
    std::string path;
    ProjectRef placeholder;
  };
  void TimerLoop();
  void RestoreLoop();
  bool PrepareStateDir();
  Result<bool> WriteOne(const ProjectRef& ref, bool active, LockWait wait);
  Status RestoreOne(const Pending& p);
  void MoveAside(const std::string& path, const Status& why);
  void RemoveFilesLocked(const std::string& project_id);
  void SetDisabled(std::string reason);

  Workspace* const ws_;
  const AutosaveOptions options_;
  int lock_fd_ = -1;

  mutable std::mutex mu_;                    // files, written_, health_
  std::map<std::string, uint64_t> written_;  // id → state_id on disk
  AutosaveHealth health_;

  std::vector<Pending> pending_;  // main thread, then the restore thread
  std::atomic<bool> cancel_restore_{false};
  std::thread restorer_;
  bool closed_default_ = false;

  std::mutex timer_mu_;
  std::condition_variable timer_cv_;
  bool stopping_ = false;  // guarded by timer_mu_
  std::thread timer_;
};

}  // namespace goxel::methods

#endif  // GOXEL_METHODS_AUTOSAVE_H_
