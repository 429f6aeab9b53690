#include "app/self_test.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>
#include <vector>

#include "base/clock.h"

extern char** environ;

namespace goxel::app {
namespace {

using Clock = std::chrono::steady_clock;

bool Exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Sends a ping over a fresh connection; true on {"pong":true}.
bool Ping(const std::string& socket_path, int timeout_ms) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  strncpy(addr.sun_path, socket_path.c_str(), sizeof addr.sun_path - 1);
  std::string reply;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    const char req[] = "{\"jsonrpc\":\"2.0\",\"method\":\"ping\",\"id\":1}\n";
    if (send(fd, req, sizeof req - 1, MSG_NOSIGNAL) > 0) {
      pollfd p{fd, POLLIN, 0};
      char buf[512];
      while (reply.find('\n') == std::string::npos &&
             poll(&p, 1, timeout_ms) > 0) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        reply.append(buf, static_cast<size_t>(n));
      }
    }
  }
  close(fd);
  return reply.find("\"pong\":true") != std::string::npos;
}

bool WaitFor(const std::function<bool()>& ok, int timeout_ms) {
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (Clock::now() < deadline) {
    if (ok()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return ok();
}

// The environment for the child: without service-manager or GOXEL_*
// variables.
std::vector<std::string> ChildEnvironment() {
  static const char* kDropped[] = {"NOTIFY_SOCKET", "LISTEN_", "WATCHDOG_",
                                   "GOXEL_", "JOURNAL_STREAM"};
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    bool drop = false;
    for (const char* p : kDropped) drop |= strncmp(*e, p, strlen(p)) == 0;
    if (!drop) env.emplace_back(*e);
  }
  return env;
}

pid_t Spawn(const std::vector<std::string>& args, const std::string& out) {
  std::vector<std::string> env = ChildEnvironment();
  std::vector<char*> argv, envp;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = fork();
  if (pid != 0) return pid;
  int fd = open(out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  int null_fd = open("/dev/null", O_RDONLY);
  if (fd >= 0) dup2(fd, 1), dup2(fd, 2);
  if (null_fd >= 0) dup2(null_fd, 0);
  execve(argv[0], argv.data(), envp.data());
  _exit(127);
}

class SelfTest {
 public:
  SelfTest(std::string binary, FILE* out)
      : binary_(std::move(binary)), out_(out) {}
  ~SelfTest();
  int Run();

 private:
  bool Step(const char* name, const std::function<std::string()>& body);
  std::string Start();
  std::string Stop();

  std::string binary_;
  FILE* out_;
  std::string dir_, socket_, pid_file_, log_file_, stderr_file_;
  pid_t pid_ = -1;
};

SelfTest::~SelfTest() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  for (const std::string& f : {socket_, pid_file_, log_file_, stderr_file_})
    if (!f.empty()) unlink(f.c_str());
  if (!dir_.empty()) rmdir(dir_.c_str());
}

bool SelfTest::Step(const char* name,
                    const std::function<std::string()>& body) {
  uint64_t start = MonotonicNanos();
  std::string failure = body();
  double ms = static_cast<double>(MonotonicNanos() - start) / 1e6;
  if (failure.empty()) {
    fprintf(out_, "  ok      %-9s (%.0f ms)\n", name, ms);
    return true;
  }
  fprintf(out_, "  FAILED  %-9s %s\n", name, failure.c_str());
  fprintf(out_, "lifecycle self-test FAILED at step \"%s\"\n", name);
  std::string log = ReadFile(stderr_file_) + ReadFile(log_file_);
  if (!log.empty()) {
    if (log.size() > 2000) log = "…" + log.substr(log.size() - 2000);
    fprintf(out_, "daemon output:\n%s\n", log.c_str());
  }
  return false;
}

std::string SelfTest::Start() {
  pid_ = Spawn(
      {binary_, "--foreground", "--socket", socket_, "--pid-file", pid_file_,
       "--log-file", log_file_, "--workers", "1", "--data-dir", dir_},
      stderr_file_);
  if (pid_ < 0) return std::string("fork failed: ") + strerror(errno);
  bool up = WaitFor(
      [this] {
        if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
          pid_ = -1;
          return true;
        }
        return Exists(socket_) && Ping(socket_, 1000);
      },
      10000);
  if (pid_ < 0) return "the daemon exited during start-up";
  return up ? "" : "the daemon did not answer a ping within 10 s";
}

std::string SelfTest::Stop() {
  kill(pid_, SIGTERM);
  int status = 0;
  pid_t r = 0;
  WaitFor([&] { return (r = waitpid(pid_, &status, WNOHANG)) == pid_; }, 15000);
  if (r != pid_) return "the daemon did not exit within 15 s of SIGTERM";
  pid_ = -1;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return "the daemon exited with status " + std::to_string(status);
  return "";
}

int SelfTest::Run() {
  fprintf(out_, "goxel-daemon lifecycle self-test (%s)\n", binary_.c_str());
  const char* base = getenv("TMPDIR");
  std::string tmpl =
      std::string(base && *base ? base : "/tmp") + "/goxel-lifecycle-XXXXXX";
  bool ok = Step("tempdir", [&] {
    if (mkdtemp(tmpl.data()) == nullptr)
      return "cannot create " + tmpl + ": " + strerror(errno);
    dir_ = tmpl;
    socket_ = dir_ + "/goxel.sock";
    pid_file_ = dir_ + "/goxel.pid";
    log_file_ = dir_ + "/goxel.log";
    stderr_file_ = dir_ + "/stderr.log";
    return std::string();
  });
  ok = ok && Step("start", [&] { return Start(); });
  ok = ok && Step("ping", [&] {
         return std::string(Ping(socket_, 5000) ? "" : "no pong");
       });
  ok = ok && Step("pid-file", [&] {
         std::string text = ReadFile(pid_file_);
         return atol(text.c_str()) == pid_
                    ? std::string()
                    : "PID file holds \"" + text + "\", expected " +
                          std::to_string(pid_);
       });
  ok = ok && Step("reload", [&] {
         kill(pid_, SIGHUP);
         bool logged = WaitFor(
             [&] {
               return ReadFile(log_file_).find("configuration reloaded") !=
                      std::string::npos;
             },
             5000);
         if (!logged) return std::string("no \"configuration reloaded\" log");
         return std::string(Ping(socket_, 5000) ? "" : "no pong after SIGHUP");
       });
  ok = ok && Step("stop", [&] { return Stop(); });
  ok = ok && Step("clean-up", [&] {
         if (Exists(socket_)) return "socket " + socket_ + " left behind";
         if (Exists(pid_file_)) return "PID file " + pid_file_ + " left behind";
         return std::string();
       });
  if (ok) fprintf(out_, "lifecycle self-test passed\n");
  return ok ? 0 : 1;
}

}  // namespace

std::string SelfExecutable() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

int RunLifecycleSelfTest(const std::string& binary, FILE* out) {
  SelfTest test(binary, out);
  return test.Run();
}

}  // namespace goxel::app
