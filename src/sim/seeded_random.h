// Deterministic draws for the mock data: the same seed gives the same output with any standard
// library (std::uniform_int_distribution's output is implementation-defined, so it is not used).
#pragma once

#include <cstdint>
#include <random>

namespace landslide::sim {

// A uniform value in [0, n) from raw mt19937_64 output, without modulo bias (Lemire's
// multiply-and-reject).
inline uint64_t UniformBelow(std::mt19937_64& rng, uint64_t n) {
  uint64_t x = rng();
  __uint128_t m = static_cast<__uint128_t>(x) * n;
  auto low = static_cast<uint64_t>(m);
  if (low < n) {
    const uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      x = rng();
      m = static_cast<__uint128_t>(x) * n;
      low = static_cast<uint64_t>(m);
    }
  }
  return static_cast<uint64_t>(m >> 64);
}

}  // namespace landslide::sim
