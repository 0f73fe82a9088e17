#include "crypto/ballot_crypto.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <vector>

namespace landslide {
namespace {

class BallotCryptoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("landslide-keys-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    auto k = CreateKeys(dir_);
    ASSERT_TRUE(k.ok()) << k.status().message();
    keys_ = *k;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
  ElectionKeys keys_;
};

TEST_F(BallotCryptoTest, KeysRoundTripAndSecretsLoadOnlyWhenAsked) {
  auto pub = LoadKeys(dir_, SecretKeys::kNone);
  ASSERT_TRUE(pub.ok());
  EXPECT_EQ(pub->registry_key, keys_.registry_key);
  EXPECT_FALSE(pub->election_secret.has_value());
  auto all = LoadKeys(dir_, SecretKeys::kAll);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all->election_secret, *keys_.election_secret);
  EXPECT_EQ(std::filesystem::status(dir_ / "election.sec").permissions() &
                std::filesystem::perms::group_read,
            std::filesystem::perms::none);
  EXPECT_FALSE(CreateKeys(dir_).ok()) << "must refuse to overwrite";
}

TEST_F(BallotCryptoTest, VoterHashIsKeyedAndDeterministic) {
  VoterHasher h(keys_.registry_key);
  EXPECT_EQ(h.Hash("163uc-3NQXD-Wgfgg"), h.Hash("163uc-3NQXD-Wgfgg"));
  EXPECT_NE(h.Hash("163uc-3NQXD-Wgfgg"), h.Hash("163uc-3NQXD-Wgfgh"));
  std::array<uint8_t, 32> other_key{};
  VoterHasher other(other_key);
  EXPECT_NE(h.Hash("163uc-3NQXD-Wgfgg"), other.Hash("163uc-3NQXD-Wgfgg"));
  auto v = h.Hash("163uc-3NQXD-Wgfgg");
  EXPECT_EQ(h.ReceiptFor(v, "key-1"), h.ReceiptFor(v, "key-1"));
  EXPECT_NE(h.ReceiptFor(v, "key-1"), h.ReceiptFor(v, "key-2"));
  EXPECT_NE(h.HashIdempotencyKey("k"), h.ReceiptFor(v, "k"));
}

TEST_F(BallotCryptoTest, SealedBallotsOpenOnlyWithTheElectionSecret) {
  BatchSealer sealer(keys_.election_public);
  SealedBallot a = sealer.Seal("Hillary Clinton");
  SealedBallot b = sealer.Seal("Donald Trump");
  EXPECT_NE(a.nonce, b.nonce);
  BallotOpener opener(*keys_.election_secret);
  opener.UseBatch(sealer.ephemeral_public());
  EXPECT_EQ(opener.Open(a.nonce, a.ciphertext), "Hillary Clinton");
  EXPECT_EQ(opener.Open(b.nonce, b.ciphertext), "Donald Trump");
  a.ciphertext[3] ^= 1;
  EXPECT_FALSE(opener.Open(a.nonce, a.ciphertext).has_value()) << "tampering must be detected";

  std::array<uint8_t, 32> wrong_pk, wrong_sk;
  crypto_box_keypair(wrong_pk.data(), wrong_sk.data());
  BallotOpener wrong(wrong_sk);
  wrong.UseBatch(sealer.ephemeral_public());
  EXPECT_FALSE(wrong.Open(b.nonce, b.ciphertext).has_value());
}

TEST_F(BallotCryptoTest, BatchRandomSealsAndKeepsDrawingPastItsBuffer) {
  BatchSealer sealer(keys_.election_public);
  BatchRandom random;
  BallotOpener opener(*keys_.election_secret);
  opener.UseBatch(sealer.ephemeral_public());
  std::set<Nonce> nonces;
  // 300 nonces of 24 bytes cross the 4 KiB buffer: every refill must give new bytes.
  for (int i = 0; i < 300; ++i) {
    SealedBallot s = sealer.Seal("Gary Johnson", random);
    EXPECT_TRUE(nonces.insert(s.nonce).second) << "nonce repeated at " << i;
    EXPECT_EQ(opener.Open(s.nonce, s.ciphertext), "Gary Johnson");
  }
  EXPECT_NE(RandomReceipt(random), RandomReceipt(random));
  std::vector<int> v(64);
  for (int i = 0; i < 64; ++i) v[static_cast<size_t>(i)] = i;
  std::vector<int> w = v;
  std::shuffle(w.begin(), w.end(), random);
  EXPECT_NE(v, w);  // 1 in 64! to fail by chance
  std::sort(w.begin(), w.end());
  EXPECT_EQ(v, w);
}

TEST_F(BallotCryptoTest, ChainDependsOnEveryField) {
  BatchSealer sealer(keys_.election_public);
  SealedBallot s = sealer.Seal("Jill Stein");
  Receipt r = RandomReceipt();
  ChainHash zero{};
  std::vector<ChainedBallot> one = {{"AL", &r, &s.nonce, s.ciphertext}};
  ChainHash h1 = ChainNext(zero, "east-0", 1, sealer.ephemeral_public(), one);
  EXPECT_EQ(h1, ChainNext(zero, "east-0", 1, sealer.ephemeral_public(), one));
  EXPECT_NE(h1, ChainNext(zero, "east-1", 1, sealer.ephemeral_public(), one));
  EXPECT_NE(h1, ChainNext(zero, "east-0", 2, sealer.ephemeral_public(), one));
  EXPECT_NE(h1, ChainNext(h1, "east-0", 1, sealer.ephemeral_public(), one));
  std::vector<ChainedBallot> ak = {{"AK", &r, &s.nonce, s.ciphertext}};
  EXPECT_NE(h1, ChainNext(zero, "east-0", 1, sealer.ephemeral_public(), ak));
  EXPECT_NE(h1, ChainNext(zero, "east-0", 1, sealer.ephemeral_public(), {}));
}

TEST_F(BallotCryptoTest, SignaturesVerifyAndDetectChanges) {
  std::string msg = "tallies";
  std::span<const uint8_t> m(reinterpret_cast<const uint8_t*>(msg.data()), msg.size());
  auto sig = SignDetached(m, *keys_.signing_secret);
  EXPECT_TRUE(VerifyDetached(m, sig, keys_.signing_public));
  sig[0] ^= 1;
  EXPECT_FALSE(VerifyDetached(m, sig, keys_.signing_public));
}

}  // namespace
}  // namespace landslide
