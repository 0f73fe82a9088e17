// The bench chart (`landslide bench --chart FILE.svg`): throughput bars for the phases on the
// left, p50 and p99 latency at half the peak rate on the right, with value labels and a legend.
//
// The SVG is written by hand: Debian packages no chart library for C++ (nothing like
// matplotlib or gnuplot bindings that a C++ build could link), and an SVG of a dozen rectangles
// and labels needs none. The output is plain SVG 1.1 that browsers and image viewers open.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bench/bench_report.h"

namespace landslide::bench {

struct ChartPhase {
  std::string label;  // "one region"
  std::optional<double> votes_per_s;
  std::optional<double> ratio_to_baseline;
  std::optional<double> p50_ms_at_half;
  std::optional<double> p99_ms_at_half;
  std::string note;  // shown instead of a bar: "skipped", "failed"
};

struct ChartData {
  std::string title;
  std::string subtitle;  // machine, date, options
  std::vector<ChartPhase> phases;
};

// The phases of a report, in order, with what the chart shows of each.
ChartData ChartDataFrom(const BenchReport& report);
std::string RenderChartSvg(const ChartData& data);

// Helpers, exposed for tests.
std::string XmlEscape(std::string_view text);
// A round axis for values up to `v`: a step of 1, 2, 2.5 or 5 x 10^k and at most `max_ticks`
// steps, the smallest such axis that reaches `v` (27.75 -> 0, 5, ..., 30).
struct Axis {
  double max;
  int ticks;
};
Axis NiceAxis(double v, int max_ticks);
// 48213.4 -> "48,213"; 0.5 -> "0.5".
std::string FormatRate(double v);
// 1.234 -> "1.23 ms"; 123.4 -> "123 ms".
std::string FormatMs(double ms);

}  // namespace landslide::bench
