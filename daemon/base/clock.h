// Monotonic and wall clocks in the units the daemon reports.
// Thread-safe (stateless).
#ifndef GOXEL_BASE_CLOCK_H_
#define GOXEL_BASE_CLOCK_H_

#include <cstdint>
#include <ctime>

namespace goxel {

// Nanoseconds on CLOCK_MONOTONIC.
inline uint64_t MonotonicNanos() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull +
         static_cast<uint64_t>(ts.tv_nsec);
}

// Milliseconds since the Unix epoch (wall clock).
inline int64_t WallMillis() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

}  // namespace goxel

#endif  // GOXEL_BASE_CLOCK_H_
