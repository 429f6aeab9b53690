// Process management of the real binary: --daemonize with a PID file,
// --status/--stop/--reload, a second daemon refused, logs reopened and the
// config reloaded on SIGHUP, SIGUSR1 snapshots, request logs, privilege
// drop, --test-lifecycle.
#include <gtest/gtest.h>
#include <pwd.h>
#include <signal.h>

#include "integration/ops_support.h"

namespace goxel::testing {
namespace {

std::vector<std::string> Control(const std::string& action,
                                 const std::string& pid_file) {
  return {DaemonBinary(), action, "--pid-file", pid_file};
}

TEST(OpsProcess, DaemonizeWritesPidFileAndStatusStopWork) {
  TempDir dir;
  std::string pid_file = dir.File("goxel.pid");
  std::string sock = dir.File("goxel.sock");
  std::string log = dir.File("goxel.log");
  CommandResult launch =
      RunCommand({DaemonBinary(), "--daemonize", "--socket", sock, "--pid-file",
                  pid_file, "--log-file", log, "--data-dir", dir.path()});
  ASSERT_EQ(launch.exit_code, 0) << launch.out << ReadFileText(log);
  // The launcher returned only once the daemon serves: no polling needed.
  RpcClient c;
  ASSERT_TRUE(c.Connect(sock)) << ReadFileText(log);
  EXPECT_NE(c.Call(R"({"jsonrpc":"2.0","method":"ping","id":1})")
                .find("\"pong\":true"),
            std::string::npos);
  c.Close();
  std::string pid_text = ReadFileText(pid_file);
  pid_t pid = static_cast<pid_t>(atol(pid_text.c_str()));
  ASSERT_GT(pid, 1) << pid_text;
  EXPECT_EQ(pid_text, std::to_string(pid) + "\n");
  struct stat st;
  ASSERT_EQ(stat(pid_file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  ASSERT_EQ(stat(log.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  EXPECT_NE(getsid(pid), getsid(0)) << "the daemon has its own session";
  auto status = CallMethod(sock, "status");
  EXPECT_EQ(status["result"]["pid"].GetInt64(), pid);

  CommandResult s = RunCommand(Control("--status", pid_file));
  EXPECT_EQ(s.exit_code, 0) << s.out;
  EXPECT_NE(s.out.find("running (pid " + std::to_string(pid)),
            std::string::npos)
      << s.out;
  CommandResult r = RunCommand(Control("--reload", pid_file));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(WaitFor(
      [&] {
        return ReadFileText(log).find("configuration reloaded") !=
               std::string::npos;
      },
      3000));
  CommandResult stop = RunCommand(Control("--stop", pid_file));
  EXPECT_EQ(stop.exit_code, 0) << stop.out;
  EXPECT_FALSE(ProcessAlive(pid)) << "still running after --stop";
  EXPECT_FALSE(PathExists(pid_file));
  EXPECT_FALSE(PathExists(sock));
  CommandResult after = RunCommand(Control("--status", pid_file));
  EXPECT_EQ(after.exit_code, 3) << after.out;
  EXPECT_NE(after.out.find("not running"), std::string::npos);
}

TEST(OpsProcess, DaemonizeReportsWhyItCannotStart) {
  TempDir dir;
  std::string not_socket = dir.File("plain-file");
  WriteFileText(not_socket, "x");
  CommandResult launch = RunCommand(
      {DaemonBinary(), "--daemonize", "--socket", not_socket, "--pid-file",
       dir.File("p.pid"), "--log-file", dir.File("l.log")});
  EXPECT_EQ(launch.exit_code, 1) << launch.out;
  EXPECT_NE(launch.out.find("not a socket"), std::string::npos) << launch.out;
  EXPECT_FALSE(PathExists(dir.File("p.pid")));
}

TEST(OpsProcess, SecondDaemonOnTheSamePidFileRefuses) {
  TempDir dir;
  std::string pid_file = dir.File("goxel.pid");
  DaemonProcess first;
  ASSERT_TRUE(first.Start({"--pid-file", pid_file})) << first.Log();
  DaemonProcess second;
  ASSERT_TRUE(second.Spawn({DaemonBinary(), "--foreground", "--socket",
                            second.socket_path(), "--pid-file", pid_file}));
  int st = second.Wait(5000);
  ASSERT_TRUE(WIFEXITED(st)) << second.Log();
  EXPECT_EQ(WEXITSTATUS(st), 1);
  EXPECT_NE(second.Log().find("pid " + std::to_string(first.pid())),
            std::string::npos)
      << second.Log();
  EXPECT_FALSE(PathExists(second.socket_path()));
  EXPECT_EQ(ReadFileText(pid_file), std::to_string(first.pid()) + "\n");
  CommandResult s = RunCommand(Control("--status", pid_file));
  EXPECT_EQ(s.exit_code, 0) << s.out;
}

TEST(OpsProcess, StatusWithoutPidFileAsksTheSocket) {
  DaemonProcess d;
  ASSERT_TRUE(d.Start()) << d.Log();
  CommandResult s =
      RunCommand({DaemonBinary(), "--status", "--socket", d.socket_path()});
  EXPECT_EQ(s.exit_code, 0) << s.out;
  EXPECT_NE(s.out.find(std::to_string(d.pid())), std::string::npos) << s.out;
  CommandResult stop =
      RunCommand({DaemonBinary(), "--stop", "--socket", d.socket_path()});
  EXPECT_EQ(stop.exit_code, 0) << stop.out;
  int st = d.Wait(5000);
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << st;
  EXPECT_FALSE(PathExists(d.socket_path()));
}

TEST(OpsProcess, SighupReopensTheLogFileAfterRename) {
  TempDir dir;
  std::string log = dir.File("goxel.log");
  DaemonProcess d;
  ASSERT_TRUE(d.Start({"--log-file", log})) << d.Log();
  ASSERT_NE(ReadFileText(log).find("Daemon started successfully"),
            std::string::npos);
  ASSERT_EQ(rename(log.c_str(), dir.File("goxel.log.1").c_str()), 0);
  d.Signal(SIGHUP);
  ASSERT_TRUE(WaitFor([&] { return PathExists(log); }, 3000));
  EXPECT_TRUE(WaitFor(
      [&] {
        return ReadFileText(log).find("configuration reloaded") !=
               std::string::npos;
      },
      3000))
      << ReadFileText(log);
  d.Stop();
  EXPECT_NE(ReadFileText(log).find("Daemon stopped"), std::string::npos);
  EXPECT_EQ(ReadFileText(dir.File("goxel.log.1")).find("Daemon stopped"),
            std::string::npos);
}

TEST(OpsProcess, SighupReloadsLiveKeysAndLogsRestartKeys) {
  TempDir dir;
  std::string conf = dir.File("c.json");
  WriteFileText(conf, R"({"logging": {"level": "info"}})");
  DaemonProcess d;
  ASSERT_TRUE(d.Start({"--config", conf})) << d.Log();
  WriteFileText(conf, R"({"logging": {"level": "debug"},
                         "server": {"queue_size": 12}})");
  d.Signal(SIGHUP);
  ASSERT_TRUE(WaitFor(
      [&] {
        return d.Log().find("configuration reloaded") != std::string::npos;
      },
      3000));
  std::string log = d.Log();
  EXPECT_NE(log.find("\"applied\":\"logging.level\""), std::string::npos)
      << log;
  EXPECT_NE(log.find("\"key\":\"server.queue_size\""), std::string::npos)
      << log;
  auto cfg = CallMethod(d.socket_path(), "goxel.get_config");
  EXPECT_STREQ(cfg["result"]["logging"]["level"].GetString(), "debug");
  EXPECT_EQ(cfg["result"]["server"]["queue_size"].GetInt(), 1024);
  // An invalid file keeps the running configuration.
  WriteFileText(conf, R"({"logging": {"level": "loud"}})");
  d.Signal(SIGHUP);
  EXPECT_TRUE(WaitFor(
      [&] { return d.Log().find("reload failed") != std::string::npos; },
      3000));
  cfg = CallMethod(d.socket_path(), "goxel.get_config");
  EXPECT_STREQ(cfg["result"]["logging"]["level"].GetString(), "debug");
}

TEST(OpsProcess, Sigusr1WritesAStatusSnapshot) {
  DaemonProcess d;
  ASSERT_TRUE(d.Start()) << d.Log();
  d.Signal(SIGUSR1);
  EXPECT_TRUE(WaitFor(
      [&] { return d.Log().find("status snapshot") != std::string::npos; },
      3000));
  EXPECT_NE(d.Log().find("\"requests_total\""), std::string::npos);
}

TEST(OpsProcess, SlowRequestsAreLoggedAtInfoWithTimings) {
  TempDir dir;
  std::string conf = dir.File("c.json");
  WriteFileText(conf, R"({"logging": {"slow_request_ms": 100}})");
  DaemonProcess d;
  ASSERT_TRUE(d.Start({"--config", conf, "--enable-debug-methods"})) << d.Log();
  CallMethod(d.socket_path(), "debug.sleep", R"({"ms": 5})");
  CallMethod(d.socket_path(), "debug.sleep", R"({"ms": 150})");
  ASSERT_TRUE(WaitFor(
      [&] { return d.Log().find("slow request") != std::string::npos; }, 3000));
  std::string log = d.Log();
  size_t line_start = log.rfind('\n', log.find("slow request")) + 1;
  auto line = ParseJson(
      log.substr(line_start, log.find('\n', line_start) - line_start));
  ASSERT_TRUE(line.IsObject()) << log;
  EXPECT_STREQ(line["level"].GetString(), "info");
  EXPECT_STREQ(line["method"].GetString(), "debug.sleep");
  EXPECT_STREQ(line["id"].GetString(), "1");
  EXPECT_GE(line["processing_time_ms"].GetDouble(), 150.0);
  EXPECT_TRUE(line["queue_wait_ms"].IsNumber());
  // The fast one is below the threshold and the level is info: not logged.
  EXPECT_EQ(log.find("\"message\":\"request\""), std::string::npos) << log;
}

TEST(OpsProcess, AccessLogLogsEveryRequest) {
  TempDir dir;
  std::string conf = dir.File("c.json");
  WriteFileText(conf, R"({"logging": {"access_log": true}})");
  DaemonProcess d;
  ASSERT_TRUE(d.Start({"--config", conf})) << d.Log();
  CallMethod(d.socket_path(), "version");
  EXPECT_TRUE(WaitFor(
      [&] {
        return d.Log().find("\"method\":\"version\"") != std::string::npos;
      },
      3000))
      << d.Log();
}

TEST(OpsProcess, DropsPrivilegesAfterBindingWhenRoot) {
  ASSERT_EQ(geteuid(), 0u) << "this test drops privileges, so it must run "
                              "as root (scripts/test.sh does)";
  passwd* nobody = getpwnam("nobody");
  ASSERT_NE(nobody, nullptr);
  DaemonProcess d;
  chmod(d.dir().path().c_str(), 0777);  // so the daemon can remove its socket
  ASSERT_TRUE(d.Start({"--user", "nobody"})) << d.Log();
  std::string proc =
      ReadFileText("/proc/" + std::to_string(d.pid()) + "/status");
  std::string uid_line = proc.substr(proc.find("Uid:"));
  uid_line = uid_line.substr(0, uid_line.find('\n'));
  std::string want = std::to_string(nobody->pw_uid);
  EXPECT_EQ(uid_line, "Uid:\t" + want + "\t" + want + "\t" + want + "\t" + want)
      << uid_line;
  int st = d.Stop();
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << d.Log();
  EXPECT_FALSE(PathExists(d.socket_path()));
}

TEST(OpsProcess, TestLifecyclePassesAndReportsEachStep) {
  CommandResult r = RunCommand({DaemonBinary(), "--test-lifecycle"});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  for (const char* step :
       {"start", "ping", "pid-file", "reload", "stop", "clean-up"}) {
    EXPECT_NE(r.out.find(std::string("ok      ") + step), std::string::npos)
        << step << "\n"
        << r.out;
  }
  EXPECT_NE(r.out.find("passed"), std::string::npos);
}

TEST(OpsProcess, TestLifecycleNamesTheFailedStep) {
  // A TMPDIR that cannot hold a directory makes the first step fail.
  CommandResult r = RunCommand({DaemonBinary(), "--test-lifecycle"},
                               {"TMPDIR=/proc/self/nonexistent"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("FAILED at step \"tempdir\""), std::string::npos)
      << r.out;
}

}  // namespace
}  // namespace goxel::testing
