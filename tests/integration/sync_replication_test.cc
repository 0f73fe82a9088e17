// A COMMIT that PostgreSQL answers "COMMIT" with the WARNING "canceling wait for synchronous
// replication" is committed on the primary only. The ballot store must not treat it as counted
// (invariant 2: a 201 means committed in two regions), and a retry that reads such a ballot back
// must wait until it is replicated too.
//
// One real PostgreSQL stands in for a primary whose standby is missing:
// synchronous_standby_names names a standby that never connects, so every commit waits in
// SyncRep until the test cancels the wait (pg_cancel_backend) or clears the setting.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "common/time.h"
#include "db/pg.h"
#include "db/pg_ballot_store.h"
#include "db/schema.h"
#include "support/pg_harness.h"

namespace landslide::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

VoterHash Voter(uint8_t n) {
  VoterHash h{};
  h.fill(n);
  return h;
}

// A batch the database accepts (it stores ballots, it does not open them).
SealedBatch FakeBatch(const ShardHead& expected, const std::vector<bool>& won) {
  SealedBatch b;
  b.shard = expected.shard;
  b.seq = expected.seq + 1;
  b.head.fill(static_cast<uint8_t>(b.seq));
  for (bool w : won) {
    if (!w) continue;
    StoredBallot s;
    s.jurisdiction = "AL";
    s.receipt.fill(static_cast<uint8_t>(b.seq + b.ballots.size()));
    b.ballots.push_back(s);
  }
  return b;
}

class SyncReplicationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto& pg = TestPostgres::Shared();
    ASSERT_TRUE(pg.status().ok()) << pg.status().message();
    conninfo_ = pg.CreateDatabase("syncrep_test");
    auto admin = db::PgConnection::Connect(pg.server()->superuser_conninfo(), seconds(10));
    ASSERT_TRUE(admin.ok()) << admin.status().message();
    admin_ = std::move(*admin);
    {
      auto owner = db::PgConnection::Connect(conninfo_, seconds(10));
      ASSERT_TRUE(owner.ok()) << owner.status().message();
      ASSERT_TRUE(db::EnsureSchema(**owner).ok());
    }
    db::PgStoreOptions o;
    o.conninfo = conninfo_;
    o.resolve_timeout = milliseconds(1500);
    auto store = db::OpenPgBallotStore(o);
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(*store);
  }
  void TearDown() override {
    if (admin_) SetSynchronousStandby("");
  }

  void SetSynchronousStandby(const std::string& names) {
    ASSERT_TRUE(admin_->Exec("ALTER SYSTEM SET synchronous_standby_names = '" + names + "'").ok());
    ASSERT_TRUE(admin_->Exec("SELECT pg_reload_conf()").ok());
    // The reload is asynchronous: wait until a new session sees it.
    const auto deadline = std::chrono::steady_clock::now() + seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      auto c = db::PgConnection::Connect(conninfo_, seconds(5));
      ASSERT_TRUE(c.ok());
      auto r = (*c)->Exec("SHOW synchronous_standby_names");
      if (r.ok() && r->Get(0, 0) == names) return;
      std::this_thread::sleep_for(milliseconds(50));
    }
    FAIL() << "synchronous_standby_names never became '" << names << "'";
  }

  // Sessions of our database waiting for a standby that is not there.
  int SyncRepWaiters() {
    auto r = admin_->Exec(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = 'syncrep_test' AND wait_event = 'SyncRep'");
    return r.ok() ? static_cast<int>(r->GetInt(0, 0)) : -1;
  }
  // Cancels every such wait; returns how many it cancelled.
  int CancelSyncRepWaits() {
    auto r = admin_->Exec(
        "SELECT count(*) FILTER (WHERE pg_cancel_backend(pid)) FROM pg_stat_activity "
        "WHERE datname = 'syncrep_test' AND wait_event = 'SyncRep'");
    return r.ok() ? static_cast<int>(r->GetInt(0, 0)) : 0;
  }
  bool WaitForSyncRepWaiter() {
    const auto deadline = std::chrono::steady_clock::now() + seconds(10);
    while (SyncRepWaiters() < 1) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(milliseconds(10));
    }
    return true;
  }
  int64_t PollbookRows() {
    auto c = db::PgConnection::Connect(conninfo_, seconds(5));
    if (!c.ok()) return -1;
    auto r = (*c)->Exec("SELECT count(*) FROM pollbook");
    return r.ok() ? r->GetInt(0, 0) : -1;
  }

  std::future<Result<BatchCommit>> CommitAsync(const ShardHead& expected, uint8_t voter) {
    return std::async(std::launch::async, [this, expected, voter] {
      IdempotencyHash key{};
      key.fill(voter);
      return store_->CommitBatch(
          "test", Now(), {PollbookEntry{Voter(voter), key}}, expected,
          [&](const std::vector<bool>& won) { return FakeBatch(expected, won); });
    });
  }

  std::string conninfo_;
  std::unique_ptr<db::PgConnection> admin_;
  std::unique_ptr<BallotStore> store_;
};

