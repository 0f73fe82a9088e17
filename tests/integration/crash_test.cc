// Failures in the middle of a load, with real processes: `serve` killed with SIGKILL, stopped
// with SIGTERM, and PostgreSQL stopped for a while. Afterwards every ballot answered 201 is
// stored exactly once, nothing is half-written, every chain verifies, and retries with the same
// Idempotency-Key never make a second ballot.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "db/pg.h"
#include "os/process.h"
#include "support/pg_harness.h"
#include "support/region_harness.h"

namespace landslide::testing {
namespace {

using nlohmann::json;
using SteadyTime = std::chrono::steady_clock::time_point;

const std::vector<std::string> kCandidates = {"Donald Trump", "Hillary Clinton", "Gary Johnson",
                                              "Jill Stein", "Evan McMullin"};

// One voter's attempt during the load.
struct Cast {
  bool attempted = false;
  std::string key;
  std::string candidate;
  Response response;
  SteadyTime sent{}, answered{};
};

// Client threads casting distinct voters (each once, with its own Idempotency-Key) until told
// to stop or out of voters.
class Load {
 public:
  Load(RegionHarness& region, int threads, std::chrono::milliseconds client_timeout)
      : region_(region), casts_(region.voters().size()) {
    for (int t = 0; t < threads; ++t) {
      threads_.emplace_back([this, client_timeout] { Run(client_timeout); });
    }
  }
  ~Load() { Stop(); }

  void Stop() {
    stop_ = true;
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  // Answers 201 so far (thread-safe).
  int counted() const { return counted_.load(); }
  int counted_since(SteadyTime t) const {
    std::lock_guard lock(mu_);
    int n = 0;
    for (const auto& c : casts_) n += c.attempted && c.response.status == 201 && c.sent >= t;
    return n;
  }
  // Only after Stop().
  const std::vector<Cast>& casts() const { return casts_; }
  bool ran_out() const { return next_.load() >= casts_.size(); }

 private:
  void Run(std::chrono::milliseconds timeout) {
    auto client = region_.Client(timeout);
    while (!stop_) {
      const size_t i = next_.fetch_add(1);
      if (i >= casts_.size()) return;
      const RegistryVoter& v = region_.voters()[i];
      Cast c;
      c.attempted = true;
      c.key = "load-key-" + v.id;
      c.candidate = kCandidates[i % kCandidates.size()];
      c.sent = std::chrono::steady_clock::now();
      c.response =
          client->Post("/votes", VoteBody(v.id, c.candidate), {{"Idempotency-Key", c.key}});
      c.answered = std::chrono::steady_clock::now();
      if (c.response.status == 201) counted_++;
      // Keep going after a refusal or a failed connection (the client reconnects), but not in
      // a hot loop that burns through the voters (a patient client would wait Retry-After).
      if (c.response.status == 503) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      } else if (c.response.status != 201) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      std::lock_guard lock(mu_);
      casts_[i] = std::move(c);
    }
  }

