// Ops methods: metrics, daemon status and configuration over the socket.
//
//   metrics                       {content_type, text}: Prometheus text
//                                 exposition (answers -32601 like an unknown
//                                 method while monitoring.enable_metrics is
//                                 false)
//   goxel.get_daemon_status       alias of `status` (same figures)
//   goxel.get_performance_metrics the metrics snapshot as JSON (per method:
//                                 count, outcomes, p50/p90/p99, mean)
//   goxel.get_config              the effective configuration
//   goxel.set_config              applies live keys, lists restart keys
//   goxel.shutdown_daemon         graceful shutdown (like SIGTERM)
//
// All are control methods: they run on the loop thread, so the context's
// functions may touch loop-thread state (the effective Config, the server).
//
// Ownership: the context (and what it points to) must outlive the table.
// Thread contract: loop thread only (kControl).
#ifndef GOXEL_METHODS_OPS_METHODS_H_
#define GOXEL_METHODS_OPS_METHODS_H_

#include <atomic>
#include <functional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "ops/config_loader.h"
#include "ops/metrics.h"
#include "rpc/method_table.h"

namespace goxel::methods {

struct OpsMethodsContext {
  ops::Metrics* metrics = nullptr;
  // Copies the server's and the pool's live figures into `metrics`.
  std::function<void()> refresh;
  const std::atomic<bool>* metrics_enabled = nullptr;
  // The effective configuration as JSON (ops::ConfigToJson).
  std::function<std::string()> config_json;
  // Validates and applies a patch (ops::ApplyConfigPatch plus pushing the
  // live keys into the running daemon).
  std::function<Result<ops::ConfigChange>(std::string_view patch)> set_config;
  // Starts the graceful shutdown (Server::RequestShutdown).
  std::function<void()> shutdown;
};

// Registers the methods above; `status` must already be registered.
Status RegisterOpsMethods(rpc::MethodTable* table,
                          const OpsMethodsContext* ctx);

// Adds the metrics snapshot's figures that `result` does not have yet (for
// AdminContext::extend_status).
void AddMetricsToStatus(const OpsMethodsContext& ctx, rpc::JsonValue* result,
                        rpc::JsonAllocator& alloc);

}  // namespace goxel::methods

#endif  // GOXEL_METHODS_OPS_METHODS_H_
