#include "ops/config_schema.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cinttypes>
#include <cstdio>
#include <optional>
#include <utility>

#include "ops/memory_limit.h"

namespace goxel::ops {
namespace {

using rapidjson::Value;
using Alloc = rapidjson::Document::AllocatorType;

// An accessor for a Config member usable on const and non-const Configs.
#define GOXEL_FIELD(expr) \
  [](auto& c) -> auto& { return c.expr; }

Status Expected(std::string what) {
  return Status::InvalidParams("expected " + std::move(what));
}

template <typename Access>
FieldSpec IntField(std::string path, Access acc, int64_t min, int64_t max,
                   bool live) {
  FieldSpec f{std::move(path), FieldKind::kInt, live, true, nullptr, nullptr};
  f.set = [acc, min, max](const Value& v, Config* c) -> Status {
    if (!v.IsInt64() || v.GetInt64() < min || v.GetInt64() > max) {
      return Expected("an integer " + std::to_string(min) + ".." +
                      std::to_string(max));
    }
    acc(*c) =
        static_cast<std::remove_reference_t<decltype(acc(*c))>>(v.GetInt64());
    return Status::Ok();
  };
  f.get = [acc](const Config& c, Alloc&) {
    return Value(static_cast<int64_t>(acc(c)));
  };
  return f;
}

// A size given in MiB in the file and kept in bytes in Config.
template <typename Access>
FieldSpec MibField(std::string path, Access acc, int64_t min, int64_t max,
                   bool live) {
  FieldSpec f{std::move(path), FieldKind::kInt, live, true, nullptr, nullptr};
  f.set = [acc, min, max](const Value& v, Config* c) -> Status {
    if (!v.IsInt64() || v.GetInt64() < min || v.GetInt64() > max) {
      return Expected("an integer number of MiB " + std::to_string(min) + ".." +
                      std::to_string(max));
    }
    acc(*c) = v.GetInt64() << 20;
    return Status::Ok();
  };
  f.get = [acc](const Config& c, Alloc&) {
    return Value(static_cast<int64_t>(acc(c) >> 20));
  };
  return f;
}

template <typename Access>
FieldSpec DoubleField(std::string path, Access acc, double min, double max,
                      bool live) {
  FieldSpec f{std::move(path), FieldKind::kDouble, live, true, nullptr,
              nullptr};
  f.set = [acc, min, max](const Value& v, Config* c) -> Status {
    if (!v.IsNumber() || v.GetDouble() < min || v.GetDouble() > max) {
      char buf[96];
      std::snprintf(buf, sizeof buf, "a number %g..%g", min, max);
      return Expected(buf);
    }
    acc(*c) = v.GetDouble();
    return Status::Ok();
  };
  f.get = [acc](const Config& c, Alloc&) { return Value(acc(c)); };
  return f;
}

template <typename Access>
FieldSpec BoolField(std::string path, Access acc, bool live) {
  FieldSpec f{std::move(path), FieldKind::kBool, live, true, nullptr, nullptr};
  f.set = [acc](const Value& v, Config* c) -> Status {
    if (!v.IsBool()) return Expected("true or false");
    acc(*c) = v.GetBool();
    return Status::Ok();
  };
  f.get = [acc](const Config& c, Alloc&) { return Value(acc(c)); };
  return f;
}

// A string; `max_len` 0 means no limit.
template <typename Access>
FieldSpec StringField(std::string path, Access acc, bool live,
                      size_t max_len = 0) {
  FieldSpec f{std::move(path), FieldKind::kString, live, true, nullptr,
              nullptr};
  f.set = [acc, max_len](const Value& v, Config* c) -> Status {
    if (!v.IsString()) return Expected("a string");
    if (max_len != 0 && v.GetStringLength() > max_len) {
      return Expected("a path of at most " + std::to_string(max_len) +
                      " bytes (the Unix socket limit)");
    }
    acc(*c) = std::string(v.GetString(), v.GetStringLength());
    return Status::Ok();
  };
  f.get = [acc](const Config& c, Alloc& a) {
    return Value(acc(c).c_str(),
                 static_cast<rapidjson::SizeType>(acc(c).size()), a);
  };
  return f;
}

// A string out of a fixed set, stored as T through parse/name functions.
template <typename Access, typename Parse, typename Name>
FieldSpec ChoiceField(std::string path, Access acc, bool live,
                      std::string choices, Parse parse, Name name) {
  FieldSpec f{std::move(path), FieldKind::kString, live, true, nullptr,
              nullptr};
  f.set = [acc, choices, parse](const Value& v, Config* c) -> Status {
    auto parsed =
        v.IsString()
            ? parse(std::string_view(v.GetString(), v.GetStringLength()))
            : std::nullopt;
    if (!parsed) return Expected("one of " + choices);
    acc(*c) = *parsed;
    return Status::Ok();
  };
  f.get = [acc, name](const Config& c, Alloc& a) {
    return Value(name(acc(c)), a);
  };
  return f;
}

std::optional<Protocol> ParseProtocol(std::string_view s) {
  if (s == "auto") return Protocol::kAuto;
  if (s == "jsonrpc") return Protocol::kJsonRpc;
  // "mcp" is refused: the daemon speaks JSON-RPC 2.0 only; MCP servers
  // reach it through scripts/mcp_daemon_manager.js.
  return std::nullopt;
}

std::optional<std::string> ParseOnly(std::string_view s, const char* only) {
  if (s == only) return std::string(s);
  return std::nullopt;
}

FieldSpec ModeField(std::string path, bool live) {
  FieldSpec f{std::move(path), FieldKind::kString, live, true, nullptr,
              nullptr};
  f.set = [](const Value& v, Config* c) -> Status {
    Status bad = Expected("an octal mode string such as \"0660\"");
    if (!v.IsString() || v.GetStringLength() < 3 || v.GetStringLength() > 4) {
      return bad;
    }
    uint32_t mode = 0;
    for (const char* p = v.GetString(); *p; ++p) {
      if (*p < '0' || *p > '7') return bad;
      mode = mode * 8 + static_cast<uint32_t>(*p - '0');
    }
    if (mode > 0777) return bad;
    c->socket_permissions = mode;
    return Status::Ok();
  };
  f.get = [](const Config& c, Alloc& a) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04o", c.socket_permissions);
    return Value(buf, a);
  };
  return f;
}

template <typename Access>
FieldSpec IdListField(std::string path, Access acc, bool live) {
  FieldSpec f{std::move(path), FieldKind::kList, live, true, nullptr, nullptr};
  f.set = [acc](const Value& v, Config* c) -> Status {
    Status bad = Expected("an array of numeric ids 0..4294967294");
    if (!v.IsArray()) return bad;
    std::vector<uint32_t> ids;
    for (const Value& e : v.GetArray()) {
      if (!e.IsInt64() || e.GetInt64() < 0 || e.GetInt64() > 4294967294ll) {
        return bad;
      }
      ids.push_back(static_cast<uint32_t>(e.GetInt64()));
    }
    acc(*c) = std::move(ids);
    return Status::Ok();
  };
  f.get = [acc](const Config& c, Alloc& a) {
    Value out(rapidjson::kArrayType);
    for (uint32_t id : acc(c)) out.PushBack(Value(id), a);
    return out;
  };
  return f;
}

FieldSpec PathListField(std::string path, bool live) {
  FieldSpec f{std::move(path), FieldKind::kList, live, true, nullptr, nullptr};
  f.set = [](const Value& v, Config* c) -> Status {
    Status bad = Expected("an array of absolute paths");
    if (!v.IsArray()) return bad;
    std::vector<std::string> paths;
    for (const Value& e : v.GetArray()) {
      if (!e.IsString() || e.GetString()[0] != '/') return bad;
      paths.emplace_back(e.GetString(), e.GetStringLength());
    }
    c->allowed_paths = std::move(paths);
    return Status::Ok();
  };
  f.get = [](const Config& c, Alloc& a) {
    Value out(rapidjson::kArrayType);
    for (const std::string& p : c.allowed_paths) {
      out.PushBack(Value(p.c_str(), a), a);
    }
    return out;
  };
  return f;
}

// performance.memory_limit: the limit in force and its source, derived from
// performance.max_memory_mb and the system (ops/memory_limit.h). Printed
// for the reader; an object in a file (what --print-config wrote) is
// accepted and ignored, anything else is refused as read-only.
FieldSpec DerivedMemoryLimitField() {
  FieldSpec f{"performance.memory_limit",
              FieldKind::kString,
              true,
              true,
              nullptr,
              nullptr};
  f.set = [](const Value& v, Config*) -> Status {
    if (v.IsObject()) return Status::Ok();
    return Expected(
        "the object --print-config writes (read only: derived from "
        "performance.max_memory_mb, the cgroup's memory.max or physical "
        "memory; set performance.max_memory_mb instead)");
  };
  f.get = [](const Config& c, Alloc& a) {
    const MemoryLimit limit = ResolveMemoryLimit(c.max_memory_mb);
    Value out(rapidjson::kObjectType);
    out.AddMember("mb", Value(static_cast<int64_t>(limit.bytes >> 20)), a);
    out.AddMember("source", Value(limit.source.c_str(), a), a);
    return out;
  };
  return f;
}

FieldSpec Alias(FieldSpec f, std::string path) {
  f.path = std::move(path);
  f.output = false;
  return f;
}

// sun_path holds 108 bytes including the terminating NUL.
constexpr size_t kMaxSocketPath = 107;

std::vector<FieldSpec> BuildFields() {
  constexpr bool kLive = true, kRestart = false;
  std::vector<FieldSpec> t;
  // daemon
  t.push_back(BoolField("daemon.daemonize", GOXEL_FIELD(daemonize), kRestart));
  t.push_back(StringField("daemon.pid_file", GOXEL_FIELD(pid_file), kRestart));
  t.push_back(StringField("daemon.socket_path", GOXEL_FIELD(socket_path),
                          kRestart, kMaxSocketPath));
  t.push_back(StringField("daemon.log_file", GOXEL_FIELD(log_file), kRestart));
  t.push_back(
      StringField("daemon.working_dir", GOXEL_FIELD(working_dir), kRestart));
  t.push_back(StringField("daemon.user", GOXEL_FIELD(user), kRestart));
  t.push_back(StringField("daemon.group", GOXEL_FIELD(group), kRestart));
  t.push_back(IntField("daemon.shutdown_timeout_seconds",
                       GOXEL_FIELD(shutdown_timeout_seconds), 0, 3600, kLive));
  // server
  t.push_back(
      IntField("server.workers", GOXEL_FIELD(workers), 1, 64, kRestart));
  t.push_back(IntField("server.queue_size", GOXEL_FIELD(queue_size), 1, 65536,
                       kRestart));
  t.push_back(IntField("server.max_connections", GOXEL_FIELD(max_connections),
                       1, 65536, kRestart));
  t.push_back(BoolField("server.enable_priority_queue",
                        GOXEL_FIELD(enable_priority_queue), kRestart));
  t.push_back(ChoiceField(
      "server.bind_address", GOXEL_FIELD(bind_address), kRestart, "\"unix\"",
      [](std::string_view s) { return ParseOnly(s, "unix"); },
      [](const std::string& s) { return s.c_str(); }));
  t.push_back(IntField("server.timeout_seconds", GOXEL_FIELD(timeout_seconds),
                       0, 86400, kLive));
  t.push_back(IntField("server.idle_timeout_seconds",
                       GOXEL_FIELD(idle_timeout_seconds), 0, 86400 * 7, kLive));
  t.push_back(IntField("server.request_timeout_seconds",
                       GOXEL_FIELD(request_timeout_seconds), 0, 86400, kLive));
  t.push_back(MibField("server.max_pending_reply_mb",
                       GOXEL_FIELD(max_pending_reply_bytes), 1, 4096, kLive));
  t.push_back(
      ChoiceField("server.protocol", GOXEL_FIELD(protocol), kRestart,
                  "\"auto\" or \"jsonrpc\" (the daemon speaks JSON-RPC 2.0; "
                  "MCP servers connect through scripts/mcp_daemon_manager.js)",
                  ParseProtocol, ProtocolName));
  t.push_back(BoolField("server.enable_debug_methods",
                        GOXEL_FIELD(enable_debug_methods), kRestart));
  // logging
  t.push_back(ChoiceField("logging.level", GOXEL_FIELD(log_level), kLive,
                          "\"debug\", \"info\", \"warning\", \"error\"",
                          ParseLogLevel, LogLevelName));
  t.push_back(Alias(t[3], "logging.log_file"));  // t[3] is daemon.log_file
  t.push_back(ChoiceField(
      "logging.format", GOXEL_FIELD(log_format), kRestart, "\"json\"",
      [](std::string_view s) { return ParseOnly(s, "json"); },
      [](const std::string& s) { return s.c_str(); }));
  t.push_back(
      BoolField("logging.structured", GOXEL_FIELD(log_structured), kRestart));
  t.push_back(BoolField("logging.include_timestamp",
                        GOXEL_FIELD(log_include_timestamp), kLive));
  t.push_back(
      BoolField("logging.include_pid", GOXEL_FIELD(log_include_pid), kLive));
  t.push_back(BoolField("logging.include_thread_id",
                        GOXEL_FIELD(log_include_thread_id), kLive));
  t.push_back(IntField("logging.slow_request_ms", GOXEL_FIELD(slow_request_ms),
                       0, 3600000, kLive));
  t.push_back(BoolField("logging.access_log", GOXEL_FIELD(access_log), kLive));
  t.push_back(BoolField("logging.rotation.enabled",
                        GOXEL_FIELD(log_rotation.enabled), kRestart));
  t.push_back(IntField("logging.rotation.max_size_mb",
                       GOXEL_FIELD(log_rotation.max_size_mb), 1, 1 << 20,
                       kRestart));
  t.push_back(IntField("logging.rotation.max_files",
                       GOXEL_FIELD(log_rotation.max_files), 1, 10000,
                       kRestart));
  t.push_back(IntField("logging.rotation.max_age_days",
                       GOXEL_FIELD(log_rotation.max_age_days), 1, 36500,
                       kRestart));
  // security
  t.push_back(ModeField("security.socket_permissions", kRestart));
  t.push_back(StringField("security.socket_group", GOXEL_FIELD(socket_group),
                          kRestart));
  t.push_back(
      StringField("security.admin_group", GOXEL_FIELD(admin_group), kRestart));
  t.push_back(BoolField("security.enable_authentication",
                        GOXEL_FIELD(enable_authentication), kRestart));
  t.push_back(MibField("security.max_request_size_mb",
                       GOXEL_FIELD(max_request_bytes), 1, 1024, kLive));
  t.push_back(BoolField("security.rate_limiting.enabled",
                        GOXEL_FIELD(rate_limit.enabled), kLive));
  t.push_back(DoubleField("security.rate_limiting.requests_per_second",
                          GOXEL_FIELD(rate_limit.requests_per_second), 0.001,
                          1e9, kLive));
  t.push_back(IntField("security.rate_limiting.burst_size",
                       GOXEL_FIELD(rate_limit.burst_size), 1, 1 << 30, kLive));
  t.push_back(
      IdListField("security.allowed_uids", GOXEL_FIELD(allowed_uids), kLive));
  t.push_back(
      IdListField("security.allowed_gids", GOXEL_FIELD(allowed_gids), kLive));
  // performance
  t.push_back(IntField("performance.worker_thread_stack_size_kb",
                       GOXEL_FIELD(worker_thread_stack_size_kb), 64, 1 << 20,
                       kRestart));
  t.push_back(IntField("performance.message_buffer_size_kb",
                       GOXEL_FIELD(message_buffer_size_kb), 1, 1 << 20,
                       kRestart));
  t.push_back(BoolField("performance.enable_memory_pooling",
                        GOXEL_FIELD(enable_memory_pooling), kRestart));
  t.push_back(IntField("performance.gc_interval_seconds",
                       GOXEL_FIELD(gc_interval_seconds), 0, 86400, kLive));
  t.push_back(IntField("performance.max_memory_mb", GOXEL_FIELD(max_memory_mb),
                       0, 1 << 24, kLive));
  t.push_back(DerivedMemoryLimitField());
  t.push_back(IntField("performance.max_read_memory_mb",
                       GOXEL_FIELD(max_read_memory_mb), 0, 1 << 24, kLive));
  t.push_back(IntField("performance.autosave_interval_seconds",
                       GOXEL_FIELD(autosave_interval_seconds), 0, 86400,
                       kRestart));
  t.push_back(IntField("performance.lock_timeout_ms",
                       GOXEL_FIELD(lock_timeout_ms), 0, 3600000, kRestart));
  // monitoring
  t.push_back(BoolField("monitoring.enable_health_check",
                        GOXEL_FIELD(enable_health_check), kLive));
  t.push_back(IntField("monitoring.health_check_interval_seconds",
                       GOXEL_FIELD(health_check_interval_seconds), 1, 86400,
                       kLive));
  t.push_back(BoolField("monitoring.enable_metrics",
                        GOXEL_FIELD(enable_metrics), kLive));
  t.push_back(StringField("monitoring.metrics_endpoint",
                          GOXEL_FIELD(metrics_endpoint), kLive));
  t.push_back(BoolField("monitoring.enable_profiling",
                        GOXEL_FIELD(enable_profiling), kRestart));
  t.push_back(IntField("monitoring.status_interval_seconds",
                       GOXEL_FIELD(status_interval_seconds), 1, 3600, kLive));
  t.push_back(IntField("monitoring.stuck_worker_seconds",
                       GOXEL_FIELD(stuck_worker_seconds), 1, 86400, kRestart));
  // paths
  t.push_back(StringField("paths.data_directory", GOXEL_FIELD(data_directory),
                          kRestart));
  t.push_back(StringField("paths.temp_directory", GOXEL_FIELD(temp_directory),
                          kRestart));
  t.push_back(StringField("paths.cache_directory", GOXEL_FIELD(cache_directory),
                          kRestart));
  t.push_back(StringField("paths.config_directory",
                          GOXEL_FIELD(config_directory), kRestart));
  t.push_back(PathListField("paths.allowed_paths", kRestart));
  // defaults (per-OS service paths)
  for (const char* os : {"linux", "darwin"}) {
    std::string p = std::string("defaults.") + os + ".";
    bool linux_os = std::string_view(os) == "linux";
    auto pick = [linux_os](auto& c) -> auto& {
      return linux_os ? c.linux_defaults : c.darwin_defaults;
    };
    t.push_back(StringField(
        p + "socket_path",
        [pick](auto& c) -> auto& { return pick(c).socket_path; }, kRestart,
        kMaxSocketPath));
    t.push_back(StringField(
        p + "pid_file", [pick](auto& c) -> auto& { return pick(c).pid_file; },
        kRestart));
    t.push_back(StringField(
        p + "log_file", [pick](auto& c) -> auto& { return pick(c).log_file; },
        kRestart));
  }
  return t;
}

}  // namespace

const char* ProtocolName(Protocol p) {
  switch (p) {
    case Protocol::kJsonRpc:
      return "jsonrpc";
    case Protocol::kMcp:
      return "mcp";
    case Protocol::kAuto:
      break;
  }
  return "auto";
}

const std::vector<FieldSpec>& ConfigFields() {
  static const std::vector<FieldSpec> fields = BuildFields();
  return fields;
}

const FieldSpec* FindConfigField(std::string_view path) {
  for (const FieldSpec& f : ConfigFields()) {
    if (f.path == path) return &f;
  }
  return nullptr;
}

bool IsIgnoredSection(std::string_view section) {
  return section == "auto_start" || section == "mcp_integration" ||
         section == "environment";
}

std::string JsonText(const rapidjson::Value& value) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buf);
  value.Accept(writer);
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace goxel::ops
