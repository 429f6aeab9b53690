// The process-wide "stopping" flag: set once when the daemon begins to shut
// down; long methods (renders) check it and give up with an error, so a stop
// does not wait for them.
//
// Thread contract: thread-safe (an atomic).
#ifndef GOXEL_BASE_STOP_FLAG_H_
#define GOXEL_BASE_STOP_FLAG_H_

#include <atomic>

namespace goxel {

inline std::atomic<bool>& ProcessStopping() {
  static std::atomic<bool> stopping{false};
  return stopping;
}

}  // namespace goxel

#endif  // GOXEL_BASE_STOP_FLAG_H_
