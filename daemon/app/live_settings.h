// LiveSettings: the configuration keys that change while the daemon runs
// (goxel.set_config, SIGHUP reload), as atomics the request path reads.
//
// main owns one LiveSettings; Apply() pushes a Config's live keys into it
// (and into the logger). The RSS sample is written by the loop's tick and
// read by the memory-limit check, so no request ever reads /proc.
//
// Thread contract: the atomics are read from any thread. Apply() and the
// uid/gid lists are loop-thread only (set_config, SIGHUP and connection
// admission all run on the loop thread).
#ifndef GOXEL_APP_LIVE_SETTINGS_H_
#define GOXEL_APP_LIVE_SETTINGS_H_

#include <atomic>
#include <cstdint>
#include <vector>

#include "ops/config.h"

namespace goxel::app {

struct LiveSettings {
  std::atomic<int64_t> slow_request_ms{250};
  std::atomic<bool> access_log{false};
  std::atomic<bool> rate_limit_enabled{false};
  std::atomic<double> rate_per_second{100};
  std::atomic<int> rate_burst{200};
  // The memory limit in force (ops/memory_limit.h); 0: none could be set.
  std::atomic<uint64_t> max_memory_bytes{0};
  std::atomic<uint64_t> rss_bytes{0};  // sampled on the tick
  std::atomic<bool> metrics_enabled{true};
  std::atomic<int> status_interval_seconds{5};
  std::atomic<uint64_t> rate_generation{0};  // bumped when limits change
  std::vector<uint32_t> allowed_uids;        // loop thread only
  std::vector<uint32_t> allowed_gids;        // loop thread only

  // Copies the live keys of `config`; also sets the logger's level and
  // includes. Loop thread (or main before the loop runs).
  void Apply(const ops::Config& config);
};

}  // namespace goxel::app

#endif  // GOXEL_APP_LIVE_SETTINGS_H_
