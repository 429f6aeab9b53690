#include "ops/log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "base/clock.h"

namespace goxel::ops {
namespace {

int64_t ThreadId() {
  thread_local const int64_t tid = static_cast<int64_t>(syscall(SYS_gettid));
  return tid;
}

// Length of the valid UTF-8 sequence at s[i], or 0 when invalid.
size_t Utf8Length(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
  if (c > 0xF4 || n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  }
  unsigned char c1 = byte(i + 1);
  if (c == 0xE0 && c1 < 0xA0) return 0;  // overlong
  if (c == 0xED && c1 > 0x9F) return 0;  // surrogates
  if (c == 0xF0 && c1 < 0x90) return 0;  // overlong
  if (c == 0xF4 && c1 > 0x8F) return 0;  // > U+10FFFF
  return n;
}

void AppendValue(const LogField::Value& v, std::string* out) {
  char buf[32];
  if (const int64_t* i = std::get_if<int64_t>(&v)) {
    out->append(buf, std::to_chars(buf, buf + sizeof buf, *i).ptr);
  } else if (const uint64_t* u = std::get_if<uint64_t>(&v)) {
    out->append(buf, std::to_chars(buf, buf + sizeof buf, *u).ptr);
  } else if (const double* d = std::get_if<double>(&v)) {
    if (!std::isfinite(*d)) {
      out->append("null");
    } else {
      out->append(buf, std::to_chars(buf, buf + sizeof buf, *d).ptr);
    }
  } else if (const bool* b = std::get_if<bool>(&v)) {
    out->append(*b ? "true" : "false");
  } else {
    AppendJsonString(std::get<std::string_view>(v), out);
  }
}

// A detail field's value (base/status.h) as JSON.
void AppendDetailValue(const DetailValue& v, std::string* out) {
  if (const auto* i = std::get_if<int64_t>(&v)) return AppendValue(*i, out);
  if (const auto* d = std::get_if<double>(&v)) return AppendValue(*d, out);
  if (const auto* b = std::get_if<bool>(&v)) return AppendValue(*b, out);
  if (const auto* s = std::get_if<std::string>(&v))
    return AppendJsonString(*s, out);
  out->push_back('[');
  if (const auto* ss = std::get_if<std::vector<std::string>>(&v)) {
    for (size_t k = 0; k < ss->size(); ++k) {
      if (k) out->push_back(',');
      AppendJsonString((*ss)[k], out);
    }
  } else {
    const auto& is = std::get<std::vector<int64_t>>(v);
    for (size_t k = 0; k < is.size(); ++k) {
      if (k) out->push_back(',');
      AppendValue(is[k], out);
    }
  }
  out->push_back(']');
}

// A field key, renamed when it would repeat one of the line's own keys.
void AppendKey(std::string_view key, std::string* out) {
  static constexpr std::string_view kOwn[] = {"timestamp", "level", "component",
                                              "message",   "pid",   "tid"};
  out->push_back(',');
  for (std::string_view own : kOwn) {
    if (key == own) {
      AppendJsonString("field_" + std::string(key), out);
      out->push_back(':');
      return;
    }
  }
  AppendJsonString(key, out);
  out->push_back(':');
}

void WriteAll(int fd, const std::string& line) {
  size_t done = 0;
  while (done < line.size()) {
    ssize_t n = write(fd, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // nowhere to report a failing log; drop the line
    done += static_cast<size_t>(n);
  }
}

Result<int> OpenLogFile(const std::string& path) {
  int fd = open(path.c_str(),
                O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
  if (fd >= 0) {
    fchmod(fd, 0640);  // exactly 0640 whatever the umask
    return fd;
  }
  if (errno == EEXIST) {
    fd = open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd >= 0) return fd;
  }
  return Status::IoError("cannot open log file " + path + ": " +
                         std::strerror(errno))
      .With("path", path);
}

}  // namespace

void AppendJsonString(std::string_view s, std::string* out) {
  static const char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      size_t n = Utf8Length(s, i);
      if (n == 0) {
        out->append("\xEF\xBF\xBD");  // U+FFFD
        ++i;
      } else {
        out->append(s.substr(i, n));
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          out->append("\\u00");
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 15]);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
  out->push_back('"');
}

std::string Rfc3339Millis(int64_t wall_millis) {
  time_t secs = static_cast<time_t>(wall_millis / 1000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                tm.tm_min, tm.tm_sec, static_cast<int>(wall_millis % 1000));
  return buf;
}

bool IsJournalStream(std::string_view journal_stream, int fd) {
  if (journal_stream.empty()) return false;
  struct stat st;
  if (fstat(fd, &st) != 0) return false;
  unsigned long long dev = 0, ino = 0;
  std::string copy(journal_stream);
  char tail = 0;
  if (std::sscanf(copy.c_str(), "%llu:%llu%c", &dev, &ino, &tail) != 2) {
    return false;
  }
  return dev == static_cast<unsigned long long>(st.st_dev) &&
         ino == static_cast<unsigned long long>(st.st_ino);
}

Logger::Logger() {
  const char* js = std::getenv("JOURNAL_STREAM");
  journal_.store(js != nullptr && IsJournalStream(js, 2));
}

Logger::~Logger() {
  MutexLock lock(&mu_);
  if (fd_ != 2) close(fd_);
}

Status Logger::OpenFile(const std::string& path) {
  Result<int> fd = OpenLogFile(path);
  if (!fd.ok()) return fd.status();
  MutexLock lock(&mu_);
  if (fd_ != 2) close(fd_);
  fd_ = *fd;
  path_ = path;
  return Status::Ok();
}

Status Logger::Reopen() {
  std::string path = this->path();
  if (path.empty()) return Status::Ok();
  return OpenFile(path);
}

void Logger::UseStderr() {
  MutexLock lock(&mu_);
  if (fd_ != 2) close(fd_);
  fd_ = 2;
  path_.clear();
}

std::string Logger::path() const {
  MutexLock lock(&mu_);
  return path_;
}

void Logger::SetIncludes(bool timestamp, bool pid, bool thread_id) {
  include_timestamp_.store(timestamp);
  include_pid_.store(pid);
  include_tid_.store(thread_id);
}

std::string Logger::Format(LogLevel level, bool journal,
                           std::string_view component, std::string_view message,
                           std::string_view fields) const {
  std::string line;
  line.reserve(160);
  if (journal) {
    line += '<';
    line += static_cast<char>('0' + SyslogPriority(level));
    line += '>';
  }
  line += '{';
  if (!journal && include_timestamp_.load(std::memory_order_relaxed)) {
    line += "\"timestamp\":\"" + Rfc3339Millis(WallMillis()) + "\",";
  }
  line += "\"level\":\"";
  line += LogLevelName(level);
  line += "\",\"component\":";
  AppendJsonString(component, &line);
  line += ",\"message\":";
  AppendJsonString(message, &line);
  if (include_pid_.load(std::memory_order_relaxed)) {
    line += ",\"pid\":" + std::to_string(getpid());
  }
  if (include_tid_.load(std::memory_order_relaxed)) {
    line += ",\"tid\":" + std::to_string(ThreadId());
  }
  line += fields;
  line += "}\n";
  return line;
}

void Logger::Log(LogLevel level, std::string_view component,
                 std::string_view message,
                 std::initializer_list<LogField> fields) {
  if (!Enabled(level)) return;
  std::string text;
  for (const LogField& f : fields) {
    AppendKey(f.key, &text);
    AppendValue(f.value, &text);
  }
  Write(level, component, message, text);
}

void Logger::Log(LogLevel level, std::string_view component,
                 std::string_view message,
                 const std::vector<DetailField>& fields) {
  if (!Enabled(level)) return;
  std::string text;
  for (const DetailField& f : fields) {
    AppendKey(f.key, &text);
    AppendDetailValue(f.value, &text);
  }
  Write(level, component, message, text);
}

void Logger::Write(LogLevel level, std::string_view component,
                   std::string_view message, std::string_view fields) {
  bool on_stderr;
  {
    MutexLock lock(&mu_);
    on_stderr = fd_ == 2;
  }
  bool journal = on_stderr && journal_.load(std::memory_order_relaxed);
  std::string line = Format(level, journal, component, message, fields);
  MutexLock lock(&mu_);  // held across write so Reopen cannot close fd_
  WriteAll(fd_, line);
}

Logger& DefaultLogger() {
  static Logger* logger = new Logger();  // never destroyed: used until exit
  return *logger;
}

}  // namespace goxel::ops
