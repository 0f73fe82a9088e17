#include "bench/load_phases.h"

#include <gtest/gtest.h>

#include "bench/noop_server.h"
#include "sim/voter_generator.h"

namespace landslide::bench {
namespace {

sim::VotePlan Plan(int64_t n) {
  auto csv = sim::GenerateVotersToString({.count = n, .seed = 7});
  EXPECT_TRUE(csv.ok());
  auto plan = sim::ParseVotePlan(*csv, {.seed = 7});
  EXPECT_TRUE(plan.ok());
  return std::move(*plan);
}

TEST(LoadPhasesTest, SplitKeepsEveryVoterOnceInOrder) {
  sim::VotePlan plan = Plan(300);
  auto [a, b] = SplitPlan(plan, 2.0 / 3.0);
  ASSERT_EQ(a.size(), 200u);
  ASSERT_EQ(b.size(), 100u);
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a.id(i), plan.id(i));
    EXPECT_EQ(a.state(i), plan.state(i));
  }
  for (size_t i = 0; i < b.size(); ++i) EXPECT_EQ(b.id(i), plan.id(200 + i));
  EXPECT_EQ(SplitPlan(plan, 1.0).second.size(), 0u);
  EXPECT_EQ(SplitPlan(plan, 5.0).first.size(), 300u);  // clamped
}

TEST(LoadPhasesTest, HalfPeak) {
  EXPECT_DOUBLE_EQ(HalfPeakRate(50000), 25000);
  EXPECT_DOUBLE_EQ(HalfPeakRate(0.5), 1);
}

TEST(LoadPhasesTest, BaselineRunsAgainstTheNoopServer) {
  auto server = NoopServer::Start(1);
  ASSERT_TRUE(server.ok()) << server.status().message();
  LoadSettings s;
  s.targets = {(*server)->url()};
  s.concurrency = 8;
  s.verify = false;
  PhaseResult phase;
  std::vector<std::string> lines;
  RunPeakAndHalf(s, Plan(600), phase, [&](std::string_view l) { lines.emplace_back(l); });
  EXPECT_EQ(phase.status, PhaseStatus::kPassed) << phase.reason;
  ASSERT_TRUE(phase.peak);
  ASSERT_TRUE(phase.half);
  EXPECT_EQ(phase.peak->counted, 400);
  EXPECT_EQ(phase.half->counted, 200);
  EXPECT_GT(phase.peak->votes_per_s, 0);
  EXPECT_NEAR(phase.half->rate, phase.peak->votes_per_s / 2, 1e-6);
  EXPECT_EQ(phase.half->mode, "open");
  EXPECT_GE(lines.size(), 4u);
}

TEST(LoadPhasesTest, NoopHandlerAnswersLikeTheApi) {
  http::HttpResponse got;
  auto respond = [&](http::HttpResponse r) { got = std::move(r); };
  auto request = [](std::string method, std::string path) {
    http::HttpRequest r;
    r.method = std::move(method);
    r.path = std::move(path);
    return r;
  };
  NoopHandle(request("POST", "/votes"), respond);
  EXPECT_EQ(got.status, 201);
  EXPECT_NE(got.body.find("\"receipt\""), std::string::npos);
  NoopHandle(request("GET", "/health"), respond);
  EXPECT_EQ(got.status, 200);
  NoopHandle(request("GET", "/votes"), respond);
  EXPECT_EQ(got.status, 200);
  EXPECT_NE(got.body.find("\"total_count\":0"), std::string::npos);
  NoopHandle(request("GET", "/nothing"), respond);
  EXPECT_EQ(got.status, 404);
}

}  // namespace
}  // namespace landslide::bench
