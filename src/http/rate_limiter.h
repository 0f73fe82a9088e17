// Per-client token buckets: the 429 of docs/API.md. A client is its IP address.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace landslide::http {

struct RateLimitOptions {
  double per_second = 20;       // sustained requests per client; 0 disables the limiter
  double burst = 40;            // bucket size
  bool exempt_loopback = true;  // local load generators and the demo are not throttled
};

class RateLimiter {
 public:
  explicit RateLimiter(RateLimitOptions options) : options_(options) {}
  // True if the request may proceed; otherwise *retry_after_s says when to come back.
  bool Allow(const std::string& client, int* retry_after_s);

 private:
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point last;
  };
  const RateLimitOptions options_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;  // guarded by mu_
};

}  // namespace landslide::http
