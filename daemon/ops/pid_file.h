// PidFile: the daemon's PID file, written atomically and held locked.
//
// Acquire() opens the PID file, takes a non-blocking flock() on it (a held
// lock means a live daemon: refuse, naming its pid), then writes "<pid>\n"
// to a locked temporary file in the same directory and renames it over the
// path (mode 0644), so readers never see a partial file. The renamed inode
// stays locked through the descriptor kept until Remove() or destruction.
//
// Read() is for --status/--stop/--reload: it returns the pid and whether a
// process holds the lock (a stale file from a crash is not "running").
//
// Thread contract: not thread-safe; main thread only. The lock is released
// on exec/exit (the descriptor is O_CLOEXEC).
#ifndef GOXEL_OPS_PID_FILE_H_
#define GOXEL_OPS_PID_FILE_H_

#include <sys/types.h>

#include <string>

#include "base/status.h"

namespace goxel::ops {

class PidFile {
 public:
  PidFile() = default;
  ~PidFile();  // releases the lock; does not remove the file (see Remove)
  PidFile(const PidFile&) = delete;
  PidFile& operator=(const PidFile&) = delete;

  // Locks `path` and writes `pid` into it. Errors: ServerError "another
  // goxel-daemon (pid N) holds PATH" when locked by a live daemon; IoError
  // naming the path for filesystem failures.
  Status Acquire(const std::string& path, pid_t pid);

  // Rewrites the pid (after daemonize forked), keeping the lock.
  Status Update(pid_t pid);

  // Removes the file (if it is still ours) and releases the lock.
  void Remove();

  bool held() const { return fd_ >= 0; }
  const std::string& path() const { return path_; }

  struct Info {
    pid_t pid = 0;        // 0 when the file holds no valid pid
    bool locked = false;  // a live process holds the lock
  };
  // Reads a daemon's PID file. Errors: kFileNotFound when the file does
  // not exist, IoError otherwise.
  static Result<Info> Read(const std::string& path);

 private:
  int fd_ = -1;
  std::string path_;
};

}  // namespace goxel::ops

#endif  // GOXEL_OPS_PID_FILE_H_
