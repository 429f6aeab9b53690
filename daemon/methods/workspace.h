// Workspace: the open projects of the daemon, each behind its own
// reader/writer lock, and the daemon-wide active project.
//
// Every goxel.* call names a project with an optional `project_id` (a UUID
// v4 string). Without one it uses the active project: that is how v14
// clients work (one shared document for every connection). At start no
// project is open: a call that needs one gets -32001 "no project open:
// create_project or load_project first", except a call in v14's form
// (positional params: v14's clients always send an array), which opens an
// empty 64^3 "Untitled" project as v14's always-present document
// (FindOrOpenDefault). create_project opens a new project and makes it active;
// the projects opened before stay open (list_projects, close_project).
// Closing the active project makes the most recently opened remaining one
// active; when none remain, calls without project_id get -32001 until a
// project is created.
//
// Locks. Workspace::mu_ guards the list and the active pointer; each
// OpenProject::mu guards its Project (queries take it shared, edits
// exclusive; long reads copy the volumes under the shared lock, which is
// O(layers) thanks to copy-on-write, and work on the copy after releasing
// it). Lock order: workspace → project, never the reverse. Handlers resolve
// a project (taking and releasing the workspace lock) before they lock it.
// An OpenProject is shared_ptr-owned: a call that resolved a project keeps
// it alive even if another connection closes it meanwhile (its edits are
// then dropped with it).
//
// Busy projects. A request waits for a project's lock at most
// WorkspaceOptions::lock_timeout_ms, then fails with -32007 (ProjectBusy)
// having changed nothing. Mutating calls may also pass expected_version
// (args.h AdmitEdit), checked under the same writer lock as their edit.
//
// Thread contract: thread-safe.
#ifndef GOXEL_METHODS_WORKSPACE_H_
#define GOXEL_METHODS_WORKSPACE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/mutex.h"
#include "base/status.h"
#include "methods/project_lock.h"
#include "voxel/project.h"

namespace goxel::methods {

struct WorkspaceOptions {
  // The most voxels a single call may create or change (boxes, shapes,
  // batches, fills); above it the call fails with -32006 before any work.
  // The default admits a filled 256^3 box.
  int64_t max_voxels_per_call = int64_t{1} << 24;
  // Undo steps kept per project.
  size_t history_depth = voxel::Project::kDefaultHistoryDepth;
  // Open one empty default project at start (as v14 did; the daemon
  // leaves it off and opens one only for v14-form calls).
  bool create_default_project = false;
  // The daemon version reported by goxel.get_status.
  std::string version = "0.0.0";
  // How long a request waits for a busy project's lock before it fails
  // with -32007; 0 waits for as long as it takes
  // (performance.lock_timeout_ms).
  int64_t lock_timeout_ms = 10000;
};

// One open project. `mu` guards `project`.
struct OpenProject {
  OpenProject(std::string project_id, voxel::Project p)
      : id(std::move(project_id)), project(std::move(p)) {}
  const std::string id;  // UUID v4, immutable.
  // True while the project is being restored from its autosave (after
  // READY): Find() answers -32007 reason "restoring" for it, list_projects
  // lists it as restoring, autosave passes leave it and its file alone.
  // Cleared once, under `mu` held exclusively, after the restored document
  // is in place.
  std::atomic<bool> restoring{false};
  std::string restoring_name;  // its name from the autosave, for the list
  SharedMutex mu;
  voxel::Project project GUARDED_BY(mu);

  // The project, for code that holds `mu` exclusively (Edit) or shared
  // (View). The thread-safety analysis checks the lock here, where the
  // reference is taken; keep the reference inside the lock's scope.
  voxel::Project& Edit() REQUIRES(mu) { return project; }
  const voxel::Project& View() const REQUIRES_SHARED(mu) { return project; }
};

using ProjectRef = std::shared_ptr<OpenProject>;

class Workspace {
 public:
  explicit Workspace(WorkspaceOptions options = {});
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;

  const WorkspaceOptions& options() const { return options_; }
  // How a call waits for a project's lock here; `on_loop` from
  // CallerInfo (true only for kInline methods on the loop thread).
  LockWait Wait(bool on_loop = false) const {
    return {on_loop, options_.lock_timeout_ms};
  }

  // The project with id `project_id`, or the active project when the id is
  // empty. kProjectNotFound (data: project_id, open_projects) otherwise;
  // -32007 data {project_id, reason: "restoring"} while it is restored.
  Result<ProjectRef> Find(std::string_view project_id) const EXCLUDES(mu_);

  // Whether a project with this id is open (restoring or not).
  bool Has(std::string_view project_id) const EXCLUDES(mu_);

  // Removes a project without any check or hook (a restore that failed).
  // When it was active, the most recently opened remaining one is.
  void Discard(std::string_view project_id) EXCLUDES(mu_);

  // Opens `project` under a fresh UUID; makes it active when `activate`.
  ProjectRef Open(voxel::Project project, bool activate) EXCLUDES(mu_);
  // The active project; when no project is open at all, opens an empty
  // "Untitled" one and makes it active (v14-form calls, see above).
  Result<ProjectRef> FindOrOpenDefault() EXCLUDES(mu_);

  // Opens `project` under the given id (autosave restore keeps ids).
  // kInvalidParams when that id is already open.
  Result<ProjectRef> OpenWithId(std::string id, voxel::Project project,
                                bool activate) EXCLUDES(mu_);

  // Called with a project's id after Close() removed it (outside every
  // lock; autosave deletes the project's file). Set before serving.
  void SetOnClose(std::function<void(const std::string&)> on_close) {
    on_close_ = std::move(on_close);
  }

  // Makes the project active. kProjectNotFound when it is not open.
  Status SetActive(std::string_view project_id) EXCLUDES(mu_);

  // Closes a project. Refuses (kServerError, data reason "unsaved_changes")
  // when it has unsaved changes and `force` is false; -32007 when `force`
  // is false and the project's lock is not free within the lock timeout
  // (the workspace lock is held meanwhile: lock order). Returns the id of the
  // new active project ("" when none).
  Result<std::string> Close(std::string_view project_id, bool force)
      EXCLUDES(mu_);

  // Every open project, oldest first, and the active one (may be null).
  std::vector<ProjectRef> List(ProjectRef* active) const EXCLUDES(mu_);

  // A fresh random UUID v4 string ("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx").
  static std::string NewUuid();

 private:
  Result<std::string> CloseLocked(std::string_view project_id, bool force,
                                  std::string* closed_id) EXCLUDES(mu_);
  std::vector<std::string> IdsLocked() const REQUIRES_SHARED(mu_);
  Status NotFoundLocked(std::string_view project_id) const REQUIRES_SHARED(mu_);

  const WorkspaceOptions options_;
  mutable SharedMutex mu_;
  std::vector<ProjectRef> projects_ GUARDED_BY(mu_);
  ProjectRef active_ GUARDED_BY(mu_);
  std::function<void(const std::string&)> on_close_;  // set before serving
};

}  // namespace goxel::methods

#endif  // GOXEL_METHODS_WORKSPACE_H_
