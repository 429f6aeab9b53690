// Building the effective Config: defaults < daemon_config.json < GOXEL_*
// environment < command line; printing it; changing it live.
//
// Errors name the key path, the value, and the file and line when the value
// came from a file: `server.workers: expected an integer 1..64, got "many"
// (/etc/goxel/daemon_config.json line 12)`. An environment value names the
// variable, a flag names the flag. Unknown keys are not errors: they come
// back as warnings for main to log. `_comment` keys are accepted anywhere.
//
// Thread contract: pure functions over values (the environment is passed in
// as a function), safe from any thread.
#ifndef GOXEL_OPS_CONFIG_LOADER_H_
#define GOXEL_OPS_CONFIG_LOADER_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "ops/cli.h"
#include "ops/config.h"

namespace goxel::ops {

// Looks an environment variable up; nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const char* name)>;

// The process environment (getenv).
EnvLookup ProcessEnv();
// A fixed map, for tests.
EnvLookup MapEnv(std::map<std::string, std::string> vars);

struct LoadedConfig {
  Config config;
  std::vector<std::string> warnings;  // "unknown key server.foo (FILE line 3)"
};

// The whole precedence chain. The file is --config, else GOXEL_CONFIG_FILE,
// else --optional-config when that file exists (a warning says when it does
// not), else none; a missing --config or GOXEL_CONFIG_FILE file is an error.
// After the layers, systemd's RUNTIME_DIRECTORY, STATE_DIRECTORY and
// CACHE_DIRECTORY (first entry) fill an unset socket_path (DIR/
// goxel-daemon.sock), data_directory and cache_directory. Then unset
// paths take their defaults: in the foreground the socket is
// /tmp/goxel-daemon.sock and there is no PID file and logs go to stderr;
// when daemonizing the current OS's `defaults` entry gives all three.
// Errors: InvalidParams (invalid value, missing file) or IoError.
Result<LoadedConfig> LoadConfig(const CommandLine& cli, const EnvLookup& env);

// Applies one daemon_config.json text onto `config`. `file_name` is used in
// messages only. Appends unknown-key warnings to `warnings`.
Status ApplyConfigText(std::string_view json, std::string_view file_name,
                       Config* config, std::vector<std::string>* warnings);

// The effective configuration as pretty JSON in the file's layout (every
// section and key; loading it back gives the same Config).
std::string ConfigToJson(const Config& config);

// Which keys differ between two configs, split by whether the change can be
// applied while running.
struct ConfigChange {
  std::vector<std::string> applied;           // live keys, changed
  std::vector<std::string> restart_required;  // keys needing a restart
};

// Every key whose value differs, in table order (for SIGHUP reload: main
// applies `applied` and logs `restart_required`).
ConfigChange DiffConfigs(const Config& before, const Config& after);

// goxel.set_config: `patch_json` is an object in the file's layout, either
// nested ({"logging": {"level": "debug"}}) or with dotted keys
// ({"logging.level": "debug"}). Validates everything first (nothing changes
// on error); then applies the live keys to *config and lists, without
// applying, the keys that need a restart. Unknown keys are errors here.
Result<ConfigChange> ApplyConfigPatch(std::string_view patch_json,
                                      Config* config);

}  // namespace goxel::ops

#endif  // GOXEL_OPS_CONFIG_LOADER_H_
