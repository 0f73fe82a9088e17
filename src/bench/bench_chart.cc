#include "bench/bench_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace landslide::bench {

namespace {

constexpr int kWidth = 960;
constexpr int kHeight = 540;
constexpr int kPlotTop = 110;
constexpr int kPlotBottom = 430;  // the x axis
constexpr int kMaxTicks = 6;
constexpr const char* kThroughputColor = "#2b6cb0";
constexpr const char* kP50Color = "#68d391";
constexpr const char* kP99Color = "#c53030";
constexpr const char* kFont = "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\"";

std::string Fmt(const char* fmt, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

std::string Text(double x, double y, std::string_view text, int size,
                 std::string_view anchor = "middle", std::string_view extra = "") {
  return "<text x=\"" + Fmt("%.1f", x) + "\" y=\"" + Fmt("%.1f", y) + "\" font-size=\"" +
         std::to_string(size) + "\" text-anchor=\"" + std::string(anchor) + "\"" +
         (extra.empty() ? "" : " " + std::string(extra)) + ">" + XmlEscape(text) + "</text>\n";
}

std::string Rect(double x, double y, double w, double h, std::string_view fill,
                 std::string_view title) {
  return "<rect x=\"" + Fmt("%.1f", x) + "\" y=\"" + Fmt("%.1f", y) + "\" width=\"" +
         Fmt("%.1f", w) + "\" height=\"" + Fmt("%.1f", h) + "\" fill=\"" + std::string(fill) +
         "\"><title>" + XmlEscape(title) + "</title></rect>\n";
}

std::string Line(double x1, double y1, double x2, double y2, std::string_view stroke) {
  return "<line x1=\"" + Fmt("%.1f", x1) + "\" y1=\"" + Fmt("%.1f", y1) + "\" x2=\"" +
         Fmt("%.1f", x2) + "\" y2=\"" + Fmt("%.1f", y2) + "\" stroke=\"" + std::string(stroke) +
         "\" stroke-width=\"1\"/>\n";
}

// A panel's frame: title, y axis with round ticks, the x axis.
std::string Axes(double left, double right, std::string_view title, std::string_view unit,
                 Axis axis, bool ms) {
  std::string out =
      Text((left + right) / 2, kPlotTop - 30, title, 16, "middle", "font-weight=\"bold\"");
  out += Text(left - 50, kPlotTop - 12, unit, 12, "start", "fill=\"#444\"");
  for (int i = 0; i <= axis.ticks; ++i) {
    const double v = axis.max * i / axis.ticks;
    const double y = kPlotBottom - (kPlotBottom - kPlotTop) * static_cast<double>(i) / axis.ticks;
    out += Line(left, y, right, y, i == 0 ? "#333" : "#e2e2e2");
    // Tick labels are bare numbers; the unit sits at the top of the axis.
    out += Text(left - 6, y + 4, ms ? Fmt("%g", v) : FormatRate(v), 11, "end", "fill=\"#444\"");
  }
  out += Line(left, kPlotTop, left, kPlotBottom, "#333");
  return out;
}

double BarHeight(double v, double max_value) {
  if (!(max_value > 0)) return 0;
  return std::clamp(v / max_value, 0.0, 1.0) * (kPlotBottom - kPlotTop);
}

std::string ThroughputPanel(const ChartData& d, double left, double right) {
  double max_v = 0;
  for (const auto& p : d.phases) max_v = std::max(max_v, p.votes_per_s.value_or(0));
  const Axis axis = NiceAxis(max_v, kMaxTicks);
  std::string out = Axes(left, right, "Peak throughput (closed loop)", "votes/s", axis, false);
  const double slot = (right - left) / static_cast<double>(std::max<size_t>(1, d.phases.size()));
  for (size_t i = 0; i < d.phases.size(); ++i) {
    const ChartPhase& p = d.phases[i];
    const double cx = left + slot * (static_cast<double>(i) + 0.5);
    const double w = std::min(90.0, slot * 0.55);
    if (p.votes_per_s) {
      const double h = BarHeight(*p.votes_per_s, axis.max);
      out += Rect(cx - w / 2, kPlotBottom - h, w, h, kThroughputColor,
                  p.label + ": " + FormatRate(*p.votes_per_s) + " votes/s");
      out += Text(cx, kPlotBottom - h - 8, FormatRate(*p.votes_per_s) + "/s", 13, "middle",
                  "font-weight=\"bold\"");
    } else {
      out += Text(cx, kPlotBottom - 12, p.note.empty() ? "not run" : p.note, 13, "middle",
                  "fill=\"#888\" font-style=\"italic\"");
    }
    out += Text(cx, kPlotBottom + 20, p.label, 13);
    if (p.ratio_to_baseline) {
      out += Text(cx, kPlotBottom + 38, Fmt("%.1f%% of baseline", *p.ratio_to_baseline * 100), 11,
                  "middle", "fill=\"#444\"");
    }
  }
  return out;
}

std::string LatencyPanel(const ChartData& d, double left, double right) {
  double max_v = 0;
  for (const auto& p : d.phases) {
    max_v = std::max({max_v, p.p50_ms_at_half.value_or(0), p.p99_ms_at_half.value_or(0)});
  }
  const Axis axis = NiceAxis(max_v, kMaxTicks);
  std::string out =
      Axes(left, right, "Latency at half the peak rate (open loop)", "ms", axis, true);
  const double slot = (right - left) / static_cast<double>(std::max<size_t>(1, d.phases.size()));
  for (size_t i = 0; i < d.phases.size(); ++i) {
    const ChartPhase& p = d.phases[i];
    const double cx = left + slot * (static_cast<double>(i) + 0.5);
    const double w = std::min(40.0, slot * 0.3);
    bool any = false;
    const std::pair<const std::optional<double>*, const char*> bars[] = {
        {&p.p50_ms_at_half, kP50Color}, {&p.p99_ms_at_half, kP99Color}};
    for (int b = 0; b < 2; ++b) {
      const auto& v = *bars[b].first;
      if (!v) continue;
      any = true;
      const double x = b == 0 ? cx - w - 2 : cx + 2;
      const double h = BarHeight(*v, axis.max);
      out += Rect(x, kPlotBottom - h, w, h, bars[b].second,
                  p.label + (b == 0 ? " p50: " : " p99: ") + FormatMs(*v));
      out += Text(x + w / 2, kPlotBottom - h - 6, FormatMs(*v), 11);
    }
    if (!any) {
      out += Text(cx, kPlotBottom - 12, p.note.empty() ? "not run" : p.note, 13, "middle",
                  "fill=\"#888\" font-style=\"italic\"");
    }
    out += Text(cx, kPlotBottom + 20, p.label, 13);
  }
  // Legend, top right of the panel.
  const double lx = right - 150;
  const double ly = kPlotTop - 4;
  out += Rect(lx, ly - 10, 12, 12, kP50Color, "p50");
  out += Text(lx + 18, ly, "p50", 12, "start");
  out += Rect(lx + 70, ly - 10, 12, 12, kP99Color, "p99");
  out += Text(lx + 88, ly, "p99", 12, "start");
  return out;
}

}  // namespace

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // Control characters are not allowed in XML 1.0; a label never needs them.
        if (static_cast<unsigned char>(c) >= 0x20 || c == '\t' || c == '\n') out += c;
    }
  }
  return out;
}

