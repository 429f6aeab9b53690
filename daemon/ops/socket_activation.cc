#include "ops/socket_activation.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>

#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif
#ifdef __APPLE__
#include <launch.h>
#endif

namespace goxel::ops {
namespace {

constexpr int kListenFdsStart = 3;  // SD_LISTEN_FDS_START

// How many fds systemd passed (LISTEN_FDS for our pid), then unsets the
// variables so children do not see them.
int SystemdListenFds() {
#ifdef HAVE_LIBSYSTEMD
  return sd_listen_fds(1);
#else
  const char* pid = getenv("LISTEN_PID");
  const char* fds = getenv("LISTEN_FDS");
  int n = 0;
  if (pid != nullptr && fds != nullptr && atol(pid) == getpid()) n = atoi(fds);
  unsetenv("LISTEN_PID");
  unsetenv("LISTEN_FDS");
  unsetenv("LISTEN_FDNAMES");
  for (int fd = kListenFdsStart; fd < kListenFdsStart + n; ++fd)
    fcntl(fd, F_SETFD, FD_CLOEXEC);
  return n;
#endif
}

// Checks `fd` is a listening AF_UNIX stream socket; fills its path.
Status CheckUnixListener(int fd, std::string* path) {
  int type = 0, listening = 0;
  socklen_t len = sizeof type;
  if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0) {
    return Status::ServerError("the inherited fd " + std::to_string(fd) +
                               " is not a socket: " + strerror(errno));
  }
  len = sizeof listening;
  getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len);
  sockaddr_un addr{};
  len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  if (addr.sun_family != AF_UNIX || type != SOCK_STREAM || !listening) {
    return Status::ServerError("the inherited fd " + std::to_string(fd) +
                               " is not a listening Unix stream socket "
                               "(ListenStream= must name a path)");
  }
  if (len > offsetof(sockaddr_un, sun_path) && addr.sun_path[0] != '\0')
    *path = addr.sun_path;
  return Status::Ok();
}

#ifdef __APPLE__
// launchd: the "Listeners" entry of the plist's Sockets dictionary.
Result<ActivatedSocket> LaunchdSocket() {
  int* fds = nullptr;
  size_t count = 0;
  int rc = launch_activate_socket("Listeners", &fds, &count);
  ActivatedSocket out;
  if (rc != 0) return out;  // ESRCH: not started by launchd
  if (count != 1) {
    for (size_t i = 0; i < count; ++i) close(fds[i]);
    free(fds);
    return Status::ServerError("launchd handed over " + std::to_string(count) +
                               " sockets; exactly one is expected");
  }
  out.fd = fds[0];
  out.source = "launchd";
  free(fds);
  GOXEL_RETURN_IF_ERROR(CheckUnixListener(out.fd, &out.path));
  return out;
}
#endif

}  // namespace

Result<ActivatedSocket> TakeActivatedSocket() {
  int n = SystemdListenFds();
  if (n < 0) {
    return Status::ServerError(std::string("cannot read LISTEN_FDS: ") +
                               strerror(-n));
  }
  if (n > 1) {
    return Status::ServerError(
        "systemd handed over " + std::to_string(n) +
        " sockets; exactly one is expected (one ListenStream= line)");
  }
  if (n == 1) {
    ActivatedSocket out;
    out.fd = kListenFdsStart;
    out.source = "systemd";
    GOXEL_RETURN_IF_ERROR(CheckUnixListener(out.fd, &out.path));
    return out;
  }
#ifdef __APPLE__
  return LaunchdSocket();
#else
  return ActivatedSocket{};
#endif
}

}  // namespace goxel::ops
