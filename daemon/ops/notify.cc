#include "ops/notify.h"

#include <cerrno>
#include <cstring>
#include <string>

#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "base/clock.h"

namespace goxel::ops::notify {
namespace {

goxel::Status Send(const std::string& state) {
#ifdef HAVE_LIBSYSTEMD
  int r = sd_notify(0, state.c_str());
  if (r < 0) {
    return goxel::Status::IoError("sd_notify failed: " +
                                  std::string(std::strerror(-r)));
  }
#else
  (void)state;
#endif
  return goxel::Status::Ok();  // r == 0: no NOTIFY_SOCKET, which is normal
}

}  // namespace

bool Available() {
#ifdef HAVE_LIBSYSTEMD
  return true;
#else
  return false;
#endif
}

goxel::Status Ready() { return Send("READY=1"); }

goxel::Status SetStatus(std::string_view line) {
  std::string state = "STATUS=";
  for (char c : line) state += (c == '\n' || c == '\r') ? ' ' : c;
  return Send(state);
}

goxel::Status Reloading() {
  return Send("RELOADING=1\nMONOTONIC_USEC=" +
              std::to_string(MonotonicNanos() / 1000));
}

goxel::Status Stopping() { return Send("STOPPING=1"); }

goxel::Status Watchdog() { return Send("WATCHDOG=1"); }

goxel::Status MainPid(pid_t pid) {
  return Send("MAINPID=" + std::to_string(pid));
}

uint64_t WatchdogIntervalUsec() {
#ifdef HAVE_LIBSYSTEMD
  uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) > 0) return usec;
#endif
  return 0;
}

}  // namespace goxel::ops::notify
