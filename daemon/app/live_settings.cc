#include "app/live_settings.h"

#include "methods/read_budget.h"
#include "ops/log.h"
#include "ops/memory_limit.h"
#include "voxel/volume.h"

namespace goxel::app {

void LiveSettings::Apply(const ops::Config& c) {
  constexpr auto kRelaxed = std::memory_order_relaxed;
  slow_request_ms.store(c.slow_request_ms, kRelaxed);
  access_log.store(c.access_log, kRelaxed);
  bool rate_changed =
      rate_limit_enabled.load(kRelaxed) != c.rate_limit.enabled ||
      rate_per_second.load(kRelaxed) != c.rate_limit.requests_per_second ||
      rate_burst.load(kRelaxed) != c.rate_limit.burst_size;
  rate_limit_enabled.store(c.rate_limit.enabled, kRelaxed);
  rate_per_second.store(c.rate_limit.requests_per_second, kRelaxed);
  rate_burst.store(c.rate_limit.burst_size, kRelaxed);
  if (rate_changed) rate_generation.fetch_add(1, kRelaxed);
  // The limit in force: configured, else derived (cgroup, physical memory).
  const uint64_t limit = ops::ResolveMemoryLimit(c.max_memory_mb).bytes;
  max_memory_bytes.store(limit, kRelaxed);
  voxel::SetEngineMemoryLimit(limit);
  // Replies of reads being built: configured, else a quarter of the limit.
  methods::SetReadBudget(c.max_read_memory_mb > 0
                             ? uint64_t(c.max_read_memory_mb) << 20
                             : limit / 4);
  metrics_enabled.store(c.enable_metrics, kRelaxed);
  status_interval_seconds.store(c.status_interval_seconds, kRelaxed);
  allowed_uids = c.allowed_uids;
  allowed_gids = c.allowed_gids;
  ops::Logger& log = ops::DefaultLogger();
  log.SetLevel(c.log_level);
  log.SetIncludes(c.log_include_timestamp, c.log_include_pid,
                  c.log_include_thread_id);
}

}  // namespace goxel::app
