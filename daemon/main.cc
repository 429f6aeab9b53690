// goxel-daemon: parses the command line and the configuration, then runs
// the requested action: serve (app/daemon.h), --status/--stop/--reload
// (ops/control.h), --test-lifecycle (app/self_test.h), --print-config,
// --help, --version.
#include <signal.h>

#include <cstdio>
#include <string>

#include "app/daemon.h"
#include "app/self_test.h"
#include "ops/cli.h"
#include "ops/config_loader.h"
#include "ops/control.h"

#ifndef GOXEL_VERSION
#define GOXEL_VERSION "0.0.0"
#endif

namespace goxel {
namespace {

constexpr const char* kVersion = GOXEL_VERSION;

ops::ControlTarget TargetOf(const ops::Config& c) {
  ops::ControlTarget t;
  t.pid_file = c.pid_file;
  t.socket_path = c.socket_path;
  t.stop_timeout_ms = int64_t{c.shutdown_timeout_seconds} * 1000;
  return t;
}

int Main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);
  auto cli = ops::ParseCommandLine(argc, argv, kVersion);
  if (!cli.ok()) {
    fprintf(stderr, "goxel-daemon: %s\n", cli.status().message().c_str());
    return ops::kExitUsage;
  }
  if (cli->action == ops::CliAction::kHelp ||
      cli->action == ops::CliAction::kVersion) {
    fputs(cli->text.c_str(), stdout);
    return ops::kExitOk;
  }
  if (cli->action == ops::CliAction::kTestLifecycle) {
    std::string self = app::SelfExecutable();
    return app::RunLifecycleSelfTest(self.empty() ? argv[0] : self, stdout);
  }
  ops::EnvLookup env = ops::ProcessEnv();
  auto loaded = ops::LoadConfig(*cli, env);
  if (!loaded.ok()) {
    fprintf(stderr, "goxel-daemon: %s\n", loaded.status().message().c_str());
    return ops::kExitConfigError;
  }
  const ops::Config& config = loaded->config;
  switch (cli->action) {
    case ops::CliAction::kPrintConfig:
      for (const auto& w : loaded->warnings)
        fprintf(stderr, "goxel-daemon: warning: %s\n", w.c_str());
      fputs(ops::ConfigToJson(config).c_str(), stdout);
      fputc('\n', stdout);
      return ops::kExitOk;
    case ops::CliAction::kStatus:
      return ops::RunStatusCommand(TargetOf(config), stdout);
    case ops::CliAction::kStop:
      return ops::RunStopCommand(TargetOf(config), stdout);
    case ops::CliAction::kReload:
      return ops::RunReloadCommand(TargetOf(config), stdout);
    default:
      break;
  }
  app::Daemon daemon(std::move(*cli), std::move(env), std::move(*loaded),
                     kVersion);
  return daemon.Run();
}

}  // namespace
}  // namespace goxel

int main(int argc, char** argv) { return goxel::Main(argc, argv); }
