#include "crypto/trustees.h"

#include <gtest/gtest.h>

#include <vector>

#include "crypto/verifiable_ballot.h"

namespace landslide::verifiable {
namespace {

using group::Point;
using group::Scalar;

const Bytes32 kManifest{7, 7, 7};

// Encrypts `votes` ballots of one candidate (as the tallier adds them): Σ alpha, Σ beta.
Ciphertext Aggregate(const Point& key, const std::vector<uint8_t>& votes) {
  Point a, b;
  for (uint8_t v : votes) {
    const Scalar r = Scalar::Random();
    a += group::BaseMul(r);
    b += key * r;
    if (v) b += Point::Generator();
  }
  return {a.Encode(), b.Encode()};
}

TEST(TrusteesTest, AnyThresholdOfTrusteesRecoversTheCountAndFewerCannot) {
  auto ceremony = RunKeyCeremony("Test 2026", 5, 3);
  ASSERT_TRUE(ceremony.ok());
  ASSERT_TRUE(VerifyCeremony(ceremony->published).ok());
  const Point key = *Point::Decode(ceremony->published.joint_key);
  std::vector<uint8_t> votes(200, 0);
  for (size_t i = 0; i < votes.size(); i += 3) votes[i] = 1;  // 67 of 200
  const Ciphertext total = Aggregate(key, votes);
  const DiscreteLog dlog(votes.size());
  std::vector<PartialDecryption> partials;
  for (uint32_t j = 1; j <= 5; ++j) {
    partials.push_back(DecryptShare(kManifest, j, ceremony->shares[j - 1], total));
    const auto vk = VerificationKey(ceremony->published, j);
    ASSERT_TRUE(vk.ok());
    EXPECT_TRUE(VerifyPartial(kManifest, *vk, total, partials.back()).ok()) << j;
  }
  for (const auto& subset :
       std::vector<std::vector<int>>{{0, 1, 2}, {2, 3, 4}, {4, 0, 2}, {1, 3, 4}}) {
    std::vector<PartialDecryption> chosen;
    chosen.reserve(subset.size());
    for (int i : subset) chosen.push_back(partials[i]);
    const auto count = Combine(total, chosen, 3, dlog);
    ASSERT_TRUE(count.ok()) << count.status().message();
    EXPECT_EQ(*count, 67u);
  }
  std::vector<PartialDecryption> two{partials[0], partials[1], partials[1]};
  EXPECT_FALSE(Combine(total, two, 3, dlog).ok());
}

TEST(TrusteesTest, ForgedPartialsAndCeremoniesAreRefused) {
  auto ceremony = RunKeyCeremony("Test 2026", 3, 2);
  ASSERT_TRUE(ceremony.ok());
  const Point key = *Point::Decode(ceremony->published.joint_key);
  const Ciphertext total = Aggregate(key, {1, 0, 1});
  const auto vk1 = *VerificationKey(ceremony->published, 1);
  // A trustee that uses another share (or lies about D) is caught by its proof.
  PartialDecryption lie = DecryptShare(kManifest, 1, ceremony->shares[1], total);
  EXPECT_FALSE(VerifyPartial(kManifest, vk1, total, lie).ok());
  PartialDecryption shifted = DecryptShare(kManifest, 1, ceremony->shares[0], total);
  shifted.share = (*Point::Decode(shifted.share) + Point::Generator()).Encode();
  EXPECT_FALSE(VerifyPartial(kManifest, vk1, total, shifted).ok());
  // Bound to the manifest: a proof made for another election does not carry over.
  const auto honest = DecryptShare(kManifest, 1, ceremony->shares[0], total);
  EXPECT_TRUE(VerifyPartial(kManifest, vk1, total, honest).ok());
  EXPECT_FALSE(VerifyPartial(Bytes32{8}, vk1, total, honest).ok());

  PublicCeremony forged = ceremony->published;
  forged.joint_key = group::BaseMul(Scalar::Random()).Encode();
  EXPECT_FALSE(VerifyCeremony(forged).ok());
  forged = ceremony->published;
  forged.commitments[1].coefficients[1] = group::BaseMul(Scalar::Random()).Encode();
  EXPECT_FALSE(VerifyCeremony(forged).ok());
}

TEST(TrusteesTest, DiscreteLogCoversItsRangeAndNoMore) {
  const DiscreteLog dlog(100000);
  for (uint64_t t : {0ull, 1ull, 2ull, 1264ull, 99999ull, 100000ull}) {
    EXPECT_EQ(dlog.Find(group::BaseMul(Scalar::FromU64(t))), t);
  }
  EXPECT_FALSE(dlog.Find(group::BaseMul(Scalar::FromU64(100001))).has_value());
  EXPECT_FALSE(dlog.Find(-Point::Generator()).has_value());
}

}  // namespace
}  // namespace landslide::verifiable