  RegionHarness& region_;
  mutable std::mutex mu_;
  std::vector<Cast> casts_;  // by voter index; guarded by mu_ while the load runs
  std::atomic<size_t> next_{0};
  std::atomic<bool> stop_{false};
  std::atomic<int> counted_{0};
  std::vector<std::thread> threads_;
};

// What the database holds, by voter hash and by receipt.
struct Stored {
  std::set<std::string> voters;
  std::map<std::string, int> receipts;
};

Stored ReadStored(RegionHarness& region) {
  Stored s;
  for (auto& h : region.PollbookHashes()) s.voters.insert(std::move(h));
  for (auto& r : region.BallotReceipts()) s.receipts[r]++;
  return s;
}

// Every voter told 201 has one pollbook row and its receipt once in the ballot box; nobody who
// was not attempted voted; and the tables are consistent with each other.
void CheckAnswersAgainstDatabase(RegionHarness& region, const std::vector<Cast>& casts,
                                 const Stored& stored) {
  std::set<std::string> attempted;
  for (size_t i = 0; i < casts.size(); ++i) {
    if (!casts[i].attempted) continue;
    const std::string hash = region.VoterHashHex(region.voters()[i].id);
    attempted.insert(hash);
    if (casts[i].response.status != 201) continue;
    SCOPED_TRACE("voter #" + std::to_string(i));
    EXPECT_EQ(stored.voters.count(hash), 1u) << "a voter told 201 has no pollbook row";
    const std::string receipt = casts[i].response.json.value("receipt", "");
    auto it = stored.receipts.find(receipt);
    EXPECT_TRUE(it != stored.receipts.end() && it->second == 1)
        << "receipt " << receipt << " of a 201 is not in the ballot box exactly once";
  }
  for (const auto& [receipt, n] : stored.receipts) EXPECT_EQ(n, 1) << receipt;
  for (const auto& h : stored.voters) {
    EXPECT_EQ(attempted.count(h), 1u) << "a pollbook row for a voter nobody cast for";
  }
  EXPECT_EQ(static_cast<int64_t>(stored.voters.size()),
            region.Count("SELECT count(*) FROM pollbook"));
  EXPECT_TRUE(region.CheckBallotBoxConsistent());
}

// Retries every attempted voter not answered 201 with the same key and candidate until it is
// counted, and a sample of those answered 201: each must end with a 201, the same receipt as a
// ballot already stored for that voter, and never a second ballot. Then every attempted voter
// has exactly one ballot, and the tallies count exactly the choices made.
void RetryAndCheckExactlyOnce(RegionHarness& region, const std::vector<Cast>& casts) {
  const Stored before = ReadStored(region);
  auto client = region.Client(std::chrono::seconds(30));
  std::map<std::string, int64_t> expected_by_candidate;
  int64_t attempted = 0;
  int64_t new_ballots = 0;
  int sampled = 0;
  int retried = 0;
  std::vector<std::pair<size_t, std::string>> retries;  // voter index, receipt
  for (size_t i = 0; i < casts.size(); ++i) {
    const Cast& c = casts[i];
    if (!c.attempted) continue;
    ++attempted;
    expected_by_candidate[c.candidate]++;
    const bool answered_201 = c.response.status == 201;
    if (answered_201 && sampled++ % 25 != 0) continue;
    ++retried;
    const RegistryVoter& v = region.voters()[i];
    SCOPED_TRACE("retry of voter #" + std::to_string(i) + " first answered " +
                 std::to_string(c.response.status));
    const bool was_stored = before.voters.count(region.VoterHashHex(v.id)) > 0;
    Response r;
    // The region may still be reconnecting: 503 means "retry", so retry.
    EXPECT_TRUE(Eventually(
        [&] {
          r = client->Post("/votes", VoteBody(v.id, c.candidate), {{"Idempotency-Key", c.key}});
          return r.status != 503;
        },
        std::chrono::seconds(20)));
    ASSERT_EQ(r.status, 201) << "a retry with the same key must get the ballot's 201: "
                             << r.Describe();
    const std::string receipt = r.json.value("receipt", "");
    if (answered_201) {
      EXPECT_EQ(receipt, c.response.json.value("receipt", "")) << "a replay changed the receipt";
    }
    if (was_stored) {
      EXPECT_EQ(before.receipts.count(receipt), 1u)
          << "the voter's stored ballot has another receipt than the retry's";
    } else {
      ++new_ballots;
    }
    retries.emplace_back(i, receipt);
  }
  ::testing::Test::RecordProperty("attempted", static_cast<int>(attempted));
  ::testing::Test::RecordProperty("retried", static_cast<int>(retried));
  // Every retried voter now has one pollbook row and its receipt once in the ballot box.
  const Stored after = ReadStored(region);
  for (const auto& [i, receipt] : retries) {
    SCOPED_TRACE("retried voter #" + std::to_string(i));
    EXPECT_EQ(after.voters.count(region.VoterHashHex(region.voters()[i].id)), 1u);
    auto it = after.receipts.find(receipt);
    EXPECT_TRUE(it != after.receipts.end() && it->second == 1) << receipt;
  }
  EXPECT_EQ(region.Count("SELECT count(*) FROM pollbook"),
            static_cast<int64_t>(before.voters.size()) + new_ballots);
  EXPECT_EQ(region.Count("SELECT count(*) FROM pollbook"), attempted);
  EXPECT_EQ(region.Count("SELECT count(*) FROM ballots"), attempted);
  EXPECT_TRUE(region.CheckBallotBoxConsistent());

  // The tallier verifies every chain and counts exactly the choices that were made.
  json votes;
  ASSERT_TRUE(region.WaitTallierCaughtUp(std::chrono::seconds(30), &votes));
  EXPECT_EQ(votes.value("total_count", int64_t{-1}), attempted);
  for (const auto& row : votes.value("candidates", json::array())) {
    const std::string name = row.value("candidate", "");
    EXPECT_EQ(row.value("count", int64_t{-1}), expected_by_candidate[name]) << name;
  }
}

void ExpectLogHoldsNoIdOrChoice(RegionHarness& region, const std::vector<Cast>& casts) {
  const std::string log = region.ServeLog();
  for (size_t i = 0; i < casts.size(); ++i) {
    if (casts[i].attempted) {
      ASSERT_EQ(log.find(region.voters()[i].id), std::string::npos) << "a voter id is logged";
    }
  }
  for (const auto& c : kCandidates) EXPECT_EQ(log.find(c), std::string::npos) << c;
}

TEST(CrashTest, ServeKilledWithSigkillUnderLoadLosesNothingAndCountsNothingTwice) {
  RegionOptions o;
  o.voters = 20000;
  o.seed = 505;
  RegionHarness region(o);
  ASSERT_TRUE(region.Start());

  std::vector<Cast> casts;
  {
    Load load(region, 8, std::chrono::seconds(15));
    // Kill once the load is well under way (a fixed time would depend on the machine's speed).
    ASSERT_TRUE(Eventually([&] { return load.counted() >= 300 || load.ran_out(); },
                           std::chrono::seconds(30)));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    ASSERT_FALSE(load.ran_out()) << "the load ended before the kill; use more voters";
    region.Kill9();
    load.Stop();
    casts = load.casts();
  }
  int answered_201 = 0, unanswered = 0;
  for (const auto& c : casts) {
    if (!c.attempted) continue;
    if (c.response.status == 201) {
      ++answered_201;
      EXPECT_EQ(c.response.json.value("receipt", "").size(), 32u) << c.response.Describe();
    } else if (!c.response.answered()) {
      ++unanswered;
    } else {
      // Fresh voters, each cast once: nothing but 201 is right while serve is alive.
      ADD_FAILURE() << "unexpected answer before the kill: " << c.response.Describe();
    }
  }
  EXPECT_GT(answered_201, 0);
  RecordProperty("answered_201", answered_201);
  RecordProperty("unanswered", unanswered);

  // With serve dead, the database alone: every 201 is there once, nothing half-written.
  CheckAnswersAgainstDatabase(region, casts, ReadStored(region));

  // A new serve reads and verifies every chain, then takes the retries.
  ASSERT_TRUE(region.StartServe());
  ASSERT_TRUE(region.WaitTallierCaughtUp(std::chrono::seconds(30)));
  RetryAndCheckExactlyOnce(region, casts);
  region.Terminate();
  ExpectLogHoldsNoIdOrChoice(region, casts);
}

TEST(CrashTest, PostgresStoppedUnderLoadIs503ThenVotesFlowAndNothingIsHalfWritten) {
  auto& pg = TestPostgres::Shared();
  RegionOptions o;
  o.voters = 20000;
  o.seed = 606;
  o.serve_flags = {"--vote-deadline-ms", "5000"};
  RegionHarness region(o);
  ASSERT_TRUE(region.Start());

  // Deadline of a vote in serve is 5 s; a ballot whose commit is in doubt is resolved within
  // seconds of the database's return. An answer slower than this is a hang.
  const auto client_timeout = std::chrono::seconds(15);
  SteadyTime stop_began, stopped, restarting, restarted;
  std::vector<Cast> casts;
  {
    struct Restore {
      TestPostgres& pg;
      bool stopped = false;
      ~Restore() {
        if (stopped) pg.Start();
      }
    } restore{pg};
    Load load(region, 8, client_timeout);
    ASSERT_TRUE(Eventually([&] { return load.counted() >= 200 || load.ran_out(); },
                           std::chrono::seconds(30)));
    restore.stopped = true;
    stop_began = std::chrono::steady_clock::now();
    pg.Stop();
    stopped = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(std::chrono::seconds(2));
    restarting = std::chrono::steady_clock::now();
    pg.Start();
    restore.stopped = false;
    restarted = std::chrono::steady_clock::now();
    // Votes flow again: wait for a good number of 201s cast after the restart.
    EXPECT_TRUE(Eventually([&] { return load.counted_since(restarted) >= 50 || load.ran_out(); },
                           std::chrono::seconds(20)))
        << "votes did not flow again after PostgreSQL came back";
    ASSERT_FALSE(load.ran_out()) << "the load ran out of voters; use more";
    load.Stop();
    casts = load.casts();
  }

  int during_outage = 0, refused = 0, counted_after = 0;
  for (const auto& c : casts) {
    if (!c.attempted) continue;
    const Response& r = c.response;
    ASSERT_TRUE(r.answered()) << "a vote got no answer (a hang past the deadline, or a crash): "
                              << r.transport_error;
    ASSERT_TRUE(r.status == 201 || r.status == 503)
        << "only 201 or 503 are right: " << r.Describe();
    if (r.status == 503) {
      ++refused;
      EXPECT_EQ(r.json.value("error", ""), "unavailable") << r.Describe();
      EXPECT_EQ(r.json.value("success", true), false);
      EXPECT_FALSE(r.json.value("message", "").empty());
      EXPECT_TRUE(r.Header("Retry-After").has_value()) << r.Describe();
    }
    // Sent and answered while the database was down: it cannot have been counted.
    if (c.sent >= stopped && c.answered <= restarting) {
      ++during_outage;
      EXPECT_EQ(r.status, 503) << "answered while PostgreSQL was stopped: " << r.Describe();
    }
    if (c.sent >= restarted && r.status == 201) ++counted_after;
  }
  // Requests answered while the database was down were all 503 (checked above). There may be
  // none: a writer whose COMMIT was cut off waits for the database to learn the outcome (it must
  // not guess), and requests queued behind it are answered once it is back. The outage itself is
  // checked deterministically by ApiContractTest.DatabaseDownIs503WithRetryAfterThenVotesFlowAgain.
  EXPECT_GT(counted_after, 0);
  RecordProperty("refused_503", refused);
  {
    int refused_before_stop = 0, refused_after_restart = 0;
    int64_t first_201_after_ms = -1;
    for (const auto& c : casts) {
      if (!c.attempted) continue;
      if (c.response.status == 503 && c.sent < stopped) ++refused_before_stop;
      if (c.response.status == 503 && c.sent >= restarted) ++refused_after_restart;
      if (c.response.status == 201 && c.sent >= restarted) {
        int64_t ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(c.answered - restarted).count();
        if (first_201_after_ms < 0 || ms < first_201_after_ms) first_201_after_ms = ms;
      }
    }
    RecordProperty("refused_before_stop_returned", refused_before_stop);
    RecordProperty("refused_after_restart", refused_after_restart);
    RecordProperty("first_201_after_restart_ms", static_cast<int>(first_201_after_ms));
    RecordProperty(
        "stop_ms",
        static_cast<int>(
            std::chrono::duration_cast<std::chrono::milliseconds>(stopped - stop_began).count()));
    RecordProperty(
        "start_ms",
        static_cast<int>(
            std::chrono::duration_cast<std::chrono::milliseconds>(restarted - restarting).count()));
  }
  RecordProperty("answered_during_outage", during_outage);

  // Nothing half-written: the 201s are stored once; a 503 recorded nothing.
  const Stored stored = ReadStored(region);
  CheckAnswersAgainstDatabase(region, casts, stored);
  for (size_t i = 0; i < casts.size(); ++i) {
    if (casts[i].attempted && casts[i].response.status == 503) {
      EXPECT_EQ(stored.voters.count(region.VoterHashHex(region.voters()[i].id)), 0u)
          << "voter #" << i << " was told 503 (nothing recorded) but has a pollbook row";
    }
  }
  ASSERT_TRUE(region.WaitHealthy(std::chrono::seconds(30)));
  ASSERT_TRUE(region.WaitTallierCaughtUp(std::chrono::seconds(30)));
  RetryAndCheckExactlyOnce(region, casts);
  region.Terminate();
  ExpectLogHoldsNoIdOrChoice(region, casts);
}

// SIGTERM is the clean way down: serve stops taking ballots (503), commits and answers what it
// had queued, and exits 0. Nothing answered 201 is lost, nothing answered 503 was recorded.
TEST(CrashTest, SigtermUnderLoadDrainsCleanly) {
  RegionOptions o;
  o.voters = 20000;
  o.seed = 707;
  RegionHarness region(o);
  ASSERT_TRUE(region.Start());

  std::vector<Cast> casts;
  os::ExitStatus exit;
  {
    Load load(region, 8, std::chrono::seconds(15));
    ASSERT_TRUE(Eventually([&] { return load.counted() >= 300 || load.ran_out(); },
                           std::chrono::seconds(30)));
    ASSERT_FALSE(load.ran_out()) << "the load ended before the stop; use more voters";
    exit = region.Terminate();
    load.Stop();
    casts = load.casts();
  }
  EXPECT_TRUE(exit.success()) << "serve " << exit.ToString() << "; log:\n" << region.ServeLogTail();
  EXPECT_NE(region.ServeLog().find("event=stopped"), std::string::npos) << region.ServeLogTail();
  for (const auto& c : casts) {
    if (!c.attempted || !c.response.answered()) continue;  // sent after the port closed
    EXPECT_TRUE(c.response.status == 201 || c.response.status == 503) << c.response.Describe();
    if (c.response.status == 503) {
      EXPECT_EQ(c.response.json.value("error", ""), "unavailable");
      EXPECT_TRUE(c.response.Header("Retry-After").has_value());
    }
  }
  const Stored stored = ReadStored(region);
  CheckAnswersAgainstDatabase(region, casts, stored);
  for (size_t i = 0; i < casts.size(); ++i) {
    if (casts[i].attempted && casts[i].response.status == 503) {
      EXPECT_EQ(stored.voters.count(region.VoterHashHex(region.voters()[i].id)), 0u)
          << "voter #" << i << " was told 503 (nothing recorded) but has a pollbook row";
    }
  }
  ASSERT_TRUE(region.StartServe());
  ASSERT_TRUE(region.WaitTallierCaughtUp(std::chrono::seconds(30)));
  RetryAndCheckExactlyOnce(region, casts);
  region.Terminate();
  ExpectLogHoldsNoIdOrChoice(region, casts);
}

// A primary that stops answering without going away (here a lock held on the pollbook; in
// production, a synchronous standby that does not acknowledge) must not keep voters waiting past
// the vote deadline: a ballot queued behind the stalled commit is answered 503 by then (with
// Retry-After, nothing recorded), and everything is consistent once the primary moves again.
TEST(CrashTest, StalledPrimaryAnswersQueuedBallots503ByTheVoteDeadline) {
  constexpr int kDeadlineMs = 2000;
  RegionOptions o;
  o.voters = 50;
  o.seed = 808;
  // One writer, so that the second ballot must queue behind the first one's commit.
  o.serve_flags = {"--vote-deadline-ms", std::to_string(kDeadlineMs), "--writers", "1"};
  RegionHarness region(o);
  ASSERT_TRUE(region.Start());
  const RegistryVoter& stuck = region.voters()[0];
  const RegistryVoter& queued = region.voters()[1];

  auto locker = db::PgConnection::Connect(region.conninfo(), std::chrono::seconds(10));
  ASSERT_TRUE(locker.ok()) << locker.status().message();
  ASSERT_TRUE((*locker)->Exec("BEGIN; LOCK TABLE pollbook IN ACCESS EXCLUSIVE MODE").ok());
  struct Unlock {
    db::PgConnection& conn;
    bool locked = true;
    void Release() {
      if (locked) (void)conn.Exec("ROLLBACK");
      locked = false;
    }
    ~Unlock() { Release(); }
  } unlock{**locker};

  Response first;
  std::thread writer_blocker([&] {
    auto c = region.Client(std::chrono::seconds(60));
    first = c->Post("/votes", VoteBody(stuck.id, "Jill Stein"),
                    {{"Idempotency-Key", "stalled-key-first-01"}});
  });
  // The first ballot's transaction is now waiting for our lock.
  const bool waiting = Eventually(
      [&] {
        return region.Count(
                   "SELECT count(*) FROM pg_locks WHERE NOT granted AND "
                   "relation = 'pollbook'::regclass") > 0;
      },
      std::chrono::seconds(10));
  EXPECT_TRUE(waiting) << "the first ballot never reached the database";

  // Deadline plus generous slack: an answer later than this is a hang.
  auto client = region.Client(std::chrono::milliseconds(kDeadlineMs + 5000));
  Response second = client->Post("/votes", VoteBody(queued.id, "Gary Johnson"),
                                 {{"Idempotency-Key", "stalled-key-second-1"}});
  EXPECT_TRUE(second.answered()) << "a ballot queued behind a stalled commit got no answer by its "
                                 << kDeadlineMs << " ms deadline (+5 s): " << second.Describe();
  if (second.answered()) {
    EXPECT_EQ(second.status, 503) << second.Describe();
    EXPECT_EQ(second.json.value("error", ""), "unavailable");
    EXPECT_TRUE(second.Header("Retry-After").has_value());
  }
  unlock.Release();
  writer_blocker.join();
  // The stalled ballot itself may be counted once the lock goes, or refused; never both.
  ASSERT_TRUE(first.status == 201 || first.status == 503) << first.Describe();
  EXPECT_EQ(region.PollbookRows(stuck.id), first.status == 201 ? 1 : 0);
  if (second.status == 503) {
    EXPECT_EQ(region.PollbookRows(queued.id), 0) << "told 503 (nothing recorded), but recorded";
  }
  EXPECT_TRUE(region.CheckBallotBoxConsistent());
  // Both voters can still vote, exactly once.
  for (const auto& [voter, idempotency_key] :
       {std::pair{&stuck, "stalled-key-first-01"}, std::pair{&queued, "stalled-key-second-1"}}) {
    // Plain copies: a lambda may not capture structured bindings before C++20's P1091 (clang 14).
    const auto* v = voter;
    const char* key = idempotency_key;
    Response r;
    EXPECT_TRUE(Eventually([&] {
      r = client->Post("/votes", VoteBody(v->id, "Jill Stein"), {{"Idempotency-Key", key}});
      return r.status != 503;
    }));
    EXPECT_EQ(r.status, 201) << r.Describe();
    EXPECT_EQ(region.PollbookRows(v->id), 1);
  }
  EXPECT_TRUE(region.CheckBallotBoxConsistent());
  EXPECT_TRUE(region.WaitTallierCaughtUp(std::chrono::seconds(10)));
}

}  // namespace
}  // namespace landslide::testing
