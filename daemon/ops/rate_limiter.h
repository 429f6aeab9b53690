// RateLimiter: a token bucket for one connection (security.rate_limiting).
//
// The bucket holds up to `burst_size` tokens and refills at
// `requests_per_second`. Each request takes one token; with none left the
// request is refused and retry_after_ms says when the next token arrives
// (the server answers -32000 with data {retry_after_ms} and keeps the
// connection open).
//
// Time is passed in (monotonic nanoseconds, base/clock.h MonotonicNanos) so
// callers use the loop's cached time and tests control it.
//
// Thread contract: not thread-safe; one per connection, loop thread only.
#ifndef GOXEL_OPS_RATE_LIMITER_H_
#define GOXEL_OPS_RATE_LIMITER_H_

#include <cstdint>

namespace goxel::ops {

class RateLimiter {
 public:
  // Starts full. requests_per_second > 0, burst_size >= 1 (Config checks).
  RateLimiter(double requests_per_second, int burst_size, uint64_t now_ns);

  struct Decision {
    bool allowed;
    int64_t retry_after_ms;  // 0 when allowed; >= 1 otherwise
  };
  // Takes a token if one is available at `now_ns`.
  Decision Acquire(uint64_t now_ns);

  // Applies new limits (goxel.set_config), keeping the tokens it has
  // (capped at the new burst).
  void Reconfigure(double requests_per_second, int burst_size);

  double tokens() const { return tokens_; }

 private:
  void Refill(uint64_t now_ns);

  double rate_;   // tokens per second
  double burst_;  // capacity
  double tokens_;
  uint64_t last_ns_;
};

}  // namespace goxel::ops

#endif  // GOXEL_OPS_RATE_LIMITER_H_
