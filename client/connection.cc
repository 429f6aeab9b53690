#include "client/connection.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

#include "client/exit_codes.h"

namespace goxel::client {
namespace {

// Milliseconds left before `deadline` for poll(2): -1 for none, >= 0 else.
int PollTimeout(Deadline deadline) {
  if (!deadline) return -1;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                  *deadline - Clock::now())
                  .count();
  return static_cast<int>(std::clamp<int64_t>(left, 0, 1 << 30));
}

bool Expired(Deadline deadline) {
  return deadline && Clock::now() >= *deadline;
}

// Waits until `fd` is ready for `events`; false at the deadline.
bool WaitFor(int fd, short events, Deadline deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    int rc = poll(&p, 1, PollTimeout(deadline));
    if (rc > 0) return true;
    if (rc == 0) return false;
    if (errno != EINTR) return true;  // let the next syscall report it
  }
}

std::string SocketGroupName(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return "goxel";
  group* g = getgrgid(st.st_gid);
  return g ? g->gr_name : std::to_string(st.st_gid);
}

Status TimeoutError(const std::string& path, const char* what) {
  return Fail(kExitTimeout, std::string("timed out ") + what + " " + path +
                                " (raise --timeout, or check the daemon's "
                                "load with `goxel-client status`)");
}

}  // namespace

Deadline DeadlineIn(double seconds) {
  if (seconds <= 0) return std::nullopt;
  return Clock::now() +
         std::chrono::microseconds(static_cast<int64_t>(seconds * 1e6));
}

std::string ConnectErrorReason(int err, const std::string& path) {
  switch (err) {
    case ENOENT:
      return "no such file — is goxel-daemon running? (start it with "
             "`scripts/daemon_control.sh start`, or pass --socket)";
    case EACCES:
    case EPERM:
      return "permission denied — are you in group " + SocketGroupName(path) +
             "? (the socket's group; check `ls -l " + path + "`)";
    case ECONNREFUSED:
      return "connection refused — stale socket? (no daemon listens on it; "
             "restart goxel-daemon)";
    case ENOTDIR:
      return "a component of the path is not a directory";
    case ENAMETOOLONG:
      return "path too long for a Unix socket";
    case EPROTOTYPE:
    case ENOTSOCK:
      return "not a socket";
    default:
      return strerror(err);
  }
}

Connection::~Connection() {
  if (fd_ >= 0) close(fd_);
}

Status Connection::Open(const std::string& path, Deadline deadline) {
  path_ = path;
  sockaddr_un addr{};
  if (path.empty() || path.size() >= sizeof addr.sun_path) {
    return Fail(kExitConnect,
                "cannot connect to " + path + ": " +
                    ConnectErrorReason(ENAMETOOLONG, path) + " (at most " +
                    std::to_string(sizeof addr.sun_path - 1) + " bytes)");
  }
  addr.sun_family = AF_UNIX;
  memcpy(addr.sun_path, path.data(), path.size());
  for (;;) {
    fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd_ < 0) {
      return Fail(kExitConnect,
                  std::string("cannot create a socket: ") + strerror(errno));
    }
    if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
      return Status::Ok();
    }
    int err = errno;
    close(fd_);
    fd_ = -1;
    // A full listen backlog: the daemon is alive but busy; retry.
    if (err == EAGAIN || err == EINTR) {
      if (Expired(deadline)) return TimeoutError(path, "connecting to");
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      continue;
    }
    return Fail(kExitConnect, "cannot connect to " + path + ": " +
                                  ConnectErrorReason(err, path));
  }
}

Status Connection::SendAll(std::string_view bytes, Deadline deadline) {
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n >= 0) {
      off += static_cast<size_t>(n);
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN) {
      if (!WaitFor(fd_, POLLOUT, deadline)) {
        return TimeoutError(path_, "sending to");
      }
      continue;
    }
    return Fail(kExitConnect, "lost the connection to " + path_ +
                                  " while sending: " + strerror(errno));
  }
  return Status::Ok();
}

void Connection::ShutdownWrite() {
  if (fd_ >= 0) shutdown(fd_, SHUT_WR);
}

Status Connection::Fill(Deadline deadline, bool* eof) {
  for (;;) {
    char tmp[65536];
    ssize_t n = recv(fd_, tmp, sizeof tmp, 0);
    if (n > 0) {
      buf_.append(tmp, static_cast<size_t>(n));
      return Status::Ok();
    }
    if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
      if (eof) *eof = true;
      std::string why = n == 0 ? "the daemon closed the connection"
                               : std::string(strerror(errno));
      return Fail(kExitConnect,
                  "no reply from " + path_ + ": " + why +
                      " (see the daemon's log, or `goxel-client status`)");
    }
    if (errno == EAGAIN && !WaitFor(fd_, POLLIN, deadline)) {
      return TimeoutError(path_, "waiting for a reply from");
    }
  }
}

Result<bool> Connection::TakeText(std::string* text) {
  rpc::Framer::Frame f = framer_.Next(buf_);
  if (f.kind == rpc::Framer::Kind::kNeedMore) return false;
  if (f.kind != rpc::Framer::Kind::kText) {
    return Fail(kExitRpcError, "the daemon at " + path_ +
                                   " sent bytes that are not a JSON reply; "
                                   "is it goxel-daemon?");
  }
  *text = buf_.substr(f.begin, f.end - f.begin);
  size_t drop = framer_.Consumed();
  buf_.erase(0, drop);
  framer_.Rebase(drop);
  return true;
}

Result<std::string> Connection::ReadText(Deadline deadline, bool* eof) {
  for (;;) {
    std::string text;
    Result<bool> got = TakeText(&text);
    if (!got.ok()) return got.status();
    if (*got) return text;
    if (Expired(deadline)) {
      return TimeoutError(path_, "waiting for a reply from");
    }
    GOXEL_RETURN_IF_ERROR(Fill(deadline, eof));
  }
}

}  // namespace goxel::client
