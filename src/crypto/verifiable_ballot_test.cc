#include "crypto/verifiable_ballot.h"

#include <gtest/gtest.h>

#include <functional>
#include <vector>

namespace landslide::verifiable {
namespace {

using group::Scalar;

class VerifiableBallotTest : public ::testing::Test {
 protected:
  VerifiableBallotTest()
      : context_(Bytes32{1, 2, 3}, group::BaseMul(Scalar::Random())),
        secret_(CredentialSecret("Test 2026", "163uc-3NQXD-Wgfgg")) {}

  BuiltBallot Build(std::vector<uint8_t> choices, const ContestRule& rule) {
    auto built = BuildBallot(context_, secret_, rule, choices);
    EXPECT_TRUE(built.ok()) << built.status().message();
    return *built;
  }

  ElectionContext context_;
  Scalar secret_;
  ContestRule one_of_five_{"AL", 5, 1, 1};
};

TEST_F(VerifiableBallotTest, EveryHonestBallotVerifiesAndOpens) {
  for (uint8_t pick = 0; pick < 5; ++pick) {
    std::vector<uint8_t> choices(5, 0);
    choices[pick] = 1;
    const BuiltBallot b = Build(choices, one_of_five_);
    EXPECT_TRUE(VerifyBallot(context_, b.ballot, one_of_five_).ok()) << int(pick);
    EXPECT_TRUE(CheckOpening(context_, b.ballot, b.opening, one_of_five_).ok());
    EXPECT_EQ(b.tracking, Track(b.ballot));
    EXPECT_EQ(b.ballot.credential, PublicCredential("Test 2026", "163uc-3NQXD-Wgfgg"));
  }
  // A contest that allows 0 to 2 choices: its sum proof has three branches.
  const ContestRule up_to_two{"ME", 3, 0, 2};
  for (const auto& choices : std::vector<std::vector<uint8_t>>{{0, 0, 0}, {1, 0, 1}, {0, 1, 0}}) {
    const BuiltBallot b = Build(choices, up_to_two);
    EXPECT_EQ(b.ballot.sum_proof.size(), 3u);
    EXPECT_TRUE(VerifyBallot(context_, b.ballot, up_to_two).ok());
  }
}

TEST_F(VerifiableBallotTest, ASeedBuildsTheSameBallotAndNoSeedAFreshOne) {
  const std::vector<uint8_t> choices = {0, 0, 1, 0, 0};
  const Bytes32 seed{7, 7, 7};
  const Bytes32 other{7, 7, 8};
  auto a = BuildBallot(context_, secret_, one_of_five_, choices, &seed);
  auto b = BuildBallot(context_, secret_, one_of_five_, choices, &seed);
  auto c = BuildBallot(context_, secret_, one_of_five_, choices, &other);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(a->ballot, b->ballot);
  EXPECT_EQ(a->tracking, b->tracking);
  EXPECT_NE(a->tracking, c->tracking);
  EXPECT_TRUE(VerifyBallot(context_, a->ballot, one_of_five_).ok());
  EXPECT_TRUE(CheckOpening(context_, a->ballot, a->opening, one_of_five_).ok());
  EXPECT_NE(Build(choices, one_of_five_).tracking, Build(choices, one_of_five_).tracking);
}

TEST_F(VerifiableBallotTest, BuildRefusesChoicesTheRuleForbids) {
  EXPECT_FALSE(
      BuildBallot(context_, secret_, one_of_five_, std::vector<uint8_t>{1, 1, 0, 0, 0}).ok());
  EXPECT_FALSE(
      BuildBallot(context_, secret_, one_of_five_, std::vector<uint8_t>{0, 0, 0, 0, 0}).ok());
  EXPECT_FALSE(
      BuildBallot(context_, secret_, one_of_five_, std::vector<uint8_t>{2, 0, 0, 0, 0}).ok());
  EXPECT_FALSE(BuildBallot(context_, secret_, one_of_five_, std::vector<uint8_t>{1, 0, 0, 0}).ok());
}

// Every byte a hostile client could change: each change is caught.
TEST_F(VerifiableBallotTest, AnyTamperingIsRefused) {
  const BuiltBallot good = Build({0, 1, 0, 0, 0}, one_of_five_);
  std::vector<std::pair<const char*, std::function<void(VerifiableBallot&)>>> edits = {
      {"alpha", [](VerifiableBallot& b) { b.selections[1].ciphertext.alpha[3] ^= 1; }},
      {"beta", [](VerifiableBallot& b) { b.selections[0].ciphertext.beta[9] ^= 4; }},
      {"swap", [](VerifiableBallot& b) { std::swap(b.selections[0], b.selections[1]); }},
      {"proof a", [](VerifiableBallot& b) { b.selections[2].proof[0].a[1] ^= 1; }},
      {"proof b", [](VerifiableBallot& b) { b.selections[2].proof[1].b[1] ^= 1; }},
      {"proof c", [](VerifiableBallot& b) { b.selections[3].proof[0].c[0] ^= 1; }},
      {"proof s", [](VerifiableBallot& b) { b.selections[4].proof[1].s[0] ^= 1; }},
      {"sum proof", [](VerifiableBallot& b) { b.sum_proof[0].s[5] ^= 1; }},
      {"signature r", [](VerifiableBallot& b) { b.signature.r[2] ^= 1; }},
      {"signature s", [](VerifiableBallot& b) { b.signature.s[2] ^= 1; }},
      {"credential",
       [](VerifiableBallot& b) {
         b.credential = PublicCredential("Test 2026", "222uc-3NQXD-Wgfgg");
       }},
      {"jurisdiction", [](VerifiableBallot& b) { b.jurisdiction = "AK"; }},
      {"drop a selection", [](VerifiableBallot& b) { b.selections.pop_back(); }},
  };
  for (auto& [what, edit] : edits) {
    VerifiableBallot bad = good.ballot;
    edit(bad);
    ContestRule rule = one_of_five_;
    if (bad.jurisdiction == "AK") rule.jurisdiction = "AK";
    EXPECT_FALSE(VerifyBallot(context_, bad, rule).ok()) << what;
  }
}

// Proofs are bound to the credential: someone who copies another voter's encrypted choice and
// signs it with their own credential does not get a valid ballot.
TEST_F(VerifiableBallotTest, ACopiedBallotResignedByAnotherVoterFails) {
  const BuiltBallot original = Build({0, 0, 1, 0, 0}, one_of_five_);
  const Scalar thief = CredentialSecret("Test 2026", "999uc-3NQXD-Wgfgg");
  VerifiableBallot copy = original.ballot;
  copy.credential = group::BaseMul(thief).Encode();
  SignBallot(context_, thief, copy);
  EXPECT_FALSE(VerifyBallot(context_, copy, one_of_five_).ok());
}

// A selection that encrypts 2 (here: the homomorphic double of an honest 1) cannot carry a
// valid 0-or-1 proof, and a ballot for another election (another manifest) does not verify.
TEST_F(VerifiableBallotTest, OverVotesAndOtherElectionsFail) {
  BuiltBallot b = Build({1, 0, 0, 0, 0}, one_of_five_);
  auto& ct = b.ballot.selections[0].ciphertext;
  ct.alpha = group::Point::Decode(ct.alpha)->Double().Encode();
  ct.beta = group::Point::Decode(ct.beta)->Double().Encode();
  SignBallot(context_, secret_, b.ballot);
  EXPECT_FALSE(VerifyBallot(context_, b.ballot, one_of_five_).ok());

  const BuiltBallot honest = Build({1, 0, 0, 0, 0}, one_of_five_);
  const ElectionContext other(Bytes32{9}, context_.key().base());
  EXPECT_FALSE(VerifyBallot(other, honest.ballot, one_of_five_).ok());
}

TEST_F(VerifiableBallotTest, BatchVerificationNamesExactlyTheBadBallots) {
  std::vector<VerifiableBallot> ballots;
  for (int i = 0; i < 24; ++i) {
    std::vector<uint8_t> choices(5, 0);
    choices[i % 5] = 1;
    ballots.push_back(Build(choices, one_of_five_).ballot);
  }
  ballots[3].selections[0].proof[0].s[0] ^= 1;        // fails only the multiplication
  ballots[17].selections[1].proof[1].c[0] ^= 1;       // fails the challenge sum
  ballots[20].selections[2].ciphertext.beta[0] ^= 1;  // not a point, or a wrong one
  std::vector<const VerifiableBallot*> ptrs;
  std::vector<const ContestRule*> rules;
  for (const auto& b : ballots) {
    ptrs.push_back(&b);
    rules.push_back(&one_of_five_);
  }
  const auto statuses = VerifyBallots(context_, ptrs, rules);
  ASSERT_EQ(statuses.size(), ballots.size());
  for (size_t i = 0; i < statuses.size(); ++i) {
    EXPECT_EQ(statuses[i].ok(), i != 3 && i != 17 && i != 20) << i;
  }
  ballots[3] = ballots[2];
  ballots[17] = ballots[2];
  ballots[20] = ballots[2];
  for (const auto& st : VerifyBallots(context_, ptrs, rules)) EXPECT_TRUE(st.ok());
}

TEST_F(VerifiableBallotTest, OpeningsMustMatchTheCiphertexts) {
  const BuiltBallot b = Build({0, 0, 0, 1, 0}, one_of_five_);
  BallotOpening lie = b.opening;
  lie.choices = {1, 0, 0, 0, 0};  // claims another choice than was encrypted
  EXPECT_FALSE(CheckOpening(context_, b.ballot, lie, one_of_five_).ok());
  BallotOpening wrong_r = b.opening;
  wrong_r.randomness[2][0] ^= 1;
  EXPECT_FALSE(CheckOpening(context_, b.ballot, wrong_r, one_of_five_).ok());
  BallotOpening short_one = b.opening;
  short_one.choices.pop_back();
  EXPECT_FALSE(CheckOpening(context_, b.ballot, short_one, one_of_five_).ok());
}

TEST_F(VerifiableBallotTest, EncodingRoundTripsAndRefusesMalformedBytes) {
  const BuiltBallot b = Build({0, 0, 0, 0, 1}, one_of_five_);
  const auto bytes = EncodeBallot(b.ballot);
  const auto back = DecodeBallot(bytes);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, b.ballot);
  auto longer = bytes;
  longer.push_back(0);
  EXPECT_FALSE(DecodeBallot(longer).ok());
  for (size_t cut : {size_t{0}, size_t{1}, size_t{40}, bytes.size() - 1}) {
    EXPECT_FALSE(DecodeBallot(std::span(bytes).first(cut)).ok()) << cut;
  }
  auto other_version = bytes;
  other_version[0] = 2;
  EXPECT_FALSE(DecodeBallot(other_version).ok());
  const auto opening = DecodeOpening(EncodeOpening(b.opening));
  ASSERT_TRUE(opening.ok());
  EXPECT_EQ(*opening, b.opening);
}

}  // namespace
}  // namespace landslide::verifiable
