// --status, --stop and --reload: act on a running daemon from the command
// line.
//
// The daemon is found through its PID file (the flock() held on it tells a
// live daemon from a stale file) or, when no PID file is configured, through
// its socket: connecting and reading SO_PEERCRED gives the daemon's pid.
//
//   --status  prints "running (pid N)" and exits 0, or "not running" and
//             exits 3 (LSB init-script convention).
//   --stop    sends SIGTERM, waits up to the timeout for the daemon to
//             drain and exit, then SIGKILLs it; afterwards removes a PID file
//             and socket a killed daemon left behind. Exit 0 when stopped
//             (or already stopped), 1 otherwise.
//   --reload  sends SIGHUP (reopen logs, reload the config file). Exit 0,
//             or 3 when not running.
//
// Thread contract: plain functions for main; they print to `out`.
#ifndef GOXEL_OPS_CONTROL_H_
#define GOXEL_OPS_CONTROL_H_

#include <sys/types.h>

#include <cstdint>
#include <cstdio>
#include <string>

namespace goxel::ops {

struct ControlTarget {
  std::string pid_file;     // "" when none is configured
  std::string socket_path;  // used when there is no PID file
  int64_t stop_timeout_ms = 10000;
};

// The running daemon's pid, or 0 when none runs. `how` says where it was
// found ("PID file /run/x.pid", "socket /tmp/x.sock") or why not.
pid_t FindRunningDaemon(const ControlTarget& target, std::string* how);

int RunStatusCommand(const ControlTarget& target, FILE* out);
int RunStopCommand(const ControlTarget& target, FILE* out);
int RunReloadCommand(const ControlTarget& target, FILE* out);

}  // namespace goxel::ops

#endif  // GOXEL_OPS_CONTROL_H_
