// LogLevel: the four levels of the daemon's logs, shared by Config and Log.
// Thread-safe (stateless).
#ifndef GOXEL_OPS_LOG_LEVEL_H_
#define GOXEL_OPS_LOG_LEVEL_H_

#include <optional>
#include <string_view>

namespace goxel::ops {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// "debug", "info", "warning", "error".
const char* LogLevelName(LogLevel level);

// Parses a level name; also accepts "warn". nullopt for anything else.
std::optional<LogLevel> ParseLogLevel(std::string_view name);

// The syslog priority journald uses for a level (7 debug … 3 error).
int SyslogPriority(LogLevel level);

}  // namespace goxel::ops

#endif  // GOXEL_OPS_LOG_LEVEL_H_
