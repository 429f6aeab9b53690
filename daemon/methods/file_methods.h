// File and render methods (issue 5): goxel.load_project, save_project,
// export_model, import_model, list_formats, render_scene, render_image, and
// the autosave of unsaved projects.
//
// Paths. Every path a client names goes through ResolvePath (base/file_io.h):
// relative paths resolve against the data directory; the result must lie
// inside the data directory or one of paths.allowed_paths, after resolving
// "..", and symlinks (-32005 with data {path, allowed_roots}); a missing
// file is -32004. Bad file bytes are -32602 with data {format, offset,
// reason}; a file over the read limits is -32006. Paths with control
// characters or bidirectional overrides, and file names with nothing
// before their extension (".gox", "sub/", ".") are -32602. The daemon's own
// state directory (<data_dir>/.goxel-daemon: autosaves, the lock) is
// reserved: no client path reaches it (-32005). Files are opened relative
// to their root without following symlinks (ReadFile/WriteFile, base/
// file_io.h *Beneath), so a directory swapped for a symlink after the check
// cannot lead a read or write outside; only regular files are read (a FIFO
// never blocks a worker).
//
// Locks. Long reads (save, export, render, autosave) copy the project's
// layers under its reader lock (O(layers): volumes are copy-on-write) and
// encode, render and write after releasing it. Lock order: autosave →
// workspace → project.
//
// Thread contract: FileMethods is built and started on the main thread
// before serving; the handlers run on workers and are thread-safe; Stop()
// runs on the main thread after the server has drained its requests.
#ifndef GOXEL_METHODS_FILE_METHODS_H_
#define GOXEL_METHODS_FILE_METHODS_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"
#include "methods/autosave.h"
#include "methods/workspace.h"
#include "ops/config.h"
#include "rpc/method_table.h"
#include "voxel/formats/format.h"
#include "voxel/layer.h"

namespace goxel::methods {

struct FilesOptions {
  // Absolute. Relative paths resolve here; it is always an allowed root.
  std::string data_dir;
  // The per-user default: created (with its parents) by CheckDataDir.
  bool create_data_dir = false;
  // More roots clients may read and write (paths.allowed_paths).
  std::vector<std::string> allowed_roots;
  // Caps for every file read (load, import, autosave restore).
  voxel::formats::ReadLimits read_limits;
  // Autosave interval (0 = off).
  int autosave_interval_seconds = 30;
  // How long the final autosave waits for a busy project (the shutdown
  // timeout's share).
  int64_t final_autosave_wait_ms = 2000;
};

// Options from the daemon's config: data_directory (--data-dir,
// GOXEL_DATA_DIR, the service's STATE_DIRECTORY) defaults to
// $XDG_DATA_HOME/goxel (else ~/.local/share/goxel) in the foreground and
// /var/lib/goxel when daemonized; relative ones resolve against the
// directory the daemon was started in. The per-call voxel cap of the
// workspace bounds file reads too; performance.max_memory_mb (when set)
// bounds the blocks a read may allocate.
FilesOptions FilesOptionsFromConfig(const ops::Config& config,
                                    const WorkspaceOptions& workspace);

class FileMethods {
 public:
  FileMethods(FilesOptions options, Workspace* ws);
  ~FileMethods();  // stops the autosave timer (no final pass)
  FileMethods(const FileMethods&) = delete;
  FileMethods& operator=(const FileMethods&) = delete;

  const FilesOptions& options() const { return options_; }

  // Registers the file and render methods. `this` must outlive `table`.
  Status Register(rpc::MethodTable* table);

  // Before serving: prepares the state directory and opens a restoring
  // placeholder per autosave (Autosaver::Prepare), starts the timer.
  Status Start();
  // After READY: restores the autosaves on a thread of their own.
  void StartRestore() { autosave_->StartRestore(); }

  // -32602-coded error naming the data directory and why it cannot serve
  // (missing, not a directory, not writable by this process); creates the
  // per-user default. The daemon runs it after dropping privileges and
  // exits 1 on error.
  Status CheckDataDir() const;

  // Stops the timer and writes a final autosave of every dirty project (a
  // clean stop loses nothing). Call after the server drained its requests.
  // An error names the projects it could not save.
  Status Stop();

  // The canonical path for a client's `requested` path (see above).
  Result<std::string> Resolve(const std::string& requested,
                              bool must_exist) const;
  // Reads / atomically writes a path Resolve returned, confined to the root
  // that holds it.
  Result<std::vector<uint8_t>> ReadFile(const std::string& resolved) const;
  Status WriteFile(const std::string& resolved,
                   std::span<const uint8_t> bytes) const;

  // <data_dir>/.goxel-daemon: the daemon's own files, never a client's.
  std::string state_dir() const { return options_.data_dir + "/.goxel-daemon"; }

  Workspace& workspace() { return *ws_; }
  Autosaver& autosaver() { return *autosave_; }

 private:
  // The root (canonical) that holds canonical `path`; the longest match.
  Result<std::string> RootOf(const std::string& path) const;

  const FilesOptions options_;
  Workspace* const ws_;
  std::unique_ptr<Autosaver> autosave_;
};

// Per topic; Register() calls both.
Status RegisterFileMethods(rpc::MethodTable* table, FileMethods* files);
Status RegisterRenderMethods(rpc::MethodTable* table, FileMethods* files);

}  // namespace goxel::methods

#endif  // GOXEL_METHODS_FILE_METHODS_H_
