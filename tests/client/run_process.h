// RunProcess: runs a program to completion with given stdin text, and
// captures its exit code, stdout and stderr (through files, so no pipe can
// fill up). RunInPty: the same on a pseudo-terminal (stdout is a tty).
// FakeDaemon: a one-connection Unix-socket server that records the request
// text it receives and answers with a canned reply, for checking what the
// client sends to methods the real daemon does not have yet.
// Thread contract: not thread-safe; one per test.
#ifndef GOXEL_TESTS_CLIENT_RUN_PROCESS_H_
#define GOXEL_TESTS_CLIENT_RUN_PROCESS_H_

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/daemon_harness.h"

namespace goxel::testing {

struct ProcessResult {
  int exit_code = -1;  // -1: killed by a signal or did not run
  std::string out;
  std::string err;
  double seconds = 0;
};

inline std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::vector<char*> CStrings(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Environment: the inherited one minus `unset` names, plus `extra` "K=V".
inline std::vector<std::string> MakeEnv(const std::vector<std::string>& extra,
                                        const std::vector<std::string>& unset) {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string kv = *e;
    bool drop = false;
    for (const auto& u : unset) drop = drop || kv.rfind(u + "=", 0) == 0;
    if (!drop) env.push_back(kv);
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

// Runs argv[0] (a path) with `input` on stdin.
inline ProcessResult RunProcess(std::vector<std::string> argv,
                                const std::string& input = "",
                                const std::vector<std::string>& env_extra = {},
                                const std::vector<std::string>& unset = {}) {
  TempDir dir;
  std::string in_path = dir.File("in"), out_path = dir.File("out"),
              err_path = dir.File("err");
  std::ofstream(in_path, std::ios::binary) << input;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, in_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, out_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, err_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<std::string> env = MakeEnv(env_extra, unset);
  auto args = CStrings(argv);
  auto envp = CStrings(env);
  auto start = std::chrono::steady_clock::now();
  pid_t pid;
  ProcessResult r;
  if (posix_spawn(&pid, args[0], &fa, nullptr, args.data(), envp.data()) != 0) {
    posix_spawn_file_actions_destroy(&fa);
    return r;
  }
  posix_spawn_file_actions_destroy(&fa);
  int status = 0;
  waitpid(pid, &status, 0);
  r.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  r.out = ReadWholeFile(out_path);
  r.err = ReadWholeFile(err_path);
  return r;
}

// Runs argv on a new pseudo-terminal; everything it writes (stdout and
// stderr both go to the terminal) comes back in `out`.
inline ProcessResult RunInPty(std::vector<std::string> argv,
                              const std::vector<std::string>& env_extra = {},
                              const std::vector<std::string>& unset = {}) {
  std::vector<std::string> env = MakeEnv(env_extra, unset);
  auto args = CStrings(argv);
  auto envp = CStrings(env);
  int master = -1;
  ProcessResult r;
  pid_t pid = forkpty(&master, nullptr, nullptr, nullptr);
  if (pid < 0) return r;
  if (pid == 0) {
    execve(args[0], args.data(), envp.data());
    _exit(127);
  }
  for (;;) {
    pollfd p{master, POLLIN, 0};
    if (poll(&p, 1, 10000) <= 0) break;
    char buf[4096];
    ssize_t n = read(master, buf, sizeof buf);
    if (n <= 0) break;  // EIO once the child has exited
    r.out.append(buf, static_cast<size_t>(n));
  }
  int status = 0;
  waitpid(pid, &status, 0);
  close(master);
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  return r;
}

// Serves one connection on `path`: reads one request line, stores it in
// request(), writes `reply` plus "\n", then closes.
class FakeDaemon {
 public:
  FakeDaemon(std::string path, std::string reply)
      : path_(std::move(path)), reply_(std::move(reply)) {
    fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    strncpy(addr.sun_path, path_.c_str(), sizeof addr.sun_path - 1);
    ok_ = bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
          listen(fd_, 4) == 0;
    if (ok_) thread_ = std::thread([this] { Serve(); });
  }
  ~FakeDaemon() {
    shutdown(fd_, SHUT_RDWR);
    if (thread_.joinable()) thread_.join();
    close(fd_);
    unlink(path_.c_str());
  }
  bool ok() const { return ok_; }
  // The request line received (after the client has finished).
  std::string request() {
    if (thread_.joinable()) thread_.join();
    return request_;
  }

 private:
  void Serve() {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 10000) <= 0) return;
    int c = accept(fd_, nullptr, nullptr);
    if (c < 0) return;
    std::string buf;
    char tmp[65536];
    while (buf.find('\n') == std::string::npos) {
      pollfd q{c, POLLIN, 0};
      if (poll(&q, 1, 10000) <= 0) break;
      ssize_t n = recv(c, tmp, sizeof tmp, 0);
      if (n <= 0) break;
      buf.append(tmp, static_cast<size_t>(n));
    }
    request_ = buf.substr(0, buf.find('\n'));
    std::string out = reply_ + "\n";
    if (send(c, out.data(), out.size(), MSG_NOSIGNAL) < 0) {
    }
    close(c);
  }

  std::string path_, reply_, request_;
  int fd_ = -1;
  bool ok_ = false;
  std::thread thread_;
};

}  // namespace goxel::testing

#endif  // GOXEL_TESTS_CLIENT_RUN_PROCESS_H_
