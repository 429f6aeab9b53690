// DaemonProcess and RpcClient: integration tests start the real goxel-daemon
// binary on a temporary socket and talk to it over the wire.
//
//   DaemonProcess d;
//   ASSERT_TRUE(d.Start({"--workers", "2"})) << d.Log();
//   RpcClient c;
//   ASSERT_TRUE(c.Connect(d.socket_path()));
//   auto reply = c.Call(R"({"jsonrpc":"2.0","method":"ping","id":1})");
//
// Everything a test starts stops by itself: the destructor sends SIGTERM,
// waits (bounded), then SIGKILLs. Header-only; links nothing but libc.
// Thread contract: not thread-safe; one object per thread.
#ifndef GOXEL_TESTS_SUPPORT_DAEMON_HARNESS_H_
#define GOXEL_TESTS_SUPPORT_DAEMON_HARNESS_H_

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace goxel::testing {

// The daemon binary built with the tests.
inline std::string DaemonBinary() {
  const char* env = getenv("GOXEL_DAEMON_BINARY");
  if (env && *env) return env;
  return std::string(GOXEL_BINARY_DIR) + "/daemon/goxel-daemon";
}

// A fresh private directory under $TMPDIR (or /tmp), removed by the
// destructor.
class TempDir {
 public:
  TempDir() {
    const char* base = getenv("TMPDIR");
    std::string tmpl =
        std::string(base && *base ? base : "/tmp") + "/goxel-test-XXXXXX";
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    char* p = mkdtemp(buf.data());
    path_ = p ? p : "";
  }
  ~TempDir() {
    if (!path_.empty()) {
      std::string cmd = "rm -rf '" + path_ + "'";
      if (system(cmd.c_str()) != 0) {
      }
    }
  }
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A process's resident memory in bytes (/proc/PID/statm), or -1.
inline int64_t RssBytes(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/statm");
  long size = 0, rss = -1;
  if (!(in >> size >> rss) || rss < 0) return -1;
  return static_cast<int64_t>(rss) * sysconf(_SC_PAGESIZE);
}

inline int ConnectUnix(const std::string& path) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// Polls `pred` every 20 ms up to `timeout_ms`: for state a test can only
// observe from outside (a daemon's files, its replies).
template <typename Pred>
bool WaitFor(Pred pred, int timeout_ms) {
  auto end =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pred();
}

// A blocking line-oriented client with timeouts.
class RpcClient {
 public:
  RpcClient() = default;
  ~RpcClient() { Close(); }
  RpcClient(const RpcClient&) = delete;
  RpcClient& operator=(const RpcClient&) = delete;

  bool Connect(const std::string& path) {
    Close();
    fd_ = ConnectUnix(path);
    return fd_ >= 0;
  }
  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
    buf_.clear();
  }
  int fd() const { return fd_; }

  // Writes all bytes; false on error.
  bool Send(const std::string& bytes) {
    size_t off = 0;
    while (off < bytes.size()) {
      ssize_t n =
          send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN) {
          pollfd p{fd_, POLLOUT, 0};
          poll(&p, 1, 1000);
          continue;
        }
        return false;
      }
      off += static_cast<size_t>(n);
    }
    return true;
  }

  // The next reply line (without "\n"); "" on timeout or EOF (then
  // eof() tells which).
  std::string ReadLine(int timeout_ms = 10000) {
    auto deadline = std::chrono::steady_clock::now() +
                    std::chrono::milliseconds(timeout_ms);
    for (;;) {
      size_t nl = buf_.find('\n');
      if (nl != std::string::npos) {
        std::string line = buf_.substr(0, nl);
        buf_.erase(0, nl + 1);
        return line;
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                      deadline - std::chrono::steady_clock::now())
                      .count();
      if (left <= 0) return "";
      pollfd p{fd_, POLLIN, 0};
      int rc = poll(&p, 1, static_cast<int>(left));
      if (rc <= 0) continue;
      char tmp[65536];
      ssize_t n = recv(fd_, tmp, sizeof tmp, 0);
      if (n == 0) {
        eof_ = true;
        return "";
      }
      if (n < 0) {
        if (errno == EINTR || errno == EAGAIN) continue;
        eof_ = true;
        return "";
      }
      buf_.append(tmp, static_cast<size_t>(n));
    }
  }

  // True when the peer closed (seen by ReadLine or WaitClosed).
  bool eof() const { return eof_; }

  // Waits until the daemon closes the connection; true if it did.
  bool WaitClosed(int timeout_ms = 10000) {
    auto deadline = std::chrono::steady_clock::now() +
                    std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      char tmp[65536];
      ssize_t n = recv(fd_, tmp, sizeof tmp, 0);
      if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
        eof_ = true;
        return true;
      }
      if (n > 0) buf_.append(tmp, static_cast<size_t>(n));
    }
    return false;
  }

  // Sends one request text plus "\n" and returns the reply line.
  std::string Call(const std::string& request, int timeout_ms = 10000) {
    if (!Send(request + "\n")) return "";
    return ReadLine(timeout_ms);
  }

 private:
  int fd_ = -1;
  std::string buf_;
  bool eof_ = false;
};

