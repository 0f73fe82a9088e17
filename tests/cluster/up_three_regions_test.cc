// `landslide up --regions 3` end to end, with nothing simulated: three etcd members, three
// Patroni members each running PostgreSQL 15, and three `landslide serve`s, all started by a real
// `landslide up` child process. A region is lost the way the contract says it may be: kill -9 of
// the four pids cluster.json lists for it. These tests print what they measure (time to bring the
// cluster up, write gap after losing a region, time to bring it back).
//
// They need the `patroni` and `etcd` programs (Debian packages patroni and etcd-server) and skip
// without them. Each test brings up its own cluster (about 10 s) and takes 30 to 60 s.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "cluster/cluster_file.h"
#include "cluster/patroni.h"
#include "cluster/up_process.h"
#include "common/time.h"
#include "os/process.h"
#include "support/http_client.h"
#include "support/region_load.h"
#include "support/three_regions.h"
#include "support/verifiable_record.h"

namespace landslide::testing {
namespace {

using cluster::RegionInfo;
using std::chrono::milliseconds;
using std::chrono::seconds;

// The maximum write gap the tests accept after losing a region. The design target is 10 s; the
// default leaves room for a machine busy with other work. LANDSLIDE_MAX_WRITE_GAP_S overrides it.
double MaxWriteGapSeconds() {
  const char* v = std::getenv("LANDSLIDE_MAX_WRITE_GAP_S");
  return v && *v ? std::atof(v) : 12.0;
}

class UpThreeRegions : public ThreeRegionTest {
 protected:
  void SetUp() override { StartCluster({}, 20000); }

