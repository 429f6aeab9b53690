// Logger: structured JSON lines, one per event.
//
//   {"timestamp":"2025-01-26T10:30:00.000Z","level":"info",
//    "component":"server","message":"slow request","pid":12,"tid":14,
//    "method":"goxel.export","processing_time_ms":812.5}
//
// Goes to stderr by default, or to a file opened O_APPEND (created with mode
// 0640). Reopen() reopens the same path, for SIGHUP after logrotate renamed
// the file. In journald mode (stderr is the journal stream named by
// JOURNAL_STREAM) each line starts with a "<N>" syslog priority and carries
// no timestamp of its own, so `journalctl -p err` works.
//
// Thread contract: thread-safe. A filtered-out level costs one relaxed
// atomic load (check Enabled() before building expensive fields).
#ifndef GOXEL_OPS_LOG_H_
#define GOXEL_OPS_LOG_H_

#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/mutex.h"
#include "base/status.h"
#include "ops/log_level.h"

namespace goxel::ops {

// One key/value of an event. Views only: valid for the Log() call.
struct LogField {
  using Value = std::variant<int64_t, uint64_t, double, bool, std::string_view>;
  LogField(std::string_view k, int v) : key(k), value(int64_t{v}) {}
  LogField(std::string_view k, long v) : key(k), value(int64_t{v}) {}
  LogField(std::string_view k, long long v) : key(k), value(int64_t{v}) {}
  LogField(std::string_view k, unsigned v) : key(k), value(uint64_t{v}) {}
  LogField(std::string_view k, unsigned long v) : key(k), value(uint64_t{v}) {}
  LogField(std::string_view k, unsigned long long v)
      : key(k), value(uint64_t{v}) {}
  LogField(std::string_view k, double v) : key(k), value(v) {}
  LogField(std::string_view k, bool v) : key(k), value(v) {}
  LogField(std::string_view k, std::string_view v) : key(k), value(v) {}
  LogField(std::string_view k, const char* v)
      : key(k), value(std::string_view(v)) {}
  LogField(std::string_view k, const std::string& v)
      : key(k), value(std::string_view(v)) {}
  std::string_view key;
  Value value;
};

class Logger {
 public:
  // Starts on stderr at info level, journald mode detected from the process
  // environment.
  Logger();
  ~Logger();
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  // Switches to appending to `path` (created 0640 if missing). On error the
  // logger keeps its current output and returns IoError naming the path.
  Status OpenFile(const std::string& path);
  // Reopens the file given to OpenFile (no-op on stderr). Thread-safe.
  Status Reopen();
  // Back to stderr (closes any file).
  void UseStderr();
  // The file path, or "" on stderr.
  std::string path() const;

  void SetLevel(LogLevel level) {
    level_.store(static_cast<int>(level), std::memory_order_relaxed);
  }
  LogLevel level() const {
    return static_cast<LogLevel>(level_.load(std::memory_order_relaxed));
  }
  bool Enabled(LogLevel level) const {
    return static_cast<int>(level) >= level_.load(std::memory_order_relaxed);
  }
  // Journald mode applies only while writing to stderr.
  void SetJournalMode(bool on) { journal_.store(on); }
  // logging.include_timestamp / include_pid / include_thread_id.
  void SetIncludes(bool timestamp, bool pid, bool thread_id);

  // Writes one line if `level` is enabled. One write(2) per line.
  void Log(LogLevel level, std::string_view component, std::string_view message,
           std::initializer_list<LogField> fields = {});
  // The same with a Status's detail fields (or the server's), each one a
  // field of the line; lists become JSON arrays. A key that repeats one of
  // the line's own keys (timestamp, level, component, message, pid, tid)
  // is written as "field_KEY".
  void Log(LogLevel level, std::string_view component, std::string_view message,
           const std::vector<DetailField>& fields);
  void Debug(std::string_view c, std::string_view m,
             std::initializer_list<LogField> f = {}) {
    if (Enabled(LogLevel::kDebug)) Log(LogLevel::kDebug, c, m, f);
  }
  void Info(std::string_view c, std::string_view m,
            std::initializer_list<LogField> f = {}) {
    if (Enabled(LogLevel::kInfo)) Log(LogLevel::kInfo, c, m, f);
  }
  void Warning(std::string_view c, std::string_view m,
               std::initializer_list<LogField> f = {}) {
    if (Enabled(LogLevel::kWarning)) Log(LogLevel::kWarning, c, m, f);
  }
  void Error(std::string_view c, std::string_view m,
             std::initializer_list<LogField> f = {}) {
    if (Enabled(LogLevel::kError)) Log(LogLevel::kError, c, m, f);
  }

 private:
  // `fields` is the line's fields as JSON, each starting with a comma.
  std::string Format(LogLevel level, bool journal, std::string_view component,
                     std::string_view message, std::string_view fields) const;
  void Write(LogLevel level, std::string_view component,
             std::string_view message, std::string_view fields);

  std::atomic<int> level_{static_cast<int>(LogLevel::kInfo)};
  std::atomic<bool> journal_{false};
  std::atomic<bool> include_timestamp_{true};
  std::atomic<bool> include_pid_{true};
  std::atomic<bool> include_tid_{true};
  mutable Mutex mu_;
  int fd_ GUARDED_BY(mu_) = 2;  // 2 (stderr) or an owned file descriptor
  std::string path_ GUARDED_BY(mu_);
};

// The process-wide logger main configures and every module writes to.
Logger& DefaultLogger();

// True when `journal_stream` ("dev:ino", the JOURNAL_STREAM variable) names
// the file open on `fd`.
bool IsJournalStream(std::string_view journal_stream, int fd);

// Appends `s` to `out` as a JSON string (quotes included). Control
// characters are escaped; invalid UTF-8 bytes become U+FFFD.
void AppendJsonString(std::string_view s, std::string* out);

// "2025-01-26T10:30:00.123Z" for milliseconds since the epoch.
std::string Rfc3339Millis(int64_t wall_millis);

}  // namespace goxel::ops

#endif  // GOXEL_OPS_LOG_H_
