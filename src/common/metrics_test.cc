#include "common/metrics.h"

#include <gtest/gtest.h>

namespace landslide {
namespace {

TEST(Metrics, RendersPrometheusText) {
  MetricsRegistry r;
  r.AddCounter("votes_total", "Votes by outcome", "outcome=\"counted\"").Add(3);
  r.AddCounter("votes_total", "Votes by outcome", "outcome=\"already_voted\"").Add(1);
  r.AddGauge("queue_depth", "Ballots waiting").Set(7);
  auto& h = r.AddHistogram("latency_seconds", "Latency", {0.001, 0.01});
  h.Observe(0.0005);
  h.Observe(0.005);
  h.Observe(1);
  std::string text = r.RenderPrometheus();
  EXPECT_NE(text.find("# TYPE votes_total counter\n"), std::string::npos);
  EXPECT_EQ(text.find("# TYPE votes_total counter", text.find("# TYPE votes_total") + 1),
            std::string::npos)
      << "HELP/TYPE once per family";
  EXPECT_NE(text.find("votes_total{outcome=\"counted\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("queue_depth 7\n"), std::string::npos);
  EXPECT_NE(text.find("latency_seconds_bucket{le=\"0.001\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("latency_seconds_bucket{le=\"0.01\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("latency_seconds_bucket{le=\"+Inf\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("latency_seconds_count 3\n"), std::string::npos);
}

}  // namespace
}  // namespace landslide
