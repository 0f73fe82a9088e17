#include "sim/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace landslide::sim {

namespace {

// Values below kSubBuckets get one bucket each; above, each power of two [2^k, 2^(k+1)) is cut
// into kSubBuckets equal buckets of width 2^(k - kSubBucketBits).
constexpr int kTopBit = 40;  // kMaxTrackable < 2^41
constexpr size_t kBucketCount =
    LatencyHistogram::kSubBuckets +
    static_cast<size_t>(kTopBit - LatencyHistogram::kSubBucketBits + 1) *
        LatencyHistogram::kSubBuckets;

}  // namespace

LatencyHistogram::LatencyHistogram() : buckets_(kBucketCount, 0) {}

size_t LatencyHistogram::BucketOf(int64_t v) {
  v = std::clamp<int64_t>(v, 0, kMaxTrackable);
  if (v < kSubBuckets) return static_cast<size_t>(v);
  const int k =
      static_cast<int>(std::bit_width(static_cast<uint64_t>(v))) - 1;  // >= kSubBucketBits
  const int shift = k - kSubBucketBits;
  const int64_t sub = (v >> shift) - kSubBuckets;  // in [0, kSubBuckets)
  return static_cast<size_t>(kSubBuckets + static_cast<int64_t>(shift) * kSubBuckets + sub);
}

int64_t LatencyHistogram::BucketLow(size_t bucket) {
  const auto b = static_cast<int64_t>(bucket);
  if (b < kSubBuckets) return b;
  const int64_t shift = (b - kSubBuckets) / kSubBuckets;
  const int64_t sub = (b - kSubBuckets) % kSubBuckets;
  return (kSubBuckets + sub) << shift;
}

int64_t LatencyHistogram::BucketHigh(size_t bucket) {
  const auto b = static_cast<int64_t>(bucket);
  if (b < kSubBuckets) return b;
  const int64_t shift = (b - kSubBuckets) / kSubBuckets;
  return BucketLow(bucket) + (int64_t{1} << shift) - 1;
}

void LatencyHistogram::RecordN(int64_t v, int64_t n) {
  if (n <= 0) return;
  v = std::clamp<int64_t>(v, 0, kMaxTrackable);
  buckets_[BucketOf(v)] += n;
  if (count_ == 0 || v < min_) min_ = v;
  max_ = std::max(max_, v);
  count_ += n;
  sum_ += v * n;
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  if (other.count_ == 0) return;
  for (size_t i = 0; i < buckets_.size(); ++i) buckets_[i] += other.buckets_[i];
  min_ = count_ == 0 ? other.min_ : std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  count_ += other.count_;
  sum_ += other.sum_;
}

void LatencyHistogram::Reset() {
  std::fill(buckets_.begin(), buckets_.end(), 0);
  count_ = sum_ = min_ = max_ = 0;
}

int64_t LatencyHistogram::ValueAtQuantile(double q) const {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  // The rank of the wanted value, 1-based: at least q of the values are at or below it.
  auto rank = static_cast<int64_t>(std::ceil(q * static_cast<double>(count_)));
  rank = std::clamp<int64_t>(rank, 1, count_);
  int64_t seen = 0;
  for (size_t i = 0; i < buckets_.size(); ++i) {
    seen += buckets_[i];
    if (seen >= rank) {
      // The midpoint halves the worst-case error; the exact extremes bound it.
      const int64_t mid = BucketLow(i) + (BucketHigh(i) - BucketLow(i)) / 2;
      return std::clamp(mid, min_, max_);
    }
  }
  return max_;
}

}  // namespace landslide::sim
