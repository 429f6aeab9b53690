// Helpers for the ops integration tests: run the daemon binary as a
// command, listen for sd_notify datagrams as systemd would, read files and
// JSON replies.
//
// Thread contract: not thread-safe; one object per test.
#ifndef GOXEL_TESTS_INTEGRATION_OPS_SUPPORT_H_
#define GOXEL_TESTS_INTEGRATION_OPS_SUPPORT_H_

#include <poll.h>
#include <rapidjson/document.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/daemon_harness.h"

namespace goxel::testing {

inline std::string ReadFileText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void WriteFileText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
}

inline bool PathExists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

// True while `pid` runs; a zombie (exited, not reaped yet) is not running.
inline bool ProcessAlive(pid_t pid) {
  if (kill(pid, 0) != 0) return false;
  std::string stat = ReadFileText("/proc/" + std::to_string(pid) + "/stat");
  size_t paren = stat.rfind(')');
  return paren != std::string::npos && paren + 2 < stat.size() &&
         stat[paren + 2] != 'Z';
}

// The output and exit code of a finished command.
struct CommandResult {
  int exit_code = -1;  // -1: killed by a signal or timed out
  std::string out;     // stdout and stderr, interleaved
};

// Runs `args` (argv[0] a path) with extra "K=V" environment entries and
// captures stdout and stderr.
inline CommandResult RunCommand(const std::vector<std::string>& args,
                                const std::vector<std::string>& env = {},
                                int timeout_ms = 30000) {
  DaemonProcess p;  // its Spawn captures output in its own directory
  CommandResult r;
  if (!p.Spawn(args, env)) return r;
  int st = p.Wait(timeout_ms);
  r.out = p.Log();
  if (st != -1 && WIFEXITED(st)) r.exit_code = WEXITSTATUS(st);
  return r;
}

// Parses one reply line; IsObject() is false when it is not JSON.
inline rapidjson::Document ParseJson(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str(), text.size());
  if (d.HasParseError()) d.SetNull();
  return d;
}

// True when `d` is an object with member `key`. A reply that is not JSON
// (a refused connection closed before the request was sent) is not an
// object, and HasMember on it asserts in builds with assertions.
inline bool Has(const rapidjson::Value& d, const char* key) {
  return d.IsObject() && d.HasMember(key);
}

// Calls `method` with `params` (JSON text) over a new connection.
inline rapidjson::Document CallMethod(const std::string& socket_path,
                                      const std::string& method,
                                      const std::string& params = "{}") {
  RpcClient c;
  if (!c.Connect(socket_path)) return ParseJson("");
  return ParseJson(c.Call(R"({"jsonrpc":"2.0","id":1,"method":")" + method +
                          R"(","params":)" + params + "}"));
}

// A datagram socket bound where NOTIFY_SOCKET will point, as systemd's.
class NotifyListener {
 public:
  explicit NotifyListener(const std::string& path) : path_(path) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      close(fd_);
      fd_ = -1;
    }
  }
  ~NotifyListener() {
    if (fd_ >= 0) close(fd_);
  }
  bool ok() const { return fd_ >= 0; }
  std::string env() const { return "NOTIFY_SOCKET=" + path_; }

  // The next datagram, or "" after `timeout_ms`.
  std::string Next(int timeout_ms) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0) return "";
    char buf[4096];
    ssize_t n = recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return "";
    std::string d(buf, static_cast<size_t>(n));
    all_.push_back(d);
    return d;
  }
  // Reads datagrams until one contains `needle` (returned) or time runs out
  // ("" then).
  std::string WaitFor(const std::string& needle, int timeout_ms) {
    auto deadline = std::chrono::steady_clock::now() +
                    std::chrono::milliseconds(timeout_ms);
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                      deadline - std::chrono::steady_clock::now())
                      .count();
      if (left <= 0) return "";
      std::string d = Next(static_cast<int>(left));
      if (d.find(needle) != std::string::npos) return d;
    }
  }
  const std::vector<std::string>& all() const { return all_; }

 private:
  std::string path_;
  int fd_ = -1;
  std::vector<std::string> all_;
};

}  // namespace goxel::testing

#endif  // GOXEL_TESTS_INTEGRATION_OPS_SUPPORT_H_
