#include "ops/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace goxel::ops {

RateLimiter::RateLimiter(double requests_per_second, int burst_size,
                         uint64_t now_ns)
    : rate_(requests_per_second),
      burst_(burst_size),
      tokens_(burst_size),
      last_ns_(now_ns) {}

void RateLimiter::Refill(uint64_t now_ns) {
  if (now_ns <= last_ns_) return;  // clock did not move (or went back)
  double elapsed = static_cast<double>(now_ns - last_ns_) / 1e9;
  tokens_ = std::min(burst_, tokens_ + elapsed * rate_);
  last_ns_ = now_ns;
}

RateLimiter::Decision RateLimiter::Acquire(uint64_t now_ns) {
  Refill(now_ns);
  if (tokens_ >= 1.0) {
    tokens_ -= 1.0;
    return {true, 0};
  }
  double wait_ms = (1.0 - tokens_) / rate_ * 1e3;
  return {false,
          std::max<int64_t>(1, static_cast<int64_t>(std::ceil(wait_ms)))};
}

void RateLimiter::Reconfigure(double requests_per_second, int burst_size) {
  rate_ = requests_per_second;
  burst_ = burst_size;
  tokens_ = std::min(tokens_, burst_);
}

}  // namespace goxel::ops
