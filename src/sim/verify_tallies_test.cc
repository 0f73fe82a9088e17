#include "sim/verify_tallies.h"

#include <gtest/gtest.h>

#include "domain/results_2016.h"

namespace landslide::sim {
namespace {

constexpr const char* kVotes = R"({"election":"e","as_of":"2016-11-08T00:00:00.000Z",
  "total_count":7,"candidates":[],
  "states":[{"state":"AL","total_count":3,"results":[
               {"candidate":"Donald Trump","count":2,"percentage":66.67},
               {"candidate":"Hillary Clinton","count":1,"percentage":33.33}]},
            {"state":"CA","total_count":4,"results":[
               {"candidate":"Hillary Clinton","count":4,"percentage":100.0}]}]})";

StateCandidateCounts Empty() { return StateCandidateCounts(Results2016().size()); }

size_t Idx(const char* code) { return static_cast<size_t>(StateIndex2016(code)); }

TEST(VerifyTalliesTest, ParsesTheContractShape) {
  auto t = ParseVotesJson(kVotes);
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->total, 7);
  EXPECT_EQ(t->states.at("AL").at("Donald Trump"), 2);
  EXPECT_EQ(t->states.at("CA").at("Hillary Clinton"), 4);
}

TEST(VerifyTalliesTest, RejectsOtherShapes) {
  EXPECT_FALSE(ParseVotesJson("not json").ok());
  EXPECT_FALSE(ParseVotesJson("[]").ok());
  EXPECT_FALSE(ParseVotesJson(R"({"total_count":1})").ok());
  EXPECT_FALSE(ParseVotesJson(R"({"total_count":1,"states":[{"state":"AL"}]})").ok());
  EXPECT_FALSE(
      ParseVotesJson(R"({"total_count":1,"states":[{"state":"AL","results":[{"count":"1"}]}]})")
          .ok());
}

TEST(VerifyTalliesTest, AVerifiableBoardIsComparedStateByState) {
  auto before = ParseBoardJson(R"({"cast":1,"cast_by_jurisdiction":{"AL":1,"CA":0}})");
  auto after = ParseBoardJson(R"({"cast":4,"cast_by_jurisdiction":{"AL":2,"CA":2}})");
  ASSERT_TRUE(before.ok() && after.ok());
  EXPECT_TRUE(after->turnout_only);
  auto counted = Empty();
  counted[Idx("AL")][0] = 1;
  counted[Idx("CA")][1] = 1;
  counted[Idx("CA")][3] = 1;  // two candidates, one state: compared as that state's turnout
  EXPECT_TRUE(CompareTallies(*before, *after, counted).empty());
  counted[Idx("CA")][3] = 0;
  auto diff = CompareTallies(*before, *after, counted);
  ASSERT_EQ(diff.size(), 2u);
  EXPECT_EQ(diff[0], "total: expected +2, got +3");
  EXPECT_EQ(diff[1], "CA ballots cast: expected +1, got +2");
  EXPECT_FALSE(ParseBoardJson(R"({"cast":1})").ok());
  EXPECT_FALSE(ParseBoardJson(R"({"cast":1,"cast_by_jurisdiction":{"AL":"x"}})").ok());
}

TEST(VerifyTalliesTest, DeltasThatMatchPass) {
  ReportedTallies before;
  before.total = 1;
  before.states["AL"]["Donald Trump"] = 1;
  auto after = ParseVotesJson(kVotes);
  ASSERT_TRUE(after.ok());
  auto counted = Empty();
  counted[Idx("AL")][0] = 1;  // Trump: 1 -> 2
  counted[Idx("AL")][1] = 1;
  counted[Idx("CA")][1] = 4;
  EXPECT_TRUE(CompareTallies(before, *after, counted).empty());
}

TEST(VerifyTalliesTest, EveryDifferenceIsNamed) {
  ReportedTallies before;
  auto after = ParseVotesJson(kVotes);
  ASSERT_TRUE(after.ok());
  auto counted = Empty();
  counted[Idx("AL")][0] = 2;
  counted[Idx("AL")][1] = 1;
  counted[Idx("CA")][1] = 3;  // the region shows one more
  counted[Idx("TX")][0] = 1;  // and misses one
  auto diffs = CompareTallies(before, *after, counted);
  ASSERT_EQ(diffs.size(), 2u);
  EXPECT_EQ(diffs[0], "CA Hillary Clinton: expected +3, got +4");
  EXPECT_EQ(diffs[1], "TX Donald Trump: expected +1, got +0");
}

TEST(VerifyTalliesTest, TotalMismatchAndUnknownCandidatesAreReported) {
  ReportedTallies before, after;
  after.total = 2;
  after.states["AL"]["Write In"] = 2;
  auto diffs = CompareTallies(before, after, Empty());
  ASSERT_EQ(diffs.size(), 2u);
  EXPECT_EQ(diffs[0], "total: expected +0, got +2");
  EXPECT_EQ(diffs[1], "AL Write In: expected +0, got +2");
}

TEST(VerifyTalliesTest, LongListsAreCut) {
  ReportedTallies before, after;
  auto counted = Empty();
  for (auto& row : counted) row[0] = 1;
  auto diffs = CompareTallies(before, after, counted, 5);
  ASSERT_EQ(diffs.size(), 6u);
  EXPECT_NE(diffs.back().find("more differences"), std::string::npos);
}

TEST(VerifyTalliesTest, SplitCheckAcceptsTheExpectedSplit) {
  // Counts exactly proportional to 2016 (rounded) pass.
  auto counted = Empty();
  const auto& states = Results2016();
  for (size_t s = 0; s < states.size(); ++s) {
    int64_t five = 0;
    for (int64_t v : states[s].candidate_votes) five += v;
    for (size_t c = 0; c < kCandidateCount; ++c) {
      counted[s][c] = states[s].candidate_votes[c] * 5000 / five;
    }
  }
  auto check = CheckSplit(counted);
  EXPECT_TRUE(check.ok());
  EXPECT_EQ(check.states_checked, 51);
  EXPECT_LT(check.max_abs_z, 1.0);
}

TEST(VerifyTalliesTest, SplitCheckFlagsASkewedState) {
  auto counted = Empty();
  const size_t ca = Idx("CA");
  counted[ca] = {500, 500, 0, 0, 0};  // CA was ~33% Trump, not 50%
  auto check = CheckSplit(counted);
  EXPECT_EQ(check.states_checked, 1);
  ASSERT_FALSE(check.ok());
  EXPECT_EQ(check.deviations.front().state, "CA");
}

TEST(VerifyTalliesTest, SplitCheckSkipsSmallStatesAndFlagsImpossibleDraws) {
  auto counted = Empty();
  counted[Idx("WY")] = {5, 1, 0, 0, 0};  // fewer than 1000 ballots: not judged
  EXPECT_EQ(CheckSplit(counted).states_checked, 0);
  const size_t al = Idx("AL");
  counted[al] = {620, 340, 21, 4, 15};  // McMullin had no votes in Alabama
  auto check = CheckSplit(counted);
  ASSERT_FALSE(check.ok());
  EXPECT_EQ(check.deviations.back().candidate, "Evan McMullin");
}

}  // namespace
}  // namespace landslide::sim
