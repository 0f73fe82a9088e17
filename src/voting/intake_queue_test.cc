#include "voting/intake_queue.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <future>
#include <thread>

#include "crypto/keys.h"
#include "support/memory_ballot_store.h"
#include "voting/tallier.h"

namespace landslide {
namespace {

class IntakeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(InitCrypto().ok());
    crypto_box_keypair(election_public_.data(), election_secret_.data());
    registry_key_.fill(7);
    faults_ = std::make_shared<Faults>();
    faults_mu_ = std::make_shared<std::mutex>();
  }

  std::unique_ptr<IntakeQueue> MakeQueue(
      int writers = 2, size_t capacity = 100000,
      std::chrono::microseconds linger = std::chrono::microseconds(200), size_t max_batch = 4096) {
    IntakeOptions o;
    o.region = "test";
    o.writers = writers;
    o.capacity = capacity;
    o.linger = linger;
    o.max_batch = max_batch;
    auto factory = [this]() -> Result<std::unique_ptr<BallotStore>> {
      {
        std::lock_guard lock(*faults_mu_);
        if (faults_->fail_connect > 0) {
          --faults_->fail_connect;
          return Status::Unavailable("injected: no primary");
        }
      }
      return MakeFaultyStore(db_.NewStore(), faults_, faults_mu_);
    };
    auto q = std::make_unique<IntakeQueue>(o, Election::Default2016(), election_public_,
                                           registry_key_, factory, metrics_);
    q->Start();
    return q;
  }

  VoterHash Voter(int i) {
    VoterHasher h(registry_key_);
    return h.Hash("voter-" + std::to_string(i));
  }

  // Submits and waits for the outcome.
  VoteOutcome Cast(IntakeQueue& q, int voter, const char* candidate,
                   std::optional<std::string> key = std::nullopt) {
    std::promise<VoteOutcome> p;
    VoteTicket t;
    t.voter = Voter(voter);
    t.jurisdiction = *Election::Default2016().FindJurisdiction("AL");
    t.candidate = *Election::Default2016().FindCandidate(candidate);
    t.idempotency_key = std::move(key);
    t.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    t.done = [&p](const VoteOutcome& o) { p.set_value(o); };
    EXPECT_TRUE(q.Submit(t));
    return p.get_future().get();
  }

  Tally Count() {
    Tallier tallier(
        Election::Default2016(), election_secret_,
        [this]() -> Result<std::unique_ptr<BatchSource>> { return db_.NewSource(); },
        std::chrono::milliseconds(10), metrics_);
    EXPECT_TRUE(tallier.PollOnce().ok());
    return tallier.Snapshot()->tally;
  }

  MetricsRegistry metrics_;
  MemoryBallotDb db_;
  PublicKey election_public_;
  std::array<uint8_t, 32> election_secret_;
  std::array<uint8_t, 32> registry_key_;
  std::shared_ptr<Faults> faults_;
  std::shared_ptr<std::mutex> faults_mu_;
};

TEST_F(IntakeTest, CountsOnceAndRefusesTheSecondBallot) {
  auto q = MakeQueue();
  VoteOutcome first = Cast(*q, 1, "Jill Stein");
  EXPECT_EQ(first.kind, VoteOutcome::Kind::kCounted);
  EXPECT_EQ(first.region, "test");
  VoteOutcome second = Cast(*q, 1, "Donald Trump");
  EXPECT_EQ(second.kind, VoteOutcome::Kind::kAlreadyVoted);
  EXPECT_EQ(second.voted_at, first.voted_at);
  q->Drain();
  Tally t = Count();
  EXPECT_EQ(t.Total(), 1);
  EXPECT_EQ(t.CandidateTotal(*Election::Default2016().FindCandidate("Jill Stein")), 1);
}

TEST_F(IntakeTest, ConcurrentDuplicatesYieldExactlyOneCount) {
  auto q = MakeQueue();
  constexpr int kAttempts = 200;
  std::atomic<int> counted{0}, refused{0}, other{0};
  std::vector<std::thread> threads;
  std::atomic<int> done{0};
  for (int i = 0; i < kAttempts; ++i) {
    VoteTicket t;
    t.voter = Voter(42);
    t.jurisdiction = 0;
    t.candidate = static_cast<CandidateIndex>(i % 5);
    t.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    t.done = [&](const VoteOutcome& o) {
      (o.kind == VoteOutcome::Kind::kCounted        ? counted
       : o.kind == VoteOutcome::Kind::kAlreadyVoted ? refused
                                                    : other)++;
      done++;
    };
    ASSERT_TRUE(q->Submit(t));
  }
  q->Drain();
  EXPECT_EQ(done.load(), kAttempts);
  EXPECT_EQ(counted.load(), 1);
  EXPECT_EQ(refused.load(), kAttempts - 1);
  EXPECT_EQ(Count().Total(), 1);
}

