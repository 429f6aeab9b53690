// ServerOptions, ServerHooks and ServerStats: what the server is given and
// what it reports. Plain values; ServerStats is atomics, readable from any
// thread.
#ifndef GOXEL_SERVER_OPTIONS_H_
#define GOXEL_SERVER_OPTIONS_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "ops/log_level.h"
#include "rpc/envelope.h"
#include "rpc/framer.h"

namespace goxel::server {

struct ServerOptions {
  std::string socket_path = "/tmp/goxel-daemon.sock";
  int listen_fd = -1;  // >= 0: an inherited listening socket
  unsigned socket_mode = 0660;
  int socket_gid = -1;  // >= 0: chown the socket to this group
  int backlog = 128;
  size_t max_connections = 256;
  rpc::FramerLimits framer;  // request size and nesting limits
  size_t max_pending_reply_bytes = 64u << 20;
  int64_t write_stall_timeout_ms = 30000;
  int64_t shutdown_timeout_ms = 10000;
  size_t max_texts_per_job = 256;
  size_t max_parsed_backlog = 1024;  // parsed texts per connection
  int64_t retry_after_ms = 50;       // suggested in "server busy" errors
  int64_t tick_interval_ms = 1000;   // on_tick period
  // A connection with nothing in flight, nothing unsent and no bytes for
  // this long is closed (server.idle_timeout_seconds; 0: never).
  int64_t idle_timeout_ms = 300000;
  // A request whose first bytes came this long ago and is still not
  // complete closes its connection (server.request_timeout_seconds; 0:
  // never): half-sent requests cannot hold connections.
  int64_t request_timeout_ms = 30000;
  // Connections accepted past max_connections, for control methods only
  // (health, status, ping): a supervisor always gets in.
  size_t reserve_connections = 4;
};

struct ServerHooks {
  // Structured log line (component "server").
  std::function<void(ops::LogLevel, std::string_view message,
                     const std::vector<DetailField>& fields)>
      log;
  // Admission of a new peer (allowed uids/gids); an error is sent and the
  // connection closed.
  std::function<Status(const rpc::CallerInfo& peer)> admit_peer;
  // Per-connection admission of each request text (rate limiting): given
  // the connection id and the number of requests in the text; an error
  // answers every request of the text, the connection stays open.
  std::function<Status(uint64_t connection_id, size_t requests)> admit_text;
  std::function<void(uint64_t connection_id)> on_disconnect;
  // Per-request admission and observation, on whichever thread runs it.
  rpc::ExecuteHooks execute;
  std::function<void()> on_stopping;       // shutdown began
  std::function<void()> on_reload;         // SIGHUP
  std::function<void()> on_status_signal;  // SIGUSR1
  std::function<void()> on_tick;           // every tick_interval_ms
};

// Live figures; atomics, readable from any thread.
struct ServerStats {
  std::atomic<uint64_t> connections_open{0};
  std::atomic<uint64_t> connections_accepted{0};
  std::atomic<uint64_t> connections_rejected{0};
  std::atomic<uint64_t> texts_received{0};
  std::atomic<uint64_t> requests_served{0};
  std::atomic<uint64_t> bytes_in{0};
  std::atomic<uint64_t> bytes_out{0};
  std::atomic<uint64_t> loop_iterations{0};
  // Jobs whose replies a worker wrote to the socket itself (job_data.h).
  std::atomic<uint64_t> replies_direct{0};
};

}  // namespace goxel::server

#endif  // GOXEL_SERVER_OPTIONS_H_
