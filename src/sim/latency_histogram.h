// A log-bucketed latency histogram in the manner of HdrHistogram: values in microseconds from 0
// to about 25 days, every recorded value kept within 1/128 (< 0.8%) of its bucket's bounds, and
// percentiles answered from the bucket midpoints (so within ~0.4%). Written here because Debian
// packages no C/C++ HDR histogram library.
//
// Not thread-safe: give each thread its own histogram and Merge() them at the end, which is
// exact (the buckets add up).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace landslide::sim {

class LatencyHistogram {
 public:
  // 2^kSubBucketBits buckets per power of two: the relative bucket width is 2^-kSubBucketBits.
  static constexpr int kSubBucketBits = 7;
  static constexpr int64_t kSubBuckets = int64_t{1} << kSubBucketBits;
  // Values at or above this (about 25 days in microseconds) are recorded as this.
  static constexpr int64_t kMaxTrackable = (int64_t{1} << 41) - 1;

  LatencyHistogram();

  // Records one value; negative values count as 0, values over kMaxTrackable as kMaxTrackable.
  void Record(int64_t micros) { RecordN(micros, 1); }
  void RecordN(int64_t micros, int64_t n);
  void Merge(const LatencyHistogram& other);
  void Reset();

  int64_t count() const { return count_; }
  // Exact extremes and mean (0 when empty).
  int64_t min() const { return count_ == 0 ? 0 : min_; }
  int64_t max() const { return max_; }
  double mean() const {
    return count_ == 0 ? 0.0 : static_cast<double>(sum_) / static_cast<double>(count_);
  }

  // The value at quantile q in [0, 1] (0.5 = median, 0.999 = p99.9): the smallest recorded
  // value v such that at least q of all values are <= v, to within the bucket precision and
  // never above max(). 0 when empty.
  int64_t ValueAtQuantile(double q) const;

  // Exposed for tests: the bucket of a value and the bounds of a bucket.
  static size_t BucketOf(int64_t micros);
  static int64_t BucketLow(size_t bucket);
  static int64_t BucketHigh(size_t bucket);  // inclusive

 private:
  std::vector<int64_t> buckets_;
  int64_t count_ = 0;
  int64_t sum_ = 0;
  int64_t min_ = 0;
  int64_t max_ = 0;
};

}  // namespace landslide::sim
