#include "ops/daemonize.h"

#include <gtest/gtest.h>
#include <limits.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>

namespace goxel::ops {
namespace {

class DaemonizeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/goxel-ops-daemon-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    report_ = dir_ + "/report";
  }
  void TearDown() override {
    unlink(report_.c_str());
    rmdir(dir_.c_str());
  }

  // Forks a launcher that daemonizes and runs `daemon_body` in the daemon.
  // Returns the launcher's exit code; its stderr goes to `launcher_stderr`.
  template <typename Body>
  int Launch(Body daemon_body, std::string* launcher_stderr,
             int timeout_ms = 5000) {
    int err[2];
    EXPECT_EQ(pipe(err), 0);
    pid_t launcher = fork();
    if (launcher == 0) {
      close(err[0]);
      dup2(err[1], 2);
      close(err[1]);
      DaemonizeOptions options;
      options.working_dir = dir_;
      options.ready_timeout_ms = timeout_ms;
      if (!Daemonize(options).ok()) _exit(99);
      daemon_body();
      _exit(0);
    }
    close(err[1]);
    int status = 0;
    EXPECT_EQ(waitpid(launcher, &status, 0), launcher);
    char buf[512];
    for (ssize_t n; (n = read(err[0], buf, sizeof buf)) > 0;) {
      launcher_stderr->append(buf, static_cast<size_t>(n));
    }
    close(err[0]);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  // The daemon's report file, once written (up to 5 s).
  std::string WaitForReport() {
    for (int i = 0; i < 500; ++i) {
      std::ifstream in(report_);
      std::string text((std::istreambuf_iterator<char>(in)), {});
      if (text.find("END") != std::string::npos) return text;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return "";
  }

  std::string dir_, report_;
};

TEST_F(DaemonizeTest, LauncherExitsZeroOnceTheDaemonIsReady) {
  std::string report = report_;
  std::string err;
  int code = Launch(
      [report] {
        char cwd[PATH_MAX] = "", in[PATH_MAX] = "";
        getcwd(cwd, sizeof cwd);
        ssize_t n = readlink("/proc/self/fd/0", in, sizeof in - 1);
        in[n > 0 ? n : 0] = 0;
        NotifyParentReady();
        std::ofstream(report + ".tmp")
            << getpid() << " " << getsid(0) << " " << getppid() << " " << cwd
            << " " << in << " END";
        rename((report + ".tmp").c_str(), report.c_str());
      },
      &err);
  EXPECT_EQ(code, 0) << err;
  EXPECT_EQ(err, "");
  std::string text = WaitForReport();
  ASSERT_FALSE(text.empty());
  long pid = 0, sid = 0, ppid = 0;
  char cwd[PATH_MAX], in[PATH_MAX];
  ASSERT_EQ(std::sscanf(text.c_str(), "%ld %ld %ld %s %s", &pid, &sid, &ppid,
                        cwd, in),
            5);
  EXPECT_NE(sid, getsid(0));  // a new session
  EXPECT_NE(sid, pid);        // not its leader: cannot regain a terminal
  EXPECT_EQ(std::string(cwd), dir_);
  EXPECT_EQ(std::string(in), "/dev/null");
}

TEST_F(DaemonizeTest, LauncherPrintsTheDaemonsReasonAndExitsOne) {
  std::string err;
  int code = Launch(
      [] {
        NotifyParentFailed("cannot bind /tmp/x.sock: Address in use");
        _exit(1);
      },
      &err);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(err, "goxel-daemon: cannot bind /tmp/x.sock: Address in use\n");
}

TEST_F(DaemonizeTest, DaemonDyingSilentlyFailsTheLauncher) {
  std::string err;
  EXPECT_EQ(Launch([] { _exit(3); }, &err), 1);
  EXPECT_NE(err.find("exited before it was ready"), std::string::npos);
}

TEST_F(DaemonizeTest, SilentDaemonTimesOut) {
  std::string err;
  int code = Launch(
      [] { std::this_thread::sleep_for(std::chrono::milliseconds(1500)); },
      &err, 200);
  EXPECT_EQ(code, 1);
  EXPECT_NE(err.find("not ready"), std::string::npos) << err;
}

TEST(WaitForDaemonReady, ReadsTheProtocol) {
  int sv[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  ASSERT_EQ(write(sv[1], "Eno such group 'x'", 18), 18);
  close(sv[1]);
  std::string message;
  EXPECT_EQ(WaitForDaemonReady(sv[0], 1000, &message), 1);
  EXPECT_EQ(message, "no such group 'x'");
  close(sv[0]);
}

TEST(DropPrivileges, UnknownUserAndGroupAreNamed) {
  Status s = DropPrivileges("no-such-goxel-user", "");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("'no-such-goxel-user'"), std::string::npos);
  Status g = DropPrivileges("", "no-such-goxel-group");
  ASSERT_FALSE(g.ok());
  EXPECT_NE(g.message().find("'no-such-goxel-group'"), std::string::npos);
  EXPECT_TRUE(DropPrivileges("", "").ok());
}

TEST(DropPrivileges, SwitchesToNobodyWhenRootAndRefusesOtherwise) {
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    bool root = geteuid() == 0;
    Status s = DropPrivileges("nobody", "");
    if (root) _exit(s.ok() && getuid() == 65534 && geteuid() == 65534 ? 0 : 1);
    _exit(!s.ok() && s.code() == StatusCode::kPermissionDenied ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace goxel::ops
