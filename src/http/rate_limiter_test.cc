#include "http/rate_limiter.h"

#include <gtest/gtest.h>

namespace landslide::http {
namespace {

TEST(RateLimiter, AllowsTheBurstThenLimitsWithRetryAfter) {
  RateLimiter limiter({.per_second = 1, .burst = 3, .exempt_loopback = true});
  int retry = 0;
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Allow("203.0.113.7", &retry)) << i;
  EXPECT_FALSE(limiter.Allow("203.0.113.7", &retry));
  EXPECT_GE(retry, 1);
  EXPECT_TRUE(limiter.Allow("203.0.113.8", &retry)) << "other clients are not affected";
}

TEST(RateLimiter, LoopbackExemptionIsConfigurable) {
  RateLimiter exempt({.per_second = 1, .burst = 1, .exempt_loopback = true});
  RateLimiter strict({.per_second = 1, .burst = 1, .exempt_loopback = false});
  int retry = 0;
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(exempt.Allow("127.0.0.1", &retry));
  EXPECT_TRUE(strict.Allow("127.0.0.1", &retry));
  EXPECT_FALSE(strict.Allow("127.0.0.1", &retry));
}

TEST(RateLimiter, ZeroRateDisables) {
  RateLimiter off({.per_second = 0, .burst = 0, .exempt_loopback = false});
  int retry = 0;
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(off.Allow("203.0.113.7", &retry));
}

}  // namespace
}  // namespace landslide::http
