// Notify: the only caller of sd_notify in the daemon.
//
// Each function sends one datagram to $NOTIFY_SOCKET through libsystemd.
// With no NOTIFY_SOCKET (not started by systemd) they do nothing and return
// OK: that is the normal case, not an error. Built without libsystemd they
// are no-ops too (Available() says which).
//
// Main sends Ready() once the socket is bound and the pool runs, Status()
// every few seconds, Reloading() then Ready() around a SIGHUP reload,
// Stopping() when shutdown starts, Watchdog() from a loop timer only while
// the loop and the pool make progress, MainPid() after daemonizing.
//
// Thread contract: thread-safe (sd_notify is); call from the loop thread.
#ifndef GOXEL_OPS_NOTIFY_H_
#define GOXEL_OPS_NOTIFY_H_

#include <sys/types.h>

#include <cstdint>
#include <string_view>

#include "base/status.h"

namespace goxel::ops::notify {

// True when built with libsystemd.
bool Available();

// READY=1.
goxel::Status Ready();
// STATUS=<line>; newlines in `line` are replaced by spaces.
goxel::Status SetStatus(std::string_view line);
// RELOADING=1 and MONOTONIC_USEC=<now>, in one datagram.
goxel::Status Reloading();
// STOPPING=1.
goxel::Status Stopping();
// WATCHDOG=1.
goxel::Status Watchdog();
// MAINPID=<pid>; for the daemon after it forked away from its launcher.
goxel::Status MainPid(pid_t pid);

// The watchdog period in microseconds when systemd asked for one
// (WATCHDOG_USEC set, and WATCHDOG_PID unset or ours), else 0. Ping at
// half of it.
uint64_t WatchdogIntervalUsec();

}  // namespace goxel::ops::notify

#endif  // GOXEL_OPS_NOTIFY_H_
