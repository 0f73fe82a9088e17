// Counters, gauges and histograms with lock-free updates, rendered in the Prometheus text format.
// Written here because Debian ships no Prometheus client library for C++; this covers only what
// /metrics needs (no labels beyond fixed ones given at registration).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace landslide {

class Counter {
 public:
  void Add(int64_t n = 1) { v_.fetch_add(n, std::memory_order_relaxed); }
  int64_t Value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> v_{0};
};

class Gauge {
 public:
  void Set(double v) { v_.store(v, std::memory_order_relaxed); }
  double Value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> v_{0};
};

class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void Observe(double v);
  struct Snapshot {
    std::vector<double> bounds;
    std::vector<int64_t> cumulative;  // per bound, then +Inf
    double sum = 0;
    int64_t count = 0;
  };
  Snapshot Take() const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<int64_t>[]> buckets_;  // bounds_.size() + 1
  std::atomic<double> sum_{0};
};

// Owns every metric; metrics live as long as the registry.
class MetricsRegistry {
 public:
  // `labels` is a fixed label set such as `outcome="counted"`, or empty.
  Counter& AddCounter(const std::string& name, const std::string& help,
                      const std::string& labels = "");
  Gauge& AddGauge(const std::string& name, const std::string& help, const std::string& labels = "");
  Histogram& AddHistogram(const std::string& name, const std::string& help,
                          std::vector<double> upper_bounds);
  std::string RenderPrometheus() const;

 private:
  struct Entry {
    std::string name, help, labels, type;
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Gauge> gauge;
    std::unique_ptr<Histogram> histogram;
  };
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Entry>> entries_;  // guarded by mu_ (the vector, not the metrics)
};

}  // namespace landslide
