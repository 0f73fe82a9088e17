#include "voting/tallier.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <algorithm>
#include <future>

#include "support/memory_ballot_store.h"
#include "voting/intake_queue.h"

namespace landslide {
namespace {

class TallierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(InitCrypto().ok());
    crypto_box_keypair(election_public_.data(), election_secret_.data());
    registry_key_.fill(3);
  }

  // Casts `n` votes through a real intake queue into the in-memory store.
  void CastVotes(int n, int first_voter = 0) {
    IntakeOptions o;
    o.region = "r1";
    o.writers = 2;
    IntakeQueue q(
        o, Election::Default2016(), election_public_, registry_key_,
        [this]() -> Result<std::unique_ptr<BallotStore>> { return db_.NewStore(); }, metrics_);
    q.Start();
    VoterHasher h(registry_key_);
    for (int i = 0; i < n; ++i) {
      VoteTicket t;
      t.voter = h.Hash("v" + std::to_string(first_voter + i));
      t.jurisdiction = static_cast<JurisdictionIndex>(i % 3);
      t.candidate = static_cast<CandidateIndex>(i % 2);
      t.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      t.done = [](const VoteOutcome&) {};
      ASSERT_TRUE(q.Submit(t));
    }
    q.Drain();
  }

  std::unique_ptr<Tallier> MakeTallier() {
    return std::make_unique<Tallier>(
        Election::Default2016(), election_secret_,
        [this]() -> Result<std::unique_ptr<BatchSource>> { return db_.NewSource(); },
        std::chrono::milliseconds(5), metrics_);
  }

  MetricsRegistry metrics_;
  MemoryBallotDb db_;
  PublicKey election_public_;
  std::array<uint8_t, 32> election_secret_;
  std::array<uint8_t, 32> registry_key_;
};

TEST_F(TallierTest, CountsEveryBallotExactlyAndIncrementally) {
  CastVotes(600);
  auto tallier = MakeTallier();
  ASSERT_TRUE(tallier->PollOnce().ok());
  auto first = tallier->Snapshot();
  EXPECT_EQ(first->tally.Total(), 600);
  EXPECT_EQ(first->tally.Count(0, 0), 100);  // jurisdiction 0 gets i%3==0, candidate i%2==0
  EXPECT_EQ(first->lag_batches, 0);
  EXPECT_TRUE(first->ok);
  CastVotes(60, 1000);
  ASSERT_TRUE(tallier->PollOnce().ok());
  EXPECT_EQ(tallier->Snapshot()->tally.Total(), 660);
  EXPECT_GT(tallier->Snapshot()->version, first->version);
}

TEST_F(TallierTest, TwoTalliersConvergeOnTheSameHeads) {
  CastVotes(300);
  auto a = MakeTallier();
  auto b = MakeTallier();
  ASSERT_TRUE(a->PollOnce().ok());
  ASSERT_TRUE(b->PollOnce().ok());
  EXPECT_EQ(a->Snapshot()->tally, b->Snapshot()->tally);
  ASSERT_EQ(a->Snapshot()->heads.size(), b->Snapshot()->heads.size());
  for (size_t i = 0; i < a->Snapshot()->heads.size(); ++i) {
    EXPECT_EQ(a->Snapshot()->heads[i].head, b->Snapshot()->heads[i].head);
  }
}

TEST_F(TallierTest, TamperedBallotBreaksTheChainAndIsNotCounted) {
  CastVotes(50);
  auto heads = db_.NewSource()->Heads();
  ASSERT_TRUE(heads.ok());
  ASSERT_FALSE(heads->empty());
  ASSERT_TRUE(db_.TamperWithBallot((*heads)[0].shard, 1));
  auto tallier = MakeTallier();
  // The first failure could be a rewound history: the tallier counts everything again once.
  Status s = tallier->PollOnce();
  EXPECT_NE(s.message().find("recounting"), std::string::npos) << s.message();
  s = tallier->PollOnce();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("hash chain"), std::string::npos) << s.message();
  auto snap = tallier->Snapshot();
  EXPECT_FALSE(snap->ok);
  EXPECT_LT(snap->tally.Total(), 50) << "nothing past the break may be counted";
  EXPECT_GT(snap->lag_batches, 0);
}

// A demoted primary can serve a batch it committed only locally until pg_rewind removes it; the
// tallier that counted it must count the history that survives instead.
TEST_F(TallierTest, RewoundHistoryIsCountedAgain) {
  for (int round = 0; round < 3; ++round) CastVotes(20, round * 100);  // batches 1..3 per shard
  auto tallier = MakeTallier();
  ASSERT_TRUE(tallier->PollOnce().ok());
  ASSERT_EQ(tallier->Snapshot()->tally.Total(), 60);
  auto heads = db_.NewSource()->Heads();
  ASSERT_TRUE(heads.ok() && !heads->empty());
  // The shard with the most batches (at least two of the three rounds' batches).
  const ShardHead longest =
      *std::max_element(heads->begin(), heads->end(),
                        [](const ShardHead& a, const ShardHead& b) { return a.seq < b.seq; });
  ASSERT_GE(longest.seq, 2);
  const std::string shard = longest.shard;

  ASSERT_TRUE(db_.ForgetLastBatch(shard));  // the shard's head moves back: seen at once
  ASSERT_TRUE(tallier->PollOnce().ok());
  EXPECT_EQ(tallier->Snapshot()->tally.Total(), static_cast<int64_t>(db_.ballot_count()));
  EXPECT_LT(tallier->Snapshot()->tally.Total(), 60);

  // Rewound again, and new batches written past the old head before the tallier looks: the
  // chain breaks at the first new batch, which a recount resolves.
  ASSERT_TRUE(db_.ForgetLastBatch(shard));
  CastVotes(200, 1000);
  Status s = tallier->PollOnce();
  if (!s.ok()) s = tallier->PollOnce();
  ASSERT_TRUE(s.ok()) << s.message();
  auto fresh = MakeTallier();
  ASSERT_TRUE(fresh->PollOnce().ok());
  EXPECT_EQ(tallier->Snapshot()->tally, fresh->Snapshot()->tally);
  EXPECT_EQ(tallier->Snapshot()->tally.Total(), static_cast<int64_t>(db_.ballot_count()));
  EXPECT_TRUE(tallier->Snapshot()->ok);
}

}  // namespace
}  // namespace landslide
