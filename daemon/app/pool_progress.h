// PoolProgress: tells a stuck worker pool from a busy or an idle one, for
// the systemd watchdog.
//
// The pool makes progress when nothing is waiting in its queue and some
// worker is free, or when a job completed within the last `stall_ns`. Work
// waiting while no job has completed for longer than that (every worker wedged,
// e.g. all of them in a long debug.sleep) is a stall: main stops sending
// WATCHDOG=1, so systemd restarts the daemon. The loop's own progress is
// implied: the check runs on a loop timer, so a blocked loop sends nothing
// either.
//
// Thread contract: not thread-safe; the loop's tick calls it.
#ifndef GOXEL_APP_POOL_PROGRESS_H_
#define GOXEL_APP_POOL_PROGRESS_H_

#include <cstddef>
#include <cstdint>

namespace goxel::app {

class PoolProgress {
 public:
  explicit PoolProgress(uint64_t stall_ns) : stall_ns_(stall_ns) {}

  // Records the pool's figures at `now_ns`; true while it makes progress.
  // `saturated`: every worker is busy, so nothing new can start either
  // (four workers blocked in open() on a FIFO with an empty queue).
  bool Check(uint64_t now_ns, size_t queue_depth, uint64_t completed,
             bool saturated = false) {
    if ((queue_depth == 0 && !saturated) || completed != last_completed_ ||
        last_ns_ == 0) {
      last_completed_ = completed;
      last_ns_ = now_ns;
      return true;
    }
    return now_ns - last_ns_ <= stall_ns_;
  }

 private:
  uint64_t stall_ns_;
  uint64_t last_completed_ = 0;
  uint64_t last_ns_ = 0;  // last time the pool was idle or completed a job
};

}  // namespace goxel::app

#endif  // GOXEL_APP_POOL_PROGRESS_H_
