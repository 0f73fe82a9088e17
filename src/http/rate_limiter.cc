#include "http/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace landslide::http {

bool RateLimiter::Allow(const std::string& client, int* retry_after_s) {
  if (options_.per_second <= 0) return true;
  if (options_.exempt_loopback &&
      (client.rfind("127.", 0) == 0 || client == "::1" || client.rfind("::ffff:127.", 0) == 0)) {
    return true;
  }
  auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mu_);
  if (buckets_.size() > 200000) {
    // Forget clients whose buckets have refilled; they are indistinguishable from new ones.
    std::erase_if(buckets_, [&](const auto& kv) {
      double dt = std::chrono::duration<double>(now - kv.second.last).count();
      return kv.second.tokens + dt * options_.per_second >= options_.burst;
    });
  }
  auto [it, fresh] = buckets_.try_emplace(client, Bucket{options_.burst, now});
  Bucket& b = it->second;
  double dt = std::chrono::duration<double>(now - b.last).count();
  b.tokens = std::min(options_.burst, b.tokens + dt * options_.per_second);
  b.last = now;
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return true;
  }
  if (retry_after_s) {
    *retry_after_s = std::max(1, static_cast<int>(std::ceil((1 - b.tokens) / options_.per_second)));
  }
  return false;
}

}  // namespace landslide::http
