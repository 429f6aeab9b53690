#include "ops/control.h"

#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "ops/cli.h"
#include "ops/pid_file.h"

namespace goxel::ops {
namespace {

// The pid of the process serving `path` (SO_PEERCRED), or 0.
pid_t PeerPidOfSocket(const std::string& path) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  pid_t pid = 0;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    ucred cred{};
    socklen_t len = sizeof cred;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0)
      pid = cred.pid;
  }
  close(fd);
  return pid;
}

// True while `pid` runs; a zombie (exited, not yet reaped by its parent)
// counts as gone.
bool ProcessExists(pid_t pid) {
  if (pid <= 0 || (kill(pid, 0) != 0 && errno != EPERM)) return false;
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/stat", static_cast<int>(pid));
  FILE* f = fopen(path, "r");
  if (f == nullptr) return true;  // no /proc: trust kill()
  char buf[512];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = '\0';
  const char* close_paren = strrchr(buf, ')');
  return close_paren == nullptr || close_paren[1] == '\0' ||
         close_paren[2] != 'Z';
}

// Waits until `pid` has exited; true if it did within `timeout_ms`.
bool WaitGone(pid_t pid, int64_t timeout_ms) {
  auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (ProcessExists(pid)) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

// Removes what a killed daemon left behind: its PID file (if it still names
// `pid`) and its socket (if nothing answers there any more).
void CleanUpAfterKill(const ControlTarget& t, pid_t pid) {
  if (!t.pid_file.empty()) {
    auto info = PidFile::Read(t.pid_file);
    if (info.ok() && info->pid == pid && !info->locked)
      unlink(t.pid_file.c_str());
  }
  struct stat st;
  if (!t.socket_path.empty() && lstat(t.socket_path.c_str(), &st) == 0 &&
      S_ISSOCK(st.st_mode) && PeerPidOfSocket(t.socket_path) == 0) {
    unlink(t.socket_path.c_str());
  }
}

}  // namespace

pid_t FindRunningDaemon(const ControlTarget& t, std::string* how) {
  if (!t.pid_file.empty()) {
    auto info = PidFile::Read(t.pid_file);
    if (!info.ok()) {
      *how = "no PID file " + t.pid_file;
      return 0;
    }
    if (!info->locked || !ProcessExists(info->pid)) {
      *how = "stale PID file " + t.pid_file;
      return 0;
    }
    *how = "PID file " + t.pid_file;
    return info->pid;
  }
  pid_t pid = PeerPidOfSocket(t.socket_path);
  *how = (pid > 0 ? "socket " : "nothing answers on ") + t.socket_path;
  return pid;
}

int RunStatusCommand(const ControlTarget& t, FILE* out) {
  std::string how;
  pid_t pid = FindRunningDaemon(t, &how);
  if (pid == 0) {
    fprintf(out, "goxel-daemon is not running (%s)\n", how.c_str());
    return kExitNotRunning;
  }
  fprintf(out, "goxel-daemon is running (pid %d, %s)\n", static_cast<int>(pid),
          how.c_str());
  return kExitOk;
}

int RunStopCommand(const ControlTarget& t, FILE* out) {
  std::string how;
  pid_t pid = FindRunningDaemon(t, &how);
  if (pid == 0) {
    fprintf(out, "goxel-daemon is not running (%s)\n", how.c_str());
    return kExitOk;
  }
  if (kill(pid, SIGTERM) != 0) {
    fprintf(out, "cannot signal goxel-daemon (pid %d): %s\n",
            static_cast<int>(pid), strerror(errno));
    return 1;
  }
  // A little over the daemon's own drain bound, so it can finish cleanly.
  if (WaitGone(pid, t.stop_timeout_ms + 3000)) {
    fprintf(out, "goxel-daemon stopped (pid %d)\n", static_cast<int>(pid));
    return kExitOk;
  }
  fprintf(out,
          "goxel-daemon (pid %d) did not stop within %lld ms; killing it\n",
          static_cast<int>(pid), static_cast<long long>(t.stop_timeout_ms));
  kill(pid, SIGKILL);
  if (!WaitGone(pid, 5000)) {
    fprintf(out, "goxel-daemon (pid %d) survived SIGKILL\n",
            static_cast<int>(pid));
    return 1;
  }
  CleanUpAfterKill(t, pid);
  fprintf(out, "goxel-daemon killed (pid %d)\n", static_cast<int>(pid));
  return kExitOk;
}

int RunReloadCommand(const ControlTarget& t, FILE* out) {
  std::string how;
  pid_t pid = FindRunningDaemon(t, &how);
  if (pid == 0) {
    fprintf(out, "goxel-daemon is not running (%s)\n", how.c_str());
    return kExitNotRunning;
  }
  if (kill(pid, SIGHUP) != 0) {
    fprintf(out, "cannot signal goxel-daemon (pid %d): %s\n",
            static_cast<int>(pid), strerror(errno));
    return 1;
  }
  fprintf(out, "goxel-daemon reloading (pid %d)\n", static_cast<int>(pid));
  return kExitOk;
}

}  // namespace goxel::ops
