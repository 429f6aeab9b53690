// RequestPolicy: what main adds to the request path through the server's
// hooks: metrics and request logs for every request, the memory limit for
// allocating methods, peer-credential admission and per-connection rate
// limiting.
//
//   observe     → Metrics::RecordRequest (by method and outcome, queue wait
//                 and run time); a log line at debug for every request, at
//                 info for slow ones (logging.slow_request_ms) or for all
//                 (logging.access_log), with method, id, queue_wait_ms and
//                 processing_time_ms.
//   admit       → -32006 for kAllocates methods while the voxel engine
//                 holds more than the memory limit in force (EngineBytes vs
//                 performance.memory_limit); other methods run. Each edit
//                 is also bounded as it allocates (methods/edit_budget.h).
//   admit_peer  → security.allowed_uids / allowed_gids (-32005, closed).
//   admit_text  → token bucket per connection (-32000, data
//                 {retry_after_ms}); the connection stays open.
//
// Ownership: borrows the LiveSettings, Metrics and MethodTable, which must
// outlive the server. Thread contract: observe and admit run on any thread
// (atomics and a read-only slot map); admit_peer, admit_text and
// on_disconnect run on the loop thread only.
#ifndef GOXEL_APP_REQUEST_POLICY_H_
#define GOXEL_APP_REQUEST_POLICY_H_

#include <atomic>
#include <cstdint>
#include <unordered_map>

#include "app/live_settings.h"
#include "ops/metrics.h"
#include "ops/rate_limiter.h"
#include "rpc/envelope.h"
#include "rpc/method_table.h"
#include "server/server.h"

namespace goxel::app {

class RequestPolicy {
 public:
  // Makes an (empty) slot pointer for every method of `table` up front; a
  // method's metrics slot is created on its first request, so the request
  // path takes the Metrics mutex once per method, and methods never called
  // do not show up in the figures.
  RequestPolicy(const rpc::MethodTable* table, LiveSettings* live,
                ops::Metrics* metrics);

  // Sets observe, admit, admit_peer, admit_text and on_disconnect.
  void Install(server::ServerHooks* hooks);

  void Observe(const rpc::RequestItem& item, const Status& status,
               uint64_t run_nanos, const rpc::CallerInfo& caller);
  Status Admit(const rpc::MethodSpec& method) const;
  Status AdmitPeer(const rpc::CallerInfo& peer) const;
  // kAdmin methods: root, the daemon's own uid, or a member of
  // security.admin_group (primary or supplementary group of the peer).
  // Thread-safe (workers run pooled debug methods).
  Status AdmitAdmin(const rpc::MethodSpec& method,
                    const rpc::CallerInfo& caller) const;
  // security.admin_group's gid (-1: none); set before serving.
  void set_admin_gid(int gid) { admin_gid_ = gid; }
  Status AdmitText(uint64_t connection_id, size_t requests);
  void Forget(uint64_t connection_id) { limiters_.erase(connection_id); }

 private:
  struct Limiter {
    ops::RateLimiter bucket;
    uint64_t generation;
  };
  void LogRequest(const rpc::RequestItem& item, const Status& status,
                  uint64_t run_nanos, const rpc::CallerInfo& caller);

  LiveSettings* live_;
  int admin_gid_ = -1;
  ops::Metrics* metrics_;
  ops::MethodStats* Slot(const rpc::MethodSpec* method);

  std::atomic<ops::MethodStats*> invalid_slot_{nullptr};  // no method
  // Keys fixed at construction; values set once, on first use.
  std::unordered_map<const rpc::MethodSpec*, std::atomic<ops::MethodStats*>>
      slots_;
  std::unordered_map<uint64_t, Limiter> limiters_;  // loop thread
};

}  // namespace goxel::app

#endif  // GOXEL_APP_REQUEST_POLICY_H_
