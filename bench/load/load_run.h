// The closed loop itself: C connections over T threads (one epoll loop each),
// each connection keeping P requests in flight. With one connection, one
// request in flight and one thread it uses plain blocking write()/read(), the
// cheapest client for sequential latency.
//
// Latency of a request: from the clock read just before its bytes are handed
// to write() to the read() that completed its reply line. The first `warmup`
// replies (over all connections) are neither timed nor counted.
#ifndef GOXEL_BENCH_LOAD_LOAD_RUN_H_
#define GOXEL_BENCH_LOAD_LOAD_RUN_H_

#include <cstdint>
#include <string>

#include "histogram.h"
#include "options.h"

namespace goxel::bench {

struct RunResult {
  Histogram latency;           // Measured replies (good and error replies).
  uint64_t replies = 0;        // Measured replies.
  uint64_t errors = 0;         // Malformed, wrong id, lost to a closed conn.
  uint64_t error_replies = 0;  // Well-formed JSON-RPC error replies.
  double seconds = 0;          // Length of the measured window.
  bool time_cap_hit = false;
  std::string failure;  // Set when the run could not start or broke.
};

// Connects every connection, runs the load and returns the figures.
// Blocks until done; never longer than options.max_seconds (plus the time to
// connect). Thread-compatible: call once per process at a time.
RunResult RunLoad(const Options& options);

}  // namespace goxel::bench

#endif  // GOXEL_BENCH_LOAD_LOAD_RUN_H_
