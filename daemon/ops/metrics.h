// Metrics: the daemon's counters, gauges and latency histograms.
//
// Recording is a few relaxed atomic adds, so the loop and the workers call
// it on every request. Reading builds a MetricsSnapshot (for `status`,
// goxel.get_performance_metrics: JSON with p50/p90/p99 per method) or the
// Prometheus text exposition (for `metrics`).
//
// Methods get their own stats slot on first use (up to kMaxMethods; later
// names share the "other" slot so label cardinality stays bounded). Callers
// may keep the MethodStats pointer: slots live as long as the Metrics.
//
// Thread contract: thread-safe. StatusLine() keeps the previous call's
// totals: call it from one thread (the loop's STATUS timer).
#ifndef GOXEL_OPS_METRICS_H_
#define GOXEL_OPS_METRICS_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/mutex.h"

namespace goxel::ops {

// Upper bounds (seconds) of the latency histogram buckets; +Inf follows.
inline constexpr std::array<double, 20> kLatencyBuckets = {
    0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
    0.1,     0.25,   0.5,     1,      2.5,   5,      10,    30,   60,    120};

// Fixed buckets, atomic counts. Thread-safe.
class LatencyHistogram {
 public:
  void Observe(uint64_t nanos);
  // Cumulative counts, one per bucket plus +Inf, and the sum in seconds.
  std::array<uint64_t, kLatencyBuckets.size() + 1> Cumulative() const;
  double SumSeconds() const;
  // The q-quantile (0..1) in seconds, interpolated inside its bucket; 0
  // when empty.
  double Quantile(double q) const;

 private:
  std::array<std::atomic<uint64_t>, kLatencyBuckets.size() + 1> counts_{};
  std::atomic<uint64_t> sum_nanos_{0};
};

// Request outcomes: "ok", the JSON-RPC error codes, "other".
inline constexpr std::array<int, 14> kOutcomeCodes = {
    0,      -32700, -32600, -32601, -32602, -32603, -32000,
    -32001, -32002, -32003, -32004, -32005, -32006, -32007};

struct MethodStats {
  std::string name;
  std::array<std::atomic<uint64_t>, kOutcomeCodes.size() + 1> outcomes{};
  LatencyHistogram total;       // queue wait + run
  LatencyHistogram queue_wait;  // 0 for control methods
};

struct MethodSnapshot {
  std::string method;
  uint64_t count = 0, errors = 0;
  std::map<std::string, uint64_t> outcomes;  // "ok", "-32602", … (non-zero)
  double p50_ms = 0, p90_ms = 0, p99_ms = 0, mean_ms = 0;
  double queue_wait_mean_ms = 0;
};

struct MetricsSnapshot {
  double uptime_seconds = 0;
  uint64_t requests_total = 0, errors_total = 0;
  double requests_per_second = 0;  // average since start
  int64_t queue_depth = 0, queue_depth_peak = 0;
  int64_t workers = 0, workers_busy = 0;
  double worker_utilization = 0;  // busy time / (workers × uptime), 0..1
  int64_t connections_open = 0;
  uint64_t connections_accepted = 0, connections_rejected = 0;
  uint64_t bytes_in = 0, bytes_out = 0;
  uint64_t rss_bytes = 0;
  uint64_t autosave_failures = 0;       // failed autosave writes since start
  bool autosave_failing = false;        // the last autosave pass failed
  std::vector<MethodSnapshot> methods;  // by name

  // A compact JSON object with every field above ("methods" an object by
  // method name).
  std::string ToJson() const;
};

class Metrics {
 public:
  static constexpr size_t kMaxMethods = 256;

  Metrics();

  // The stats slot for `method` (created on first use). Thread-safe.
  MethodStats* Method(std::string_view method);

  // One answered request. `error_code` 0 means success.
  void RecordRequest(MethodStats* m, int error_code, uint64_t queue_wait_ns,
                     uint64_t run_ns);

  void ConnectionAccepted() { Add(accepted_), Add(open_); }
  void ConnectionClosed() { open_.fetch_sub(1, std::memory_order_relaxed); }
  void ConnectionRejected() { Add(rejected_); }
  void AddBytesIn(uint64_t n) { Add(bytes_in_, n); }
  void AddBytesOut(uint64_t n) { Add(bytes_out_, n); }
  // Current queue length; the peak follows.
  void SetQueueDepth(int64_t depth);
  void SetWorkers(int64_t n) { workers_.store(n, std::memory_order_relaxed); }
  // A worker starts or finishes a job; `busy_ns` is the job's run time
  // (pass it on finish, 0 on start).
  void WorkerStarted() { Add(busy_); }
  void WorkerFinished(uint64_t busy_ns);

  // Figures other modules count themselves (the server's connection and
  // byte counters, the pool's busy workers), copied in by main on its tick
  // and before each read, instead of being counted twice.
  void SetConnections(int64_t open, uint64_t accepted, uint64_t rejected);
  void SetBytes(uint64_t in, uint64_t out);
  void SetQueue(int64_t depth, int64_t peak);
  void SetWorkersBusy(int64_t busy, uint64_t busy_ns_total);
  // The last RSS sample (main samples on its tick); Snapshot reads
  // /proc/self/statm itself until one is set.
  void SetRss(uint64_t bytes) { rss_.store(bytes, std::memory_order_relaxed); }
  // Autosave writes that failed since start, and whether the last pass
  // failed (copied in from the autosaver by main).
  void SetAutosave(uint64_t failed_writes, bool last_pass_failed) {
    autosave_failed_.store(failed_writes, std::memory_order_relaxed);
    autosave_failing_.store(last_pass_failed, std::memory_order_relaxed);
  }

  MetricsSnapshot Snapshot() const;
  // Prometheus text exposition format 0.0.4.
  std::string PrometheusText() const;
  // One line for systemd's STATUS=: connections, queue depth, requests/s
  // since the previous call. Single caller thread.
  std::string StatusLine();

 private:
  template <typename T>
  static void Add(std::atomic<T>& a, T n = 1) {
    a.fetch_add(n, std::memory_order_relaxed);
  }
  std::vector<const MethodStats*> Methods() const;

  const uint64_t start_ns_;
  const int64_t start_wall_ms_;
  mutable Mutex mu_;
  std::deque<MethodStats> methods_ GUARDED_BY(mu_);
  std::map<std::string, MethodStats*, std::less<>> by_name_ GUARDED_BY(mu_);
  MethodStats* other_ = nullptr;  // set in the constructor, then constant
  std::atomic<int64_t> open_{0}, queue_depth_{0}, queue_peak_{0};
  std::atomic<int64_t> workers_{0}, busy_{0};
  std::atomic<uint64_t> accepted_{0}, rejected_{0}, bytes_in_{0}, bytes_out_{0},
      busy_ns_{0}, rss_{0}, autosave_failed_{0};
  std::atomic<bool> autosave_failing_{false};
  uint64_t last_status_ns_ = 0, last_status_requests_ = 0;  // StatusLine only
};

// Resident set size of this process from /proc/self/statm; 0 if unknown.
uint64_t ResidentMemoryBytes();

}  // namespace goxel::ops

#endif  // GOXEL_OPS_METRICS_H_
