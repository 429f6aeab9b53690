#include "ops/daemonize.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "base/clock.h"

namespace goxel::ops {
namespace {

// The daemon's end of the readiness channel; -1 when none. Main thread only.
int g_ready_fd = -1;

// Channel protocol: 'R' = ready; 'E' followed by a message = failed.
void SendAndClose(char kind, std::string_view message) {
  if (g_ready_fd < 0) return;
  std::string msg(1, kind);
  msg.append(message);
  // MSG_NOSIGNAL: a launcher that already went away must not kill us.
  (void)send(g_ready_fd, msg.data(), msg.size(), MSG_NOSIGNAL);
  close(g_ready_fd);
  g_ready_fd = -1;
}

void RedirectStdio() {
  int fd = open("/dev/null", O_RDWR);
  if (fd < 0) return;
  dup2(fd, 0);
  dup2(fd, 1);
  dup2(fd, 2);
  if (fd > 2) close(fd);
}

Status Errno(const std::string& what) {
  return Status::Internal(what + ": " + std::strerror(errno));
}

// The launcher: reaps the first child, waits for the report, exits.
[[noreturn]] void RunLauncher(int fd, pid_t first_child, int timeout_ms) {
  int status = 0;
  waitpid(first_child, &status, 0);  // exits right after the second fork
  std::string message;
  int code = WaitForDaemonReady(fd, timeout_ms, &message);
  if (code != 0) std::fprintf(stderr, "goxel-daemon: %s\n", message.c_str());
  std::fflush(stderr);
  _exit(code);
}

}  // namespace

int WaitForDaemonReady(int fd, int timeout_ms, std::string* message) {
  std::string got;
  uint64_t deadline = MonotonicNanos() + uint64_t(timeout_ms) * 1000000;
  for (;;) {
    uint64_t now = MonotonicNanos();
    int left = now >= deadline ? 0 : int((deadline - now) / 1000000) + 1;
    pollfd p{fd, POLLIN, 0};
    int r = poll(&p, 1, left);
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) {
      *message = "the daemon was not ready after " +
                 std::to_string(timeout_ms / 1000) + " s";
      return 1;
    }
    char buf[512];
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n > 0) {
      got.append(buf, static_cast<size_t>(n));
      continue;
    }
    break;  // EOF (or error): the daemon closed its end
  }
  if (!got.empty() && got[0] == 'R') return 0;
  if (!got.empty() && got[0] == 'E') {
    *message = got.substr(1);
  } else {
    *message = "the daemon exited before it was ready";
  }
  return 1;
}

Status Daemonize(const DaemonizeOptions& options) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
    return Errno("socketpair");
  }
  std::fflush(nullptr);  // nothing buffered is written twice
  pid_t first = fork();
  if (first < 0) {
    Status s = Errno("fork");
    close(sv[0]);
    close(sv[1]);
    return s;
  }
  if (first > 0) {
    close(sv[1]);
    RunLauncher(sv[0], first, options.ready_timeout_ms);
  }
  close(sv[0]);
  g_ready_fd = sv[1];
  if (setsid() < 0) {
    NotifyParentFailed("setsid: " + std::string(std::strerror(errno)));
    _exit(1);
  }
  pid_t second = fork();
  if (second < 0) {
    NotifyParentFailed("fork: " + std::string(std::strerror(errno)));
    _exit(1);
  }
  if (second > 0) _exit(0);  // the session leader goes; no controlling tty
  if (!options.working_dir.empty() && chdir(options.working_dir.c_str()) != 0) {
    NotifyParentFailed("cannot change to working directory " +
                       options.working_dir + ": " + std::strerror(errno));
    _exit(1);
  }
  if (options.redirect_stdio) RedirectStdio();
  return Status::Ok();
}

void NotifyParentReady() { SendAndClose('R', ""); }

void NotifyParentFailed(std::string_view message) {
  SendAndClose('E', message);
}

Status DropPrivileges(const std::string& user, const std::string& group) {
  if (user.empty() && group.empty()) return Status::Ok();
  const passwd* pw = nullptr;
  if (!user.empty()) {
    pw = getpwnam(user.c_str());
    if (pw == nullptr) {
      return Status::InvalidParams("unknown user '" + user + "'")
          .With("user", user);
    }
  }
  gid_t gid = pw ? pw->pw_gid : getgid();
  if (!group.empty()) {
    const struct group* gr = getgrnam(group.c_str());
    if (gr == nullptr) {
      return Status::InvalidParams("unknown group '" + group + "'")
          .With("group", group);
    }
    gid = gr->gr_gid;
  }
  uid_t uid = pw ? pw->pw_uid : getuid();
  if (geteuid() != 0) {
    if (uid == geteuid() && gid == getegid()) return Status::Ok();
    return Status::Error(StatusCode::kPermissionDenied,
                         "switching to user '" + user + "' group '" + group +
                             "' needs root (running as uid " +
                             std::to_string(geteuid()) + ")");
  }
  if (pw != nullptr && initgroups(pw->pw_name, gid) != 0) {
    return Errno("initgroups for user '" + user + "'");
  }
  if (pw == nullptr && setgroups(1, &gid) != 0) return Errno("setgroups");
  if (setgid(gid) != 0) return Errno("setgid " + std::to_string(gid));
  if (setuid(uid) != 0) return Errno("setuid " + std::to_string(uid));
  if (uid != 0 && setuid(0) == 0) {
    return Status::Internal("privileges could be regained after setuid");
  }
  return Status::Ok();
}

}  // namespace goxel::ops
