// The goxel-daemon command line, parsed with CLI11 into a CommandLine.
//
// ParseCommandLine only checks the shape of the command line (known flags,
// arguments present, no conflicting actions). Values are kept as the text
// given and checked by LoadConfig (config_loader.h), so "-j many" and a file's
// "workers": "many" get the same kind of message.
//
// Exit codes (constants below): a malformed command line exits 2 (usage,
// like getopt tools and LSB init scripts); an invalid value from any source
// exits 1 (issue 3: invalid configuration exits 1).
//
// Thread contract: stateless functions; call from main before any thread.
#ifndef GOXEL_OPS_CLI_H_
#define GOXEL_OPS_CLI_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace goxel::ops {

inline constexpr int kExitOk = 0;
inline constexpr int kExitConfigError = 1;  // invalid configuration value
inline constexpr int kExitUsage = 2;        // malformed command line
inline constexpr int kExitNotRunning = 3;   // --status: LSB "not running"

// What main should do after parsing.
enum class CliAction {
  kRun,            // serve
  kHelp,           // print CommandLine::text to stdout, exit 0
  kVersion,        // print CommandLine::text to stdout, exit 0
  kStatus,         // --status
  kStop,           // --stop
  kReload,         // --reload
  kTestLifecycle,  // --test-lifecycle
  kPrintConfig,    // --print-config
};

// One value from the command line: the config key it sets, the flag as the
// user spelled it (for messages) and the raw text.
struct CliSetting {
  std::string key;   // "server.workers"
  std::string flag;  // "--workers"
  std::string text;  // "8"
};

struct CommandLine {
  CliAction action = CliAction::kRun;
  std::string text;  // help or version text when action is kHelp/kVersion
  std::optional<std::string> config_file;  // -c/--config
  // --optional-config: read when neither --config nor GOXEL_CONFIG_FILE
  // names a file; a file that does not exist means none (service units name
  // /etc/goxel/daemon_config.json this way, so they start without it).
  std::optional<std::string> optional_config_file;
  // Settings in the order of the config table: -s -p -l -w -u -g -j -q -m
  // -P --priority-queue --enable-debug-methods --log-level -D -f -V. Boolean
  // flags carry "true"/"false"; -V carries logging.level "debug" unless
  // --log-level is also given.
  std::vector<CliSetting> settings;
};

// Parses argv (argv[0] is the program name). Never throws. On a malformed
// command line returns InvalidParams whose message is ready to print
// followed by "run with --help"; main exits kExitUsage.
Result<CommandLine> ParseCommandLine(int argc, const char* const* argv,
                                     std::string_view version);

}  // namespace goxel::ops

#endif  // GOXEL_OPS_CLI_H_
