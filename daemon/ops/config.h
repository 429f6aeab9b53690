// Config: every setting of the daemon in one plain struct.
//
// Filled by LoadConfig() (config_loader.h) from built-in defaults, then the
// daemon_config.json file, then GOXEL_* environment variables, then the
// command line. Field comments name the JSON key path ("section.key") that
// sets them; see config/README.md for what each one does.
//
// Thread contract: a value type. main owns the effective Config; threads that
// need a live-changeable setting get it through their own atomics.
#ifndef GOXEL_OPS_CONFIG_H_
#define GOXEL_OPS_CONFIG_H_

#include <cstdint>
#include <string>
#include <vector>

#include "ops/log_level.h"

namespace goxel::ops {

// Which wire protocol a connection speaks (-P/--protocol).
enum class Protocol { kAuto, kJsonRpc, kMcp };

// "auto", "jsonrpc", "mcp".
const char* ProtocolName(Protocol p);

// Per-connection token bucket (security.rate_limiting).
struct RateLimitConfig {
  bool enabled = false;              // security.rate_limiting.enabled
  double requests_per_second = 100;  // .requests_per_second (> 0)
  int burst_size = 200;              // .burst_size (>= 1)
};

// logging.rotation: accepted and reported; the daemon itself does not
// rotate (logrotate renames, SIGHUP reopens).
struct LogRotationConfig {
  bool enabled = false;
  int max_size_mb = 100;
  int max_files = 10;
  int max_age_days = 30;
};

// Service paths for one OS (defaults.linux / defaults.darwin).
struct PlatformDefaults {
  std::string socket_path;
  std::string pid_file;
  std::string log_file;
};

struct Config {
  // --- daemon ---
  bool daemonize = false;   // daemon.daemonize, -D
  bool foreground = true;   // -f; false only when daemonizing
  std::string socket_path;  // daemon.socket_path, -s, GOXEL_SOCKET_PATH
  std::string pid_file;     // daemon.pid_file, -p, GOXEL_PID_FILE ("" none)
  std::string log_file;     // daemon.log_file / logging.log_file, -l
  std::string working_dir;  // daemon.working_dir, -w ("" stays put)
  std::string user;         // daemon.user, -u ("" keeps the user)
  std::string group;        // daemon.group, -g
  int shutdown_timeout_seconds = 10;  // daemon.shutdown_timeout_seconds

  // --- server ---
  int workers = 4;                     // server.workers, -j (1..64)
  int queue_size = 1024;               // server.queue_size, -q (1..65536)
  int max_connections = 256;           // server.max_connections, -m (1..65536)
  bool enable_priority_queue = false;  // server.enable_priority_queue
  std::string bind_address = "unix";   // server.bind_address (only "unix")
  int timeout_seconds = 30;  // server.timeout_seconds (unread-reply stall)
  int idle_timeout_seconds = 300;    // server.idle_timeout_seconds (0 off)
  int request_timeout_seconds = 30;  // server.request_timeout_seconds (0 off)
  int64_t max_pending_reply_bytes = 64ll << 20;  // server.max_pending_reply_mb
  Protocol protocol = Protocol::kAuto;           // server.protocol, -P
  bool enable_debug_methods = false;             // server.enable_debug_methods

  // --- logging ---
  LogLevel log_level = LogLevel::kInfo;  // logging.level, --log-level, -V
  std::string log_format = "json";       // logging.format (only "json")
  bool log_structured = true;            // logging.structured
  bool log_include_timestamp = true;     // logging.include_timestamp
  bool log_include_pid = true;           // logging.include_pid
  bool log_include_thread_id = true;     // logging.include_thread_id
  int slow_request_ms = 250;             // logging.slow_request_ms
  bool access_log = false;               // logging.access_log
  LogRotationConfig log_rotation;        // logging.rotation

  // --- security ---
  uint32_t socket_permissions = 0660;  // security.socket_permissions "0660"
  std::string socket_group;            // security.socket_group ("" keep)
  // security.admin_group: its members may call admin methods (config
  // changes, shutdown, debug) besides root and the daemon's own uid.
  std::string admin_group;
  bool enable_authentication = false;      // security.enable_authentication
  int64_t max_request_bytes = 16ll << 20;  // security.max_request_size_mb
  RateLimitConfig rate_limit;              // security.rate_limiting
  std::vector<uint32_t> allowed_uids;      // security.allowed_uids ([] all)
  std::vector<uint32_t> allowed_gids;      // security.allowed_gids ([] all)

  // --- performance ---
  int worker_thread_stack_size_kb = 1024;  // performance.*
  int message_buffer_size_kb = 64;
  bool enable_memory_pooling = true;
  int gc_interval_seconds = 300;
  int max_memory_mb = 0;  // performance.max_memory_mb (0 none)
  // performance.max_read_memory_mb, GOXEL_MAX_READ_MEMORY_MB: the bytes the
  // replies of reads may take together while built (0: a quarter of the
  // memory limit in force; methods/read_budget.h).
  int max_read_memory_mb = 0;
  int autosave_interval_seconds = 30;  // performance.autosave_interval_seconds
  // performance.lock_timeout_ms, GOXEL_LOCK_TIMEOUT_MS: how long a request
  // waits for a busy project before -32007 (0 waits for as long as it takes).
  int64_t lock_timeout_ms = 10000;

  // --- monitoring ---
  bool enable_health_check = true;         // monitoring.enable_health_check
  int health_check_interval_seconds = 30;  // monitoring.*
  bool enable_metrics = true;              // monitoring.enable_metrics
  std::string metrics_endpoint = "/metrics";
  bool enable_profiling = false;
  int status_interval_seconds = 5;  // monitoring.status_interval_seconds
  // monitoring.stuck_worker_seconds: health is "degraded" while every
  // worker is busy (or work waits) and none has finished for this long.
  int stuck_worker_seconds = 60;

  // --- paths ---
  std::string data_directory;              // paths.data_directory
  std::string temp_directory;              // paths.temp_directory
  std::string cache_directory;             // paths.cache_directory
  std::string config_directory;            // paths.config_directory
  std::vector<std::string> allowed_paths;  // paths.allowed_paths ([] any)

  // --- defaults (service paths per OS, used when daemonizing) ---
  PlatformDefaults linux_defaults = {"/var/run/goxel-daemon.sock",
                                     "/var/run/goxel-daemon.pid",
                                     "/var/log/goxel-daemon.log"};
  PlatformDefaults darwin_defaults = {"/usr/local/var/run/goxel-daemon.sock",
                                      "/usr/local/var/run/goxel-daemon.pid",
                                      "/usr/local/var/log/goxel-daemon.log"};

  // --- command line only ---
  std::string config_file;  // -c, GOXEL_CONFIG_FILE ("" none read)
};

// The socket path used in the foreground when nothing sets one.
inline constexpr const char* kForegroundSocketPath = "/tmp/goxel-daemon.sock";
// The socket's name in a service manager's runtime directory
// ($RUNTIME_DIRECTORY/goxel-daemon.sock = /run/goxel/goxel-daemon.sock).
inline constexpr const char* kServiceSocketName = "goxel-daemon.sock";

}  // namespace goxel::ops

#endif  // GOXEL_OPS_CONFIG_H_
