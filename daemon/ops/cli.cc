#include "ops/cli.h"

#include <CLI/CLI.hpp>
#include <utility>

namespace goxel::ops {
namespace {

constexpr const char* kFooter = R"(
Precedence: command-line flags > GOXEL_* environment > --config file > defaults.
The file is --config, else GOXEL_CONFIG_FILE, else --optional-config if it
  exists. Under systemd, RUNTIME_DIRECTORY, STATE_DIRECTORY and CACHE_DIRECTORY
  give the defaults of the socket's directory, data_directory, cache_directory.
Environment: GOXEL_CONFIG_FILE, GOXEL_SOCKET_PATH, GOXEL_PID_FILE, GOXEL_LOG_FILE,
  GOXEL_LOG_LEVEL, GOXEL_MAX_WORKERS, GOXEL_QUEUE_SIZE, GOXEL_MAX_CONNECTIONS,
  GOXEL_WORKING_DIR, GOXEL_DATA_DIR, GOXEL_DAEMON_USER, GOXEL_DAEMON_GROUP.
Exit codes: 0 ok, 1 invalid configuration or failure, 2 bad command line,
  3 (--status) not running.)";

// A string-valued flag and the config key it sets.
struct ValueFlag {
  const char* names;  // CLI11 spelling, "-s,--socket"
  const char* flag;   // for messages, "--socket"
  const char* key;    // config key path
  const char* help;
  std::string text;
  CLI::Option* option = nullptr;
};

struct ActionFlag {
  const char* names;
  CliAction action;
  const char* help;
  bool set = false;
};

struct Flags {
  std::vector<ValueFlag> values = {
      {"-s,--socket",
       "--socket",
       "daemon.socket_path",
       "Unix socket path (default /tmp/goxel-daemon.sock in the foreground)",
       {}},
      {"-p,--pid-file",
       "--pid-file",
       "daemon.pid_file",
       "PID file, written atomically and locked",
       {}},
      {"-l,--log-file",
       "--log-file",
       "daemon.log_file",
       "Log file (JSON lines; default stderr)",
       {}},
      {"-w,--working-dir",
       "--working-dir",
       "daemon.working_dir",
       "Directory to change to",
       {}},
      {"--data-dir",
       "--data-dir",
       "paths.data_directory",
       "Data directory: relative request paths resolve here (default: the "
       "service's StateDirectory, else $XDG_DATA_HOME/goxel in the "
       "foreground, /var/lib/goxel with --daemonize)",
       {}},
      {"-u,--user",
       "--user",
       "daemon.user",
       "User to run as after binding (when started as root)",
       {}},
      {"-g,--group",
       "--group",
       "daemon.group",
       "Group to run as after binding (when started as root)",
       {}},
      {"-j,--workers",
       "--workers",
       "server.workers",
       "Worker threads, 1..64 (default 4)",
       {}},
      {"-q,--queue-size",
       "--queue-size",
       "server.queue_size",
       "Request queue size, 1..65536 (default 1024)",
       {}},
      {"-m,--max-connections",
       "--max-connections",
       "server.max_connections",
       "Maximum connections, 1..65536 (default 256)",
       {}},
      {"-P,--protocol",
       "--protocol",
       "server.protocol",
       "Protocol: auto or jsonrpc (default auto; JSON-RPC 2.0)",
       {}},
      {"--log-level",
       "--log-level",
       "logging.level",
       "Log level: debug, info, warning, error (default info)",
       {}},
  };
  std::vector<ActionFlag> actions = {
      {"--status", CliAction::kStatus,
       "Exit 0 if a daemon is running (per the PID file), 3 if not"},
      {"--stop", CliAction::kStop,
       "Stop the running daemon (TERM, then KILL after the shutdown timeout)"},
      {"--reload", CliAction::kReload,
       "Ask the running daemon to reload its configuration (HUP)"},
      {"--test-lifecycle", CliAction::kTestLifecycle,
       "Self-test: start, ping, reload, stop a daemon in a temporary dir"},
      {"--print-config", CliAction::kPrintConfig,
       "Print the effective configuration as JSON and exit"},
  };
  std::string config_file;
  std::string optional_config_file;
  bool version = false, verbose = false, daemonize = false, foreground = false;
  bool priority_queue = false, debug_methods = false;
};

void Declare(CLI::App& app, Flags& f) {
  app.set_help_flag("-h,--help", "Print this help and exit");
  app.footer(kFooter);
  app.add_flag("-v,--version", f.version, "Print the version and exit");
  app.add_flag("-V,--verbose", f.verbose, "Log at debug level");
  app.add_flag("-D,--daemonize", f.daemonize,
               "Run in the background; exit once the daemon serves");
  app.add_flag("-f,--foreground", f.foreground, "Stay in the foreground");
  app.add_option("-c,--config", f.config_file, "daemon_config.json to read");
  app.add_option("--optional-config", f.optional_config_file,
                 "daemon_config.json to read if it exists, when neither "
                 "--config nor GOXEL_CONFIG_FILE names one");
  for (ValueFlag& v : f.values) {
    v.option = app.add_option(v.names, v.text, v.help);
  }
  app.add_flag("--priority-queue", f.priority_queue,
               "Enable the priority queue");
  app.add_flag("--enable-debug-methods", f.debug_methods,
               "Add debug.* methods (tests and benchmarks)");
  for (ActionFlag& a : f.actions) app.add_flag(a.names, a.set, a.help);
}

Result<CommandLine> Collect(const CLI::App& app, Flags& f) {
  CommandLine cl;
  if (f.version) {
    cl.action = CliAction::kVersion;
    return cl;
  }
  int actions = 0;
  for (const ActionFlag& a : f.actions) {
    if (!a.set) continue;
    ++actions;
    cl.action = a.action;
  }
  if (actions > 1) {
    return Status::InvalidParams(
        "--status, --stop, --reload, --test-lifecycle and --print-config "
        "exclude each other");
  }
  if (f.daemonize && f.foreground) {
    return Status::InvalidParams(
        "--daemonize and --foreground exclude "
        "each other");
  }
  if (app.count("--config") > 0) cl.config_file = f.config_file;
  if (app.count("--optional-config") > 0) {
    if (f.optional_config_file.empty()) {
      return Status::InvalidParams("--optional-config: expected a file name");
    }
    cl.optional_config_file = f.optional_config_file;
  }
  bool level_given = false;
  for (const ValueFlag& v : f.values) {
    if (v.option->count() == 0) continue;
    cl.settings.push_back({v.key, v.flag, v.text});
    level_given |= std::string_view(v.key) == "logging.level";
  }
  if (f.priority_queue) {
    cl.settings.push_back(
        {"server.enable_priority_queue", "--priority-queue", "true"});
  }
  if (f.debug_methods) {
    cl.settings.push_back(
        {"server.enable_debug_methods", "--enable-debug-methods", "true"});
  }
  if (f.verbose && !level_given) {
    cl.settings.push_back({"logging.level", "--verbose", "debug"});
  }
  if (f.daemonize) cl.settings.push_back({"daemon.daemonize", "-D", "true"});
  if (f.foreground) {
    cl.settings.push_back({"daemon.daemonize", "--foreground", "false"});
  }
  return cl;
}

}  // namespace

Result<CommandLine> ParseCommandLine(int argc, const char* const* argv,
                                     std::string_view version) {
  CLI::App app(
      "goxel-daemon: a headless voxel engine over JSON-RPC 2.0 on a "
      "Unix socket",
      argc > 0 ? argv[0] : "goxel-daemon");
  Flags flags;
  Declare(app, flags);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    CommandLine cl;
    cl.action = CliAction::kHelp;
    cl.text = app.help();
    return cl;
  } catch (const CLI::ParseError& e) {
    return Status::InvalidParams(e.what());
  } catch (const std::exception& e) {  // CLI11 may throw others (bad_alloc)
    return Status::InvalidParams(e.what());
  }
  Result<CommandLine> cl = Collect(app, flags);
  if (cl.ok() && cl->action == CliAction::kVersion) {
    cl->text = "goxel-daemon " + std::string(version) + "\n";
  }
  return cl;
}

}  // namespace goxel::ops