Axis NiceAxis(double v, int max_ticks) {
  if (!(v > 0) || !std::isfinite(v) || max_ticks < 1) return {1, std::max(1, max_ticks)};
  double magnitude = std::pow(10.0, std::floor(std::log10(v / max_ticks)));
  while (true) {
    for (double m : {1.0, 2.0, 2.5, 5.0}) {
      const double step = m * magnitude;
      // A small tolerance so that 1000 / 200 is 5 steps, not 6 after rounding.
      const auto n = static_cast<int>(std::ceil(v / step - 1e-9));
      if (n <= max_ticks) return {std::max(1, n) * step, std::max(1, n)};
    }
    magnitude *= 10;
  }
}

std::string FormatRate(double v) {
  if (v < 10 && v != std::floor(v)) return Fmt("%.1f", v);
  const auto n = static_cast<long long>(std::llround(v));
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string FormatMs(double ms) {
  if (ms == 0) return "0 ms";
  if (ms < 10) return Fmt("%.2f ms", ms);
  if (ms < 100) return Fmt("%.1f ms", ms);
  return Fmt("%.0f ms", ms);
}

ChartData ChartDataFrom(const BenchReport& report) {
  ChartData d;
  d.title = "landslide bench";
  const Headline h = ComputeHeadline(report);
  char sub[512];
  std::snprintf(sub, sizeof sub, "%s · %d CPUs (%s) · %lld voters a phase · concurrency %d%s",
                report.started_at.substr(0, 10).c_str(), report.machine.nproc,
                report.machine.cpu_model.empty() ? "unknown CPU" : report.machine.cpu_model.c_str(),
                static_cast<long long>(report.settings.voters), report.settings.concurrency,
                report.load_average_start[0] >= 0
                    ? Fmt(" · load %.1f at start", report.load_average_start[0]).c_str()
                    : "");
  d.subtitle = sub;
  for (const auto& p : report.phases) {
    ChartPhase c;
    c.label = std::string(PhaseTitle(p.kind));
    if (p.peak && p.peak->counted > 0) c.votes_per_s = p.peak->votes_per_s;
    if (p.kind != PhaseKind::kBaseline) c.ratio_to_baseline = Ratio(c.votes_per_s, h.baseline_rps);
    if (p.half && p.half->counted > 0) {
      c.p50_ms_at_half = p.half->latency.p50_ms;
      c.p99_ms_at_half = p.half->latency.p99_ms;
    }
    if (p.status != PhaseStatus::kPassed) c.note = std::string(PhaseStatusName(p.status));
    d.phases.push_back(std::move(c));
  }
  return d;
}

std::string RenderChartSvg(const ChartData& d) {
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<!-- Written by landslide bench, by hand: Debian packages no chart library for C++. -->\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"" +
      std::to_string(kWidth) + "\" height=\"" + std::to_string(kHeight) + "\" viewBox=\"0 0 " +
      std::to_string(kWidth) + " " + std::to_string(kHeight) + "\" " + kFont + ">\n";
  out += "<rect x=\"0\" y=\"0\" width=\"" + std::to_string(kWidth) + "\" height=\"" +
         std::to_string(kHeight) + "\" fill=\"white\"/>\n";
  out += Text(kWidth / 2.0, 30, d.title, 20, "middle", "font-weight=\"bold\"");
  out += Text(kWidth / 2.0, 52, d.subtitle, 12, "middle", "fill=\"#444\"");
  out += ThroughputPanel(d, 90, 450);
  out += LatencyPanel(d, 570, 930);
  // Legend for the throughput colour, then how to read the figures.
  out += Rect(90, kHeight - 48, 12, 12, kThroughputColor, "votes/s");
  out += Text(108, kHeight - 38, "votes (no-op: requests) answered 201 per second", 12, "start");
  out += Text(kWidth / 2.0, kHeight - 14,
              "same load generator, same machine, same run; open-loop latency counts from each "
              "vote's due time",
              11, "middle", "fill=\"#666\"");
  out += "</svg>\n";
  return out;
}

}  // namespace landslide::bench
