#include "sim/vote_plan.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>

#include "domain/results_2016.h"
#include "sim/voter_generator.h"

namespace landslide::sim {
namespace {

std::string Registry(int64_t count, uint64_t seed = 5) {
  auto csv = GenerateVotersToString({.count = count, .seed = seed});
  EXPECT_TRUE(csv.ok()) << csv.status().message();
  return csv.ok() ? *csv : "";
}

TEST(VotePlanTest, ReadsEveryVoterWithItsState) {
  const std::string csv =
      "id,first_name,last_name,address,state\n"
      "163uc-3NQXD-Wgfgg,Mary,Smith,1 Main Street,CA\n"
      "8mMwW-Njfia-8useg,Robert,Scott,9113 Spring Street,MA\r\n"
      "\n";
  auto plan = ParseVotePlan(csv, {});
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  ASSERT_EQ(plan->size(), 2u);
  EXPECT_EQ(plan->id(0), "163uc-3NQXD-Wgfgg");
  EXPECT_EQ(plan->id(1), "8mMwW-Njfia-8useg");
  EXPECT_EQ(Results2016()[plan->state(0)].code, "CA");
  EXPECT_EQ(Results2016()[plan->state(1)].code, "MA");
  EXPECT_LT(plan->candidate(0), kCandidateCount);
}

TEST(VotePlanTest, SameSeedSamePlanOtherSeedOtherPlan) {
  const std::string csv = Registry(5000);
  auto a = ParseVotePlan(csv, {.seed = 42});
  auto b = ParseVotePlan(csv, {.seed = 42});
  auto c = ParseVotePlan(csv, {.seed = 43});
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  ASSERT_EQ(a->size(), 5000u);
  int differ = 0;
  for (size_t i = 0; i < a->size(); ++i) {
    EXPECT_EQ(a->id(i), b->id(i));
    EXPECT_EQ(a->candidate(i), b->candidate(i));
    differ += a->candidate(i) != c->candidate(i);
  }
  EXPECT_GT(differ, 500);
}

TEST(VotePlanTest, LimitKeepsAPrefixOfTheFullPlan) {
  const std::string csv = Registry(2000);
  auto full = ParseVotePlan(csv, {.seed = 9});
  auto part = ParseVotePlan(csv, {.seed = 9, .limit = 300});
  ASSERT_TRUE(full.ok() && part.ok());
  ASSERT_EQ(part->size(), 300u);
  for (size_t i = 0; i < part->size(); ++i) {
    EXPECT_EQ(part->id(i), full->id(i));
    EXPECT_EQ(part->candidate(i), full->candidate(i));
  }
  auto none = ParseVotePlan(csv, {.seed = 9, .limit = 0});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST(VotePlanTest, KnownDrawsForAFixedSeedArePinned) {
  // Pins the draw algorithm: a change here changes every existing report's choices.
  VotePlan plan(2016);
  const int ca = StateIndex2016("CA");
  ASSERT_GE(ca, 0);
  std::string first;
  for (int i = 0; i < 12; ++i) {
    plan.Add("163uc-3NQXD-Wgfgg", static_cast<uint8_t>(ca));
    first.push_back(static_cast<char>('0' + plan.candidate(static_cast<size_t>(i))));
  }
  // 1 = Hillary Clinton, 0 = Donald Trump: California's split, drawn from seed 2016.
  EXPECT_EQ(first, "111110111101");
}

TEST(VotePlanTest, DrawsFollowTheStateSplitInABigState) {
  // 200,000 Californians: each candidate's share within 5 standard errors of 2016's.
  const int ca = StateIndex2016("CA");
  ASSERT_GE(ca, 0);
  VotePlan plan(77);
  constexpr int kN = 200000;
  for (int i = 0; i < kN; ++i) plan.Add("163uc-3NQXD-Wgfgg", static_cast<uint8_t>(ca));
  const auto counts = plan.Counts();
  const auto& s = Results2016()[static_cast<size_t>(ca)];
  int64_t five = 0;
  for (int64_t v : s.candidate_votes) five += v;
  for (size_t c = 0; c < kCandidateCount; ++c) {
    const double p = static_cast<double>(s.candidate_votes[c]) / five;
    const double observed = static_cast<double>(counts[static_cast<size_t>(ca)][c]) / kN;
    const double se = std::sqrt(p * (1 - p) / kN);
    EXPECT_NEAR(observed, p, 5 * se + 1e-12) << kCandidates2016[c];
  }
}

TEST(VotePlanTest, CandidatesWithNoVotesIn2016AreNeverDrawn) {
  // Evan McMullin was on few ballots: Alabama gave him no votes.
  const int al = StateIndex2016("AL");
  ASSERT_GE(al, 0);
  ASSERT_EQ(Results2016()[static_cast<size_t>(al)].candidate_votes[4], 0);
  VotePlan plan(1);
  for (int i = 0; i < 20000; ++i) plan.Add("163uc-3NQXD-Wgfgg", static_cast<uint8_t>(al));
  EXPECT_EQ(plan.Counts()[static_cast<size_t>(al)][4], 0);
}

TEST(VotePlanTest, WeightedDrawMatchesWeights) {
  std::mt19937_64 rng(11);
  std::array<int64_t, kCandidateCount> w = {1, 0, 3, 0, 6};
  std::array<int, kCandidateCount> seen{};
  for (int i = 0; i < 100000; ++i) ++seen[WeightedDraw(rng, w)];
  EXPECT_EQ(seen[1], 0);
  EXPECT_EQ(seen[3], 0);
  EXPECT_NEAR(seen[0] / 100000.0, 0.1, 0.01);
  EXPECT_NEAR(seen[2] / 100000.0, 0.3, 0.01);
  EXPECT_NEAR(seen[4] / 100000.0, 0.6, 0.01);
}

TEST(VotePlanTest, RejectsBadFilesWithTheLine) {
  auto bad_header = ParseVotePlan("id,name\n163uc-3NQXD-Wgfgg,x\n", {});
  ASSERT_FALSE(bad_header.ok());
  EXPECT_NE(bad_header.status().message().find("header"), std::string::npos);

  auto bad_state = ParseVotePlan(
      "id,first_name,last_name,address,state\n163uc-3NQXD-Wgfgg,A,B,C,CA\n163uc-3NQXD-Wgfgh,A,B,C,"
      "ZZ\n",
      {});
  ASSERT_FALSE(bad_state.ok());
  EXPECT_NE(bad_state.status().message().find("line 3"), std::string::npos);

  auto bad_id = ParseVotePlan("id,first_name,last_name,address,state\nnot-an-id,A,B,C,CA\n", {});
  ASSERT_FALSE(bad_id.ok());
  EXPECT_NE(bad_id.status().message().find("line 2"), std::string::npos);

  auto few_fields = ParseVotePlan("id,first_name,last_name,address,state\n163uc-3NQXD-Wgfgg\n", {});
  EXPECT_FALSE(few_fields.ok());

  EXPECT_FALSE(ParseVotePlan("", {}).ok());
}

TEST(VotePlanTest, LoadsAFileAndHonoursTheLimit) {
  const std::string path = ::testing::TempDir() + "/vote_plan_test.csv";
  {
    std::ofstream out(path, std::ios::binary);
    out << Registry(3000, 8);
  }
  auto plan = LoadVotePlan(path, {.seed = 3, .limit = 1234});
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_EQ(plan->size(), 1234u);
  auto all = LoadVotePlan(path, {.seed = 3});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 3000u);
  std::remove(path.c_str());

  auto missing = LoadVotePlan(path, {});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
}

}  // namespace
}  // namespace landslide::sim
