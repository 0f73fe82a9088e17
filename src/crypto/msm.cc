#include "crypto/msm.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstdint>
#include <vector>

namespace landslide::group {

namespace {

constexpr int kScalarBits = 253;  // the group order is just above 2^252

// The window width that minimises windows·(points + buckets) for n points.
int WindowBits(size_t n) {
  if (n < 8) return 2;
  const int log2n = static_cast<int>(std::bit_width(n)) - 1;
  // Capped so the buckets (160 bytes each, at most 512) stay in the L2 cache.
  return std::clamp(log2n - 2, 3, 10);
}

// Signed base-2^c digits of a scalar, each in [-2^(c-1), 2^(c-1)], least significant first.
std::vector<int32_t> SignedDigits(const Scalar& k, int c, int windows) {
  const Bytes32 bytes = k.Encode();
  auto bit = [&](int i) -> uint32_t {
    return i < 256 ? (bytes[static_cast<size_t>(i / 8)] >> (i % 8)) & 1u : 0u;
  };
  std::vector<int32_t> digits(static_cast<size_t>(windows));
  const int32_t radix = 1 << c;
  const int32_t half = radix / 2;
  int32_t carry = 0;
  for (int w = 0; w < windows; ++w) {
    int32_t d = carry;
    for (int b = 0; b < c; ++b) d += static_cast<int32_t>(bit(w * c + b) << b);
    carry = d > half ? 1 : 0;
    digits[static_cast<size_t>(w)] = d - carry * radix;
  }
  assert(carry == 0);
  return digits;
}

}  // namespace

Point MultiScalarMulPublic(std::span<const Point> points, std::span<const Scalar> scalars) {
  assert(points.size() == scalars.size());
  const size_t n = points.size();
  if (n == 0) return Point();
  if (n == 1) return points[0] * scalars[0];
  const int c = WindowBits(n);
  // One more window than the scalar needs, for the last carry.
  const int windows = (kScalarBits + c - 1) / c + 1;
  std::vector<std::vector<int32_t>> digits;
  digits.reserve(n);
  for (const auto& k : scalars) digits.push_back(SignedDigits(k, c, windows));

  const size_t bucket_count = size_t{1} << (c - 1);
  std::vector<Point> buckets(bucket_count);
  std::vector<uint8_t> used(bucket_count);
  Point result;
  for (int w = windows - 1; w >= 0; --w) {
    for (int i = 0; i < c; ++i) result = result.Double();
    std::fill(used.begin(), used.end(), 0);
    for (size_t i = 0; i < n; ++i) {
      const int32_t d = digits[i][static_cast<size_t>(w)];
      if (d == 0) continue;
      const size_t b = static_cast<size_t>(d > 0 ? d : -d) - 1;
      if (!used[b]) {
        buckets[b] = d > 0 ? points[i] : -points[i];
        used[b] = 1;
      } else if (d > 0) {
        buckets[b] += points[i];
      } else {
        buckets[b] -= points[i];
      }
    }
    // Σ (b+1)·bucket[b] as a running sum of running sums, from the top bucket down.
    Point running, window_sum;
    bool any = false;
    for (size_t b = bucket_count; b-- > 0;) {
      if (used[b]) {
        running += buckets[b];
        any = true;
      }
      if (any) window_sum += running;
    }
    result += window_sum;
  }
  return result;
}

}  // namespace landslide::group
