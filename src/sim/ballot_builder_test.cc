#include "sim/ballot_builder.h"

#include <gtest/gtest.h>

#include "common/hex.h"
#include "crypto/trustees.h"
#include "crypto/verifiable_ballot.h"
#include "domain/election.h"
#include "domain/results_2016.h"
#include "record/manifest.h"
#include "sim/voter_generator.h"

namespace landslide::sim {
namespace {

TEST(BallotBuilder, EveryBodyIsTheVotersSignedBallotForThePlannedCandidate) {
  const Election& election = Election::Default2016();
  auto ceremony = verifiable::RunKeyCeremony(election.name(), 3, 2);
  ASSERT_TRUE(ceremony.ok());
  const std::string manifest = record::ManifestToJson(
      record::ManifestFor(election, ceremony->published, ResultsMode::kAfterClose, 100));
  auto csv = GenerateVotersToString({.count = 40, .seed = 5});
  ASSERT_TRUE(csv.ok());
  auto plan = ParseVotePlan(*csv, {.seed = 9});
  ASSERT_TRUE(plan.ok());
  auto built = BuildBallotBodies(*plan, manifest, 2);
  ASSERT_TRUE(built.ok()) << built.status().message();
  ASSERT_EQ(built->bodies.size(), plan->size());
  EXPECT_GT(built->micros_per_ballot_per_core(), 0);

  auto parsed = record::ParseManifest(manifest);
  ASSERT_TRUE(parsed.ok());
  auto context = verifiable::ElectionContext::Create(record::ManifestHash(manifest),
                                                     ceremony->published.joint_key);
  ASSERT_TRUE(context.ok());
  for (size_t i = 0; i < plan->size(); ++i) {
    const std::string& body = built->bodies[i];
    const std::string prefix = "{\"ballot\":\"";
    ASSERT_EQ(body.substr(0, prefix.size()), prefix);
    auto bytes = FromHex(body.substr(prefix.size(), body.size() - prefix.size() - 2));
    ASSERT_TRUE(bytes);
    auto ballot = DecodeBallot(*bytes);
    ASSERT_TRUE(ballot.ok());
    const std::string& state = Results2016()[plan->state(i)].code;
    EXPECT_EQ(ballot->jurisdiction, state);
    EXPECT_EQ(ballot->credential, verifiable::PublicCredential(election.name(), plan->id(i)));
    const auto* contest = parsed->FindContest(state);
    ASSERT_NE(contest, nullptr);
    EXPECT_TRUE(verifiable::VerifyBallot(**context, *ballot, parsed->Rule(*contest)).ok());
  }
  // Not a manifest: refused.
  EXPECT_FALSE(BuildBallotBodies(*plan, "{}", 1).ok());
}

}  // namespace
}  // namespace landslide::sim
