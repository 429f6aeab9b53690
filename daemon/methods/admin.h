// Admin methods: the control methods every daemon answers (ping, echo,
// version, status, health, list_methods and the goxel.* aliases), and the
// debug methods behind --enable-debug-methods.
//
// Control methods run on the loop thread (they must answer within
// milliseconds while every worker is busy), so their handlers only read
// atomics and immutable data through AdminContext.
//
// Thread contract: the handlers are thread-safe; AdminContext must outlive
// the method table and its `stats` function must be thread-safe.
#ifndef GOXEL_METHODS_ADMIN_H_
#define GOXEL_METHODS_ADMIN_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/status.h"
#include "rpc/method_table.h"

namespace goxel::methods {

// Live figures of the running daemon, gathered by main from the server and
// the pool.
struct RuntimeStats {
  uint64_t connections = 0;
  uint64_t connections_accepted = 0;
  uint64_t connections_rejected = 0;
  uint64_t queue_depth = 0;
  uint64_t queue_capacity = 0;
  uint64_t queue_peak = 0;
  uint64_t worker_wakeups = 0;  // waiting workers woken for a job
  uint64_t workers = 0;
  uint64_t workers_busy = 0;
  uint64_t requests_served = 0;
  uint64_t replies_direct = 0;  // jobs a worker answered on the socket
  uint64_t bytes_in = 0;
  uint64_t bytes_out = 0;
  uint64_t rss_bytes = 0;
  uint64_t memory_returns = 0;  // freed memory given back after idle
};

struct AdminContext {
  std::string version;  // "0.1.0"
  std::string socket_path;
  int64_t start_wall_ms = 0;   // when the daemon started (epoch ms)
  uint64_t start_mono_ns = 0;  // the same, monotonic
  const rpc::MethodTable* table = nullptr;  // for list_methods
  std::function<RuntimeStats()> stats;
  // Methods the daemon refuses right now (e.g. `metrics` while
  // monitoring.enable_metrics is false): list_methods leaves them out.
  // Optional; must be thread-safe.
  std::function<bool(const rpc::MethodSpec&)> hidden;
  // Optional: adds more figures to `status` (main adds the metrics snapshot:
  // per-method counts and p50/p90/p99). Must be thread-safe.
  std::function<void(rpc::JsonValue* result, rpc::JsonAllocator& alloc)>
      extend_status;
  // Optional: what makes health "degraded" (empty: "ok"). Thread-safe.
  std::function<std::vector<std::string>()> health_problems;
};

// Registers the control methods and aliases. With `debug_methods`, also
// debug.sleep (pooled).
Status RegisterAdminMethods(rpc::MethodTable* table, const AdminContext* ctx,
                            bool debug_methods);

// Resident set size of this process in bytes (from /proc/self/statm).
uint64_t CurrentRssBytes();

}  // namespace goxel::methods

#endif  // GOXEL_METHODS_ADMIN_H_
