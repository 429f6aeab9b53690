#include "ops/notify.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <optional>
#include <string>

#include "base/clock.h"

namespace goxel::ops {
namespace {

// Sets an environment variable for the test's scope; restores it after.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      setenv(name, value, 1);
    } else {
      unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// A datagram socket standing in for systemd's notification socket.
class NotifySocketTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = "/tmp/goxel-ops-notify-" + std::to_string(getpid()) + ".sock";
    unlink(path_.c_str());
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(fd_, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path_.c_str());
    ASSERT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    env_.emplace("NOTIFY_SOCKET", path_.c_str());
  }
  void TearDown() override {
    env_.reset();
    close(fd_);
    unlink(path_.c_str());
  }
  // The next datagram, or nullopt after 1 s.
  std::optional<std::string> Receive() {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 1000) != 1) return std::nullopt;
    char buf[4096];
    ssize_t n = recv(fd_, buf, sizeof buf, 0);
    if (n < 0) return std::nullopt;
    return std::string(buf, static_cast<size_t>(n));
  }
  std::string path_;
  int fd_ = -1;
  std::optional<ScopedEnv> env_;
};

TEST_F(NotifySocketTest, SendsEachStateAsSystemdReadsIt) {
  ASSERT_TRUE(notify::Ready().ok());
  ASSERT_TRUE(notify::SetStatus("3 connections\nqueue 0").ok());
  ASSERT_TRUE(notify::Stopping().ok());
  ASSERT_TRUE(notify::Watchdog().ok());
  ASSERT_TRUE(notify::MainPid(4242).ok());
  if (!notify::Available()) {
    EXPECT_EQ(Receive(), std::nullopt);  // built without libsystemd
    return;
  }
  EXPECT_EQ(Receive(), "READY=1");
  EXPECT_EQ(Receive(), "STATUS=3 connections queue 0");
  EXPECT_EQ(Receive(), "STOPPING=1");
  EXPECT_EQ(Receive(), "WATCHDOG=1");
  EXPECT_EQ(Receive(), "MAINPID=4242");
}

TEST_F(NotifySocketTest, ReloadingCarriesTheMonotonicClock) {
  uint64_t before = MonotonicNanos() / 1000;
  ASSERT_TRUE(notify::Reloading().ok());
  uint64_t after = MonotonicNanos() / 1000;
  std::optional<std::string> msg = Receive();
  if (!notify::Available()) {
    EXPECT_EQ(msg, std::nullopt);
    return;
  }
  ASSERT_TRUE(msg.has_value());
  const std::string prefix = "RELOADING=1\nMONOTONIC_USEC=";
  ASSERT_EQ(msg->substr(0, prefix.size()), prefix);
  uint64_t usec = std::stoull(msg->substr(prefix.size()));
  EXPECT_GE(usec, before);
  EXPECT_LE(usec, after);
}

TEST(Notify, NoNotifySocketIsNotAnError) {
  ScopedEnv env("NOTIFY_SOCKET", nullptr);
  EXPECT_TRUE(notify::Ready().ok());
  EXPECT_TRUE(notify::Stopping().ok());
}

TEST(Notify, WatchdogIntervalFollowsTheEnvironment) {
  ScopedEnv pid("WATCHDOG_PID", nullptr);
  {
    ScopedEnv usec("WATCHDOG_USEC", nullptr);
    EXPECT_EQ(notify::WatchdogIntervalUsec(), 0u);
  }
  ScopedEnv usec("WATCHDOG_USEC", "2000000");
  EXPECT_EQ(notify::WatchdogIntervalUsec(),
            notify::Available() ? 2000000u : 0u);
  std::string other = std::to_string(getpid() + 1);
  ScopedEnv not_ours("WATCHDOG_PID", other.c_str());
  EXPECT_EQ(notify::WatchdogIntervalUsec(), 0u);
}

}  // namespace
}  // namespace goxel::ops
