// sd_notify as systemd sees it: datagrams read from a bound SOCK_DGRAM
// socket named by NOTIFY_SOCKET; and socket activation through
// systemd-socket-activate.
#include <gtest/gtest.h>
#include <signal.h>
#include <time.h>

#include "integration/ops_support.h"

namespace goxel::testing {
namespace {

using Clock = std::chrono::steady_clock;

uint64_t MonotonicUsec() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000 +
         static_cast<uint64_t>(ts.tv_nsec) / 1000;
}

// The value of KEY= in a datagram, or "".
std::string Field(const std::string& datagram, const std::string& key) {
  size_t at = datagram.find(key + "=");
  if (at == std::string::npos) return "";
  size_t start = at + key.size() + 1;
  return datagram.substr(start, datagram.find('\n', start) - start);
}

TEST(OpsNotify, ReadyStatusReloadingAndStoppingReachTheNotifySocket) {
  TempDir dir;
  NotifyListener n(dir.File("notify.sock"));
  ASSERT_TRUE(n.ok());
  std::string conf = dir.File("c.json");
  WriteFileText(conf, R"({"monitoring": {"status_interval_seconds": 1}})");
  DaemonProcess d;
  ASSERT_TRUE(d.Start({"--config", conf}, {n.env()})) << d.Log();
  EXPECT_NE(n.WaitFor("READY=1", 5000), "") << d.Log();
  std::string status = n.WaitFor("STATUS=", 5000);
  EXPECT_NE(status.find("connections"), std::string::npos) << status;
  EXPECT_NE(status.find("queue"), std::string::npos) << status;
  EXPECT_NE(status.find("req/s"), std::string::npos) << status;
  // Refreshed every status_interval_seconds.
  EXPECT_NE(n.WaitFor("STATUS=", 3000), "") << "STATUS not refreshed";

  uint64_t before = MonotonicUsec();
  d.Signal(SIGHUP);
  std::string reloading = n.WaitFor("RELOADING=1", 5000);
  ASSERT_NE(reloading, "") << d.Log();
  uint64_t stamp = std::stoull("0" + Field(reloading, "MONOTONIC_USEC"));
  EXPECT_GE(stamp, before);
  EXPECT_LE(stamp, MonotonicUsec());
  EXPECT_NE(n.WaitFor("READY=1", 5000), "") << "no READY=1 after reload";

  d.Signal(SIGTERM);
  EXPECT_NE(n.WaitFor("STOPPING=1", 5000), "") << d.Log();
  int st = d.Wait(10000);
  ASSERT_TRUE(WIFEXITED(st)) << st;
  EXPECT_EQ(WEXITSTATUS(st), 0);
  for (const auto& datagram : n.all())
    EXPECT_EQ(datagram.find("WATCHDOG=1"), std::string::npos)
        << "watchdog ping without WATCHDOG_USEC";
}

// Datagrams with the time each arrived.
struct Timed {
  Clock::time_point at;
  std::string text;
};

std::vector<Timed> Collect(NotifyListener* n, int ms) {
  std::vector<Timed> out;
  auto deadline = Clock::now() + std::chrono::milliseconds(ms);
  while (Clock::now() < deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - Clock::now())
                    .count();
    std::string d = n->Next(static_cast<int>(std::max<int64_t>(left, 1)));
    if (!d.empty()) out.push_back({Clock::now(), d});
  }
  return out;
}

TEST(OpsNotify, WatchdogPingsOnlyWhileThePoolMakesProgress) {
  TempDir dir;
  NotifyListener n(dir.File("notify.sock"));
  ASSERT_TRUE(n.ok());
  DaemonProcess d;
  ASSERT_TRUE(d.Start({"--workers", "1", "--enable-debug-methods"},
                      {n.env(), "WATCHDOG_USEC=400000"}))
      << d.Log();
  ASSERT_NE(n.WaitFor("READY=1", 5000), "");
  // Healthy and idle: pings at about half the period.
  auto idle = Collect(&n, 1000);
  int idle_pings = 0;
  for (const auto& t : idle) idle_pings += t.text == "WATCHDOG=1";
  EXPECT_GE(idle_pings, 3) << "expected ~5 pings in 1 s";

  // Wedge the only worker, with more work queued behind it.
  RpcClient a, b;
  ASSERT_TRUE(a.Connect(d.socket_path()) && b.Connect(d.socket_path()));
  ASSERT_TRUE(a.Send(
      R"({"jsonrpc":"2.0","id":1,"method":"debug.sleep","params":{"ms":2500}})"
      "\n"));
  ASSERT_TRUE(WaitFor(
      [&] {
        auto s = CallMethod(d.socket_path(), "status");
        return Has(s, "result") && s["result"]["workers_busy"].GetInt() == 1;
      },
      5000))
      << d.Log();  // the worker took a's job
  ASSERT_TRUE(b.Send(
      R"({"jsonrpc":"2.0","id":2,"method":"debug.sleep","params":{"ms":1}})"
      "\n"));
  auto start = Clock::now();
  auto stuck = Collect(&n, 2300);
  for (const auto& t : stuck) {
    if (t.text != "WATCHDOG=1") continue;
    EXPECT_LT(t.at - start, std::chrono::milliseconds(700))
        << "pinged while the pool was stuck";
  }
  // The health check still answers from the loop thread meanwhile.
  EXPECT_TRUE(Has(CallMethod(d.socket_path(), "health"), "result"));
  EXPECT_NE(a.ReadLine(5000), "");
  EXPECT_NE(b.ReadLine(5000), "");
  EXPECT_NE(n.WaitFor("WATCHDOG=1", 2000), "") << "pings did not resume";
  EXPECT_NE(d.Log().find("makes no progress"), std::string::npos) << d.Log();
}

TEST(OpsNotify, SocketActivationUsesTheInheritedSocketAndLeavesItInPlace) {
  TempDir dir;
  NotifyListener n(dir.File("notify.sock"));
  ASSERT_TRUE(n.ok());
  DaemonProcess d;
  d.set_socket_path(dir.File("activated.sock"));
  ASSERT_TRUE(
      d.Spawn({"/usr/bin/systemd-socket-activate", "-l", d.socket_path(), "-E",
               n.env(), DaemonBinary(), "--foreground"}));
  ASSERT_TRUE(WaitFor([&] { return PathExists(d.socket_path()); }, 5000));
  // The first connection makes systemd-socket-activate exec the daemon.
  ASSERT_TRUE(d.WaitReady(10000)) << d.Log();
  EXPECT_NE(n.WaitFor("READY=1", 5000), "") << d.Log();
  auto status = CallMethod(d.socket_path(), "status");
  ASSERT_TRUE(status.HasMember("result")) << d.Log();
  EXPECT_EQ(std::string(status["result"]["socket"].GetString()),
            d.socket_path());
  EXPECT_EQ(status["result"]["pid"].GetInt64(), d.pid());
  EXPECT_NE(d.Log().find("handed over by systemd"), std::string::npos);
  int st = d.Stop();
  ASSERT_TRUE(WIFEXITED(st)) << st;
  EXPECT_EQ(WEXITSTATUS(st), 0);
  EXPECT_TRUE(PathExists(d.socket_path()))
      << "removed a socket systemd created";
}

}  // namespace
}  // namespace goxel::testing
