// --test-lifecycle: a self-test of the installed binary.
//
// In a fresh temporary directory it starts `binary --foreground` with its
// own socket, PID file and log file (systemd's NOTIFY_SOCKET, LISTEN_* and
// WATCHDOG_* and every GOXEL_* variable removed, so the test never talks to
// a real service manager or picks up a deployment's config), then checks
// each step: the daemon serves a ping, its PID file names it, SIGHUP
// reloads (log line, still answering), SIGTERM stops it with exit 0, and
// the socket and PID file are gone. Prints one line per step and a verdict.
//
// Returns 0 when every step passed, 1 naming the first failed step.
// Thread contract: call from main before any thread starts (it forks).
#ifndef GOXEL_APP_SELF_TEST_H_
#define GOXEL_APP_SELF_TEST_H_

#include <cstdio>
#include <string>

namespace goxel::app {

int RunLifecycleSelfTest(const std::string& binary, FILE* out);

// The path of the running executable (/proc/self/exe), or "" if unknown.
std::string SelfExecutable();

}  // namespace goxel::app

#endif  // GOXEL_APP_SELF_TEST_H_
