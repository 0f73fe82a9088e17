#include "domain/tally.h"

#include <gtest/gtest.h>

namespace landslide {
namespace {

TEST(Tally, CountsPerJurisdictionAndCandidate) {
  const Election& e = Election::Default2016();
  Tally t(e);
  auto al = *e.FindJurisdiction("AL");
  auto wy = *e.FindJurisdiction("WY");
  auto trump = *e.FindCandidate("Donald Trump");
  auto clinton = *e.FindCandidate("Hillary Clinton");
  t.Add(al, trump);
  t.Add(al, trump);
  t.Add(al, clinton);
  t.Add(wy, clinton, 5);
  EXPECT_EQ(t.Count(al, trump), 2);
  EXPECT_EQ(t.JurisdictionTotal(al), 3);
  EXPECT_EQ(t.CandidateTotal(clinton), 6);
  EXPECT_EQ(t.Total(), 8);
  Tally u(e);
  EXPECT_NE(t, u);
  u.Add(wy, clinton, 5);
  u.Add(al, clinton);
  u.Add(al, trump, 2);
  EXPECT_EQ(t, u);
}

TEST(Tally, PercentagesRoundToTwoDecimals) {
  EXPECT_DOUBLE_EQ(Percentage(1, 3), 33.33);
  EXPECT_DOUBLE_EQ(Percentage(2, 3), 66.67);
  EXPECT_DOUBLE_EQ(Percentage(1, 8), 12.5);
  EXPECT_DOUBLE_EQ(Percentage(0, 0), 0.0);
  EXPECT_DOUBLE_EQ(Percentage(5, 5), 100.0);
  EXPECT_DOUBLE_EQ(Percentage(1318255, 2123372), 62.08);
}

TEST(Election, DefaultHasFiveCandidatesInFiftyOneJurisdictions) {
  const Election& e = Election::Default2016();
  EXPECT_EQ(e.jurisdictions().size(), 51u);
  EXPECT_EQ(e.candidates().size(), 5u);
  for (const auto& j : e.jurisdictions()) EXPECT_EQ(j.ballot.size(), 5u) << j.code;
  EXPECT_TRUE(e.FindJurisdiction("DC").has_value());
  EXPECT_FALSE(e.FindJurisdiction("PR").has_value());
  EXPECT_FALSE(e.FindCandidate("Bernie Sanders").has_value());
  EXPECT_TRUE(e.IsOpen(Now()));
}

TEST(Election, RejectsInconsistentDefinitions) {
  std::string error;
  TimePoint t0 = *ParseRfc3339("2030-01-01T00:00:00Z");
  TimePoint t1 = *ParseRfc3339("2030-01-02T00:00:00Z");
  EXPECT_FALSE(Election::Create("x", t1, t0, {{"AL", "Alabama", {"A"}}}, &error));
  EXPECT_EQ(error, "the voting window closes before it opens");
  EXPECT_FALSE(Election::Create("x", t0, t1, {{"AL", "", {"A"}}, {"AL", "", {"B"}}}, &error));
  EXPECT_EQ(error, "jurisdiction AL appears twice");
  EXPECT_FALSE(Election::Create("x", t0, t1, {{"AL", "", {"A", "A"}}}, &error));
  EXPECT_FALSE(Election::Create("x", t0, t1, {{"AL", "", {}}}, &error));
  EXPECT_FALSE(Election::Create("x", t0, t1, {{"al", "", {"A"}}}, &error));
}

TEST(Election, BallotRulesFollowEachJurisdiction) {
  std::string error;
  TimePoint t0 = *ParseRfc3339("2030-01-01T00:00:00Z");
  TimePoint t1 = *ParseRfc3339("2030-01-02T00:00:00Z");
  auto e =
      Election::Create("x", t0, t1, {{"UT", "Utah", {"A", "M"}}, {"AL", "Alabama", {"A"}}}, &error);
  ASSERT_TRUE(e) << error;
  auto al = *e->FindJurisdiction("AL");
  auto ut = *e->FindJurisdiction("UT");
  auto m = *e->FindCandidate("M");
  EXPECT_FALSE(e->OnBallot(al, m));
  EXPECT_TRUE(e->OnBallot(ut, m));
  EXPECT_FALSE(e->IsOpen(*ParseRfc3339("2029-12-31T23:59:59Z")));
  EXPECT_TRUE(e->IsOpen(t0));
  EXPECT_FALSE(e->IsOpen(t1));
}

TEST(Time, Rfc3339RoundTripsAndRejectsNonsense) {
  auto t = ParseRfc3339("2016-11-08T14:03:07.123Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(FormatRfc3339(*t), "2016-11-08T14:03:07.123Z");
  EXPECT_EQ(FormatRfc3339(*ParseRfc3339("2016-11-08T14:03:07+02:00")), "2016-11-08T12:03:07.000Z");
  EXPECT_FALSE(ParseRfc3339("2016-02-31T00:00:00Z"));
  EXPECT_FALSE(ParseRfc3339("2016-11-08 14:03:07Z"));
  EXPECT_FALSE(ParseRfc3339("2016-11-08T14:03:07"));
  EXPECT_FALSE(ParseRfc3339("2016-11-08T14:03:07Zjunk"));
}

}  // namespace
}  // namespace landslide
