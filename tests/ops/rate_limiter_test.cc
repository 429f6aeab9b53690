#include "ops/rate_limiter.h"

#include <gtest/gtest.h>

namespace goxel::ops {
namespace {

constexpr uint64_t kSec = 1000000000;

TEST(RateLimiter, AllowsABurstThenRefusesWithRetryAfter) {
  RateLimiter limiter(10, 3, kSec);
  EXPECT_TRUE(limiter.Acquire(kSec).allowed);
  EXPECT_TRUE(limiter.Acquire(kSec).allowed);
  EXPECT_TRUE(limiter.Acquire(kSec).allowed);
  RateLimiter::Decision d = limiter.Acquire(kSec);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_ms, 100);  // one token per 100 ms at 10/s
}

TEST(RateLimiter, RefillsAtTheConfiguredRate) {
  RateLimiter limiter(10, 1, 0);
  EXPECT_TRUE(limiter.Acquire(0).allowed);
  RateLimiter::Decision early = limiter.Acquire(kSec / 20);  // 50 ms later
  EXPECT_FALSE(early.allowed);
  EXPECT_EQ(early.retry_after_ms, 50);
  EXPECT_TRUE(limiter.Acquire(kSec / 10).allowed);  // 100 ms: one token
  EXPECT_FALSE(limiter.Acquire(kSec / 10).allowed);
}

TEST(RateLimiter, NeverHoldsMoreThanTheBurst) {
  RateLimiter limiter(100, 5, 0);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(limiter.Acquire(0).allowed);
  // An hour idle refills to 5, not 360000.
  uint64_t later = 3600 * kSec;
  int allowed = 0;
  while (limiter.Acquire(later).allowed) ++allowed;
  EXPECT_EQ(allowed, 5);
}

TEST(RateLimiter, SustainedRateMatchesRequestsPerSecond) {
  RateLimiter limiter(50, 1, 0);
  int allowed = 0;
  for (uint64_t t = 0; t <= 2 * kSec; t += kSec / 1000) {  // every 1 ms
    allowed += limiter.Acquire(t).allowed;
  }
  EXPECT_GE(allowed, 100);  // 1 initial + 50/s over 2 s
  EXPECT_LE(allowed, 101);
}

TEST(RateLimiter, ReconfigureCapsTokensAtTheNewBurst) {
  RateLimiter limiter(1, 10, 0);
  limiter.Reconfigure(1, 2);
  EXPECT_EQ(limiter.tokens(), 2);
  EXPECT_TRUE(limiter.Acquire(0).allowed);
  EXPECT_TRUE(limiter.Acquire(0).allowed);
  RateLimiter::Decision d = limiter.Acquire(0);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_ms, 1000);
}

}  // namespace
}  // namespace goxel::ops
