#include "sim/latency_histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace landslide::sim {
namespace {

// The exact quantile of a sorted sample, with the histogram's definition: the smallest value
// such that at least q of the values are at or below it.
int64_t ExactQuantile(const std::vector<int64_t>& sorted, double q) {
  auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  rank = std::clamp<size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

void ExpectWithin(int64_t got, int64_t want, double relative) {
  const double tolerance = std::max(1.0, relative * static_cast<double>(want));
  EXPECT_NEAR(static_cast<double>(got), static_cast<double>(want), tolerance)
      << "got " << got << ", want " << want;
}

TEST(LatencyHistogramTest, EmptyAnswersZero) {
  LatencyHistogram h;
  EXPECT_EQ(h.count(), 0);
  EXPECT_EQ(h.ValueAtQuantile(0.5), 0);
  EXPECT_EQ(h.max(), 0);
  EXPECT_EQ(h.min(), 0);
}

TEST(LatencyHistogramTest, SmallValuesAreExact) {
  LatencyHistogram h;
  for (int64_t v = 1; v <= 100; ++v) h.Record(v);
  EXPECT_EQ(h.ValueAtQuantile(0.5), 50);
  EXPECT_EQ(h.ValueAtQuantile(0.9), 90);
  EXPECT_EQ(h.ValueAtQuantile(0.99), 99);
  EXPECT_EQ(h.ValueAtQuantile(1.0), 100);
  EXPECT_EQ(h.min(), 1);
  EXPECT_EQ(h.max(), 100);
  EXPECT_DOUBLE_EQ(h.mean(), 50.5);
}

TEST(LatencyHistogramTest, BucketsCoverEveryValueWithinOnePercent) {
  for (int64_t v : {int64_t{0}, int64_t{1}, int64_t{127}, int64_t{128}, int64_t{129}, int64_t{255},
                    int64_t{256}, int64_t{1000}, int64_t{999'999}, int64_t{60'000'000},
                    int64_t{600'000'000}, LatencyHistogram::kMaxTrackable}) {
    const size_t b = LatencyHistogram::BucketOf(v);
    EXPECT_LE(LatencyHistogram::BucketLow(b), v);
    EXPECT_GE(LatencyHistogram::BucketHigh(b), v);
    const double width =
        static_cast<double>(LatencyHistogram::BucketHigh(b) - LatencyHistogram::BucketLow(b));
    EXPECT_LE(width, std::max(0.0, 0.01 * static_cast<double>(v))) << v;
  }
  // Buckets are contiguous.
  for (size_t b = 1; b < 3000; ++b) {
    EXPECT_EQ(LatencyHistogram::BucketLow(b), LatencyHistogram::BucketHigh(b - 1) + 1) << b;
  }
}

TEST(LatencyHistogramTest, UniformDistributionPercentiles) {
  // 1 ms to 1 s, uniformly: every percentile within 1% of the exact one.
  std::mt19937_64 rng(1);
  std::vector<int64_t> values;
  LatencyHistogram h;
  for (int i = 0; i < 200000; ++i) {
    const auto v = static_cast<int64_t>(1000 + rng() % 999'000);
    values.push_back(v);
    h.Record(v);
  }
  std::sort(values.begin(), values.end());
  for (double q : {0.5, 0.9, 0.99, 0.999})
    ExpectWithin(h.ValueAtQuantile(q), ExactQuantile(values, q), 0.01);
  EXPECT_EQ(h.max(), values.back());
  EXPECT_EQ(h.ValueAtQuantile(1.0), values.back());
}

TEST(LatencyHistogramTest, LogNormalDistributionPercentiles) {
  // A long tail, like real latencies: median ~2 ms, tail into seconds.
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> dist(std::log(2000.0), 1.0);
  std::vector<int64_t> values;
  LatencyHistogram h;
  for (int i = 0; i < 300000; ++i) {
    const auto v = static_cast<int64_t>(dist(rng));
    values.push_back(v);
    h.Record(v);
  }
  std::sort(values.begin(), values.end());
  for (double q : {0.5, 0.9, 0.99, 0.999})
    ExpectWithin(h.ValueAtQuantile(q), ExactQuantile(values, q), 0.01);
}

TEST(LatencyHistogramTest, MinutesKeepTheirResolution) {
  LatencyHistogram h;
  constexpr int64_t kThreeMinutesUs = int64_t{3} * 60 * 1'000'000;
  h.Record(kThreeMinutesUs);
  ExpectWithin(h.ValueAtQuantile(0.5), kThreeMinutesUs, 0.01);
  EXPECT_EQ(h.max(), kThreeMinutesUs);
}

TEST(LatencyHistogramTest, OutOfRangeValuesAreClamped) {
  LatencyHistogram h;
  h.Record(-5);
  h.Record(LatencyHistogram::kMaxTrackable * 2);
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.max(), LatencyHistogram::kMaxTrackable);
  EXPECT_EQ(h.count(), 2);
}

TEST(LatencyHistogramTest, MergeEqualsRecordingEverythingInOne) {
  std::mt19937_64 rng(3);
  LatencyHistogram all, parts[4];
  for (int i = 0; i < 100000; ++i) {
    const auto v = static_cast<int64_t>(rng() % 5'000'000);
    all.Record(v);
    parts[i % 4].Record(v);
  }
  LatencyHistogram merged;
  for (const auto& p : parts) merged.Merge(p);
  EXPECT_EQ(merged.count(), all.count());
  EXPECT_EQ(merged.min(), all.min());
  EXPECT_EQ(merged.max(), all.max());
  EXPECT_DOUBLE_EQ(merged.mean(), all.mean());
  for (double q : {0.0, 0.25, 0.5, 0.9, 0.99, 0.999, 1.0}) {
    EXPECT_EQ(merged.ValueAtQuantile(q), all.ValueAtQuantile(q)) << q;
  }
}

TEST(LatencyHistogramTest, MergeIntoEmptyAndFromEmpty) {
  LatencyHistogram a, b;
  b.Record(500);
  a.Merge(b);
  EXPECT_EQ(a.min(), 500);
  a.Merge(LatencyHistogram());
  EXPECT_EQ(a.count(), 1);
  a.Reset();
  EXPECT_EQ(a.count(), 0);
  EXPECT_EQ(a.ValueAtQuantile(0.5), 0);
}

TEST(LatencyHistogramTest, BimodalPercentilesLandInTheRightMode) {
  LatencyHistogram h;
  h.RecordN(1000, 990);      // 99% at 1 ms
  h.RecordN(2'000'000, 10);  // 1% at 2 s
  ExpectWithin(h.ValueAtQuantile(0.5), 1000, 0.01);
  ExpectWithin(h.ValueAtQuantile(0.99), 1000, 0.01);
  ExpectWithin(h.ValueAtQuantile(0.995), 2'000'000, 0.01);
  EXPECT_EQ(h.max(), 2'000'000);
}

}  // namespace
}  // namespace landslide::sim