TEST_F(IntakeTest, SameIdempotencyKeyReturnsTheSameReceipt) {
  auto q = MakeQueue();
  const std::string key = "0f8fad5b-d9cb-469f-a165-70867728950e";
  VoteOutcome a = Cast(*q, 7, "Gary Johnson", key);
  VoteOutcome b = Cast(*q, 7, "Gary Johnson", key);
  VoteOutcome c = Cast(*q, 7, "Gary Johnson", "another-key-of-enough-length");
  VoteOutcome d = Cast(*q, 7, "Gary Johnson");
  EXPECT_EQ(a.kind, VoteOutcome::Kind::kCounted);
  EXPECT_EQ(b.kind, VoteOutcome::Kind::kCounted);
  EXPECT_EQ(a.receipt, b.receipt);
  EXPECT_EQ(a.voted_at, b.voted_at);
  EXPECT_EQ(c.kind, VoteOutcome::Kind::kAlreadyVoted);
  EXPECT_EQ(d.kind, VoteOutcome::Kind::kAlreadyVoted);
  q->Drain();
  EXPECT_EQ(Count().Total(), 1);
}

TEST_F(IntakeTest, FailureBeforeCommitAnswersUnavailableAndRecordsNothing) {
  auto q = MakeQueue(1);
  faults_->fail_before_commit = 1;
  VoteOutcome o = Cast(*q, 9, "Hillary Clinton");
  EXPECT_EQ(o.kind, VoteOutcome::Kind::kUnavailable);
  EXPECT_EQ(db_.pollbook_size(), 0u);
  std::string why;
  EXPECT_FALSE(q->PrimaryOk(&why));
  EXPECT_NE(why.find("injected"), std::string::npos);
  // Safe to retry: the retry counts.
  EXPECT_EQ(Cast(*q, 9, "Hillary Clinton").kind, VoteOutcome::Kind::kCounted);
  EXPECT_TRUE(q->PrimaryOk(nullptr));
  q->Drain();
  EXPECT_EQ(Count().Total(), 1);
}

TEST_F(IntakeTest, NoPrimaryAnswersUnavailable) {
  faults_->fail_connect = 1;
  auto q = MakeQueue(1);
  EXPECT_EQ(Cast(*q, 3, "Hillary Clinton").kind, VoteOutcome::Kind::kUnavailable);
  EXPECT_EQ(Cast(*q, 3, "Hillary Clinton").kind, VoteOutcome::Kind::kCounted);
}

TEST_F(IntakeTest, LostAcknowledgementIsResolvedByRetryingWithTheKey) {
  auto q = MakeQueue(1);
  faults_->lose_commit_ack = 1;
  const std::string key = "retry-key-0123456789abcdef";
  VoteOutcome lost = Cast(*q, 11, "Evan McMullin", key);
  EXPECT_EQ(lost.kind, VoteOutcome::Kind::kOutcomeUnknown);
  EXPECT_NE(lost.message.find("Idempotency-Key"), std::string::npos);
  // The ballot did commit; the retry must find it, not count it again.
  VoteOutcome retry = Cast(*q, 11, "Evan McMullin", key);
  EXPECT_EQ(retry.kind, VoteOutcome::Kind::kCounted);
  q->Drain();
  EXPECT_EQ(Count().Total(), 1);
  EXPECT_EQ(db_.ballot_count(), 1u);
}

