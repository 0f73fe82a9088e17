#include "sim/target_pool.h"

#include <gtest/gtest.h>

namespace landslide::sim {
namespace {

TEST(TargetPoolTest, ParsesUrls) {
  auto t = ParseTarget("http://127.0.0.1:7071/");
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->url, "http://127.0.0.1:7071");
  EXPECT_EQ(t->host, "127.0.0.1");
  EXPECT_EQ(t->port, 7071);
  EXPECT_EQ(t->host_header, "127.0.0.1:7071");

  auto v6 = ParseTarget("http://[::1]:8080");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 8080);

  auto no_port = ParseTarget("http://localhost");
  ASSERT_TRUE(no_port.ok());
  EXPECT_EQ(no_port->port, 80);
}

TEST(TargetPoolTest, RejectsBadUrls) {
  for (const char* bad : {"https://a:1", "127.0.0.1:7071", "http://", "http://a:", "http://a:0",
                          "http://a:99999", "http://a:1/votes", "http://[::1", "http://a:x"}) {
    EXPECT_FALSE(ParseTarget(bad).ok()) << bad;
  }
  EXPECT_FALSE(ParseTargets({}).ok());
  EXPECT_FALSE(ParseTargets({"http://a:1", "http://a:1/"}).ok());
  EXPECT_TRUE(ParseTargets({"http://a:1", "http://a:2"}).ok());
}

std::vector<Target> Three() {
  auto t = ParseTargets({"http://a:1", "http://b:2", "http://c:3"});
  EXPECT_TRUE(t.ok());
  return *t;
}

TEST(TargetPoolTest, SpreadsOverEquallyFastHealthyTargets) {
  TargetHealth h(Three());
  const auto now = std::chrono::steady_clock::now();
  for (size_t i = 0; i < 3; ++i) h.RecordProbe(i, now, 200, 500, "");
  EXPECT_EQ(h.Choose(0, 0), 0u);
  EXPECT_EQ(h.Choose(1, 0), 1u);
  EXPECT_EQ(h.Choose(2, 0), 2u);
  EXPECT_EQ(h.Choose(0, 1), 1u);  // a retry moves on
}

TEST(TargetPoolTest, PrefersTheFastestAndAvoidsFailedOnesUntilHealthyAgain) {
  TargetHealth h(Three());
  auto t0 = std::chrono::steady_clock::now();
  h.RecordProbe(0, t0, 200, 80000, "");  // 80 ms away
  h.RecordProbe(1, t0, 200, 2000, "");   // 2 ms
  h.RecordProbe(2, t0, 503, 1000, "503: primary down");
  for (size_t slot = 0; slot < 4; ++slot) EXPECT_EQ(h.Choose(slot, 0), 1u);
  EXPECT_TRUE(h.MarkFailed(1));
  EXPECT_FALSE(h.MarkFailed(1));  // already avoided
  EXPECT_EQ(h.failovers(), 1);
  EXPECT_EQ(h.Choose(0, 0), 0u);  // the next healthy one, however far
  // A probe sent before the failure does not clear it; one sent after does.
  h.RecordProbe(1, t0, 200, 2000, "");
  EXPECT_EQ(h.Choose(0, 0), 0u);
  h.RecordProbe(1, std::chrono::steady_clock::now() + std::chrono::seconds(1), 200, 2000, "");
  EXPECT_EQ(h.Choose(0, 0), 1u);
  auto events = h.TakeEvents();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_NE(events[0].find("http://c:3 is not healthy"), std::string::npos);
}

TEST(TargetPoolTest, WithNothingHealthyEveryTargetIsTriedInTurn) {
  TargetHealth h(Three());
  auto t0 = std::chrono::steady_clock::now();
  for (size_t i = 0; i < 3; ++i) h.RecordProbe(i, t0, 503, 100, "503");
  EXPECT_EQ(h.healthy_count(), 0);
  EXPECT_EQ(h.Choose(0, 0), 0u);
  EXPECT_EQ(h.Choose(0, 1), 1u);
  EXPECT_EQ(h.Choose(0, 2), 2u);
}

TEST(TargetPoolTest, HttpGetReportsAnUnreachableTarget) {
  auto t = ParseTargets({"http://127.0.0.1:1"});
  ASSERT_TRUE(t.ok());
  ASSERT_TRUE(ResolveTargets(*t).ok());
  auto r = HttpGet(t->front(), "/health", std::chrono::milliseconds(500));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kUnavailable);
}

}  // namespace
}  // namespace landslide::sim