// The real daemon, started on a socket in its own temporary directory.
class DaemonProcess {
 public:
  DaemonProcess() : socket_path_(dir_.File("goxel.sock")) {}
  ~DaemonProcess() { Stop(); }
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  // Starts `goxel-daemon --foreground --socket S extra...` with stderr to a
  // log file, and waits until the socket answers a ping (bounded). Extra
  // environment entries ("K=V") are added to the inherited environment.
  bool Start(const std::vector<std::string>& extra = {},
             const std::vector<std::string>& env_extra = {},
             bool add_socket_flag = true) {
    std::vector<std::string> args = {DaemonBinary(), "--foreground"};
    if (add_socket_flag) {
      args.push_back("--socket");
      args.push_back(socket_path_);
    }
    args.insert(args.end(), extra.begin(), extra.end());
    if (!Spawn(args, env_extra)) return false;
    return WaitReady(10000);
  }

  // Spawns without waiting (for tests of start-up failures).
  bool Spawn(const std::vector<std::string>& args,
             const std::vector<std::string>& env_extra = {}) {
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::vector<std::string> env_store;
    for (char** e = environ; *e; ++e) {
      // The default data directory is $XDG_DATA_HOME/goxel: private to the
      // test (below), never the user's.
      if (strncmp(*e, "XDG_DATA_HOME=", 14) != 0) env_store.push_back(*e);
    }
    env_store.push_back("XDG_DATA_HOME=" + dir_.path());
    for (const auto& e : env_extra) env_store.push_back(e);
    std::vector<char*> envp;
    for (auto& e : env_store) envp.push_back(e.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 2, log_path().c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_addopen(&fa, 1, log_path().c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    // Each daemon runs in its own directory, and its default data directory
    // (autosaves, relative paths) is in it: dir/goxel.
    posix_spawn_file_actions_addchdir_np(&fa, dir_.path().c_str());
    int rc =
        posix_spawn(&pid_, argv[0], &fa, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) pid_ = -1;
    return rc == 0;
  }

  // Polls the socket with pings until one is answered.
  bool WaitReady(int timeout_ms) {
    auto deadline = std::chrono::steady_clock::now() +
                    std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < deadline) {
      if (!Running()) return false;
      RpcClient c;
      if (c.Connect(socket_path_)) {
        std::string r =
            c.Call(R"({"jsonrpc":"2.0","method":"ping","id":0})", 2000);
        if (r.find("\"pong\":true") != std::string::npos) return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  // True while the child has not exited (reaps it when it has).
  bool Running() {
    if (pid_ <= 0) return false;
    int status;
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exit_status_ = status;
      pid_ = -1;
      return false;
    }
    return true;
  }

  // Waits for the child to exit; returns its wait status or -1 on timeout.
  int Wait(int timeout_ms) {
    auto deadline = std::chrono::steady_clock::now() +
                    std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < deadline) {
      if (!Running()) return exit_status_;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return -1;
  }

  void Signal(int sig) {
    if (pid_ > 0) kill(pid_, sig);
  }

  // SIGTERM, wait up to 15 s, then SIGKILL. Returns the wait status.
  int Stop() {
    if (pid_ <= 0) return exit_status_;
    kill(pid_, SIGTERM);
    int st = Wait(15000);
    if (st == -1 && pid_ > 0) {
      kill(pid_, SIGKILL);
      st = Wait(5000);
    }
    return st;
  }

  std::string Log() const {
    std::ifstream in(log_path());
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  pid_t pid() const { return pid_; }
  int exit_status() const { return exit_status_; }
  const std::string& socket_path() const { return socket_path_; }
  void set_socket_path(std::string p) { socket_path_ = std::move(p); }
  std::string log_path() const { return dir_.File("daemon.log"); }
  const TempDir& dir() const { return dir_; }

 private:
  TempDir dir_;
  std::string socket_path_;
  pid_t pid_ = -1;
  int exit_status_ = -1;
};

}  // namespace goxel::testing

#endif  // GOXEL_TESTS_SUPPORT_DAEMON_HARNESS_H_