TEST_F(SyncReplicationTest, ACancelledReplicationWaitIsNotAcknowledgedAndARetryWaitsForIt) {
  auto head = store_->OpenShard("test-w0");
  ASSERT_TRUE(head.ok()) << head.status().message();
  SetSynchronousStandby("nobody");

  // The COMMIT waits for the missing standby; cancelling the wait makes PostgreSQL answer
  // "COMMIT" with a WARNING. The store then asks for proof of replication, which never comes.
  auto first = CommitAsync(*head, 1);
  ASSERT_TRUE(WaitForSyncRepWaiter());
  int cancelled = 0;
  while (first.wait_for(milliseconds(20)) != std::future_status::ready) {
    cancelled += CancelSyncRepWaits();
  }
  auto r = first.get();
  EXPECT_GE(cancelled, 1);
  ASSERT_FALSE(r.ok()) << "a commit whose replication was cancelled was acknowledged";
  EXPECT_EQ(r.status().code(), Code::kDeadlineExceeded) << r.status().message();
  // The outcome is not "nothing recorded": the primary has it. Hence kDeadlineExceeded (the 503
  // that asks for a retry with the same Idempotency-Key), never kUnavailable.
  EXPECT_EQ(PollbookRows(), 1);

  // The retry finds the ballot already in the pollbook; it must not answer before the standby
  // has it: its COMMIT waits like any other.
  auto shard = head->shard;
  auto retry = CommitAsync(ShardHead{shard, 1, {}}, 1);
  ASSERT_TRUE(WaitForSyncRepWaiter()) << "the retry read the ballot back without waiting";
  EXPECT_EQ(retry.wait_for(milliseconds(300)), std::future_status::timeout);
  SetSynchronousStandby("");
  auto again = retry.get();
  ASSERT_TRUE(again.ok()) << again.status().message();
  ASSERT_EQ(again->won.size(), 1u);
  EXPECT_FALSE(again->won[0]);
  ASSERT_TRUE(again->existing[0].has_value());
  EXPECT_EQ(again->existing[0]->region, "test");
  EXPECT_EQ(PollbookRows(), 1);
}

TEST_F(SyncReplicationTest, ACancelledWaitIsAcknowledgedOnceReplicationIsConfirmed) {
  auto head = store_->OpenShard("test-w0");
  ASSERT_TRUE(head.ok()) << head.status().message();
  SetSynchronousStandby("nobody");
  auto commit = CommitAsync(*head, 2);
  ASSERT_TRUE(WaitForSyncRepWaiter());
  ASSERT_EQ(CancelSyncRepWaits(), 1);
  // The store now waits for its proof of replication; the standby "arrives".
  SetSynchronousStandby("");
  auto r = commit.get();
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->won.size(), 1u);
  EXPECT_TRUE(r->won[0]);
  EXPECT_EQ(PollbookRows(), 1);
}

}  // namespace
}  // namespace landslide::testing