// A COMMIT that hangs (the primary waits for a standby that a partition cut off) must not hold
// its callers past their deadline: they hear "not known yet", exactly once, and a retry with the
// same key finds the ballot once the commit went through.
TEST_F(IntakeTest, StalledCommitIsAnsweredAtTheDeadlineAndOnlyOnce) {
  faults_->stall_commit = std::chrono::milliseconds(1500);
  auto q = MakeQueue(1);
  std::atomic<int> answers{0};
  std::promise<VoteOutcome> first;
  VoteTicket t;
  t.voter = Voter(7);
  t.jurisdiction = *Election::Default2016().FindJurisdiction("AL");
  t.candidate = *Election::Default2016().FindCandidate("Jill Stein");
  t.idempotency_key = "0123456789abcdef-stall";
  t.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
  t.done = [&](const VoteOutcome& o) {
    if (answers.fetch_add(1) == 0) first.set_value(o);
  };
  const auto sent = std::chrono::steady_clock::now();
  ASSERT_TRUE(q->Submit(t));
  VoteOutcome o = first.get_future().get();
  const auto waited = std::chrono::steady_clock::now() - sent;
  EXPECT_EQ(o.kind, VoteOutcome::Kind::kOutcomeUnknown);
  EXPECT_NE(o.message.find("not known yet"), std::string::npos) << o.message;
  EXPECT_LT(waited, std::chrono::milliseconds(1000));
  {
    std::lock_guard lock(*faults_mu_);
    faults_->stall_commit = std::chrono::milliseconds(0);
  }
  // The stalled commit went through: the same key gets the 201 back, and nothing more reached
  // the first caller.
  VoteOutcome retry = Cast(*q, 7, "Jill Stein", "0123456789abcdef-stall");
  EXPECT_EQ(retry.kind, VoteOutcome::Kind::kCounted);
  q->Drain();
  EXPECT_EQ(answers.load(), 1);
  EXPECT_EQ(Count().Total(), 1);
}

TEST_F(IntakeTest, FullQueueHandsTheTicketBack) {
  IntakeOptions o;
  o.region = "test";
  o.capacity = 2;
  o.writers = 1;
  // Writers not started: nothing drains the queue.
  IntakeQueue q(
      o, Election::Default2016(), election_public_, registry_key_,
      [this]() -> Result<std::unique_ptr<BallotStore>> { return db_.NewStore(); }, metrics_);
  int answered = 0;
  for (int i = 0; i < 3; ++i) {
    VoteTicket t;
    t.voter = Voter(100 + i);
    t.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    t.done = [&](const VoteOutcome&) { ++answered; };
    EXPECT_EQ(q.Submit(t), i < 2) << i;
  }
  EXPECT_EQ(q.depth(), 2u);
}

TEST_F(IntakeTest, ManyVotersAcrossWritersAllCountedAndChainsVerify) {
  auto q = MakeQueue(3);
  constexpr int kVoters = 3000;
  std::atomic<int> counted{0};
  for (int i = 0; i < kVoters; ++i) {
    VoteTicket t;
    t.voter = Voter(1000 + i);
    t.jurisdiction = static_cast<JurisdictionIndex>(i % 51);
    t.candidate = static_cast<CandidateIndex>(i % 5);
    t.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    t.done = [&](const VoteOutcome& o) { counted += o.kind == VoteOutcome::Kind::kCounted; };
    ASSERT_TRUE(q->Submit(t));
  }
  q->Drain();
  EXPECT_EQ(counted.load(), kVoters);
  Tally t = Count();
  EXPECT_EQ(t.Total(), kVoters);
  for (int c = 0; c < 5; ++c)
    EXPECT_EQ(t.CandidateTotal(static_cast<CandidateIndex>(c)), kVoters / 5);
}

TEST_F(IntakeTest, FullBatchesGoOutWithoutWaitingOutTheLinger) {
  // Writers are woken only when the queue stops being empty, when a batch is full, or by a
  // writer leaving ballots behind; with a 30 s linger, two full batches must not wait for it.
  auto q = MakeQueue(2, 100000, std::chrono::seconds(30), 4);
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::promise<VoteOutcome>> outcomes(8);
  for (int i = 0; i < 8; ++i) {
    VoteTicket t;
    t.voter = Voter(1000 + i);
    t.jurisdiction = *Election::Default2016().FindJurisdiction("AL");
    t.candidate = *Election::Default2016().FindCandidate("Jill Stein");
    t.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    t.done = [p = &outcomes[static_cast<size_t>(i)]](const VoteOutcome& o) { p->set_value(o); };
    ASSERT_TRUE(q->Submit(t));
  }
  for (auto& p : outcomes) {
    auto f = p.get_future();
    ASSERT_EQ(f.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    EXPECT_EQ(f.get().kind, VoteOutcome::Kind::kCounted);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

}  // namespace
}  // namespace landslide