  // Kills the region's four processes at once while voters cast ballots at every region (with
  // failover and retries, see region_load.h), and keeps the load going until writes have flowed
  // again for a while. Checks that no ballot got an answer a correct region never gives and that
  // every ballot was answered 201 in the end; records them all. Returns the longest write gap
  // the voters saw, in seconds (-1 if writes never resumed).
  double KillRegionUnderLoad(const RegionInfo& victim) {
    std::vector<std::string> urls;
    for (const auto& r : info_.regions) urls.push_back(r.http);
    std::vector<std::string> voters(voters_.begin() + static_cast<long>(next_voter_),
                                    voters_.end());
    RegionLoad load(urls, voters);
    EXPECT_TRUE(Eventually([&] { return load.counted_so_far() >= 300; }, seconds(60)))
        << "the load never got going";
    const int before = load.counted_so_far();
    const auto killed = SteadyClock::now();
    const std::string killed_at = FormatRfc3339(Now());
    for (const char* what : {"serve", "postgres", "patroni", "etcd"}) {
      EXPECT_EQ(kill(victim.pids.at(what), SIGKILL), 0) << what;
    }
    const bool resumed =
        Eventually([&] { return load.counted_so_far() >= before + 600; }, seconds(90));
    std::this_thread::sleep_for(seconds(2));
    load.Stop();
    const LoadOutcome out = load.Outcome();
    next_voter_ += out.counted.size() + out.unresolved.size();

    double first_after = -1;  // first 201 of a ballot first sent after the kill
    std::map<std::string, int> by_region;
    for (const CastBallot& c : out.counted) {
      ++by_region[c.region];
      if (c.first_sent > killed) {
        const double t = std::chrono::duration<double>(c.answered - killed).count();
        if (first_after < 0 || t < first_after) first_after = t;
      }
      Acknowledge(c.receipt, c.candidate);
    }
    std::string answers, regions;
    for (const auto& [status, n] : out.answers) {
      answers += " " + std::to_string(n) + "x" + std::to_string(status);
    }
    for (const auto& [name, n] : by_region) regions += " " + name + "=" + std::to_string(n);
    std::printf(
        "[ measure  ] kill -9 of %s at %s under load: longest write gap %.2f s (began %.2f s "
        "after the kill), first 201 for a ballot sent after the kill %.2f s after it; %zu "
        "ballots counted (by region:%s), %zu unresolved; answers incl. retries:%s\n",
        victim.name.c_str(), killed_at.c_str(), out.longest_gap_s,
        std::chrono::duration<double>(out.gap_start - killed).count(), first_after,
        out.counted.size(), regions.c_str(), out.unresolved.size(), answers.c_str());
    for (const std::string& v : out.violations) ADD_FAILURE() << "wrong answer: " << v;
    for (const CastBallot& c : out.unresolved) {
      ADD_FAILURE() << c.voter << " never answered 201 (" << c.attempts << " attempts)";
    }
    return resumed ? out.longest_gap_s : -1;
  }
};

TEST_F(UpThreeRegions, WritesTheClusterFileAndCountsEachVoterOnceAcrossRegions) {
  ASSERT_EQ(info_.regions.size(), 3u);
  EXPECT_EQ(info_.db, "host=127.0.0.1,127.0.0.1,127.0.0.1 port=" + std::to_string(base_port_ + 10) +
                          "," + std::to_string(base_port_ + 11) + "," +
                          std::to_string(base_port_ + 12) +
                          " dbname=landslide user=landslide target_session_attrs=read-write");
  EXPECT_EQ(info_.keys, (dir_ / "keys").string());
  const std::vector<std::string> names = {"us-east", "us-central", "us-west"};
  for (int i = 0; i < 3; ++i) {
    const RegionInfo& r = info_.regions[i];
    EXPECT_EQ(r.name, names[i]);
    EXPECT_EQ(r.http, "http://127.0.0.1:" + std::to_string(base_port_ + i));
    EXPECT_EQ(r.patroni, "http://127.0.0.1:" + std::to_string(base_port_ + 20 + i));
    EXPECT_EQ(r.replica, "host=127.0.0.1 port=" + std::to_string(base_port_ + 10 + i) +
                             " dbname=landslide user=landslide");
    for (const char* what : {"serve", "postgres", "patroni", "etcd"}) {
      ASSERT_EQ(r.pids.count(what), 1u) << r.name << " lacks pids." << what;
      EXPECT_FALSE(os::IsGone(r.pids.at(what))) << r.name << " " << what;
    }
    HttpClient c(HostOf(r.http), PortOf(r.http));
    auto health = c.Get("/health");
    EXPECT_EQ(health.status, 200) << health.Describe();
    EXPECT_EQ(health.json.value("region", ""), r.name);
  }
  auto members = Members();
  EXPECT_TRUE(cluster::FindRunning(members, "leader")) << cluster::DescribeMembers(members);
  EXPECT_TRUE(cluster::FindRunning(members, "sync_standby")) << cluster::DescribeMembers(members);
  EXPECT_TRUE(cluster::FindRunning(members, "replica")) << cluster::DescribeMembers(members);

  // A ballot at each region is counted, and says where it was cast.
  for (const auto& r : info_.regions) {
    auto v = Vote(r, NextVoter());
    ASSERT_EQ(v.status, 201) << r.name << ": " << v.Describe();
    EXPECT_EQ(v.json.value("region", ""), r.name);
    Acknowledge(ReceiptOf(v));
  }
  // Invariant 1, many times over: each voter races two ballots at every region at once (six
  // requests, different candidates, no Idempotency-Key). Exactly one is counted, the others are
  // 409, and the winner's candidate is the one counted.
  constexpr int kRounds = 25;
  const char* const candidates[] = {"Donald Trump", "Hillary Clinton"};
  int rounds_ok = 0;
  std::map<std::string, int> wins_by_region;
  for (int round = 0; round < kRounds; ++round) {
    const std::string racer = NextVoter();
    std::vector<Response> answers(6);
    std::atomic<int> ready{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 6; ++i) {
      threads.emplace_back([&, i] {
        const RegionInfo& r = info_.regions[i % 3];
        HttpClient c(HostOf(r.http), PortOf(r.http), seconds(15));
        c.Connect();
        ++ready;
        while (ready.load() < 6) std::this_thread::yield();
        answers[i] = c.Post("/votes", VoteBody(racer, candidates[i / 3]));
      });
    }
    for (auto& t : threads) t.join();
    int created = 0, conflicts = 0;
    std::string seen;
    for (int i = 0; i < 6; ++i) {
      const Response& a = answers[i];
      created += a.status == 201;
      conflicts += a.status == 409;
      if (a.status == 201) {
        Acknowledge(ReceiptOf(a), candidates[i / 3]);
        ++wins_by_region[a.json.value("region", "")];
      }
      seen += a.Describe() + "\n";
    }
    EXPECT_EQ(created, 1) << "round " << round << ":\n" << seen;
    EXPECT_EQ(conflicts, 5) << "round " << round << ":\n" << seen;
    rounds_ok += created == 1 && conflicts == 5;
  }
  std::string wins;
  for (const auto& [region, n] : wins_by_region) wins += " " + region + "=" + std::to_string(n);
  std::printf(
      "[ measure  ] %d voters x 6 simultaneous ballots at 3 regions: %d with exactly one "
      "201 and five 409 (winning region:%s)\n",
      kRounds, rounds_ok, wins.c_str());
  ExpectConverged(info_.regions);
}

// Invariants 2 and 3 through the loss of the primary's region under load: every ballot answered
// 201 anywhere is counted by both survivors and nothing else is, they agree on the chain heads,
// and the region comes back as a standby (pg_rewind), catches up and agrees too.
TEST_F(UpThreeRegions, LosingThePrimaryRegionUnderLoadLosesNoBallotAndItComesBack) {
  const std::string leader = NameWithRole("leader");
  ASSERT_FALSE(leader.empty());
  const double gap = KillRegionUnderLoad(Region(leader));
  ASSERT_FALSE(HasFailure());
  ASSERT_GE(gap, 0) << "writes never resumed after losing " << leader;
  EXPECT_LE(gap, MaxWriteGapSeconds());
  // `up` reports the loss and keeps running.
  ASSERT_TRUE(Eventually(
      [&] {
        const std::string log = up_->LogTail(100000);
        return log.find(leader + ": Patroni (pid") != std::string::npos &&
               log.find(leader + ": etcd (pid") != std::string::npos;
      },
      seconds(10)))
      << up_->LogTail();
  EXPECT_TRUE(up_->Running());
  EXPECT_NE(NameWithRole("leader"), leader);
  ExpectConverged(AllBut(leader));
  ASSERT_FALSE(HasFatalFailure());

  // The former primary comes back as a standby (pg_rewind), with its etcd member and its serve,
  // and reports what the others report.
  RestartRegion(leader);
  ASSERT_FALSE(HasFatalFailure());
  EXPECT_NE(NameWithRole("leader"), leader) << "the old primary should rejoin as a standby";
}

// A standby region lost under load: the primary's commits stall until Patroni names the other
// standby synchronous, then flow again; nothing acknowledged is lost.
TEST_F(UpThreeRegions, LosingTheSynchronousStandbyRegionUnderLoadCostsLittleAndItComesBack) {
  const std::string sync = NameWithRole("sync_standby");
  ASSERT_FALSE(sync.empty());
  const double gap = KillRegionUnderLoad(Region(sync));
  ASSERT_FALSE(HasFailure());
  ASSERT_GE(gap, 0) << "writes never resumed after losing " << sync;
  EXPECT_LE(gap, MaxWriteGapSeconds());
  EXPECT_TRUE(up_->Running());
  ExpectConverged(AllBut(sync));
  ASSERT_FALSE(HasFatalFailure());
  RestartRegion(sync);
}

// The same loss with verifiable ballots (built by the server for POST /votes, retried with
// the same key): every ballot answered 201 is on both survivors' boards once, their chain heads
// agree, and after close the trustees' decryption gives exactly what the voters were told was
// counted, candidate by candidate; the independent verifier accepts the record.
class UpThreeRegionsVerifiable : public UpThreeRegions {
 protected:
  void SetUp() override { StartCluster({}, 6000, /*verifiable=*/true); }
};

TEST_F(UpThreeRegionsVerifiable, LosingThePrimaryRegionUnderLoadLosesNoBallotAndCountsExactly) {
  const std::string leader = NameWithRole("leader");
  ASSERT_FALSE(leader.empty());
  const double gap = KillRegionUnderLoad(Region(leader));
  ASSERT_FALSE(HasFailure());
  ASSERT_GE(gap, 0) << "writes never resumed after losing " << leader;

  // Both survivors' boards hold every acknowledged ballot and agree on the chains.
  const auto survivors = AllBut(leader);
  std::vector<nlohmann::json> boards;
  for (const auto& r : survivors) {
    nlohmann::json board;
    EXPECT_TRUE(Eventually(
        [&] {
          auto b = Get(r, "/board");
          board = b.json;
          return b.status == 200 && board["complete"] == true &&
                 board["cast"].get<size_t>() == receipts_.size();
        },
        seconds(60)))
        << r.name << " board: " << board.dump() << "; acknowledged " << receipts_.size();
    boards.push_back(board);
    for (const std::string& tracking : receipts_) {
      auto look = Get(r, "/board/ballots/" + tracking);
      ASSERT_EQ(look.status, 200) << r.name << " lacks " << tracking;
      ASSERT_EQ(look.json["status"], "cast");
    }
  }
  ASSERT_EQ(boards.size(), 2u);
  EXPECT_EQ(boards[0]["chains"], boards[1]["chains"]);

  std::map<std::string, int64_t> expected;
  for (const std::string& tracking : receipts_) {
    auto c = candidate_of_.find(tracking);
    ++expected[c == candidate_of_.end() ? kVoteCandidate : c->second];
  }
  DecryptJob job;
  job.db = info_.db;
  job.election_file = dir_ / "election.json";
  job.trustees_dir = dir_ / "trustees";
  job.record = dir_ / "record";
  job.run = [this](const std::vector<std::string>& args) { return RunCli(args); };
  auto results = CloseAndDecrypt(job);
  ASSERT_TRUE(results.ok()) << results.status().message();
  std::map<std::string, int64_t> decrypted;
  for (const auto& [name, n] : (*results)["totals"].items()) {
    if (n.get<int64_t>() > 0) decrypted[name] = n.get<int64_t>();
  }
  EXPECT_EQ(decrypted, expected);
  const auto verified = RunVerifier(job.record, dir_ / "verify.log");
  EXPECT_EQ(verified.exit_code, 0) << verified.log;
}

}  // namespace
}  // namespace landslide::testing
