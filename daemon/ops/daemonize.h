// Daemonize: fork into the background with a readiness channel, and drop
// privileges.
//
// Daemonize() forks, setsid()s and forks again. The launching process then
// waits on a socketpair until the daemon reports: NotifyParentReady() makes
// it exit 0 (so scripts can connect at once); NotifyParentFailed(message)
// makes it print the message to stderr and exit 1; a daemon that dies or
// stays silent past the timeout makes it exit 1 with a message saying so.
// Only the daemon (grandchild) returns from Daemonize(): in the foreground
// case main never calls it, and the Notify functions are no-ops.
//
// Suggested order in main: config → Daemonize → log file → PID file → bind
// → DropPrivileges → pool → NotifyParentReady + notify::Ready/MainPid.
//
// Thread contract: call before any thread is started (fork).
#ifndef GOXEL_OPS_DAEMONIZE_H_
#define GOXEL_OPS_DAEMONIZE_H_

#include <string>
#include <string_view>

#include "base/status.h"

namespace goxel::ops {

struct DaemonizeOptions {
  std::string working_dir = "/";  // chdir target in the daemon
  bool redirect_stdio = true;     // stdin/stdout/stderr to /dev/null
  int ready_timeout_ms = 30000;   // how long the launcher waits
};

// Returns in the daemon only (OK), or with an error before forking (pipe or
// fork failed). The launcher never returns: it exits as described above.
// A chdir failure in the daemon is reported through the channel.
Status Daemonize(const DaemonizeOptions& options);

// Tells the launcher the daemon serves; it exits 0. Closes the channel.
// No-op when not daemonized or already notified.
void NotifyParentReady();

// Tells the launcher why the daemon cannot start; it prints `message` and
// exits 1. Closes the channel. No-op when not daemonized.
void NotifyParentFailed(std::string_view message);

// The launcher's side, exposed for tests: waits on `fd` for the daemon's
// report. Returns the exit code (0 ready, 1 otherwise) and fills `message`
// with the reason on failure.
int WaitForDaemonReady(int fd, int timeout_ms, std::string* message);

// Switches to `user` and `group` (group "" = the user's primary group) with
// initgroups, setgid, setuid. As root: errors name an unknown user or group.
// Not root: OK when `user` is "" or already the current user (and likewise
// for the group), else an error saying root is needed. Call after binding.
Status DropPrivileges(const std::string& user, const std::string& group);

}  // namespace goxel::ops

#endif  // GOXEL_OPS_DAEMONIZE_H_
