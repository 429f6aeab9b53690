// Autosaver: unsaved projects survive a crash or a restart.
//
// Every interval, each dirty project changed since its last autosave is
// written (.gox, atomically) to <dir>/<project_id>.gox, with a sidecar
// <project_id>.json {project_id, name, file_path, instance, active,
// saved_ms}. At start, Restore() opens the autosaves whose `instance` is
// this daemon's (its socket path: two daemons sharing a data directory do
// not take each other's projects) under their ids, dirty. Saving a project
// (when that leaves it clean) or closing it removes its autosave; Stop()
// writes a final pass, so a clean stop loses nothing and a crash loses at
// most one interval.
//
// Threads: a timer thread of its own runs the passes (never the loop).
// mu_ serialises writes and removals of autosave files, so a pass that
// races a save or a close cannot leave a stale file behind. Lock order:
// autosave (mu_) → workspace → project.
//
// Thread contract: Restore/Start/Stop on the main thread; RunPass and
// Remove are thread-safe.
#ifndef GOXEL_METHODS_AUTOSAVE_H_
#define GOXEL_METHODS_AUTOSAVE_H_

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "base/status.h"
#include "methods/workspace.h"
#include "voxel/formats/format.h"
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

// Writes `snapshot` as .gox to `path` (atomic, 0640).
Status WriteGoxFile(const ProjectSnapshot& snapshot, const std::string& path);

struct AutosaveOptions {
  std::string dir;            // absolute; created (0750) on first write
  std::string instance;       // this daemon's socket path
  int interval_seconds = 30;  // 0: no timer and no final pass
  voxel::formats::ReadLimits read_limits;  // for Restore
};

class Autosaver {
 public:
  Autosaver(Workspace* ws, AutosaveOptions options);
  ~Autosaver();  // stops the timer; no final pass
  Autosaver(const Autosaver&) = delete;
  Autosaver& operator=(const Autosaver&) = delete;

  // Opens this instance's autosaves (see above); returns how many. When it
  // restored any and the only project open before was the untouched empty
  // default one, closes that one. Unreadable files are logged and skipped.
  Result<int> Restore();

  // Starts the timer thread (no-op when the interval is 0).
  void Start();
  // Stops the timer thread, then runs a final pass (when enabled).
  void Stop();

  // Writes every dirty project changed since its last autosave and
  // removes the autosaves of clean or closed projects. Returns how many
  // files it wrote.
  int RunPass();

  // Removes the autosave of `project_id` (after a close, or a save that
  // left the project clean).
  void Remove(const std::string& project_id);

  const std::string& dir() const { return options_.dir; }

 private:
  void TimerLoop();
  Result<bool> WriteOne(const ProjectRef& ref, bool active);
  Status RestoreOne(const std::string& id, const std::string& meta_path,
                    bool* restored);
  void RemoveFilesLocked(const std::string& project_id);

  Workspace* const ws_;
  const AutosaveOptions options_;

  std::mutex mu_;                            // autosave files and written_
  std::map<std::string, uint64_t> written_;  // id → state_id on disk

  std::mutex timer_mu_;
  std::condition_variable timer_cv_;
  bool stopping_ = false;  // guarded by timer_mu_
  std::thread timer_;
};

}  // namespace goxel::methods

#endif  // GOXEL_METHODS_AUTOSAVE_H_
