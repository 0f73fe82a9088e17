#include "config/election_file.h"

#include <gtest/gtest.h>

namespace landslide {
namespace {

constexpr const char* kGood = R"({
  "name": "Mayor of Springfield",
  "opens_at": "2030-11-05T07:00:00Z",
  "closes_at": "2030-11-05T20:00:00-05:00",
  "jurisdictions": [
    {"code": "N", "name": "North", "candidates": ["Lisa", "Bart"]},
    {"code": "S", "name": "South", "candidates": ["Lisa"]}
  ]
})";

TEST(ElectionFile, ParsesAValidDefinition) {
  auto e = ParseElectionJson(kGood);
  ASSERT_TRUE(e.ok()) << e.status().message();
  EXPECT_EQ(e->name(), "Mayor of Springfield");
  EXPECT_EQ(e->jurisdictions().size(), 2u);
  EXPECT_EQ(FormatRfc3339(e->closes_at()), "2030-11-06T01:00:00.000Z");
  auto s = *e->FindJurisdiction("S");
  EXPECT_FALSE(e->OnBallot(s, *e->FindCandidate("Bart")));
}

TEST(ElectionFile, DefaultRoundTrips) {
  std::string text = ElectionToJson(Election::Default2016());
  auto e = ParseElectionJson(text);
  ASSERT_TRUE(e.ok()) << e.status().message();
  EXPECT_EQ(ElectionToJson(*e), text);
}

TEST(ElectionFile, RejectsBadDefinitionsNamingTheProblem) {
  struct Case {
    std::string text, message;
  };
  std::string base = kGood;
  const Case cases[] = {
      {"{", "the election file is not valid JSON"},
      {"[]", "the election must be an object"},
      {R"({"name": "x", "name": "y", "opens_at": "", "closes_at": "", "jurisdictions": []})",
       "key \"name\" appears twice in the election file"},
      {R"({"name": "x", "opens_at": "2030-01-01T00:00:00Z", "closes_at": "2030-01-02T00:00:00Z", "jurisdictions": [], "x": 1})",
       "unknown key \"x\" in the election"},
      {R"({"name": "x", "opens_at": "tomorrow", "closes_at": "2030-01-02T00:00:00Z", "jurisdictions": []})",
       "opens_at is not an RFC 3339 time: tomorrow"},
      {R"({"name": "x", "opens_at": "2030-01-01T00:00:00Z", "closes_at": "2030-01-02T00:00:00Z", "jurisdictions": [{"code": "A", "candidates": [1]}]})",
       "jurisdictions[0].candidates must be an array of names"},
      {R"({"name": "x", "opens_at": "2030-01-01T00:00:00Z", "closes_at": "2030-01-02T00:00:00Z", "jurisdictions": [{"code": "A"}]})",
       "jurisdictions[0] is missing \"candidates\""},
      {R"({"name": "x", "opens_at": "2030-01-01T00:00:00Z", "closes_at": "2030-01-02T00:00:00Z", "jurisdictions": []})",
       "the election has no jurisdictions"},
  };
  for (const auto& c : cases) {
    auto e = ParseElectionJson(c.text);
    ASSERT_FALSE(e.ok()) << c.text;
    EXPECT_EQ(e.status().message(), c.message) << c.text;
  }
}

TEST(ElectionFile, ReadsTheBallotPolicy) {
  // Without "ballots": verifiable, results after close (CONTRACT.md).
  auto plain = ParseElectionJson(kGood);
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(plain->verifiable());
  EXPECT_EQ(plain->policy().results, ResultsMode::kAfterClose);
  std::string sealed_text = kGood;
  sealed_text.insert(1, R"("ballots": "sealed",)");
  auto sealed = ParseElectionJson(sealed_text);
  ASSERT_TRUE(sealed.ok());
  EXPECT_FALSE(sealed->verifiable());
  EXPECT_EQ(sealed->policy().results, ResultsMode::kLive);
  // The built-in election is sealed, and its file form says so.
  EXPECT_FALSE(Election::Default2016().verifiable());
  auto round = ParseElectionJson(ElectionToJson(Election::Default2016()));
  ASSERT_TRUE(round.ok());
  EXPECT_FALSE(round->verifiable());

  std::string text = kGood;
  text.insert(1, R"("ballots": "verifiable", "live_min_ballots": 250,)");
  auto v = ParseElectionJson(text);
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_TRUE(v->verifiable());
  EXPECT_EQ(v->policy().results, ResultsMode::kAfterClose);
  EXPECT_EQ(v->policy().live_min_ballots, 250u);
  auto again = ParseElectionJson(ElectionToJson(*v));
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(ElectionToJson(*again), ElectionToJson(*v));

  const std::pair<std::string, std::string> bad[] = {
      {R"("ballots": "secret",)",
       "\"ballots\" must be \"verifiable\" or \"sealed\", not \"secret\""},
      {R"("ballots": "sealed", "results": "after_close",)",
       "\"results\": \"after_close\" needs \"ballots\": \"verifiable\" (the sealed scheme counts "
       "live)"},
      {R"("ballots": "verifiable", "results": "soon",)",
       "\"results\" must be \"after_close\" or \"live\", not \"soon\""},
      {R"("live_min_ballots": 0,)",
       "\"live_min_ballots\" must be a whole number from 1 to 1000000"},
      {R"("live_min_ballots": -5,)",
       "\"live_min_ballots\" must be a whole number from 1 to 1000000"},
  };
  for (const auto& [insert, message] : bad) {
    std::string t = kGood;
    t.insert(1, insert);
    auto e = ParseElectionJson(t);
    ASSERT_FALSE(e.ok()) << t;
    EXPECT_EQ(e.status().message(), message);
  }
}

}  // namespace
}  // namespace landslide
