#include "common/metrics.h"

#include <algorithm>
#include <cstdio>
#include <set>

namespace landslide {

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)),
      buckets_(std::make_unique<std::atomic<int64_t>[]>(bounds_.size() + 1)) {
  std::sort(bounds_.begin(), bounds_.end());
}

void Histogram::Observe(double v) {
  size_t i =
      static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin());
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  double cur = sum_.load(std::memory_order_relaxed);
  while (!sum_.compare_exchange_weak(cur, cur + v, std::memory_order_relaxed)) {
  }
}

Histogram::Snapshot Histogram::Take() const {
  Snapshot s;
  s.bounds = bounds_;
  int64_t running = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    s.cumulative.push_back(running);
  }
  s.count = running;
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

Counter& MetricsRegistry::AddCounter(const std::string& name, const std::string& help,
                                     const std::string& labels) {
  auto e = std::make_unique<Entry>();
  e->name = name;
  e->help = help;
  e->labels = labels;
  e->type = "counter";
  e->counter = std::make_unique<Counter>();
  Counter& ref = *e->counter;
  std::lock_guard lock(mu_);
  entries_.push_back(std::move(e));
  return ref;
}

Gauge& MetricsRegistry::AddGauge(const std::string& name, const std::string& help,
                                 const std::string& labels) {
  auto e = std::make_unique<Entry>();
  e->name = name;
  e->help = help;
  e->labels = labels;
  e->type = "gauge";
  e->gauge = std::make_unique<Gauge>();
  Gauge& ref = *e->gauge;
  std::lock_guard lock(mu_);
  entries_.push_back(std::move(e));
  return ref;
}

Histogram& MetricsRegistry::AddHistogram(const std::string& name, const std::string& help,
                                         std::vector<double> upper_bounds) {
  auto e = std::make_unique<Entry>();
  e->name = name;
  e->help = help;
  e->type = "histogram";
  e->histogram = std::make_unique<Histogram>(std::move(upper_bounds));
  Histogram& ref = *e->histogram;
  std::lock_guard lock(mu_);
  entries_.push_back(std::move(e));
  return ref;
}

namespace {
std::string Num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}
}  // namespace

std::string MetricsRegistry::RenderPrometheus() const {
  std::lock_guard lock(mu_);
  std::string out;
  std::set<std::string> described;
  for (const auto& e : entries_) {
    if (described.insert(e->name).second) {
      out += "# HELP " + e->name + " " + e->help + "\n# TYPE " + e->name + " " + e->type + "\n";
    }
    std::string labels = e->labels.empty() ? "" : "{" + e->labels + "}";
    if (e->counter) {
      out += e->name + labels + " " + std::to_string(e->counter->Value()) + "\n";
    } else if (e->gauge) {
      out += e->name + labels + " " + Num(e->gauge->Value()) + "\n";
    } else {
      auto s = e->histogram->Take();
      for (size_t i = 0; i < s.bounds.size(); ++i) {
        out += e->name + "_bucket{le=\"" + Num(s.bounds[i]) + "\"} " +
               std::to_string(s.cumulative[i]) + "\n";
      }
      out += e->name + "_bucket{le=\"+Inf\"} " + std::to_string(s.count) + "\n";
      out += e->name + "_sum " + Num(s.sum) + "\n";
      out += e->name + "_count " + std::to_string(s.count) + "\n";
    }
  }
  return out;
}

}  // namespace landslide
