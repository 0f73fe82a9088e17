#include "bench/bench_chart.h"

#include <gtest/gtest.h>

#include <vector>

namespace landslide::bench {
namespace {

// A small XML well-formedness check (no XML parser is linked): every tag closes in order,
// attributes are quoted, and text holds no bare '<' or '&' outside an entity.
::testing::AssertionResult WellFormed(const std::string& xml) {
  std::vector<std::string> open;
  size_t i = 0;
  bool root_seen = false;
  while (i < xml.size()) {
    if (xml[i] == '&') {
      const size_t semi = xml.find(';', i);
      if (semi == std::string::npos || semi - i > 6) {
        return ::testing::AssertionFailure() << "bare & at " << i;
      }
      i = semi + 1;
      continue;
    }
    if (xml[i] != '<') {
      ++i;
      continue;
    }
    if (xml.compare(i, 2, "<?") == 0) {
      i = xml.find("?>", i);
      if (i == std::string::npos) return ::testing::AssertionFailure() << "unclosed <?";
      i += 2;
      continue;
    }
    if (xml.compare(i, 4, "<!--") == 0) {
      i = xml.find("-->", i);
      if (i == std::string::npos) return ::testing::AssertionFailure() << "unclosed comment";
      i += 3;
      continue;
    }
    const size_t end = xml.find('>', i);
    if (end == std::string::npos) return ::testing::AssertionFailure() << "unclosed tag at " << i;
    std::string tag = xml.substr(i + 1, end - i - 1);
    if (tag.find('<') != std::string::npos) {
      return ::testing::AssertionFailure() << "'<' inside a tag at " << i;
    }
    size_t quotes = 0;
    for (char c : tag) quotes += c == '"';
    if (quotes % 2 != 0) return ::testing::AssertionFailure() << "unbalanced quotes: " << tag;
    if (tag[0] == '/') {
      const std::string name = tag.substr(1);
      if (open.empty() || open.back() != name) {
        return ::testing::AssertionFailure()
               << "</" << name << "> closes " << (open.empty() ? "nothing" : open.back());
      }
      open.pop_back();
    } else if (tag.back() != '/') {
      const std::string name = tag.substr(0, tag.find_first_of(" \n\t"));
      if (open.empty() && root_seen) return ::testing::AssertionFailure() << "two roots";
      open.push_back(name);
      root_seen = true;
    }
    i = end + 1;
  }
  if (!open.empty()) return ::testing::AssertionFailure() << "<" << open.back() << "> not closed";
  if (!root_seen) return ::testing::AssertionFailure() << "no root element";
  return ::testing::AssertionSuccess();
}

ChartData Sample() {
  ChartData d;
  d.title = "landslide bench";
  d.subtitle = "2024-05-01 · 2 CPUs (AMD <EPYC> & co)";
  d.phases.push_back({"no-op HTTP baseline", 81234.5, std::nullopt, 0.41, 0.93, ""});
  d.phases.push_back({"one region", 26012.0, 26012.0 / 81234.5, 3.2, 27.75, ""});
  d.phases.push_back(
      {"three regions", std::nullopt, std::nullopt, std::nullopt, std::nullopt, "skipped"});
  return d;
}

TEST(BenchChartTest, SvgIsWellFormedAndEscapesLabels) {
  const std::string svg = RenderChartSvg(Sample());
  EXPECT_TRUE(WellFormed(svg));
  EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
  EXPECT_NE(svg.find("<svg xmlns=\"http://www.w3.org/2000/svg\""), std::string::npos);
  EXPECT_NE(svg.find("AMD &lt;EPYC&gt; &amp; co"), std::string::npos);
  EXPECT_EQ(svg.find("<EPYC>"), std::string::npos);
}

TEST(BenchChartTest, SvgShowsTheNumbersLabelsAndLegend) {
  const std::string svg = RenderChartSvg(Sample());
  EXPECT_NE(svg.find("81,235/s"), std::string::npos);
  EXPECT_NE(svg.find("26,012/s"), std::string::npos);
  EXPECT_NE(svg.find("32.0% of baseline"), std::string::npos);
  EXPECT_NE(svg.find("0.41 ms"), std::string::npos);
  EXPECT_NE(svg.find("27.8 ms"), std::string::npos);
  EXPECT_NE(svg.find(">skipped<"), std::string::npos);
  EXPECT_NE(svg.find(">p50<"), std::string::npos);
  EXPECT_NE(svg.find(">p99<"), std::string::npos);
  EXPECT_NE(svg.find("one region"), std::string::npos);
  EXPECT_NE(svg.find("Debian packages no chart library"), std::string::npos);
}

TEST(BenchChartTest, ChartDataComesFromTheReport) {
  BenchReport r;
  r.started_at = "2024-05-01T10:00:00.000Z";
  r.machine.nproc = 2;
  PhaseResult base;
  base.kind = PhaseKind::kBaseline;
  base.status = PhaseStatus::kPassed;
  base.peak.emplace();
  base.peak->counted = 10;
  base.peak->votes_per_s = 40000;
  base.half.emplace();
  base.half->counted = 5;
  base.half->latency.p50_ms = 0.5;
  base.half->latency.p99_ms = 2;
  PhaseResult one = base;
  one.kind = PhaseKind::kSingleRegion;
  one.peak->votes_per_s = 10000;
  PhaseResult three;
  three.kind = PhaseKind::kThreeRegions;
  three.status = PhaseStatus::kSkipped;
  r.phases = {base, one, three};
  ChartData d = ChartDataFrom(r);
  ASSERT_EQ(d.phases.size(), 3u);
  EXPECT_EQ(*d.phases[0].votes_per_s, 40000);
  EXPECT_FALSE(d.phases[0].ratio_to_baseline);
  EXPECT_DOUBLE_EQ(*d.phases[1].ratio_to_baseline, 0.25);
  EXPECT_EQ(*d.phases[1].p99_ms_at_half, 2);
  EXPECT_FALSE(d.phases[2].votes_per_s);
  EXPECT_EQ(d.phases[2].note, "skipped");
  EXPECT_TRUE(WellFormed(RenderChartSvg(d)));
}

TEST(BenchChartTest, EmptyChartIsStillWellFormed) {
  ChartData d;
  EXPECT_TRUE(WellFormed(RenderChartSvg(d)));
}

TEST(BenchChartTest, AxisMaximumIsRound) {
  EXPECT_DOUBLE_EQ(NiceAxis(81234.5, 6).max, 100000);
  EXPECT_EQ(NiceAxis(81234.5, 6).ticks, 5);
  EXPECT_DOUBLE_EQ(NiceAxis(1000, 6).max, 1000);
  EXPECT_DOUBLE_EQ(NiceAxis(27.75, 6).max, 30);
  EXPECT_EQ(NiceAxis(27.75, 6).ticks, 6);
  EXPECT_DOUBLE_EQ(NiceAxis(0.93, 6).max, 1);
  EXPECT_DOUBLE_EQ(NiceAxis(0, 6).max, 1);
  for (double v : {0.01, 3.3, 12345.0, 99999.0, 7e6}) {
    Axis a = NiceAxis(v, 6);
    EXPECT_GE(a.max, v);
    EXPECT_LE(a.ticks, 6);
    EXPECT_LT(a.max, v * 2.6) << v;  // never mostly empty
  }
}

TEST(BenchChartTest, NumbersAreFormattedForPeople) {
  EXPECT_EQ(FormatRate(48213.4), "48,213");
  EXPECT_EQ(FormatRate(1234567), "1,234,567");
  EXPECT_EQ(FormatRate(0.5), "0.5");
  EXPECT_EQ(FormatMs(1.234), "1.23 ms");
  EXPECT_EQ(FormatMs(27.75), "27.8 ms");
  EXPECT_EQ(FormatMs(123.4), "123 ms");
  EXPECT_EQ(XmlEscape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
}

}  // namespace
}  // namespace landslide::bench
