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

}  // namespace
}  // namespace landslide
