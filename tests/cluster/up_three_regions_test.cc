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
#include "cluster/process.h"
#include "cluster/up_process.h"
#include "common/time.h"
#include "http_client.h"
#include "three_regions.h"

namespace landslide::testing {
namespace {

using cluster::ClusterInfo;
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
  // Kills the region's four processes at once, then posts a new ballot to `target` every 50 ms
  // until one answers 201. Returns the write gap in seconds (-1 if it never came back).
  double KillRegionAndMeasureGap(const RegionInfo& victim, const RegionInfo& target) {
    // Before: writes work.
    auto before = Vote(target, NextVoter());
    EXPECT_EQ(before.status, 201) << before.Describe();
    if (before.status == 201) receipts_.push_back(ReceiptOf(before));
    const auto killed = Clock::now();
    const std::string killed_at = FormatRfc3339(Now());
    for (const char* what : {"serve", "postgres", "patroni", "etcd"}) {
      EXPECT_EQ(kill(victim.pids.at(what), SIGKILL), 0) << what;
    }
    std::map<int, int> answers;
    while (SecondsSince(killed) < 90) {
      auto r = Vote(target, NextVoter());
      ++answers[r.status];
      if (r.status == 201) {
        receipts_.push_back(ReceiptOf(r));
        const double gap = SecondsSince(killed);
        std::string seen;
        for (const auto& [status, n] : answers) {
          seen += " " + std::to_string(n) + "x" + std::to_string(status);
        }
        std::printf(
            "[ measure  ] write gap after kill -9 of %s at %s: %.2f s (POST /votes at %s; "
            "answers during the gap:%s)\n",
            victim.name.c_str(), killed_at.c_str(), gap, target.name.c_str(), seen.c_str());
        return gap;
      }
      std::this_thread::sleep_for(milliseconds(50));
    }
    return -1;
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
      EXPECT_FALSE(cluster::IsGone(r.pids.at(what))) << r.name << " " << what;
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
    receipts_.push_back(ReceiptOf(v));
  }
  // One voter racing all three regions at once: exactly one ballot counted.
  const std::string racer = NextVoter();
  std::vector<Response> answers(3);
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 3; ++i) {
    threads.emplace_back([&, i] {
      HttpClient c(HostOf(info_.regions[i].http), PortOf(info_.regions[i].http), seconds(15));
      c.Connect();
      ++ready;
      while (ready.load() < 3) std::this_thread::yield();
      answers[i] = c.Post("/votes", VoteBody(racer, "Donald Trump"));
    });
  }
  for (auto& t : threads) t.join();
  int created = 0, conflicts = 0;
  std::string seen;
  for (const Response& a : answers) {
    created += a.status == 201;
    conflicts += a.status == 409;
    if (a.status == 201) receipts_.push_back(ReceiptOf(a));
    seen += a.Describe() + "\n";
  }
  EXPECT_EQ(created, 1) << seen;
  EXPECT_EQ(conflicts, 2) << seen;
  ExpectEveryAcknowledgedBallotCountedEverywhere();
}

TEST_F(UpThreeRegions, LosingThePrimaryRegionCostsSecondsOfWritesAndItComesBack) {
  const std::string leader = NameWithRole("leader");
  ASSERT_FALSE(leader.empty());
  const RegionInfo victim = Region(leader);
  const RegionInfo* target = nullptr;
  for (const auto& r : info_.regions) {
    if (r.name != leader && !target) target = &r;
  }
  const double gap = KillRegionAndMeasureGap(victim, *target);
  ASSERT_GE(gap, 0) << "writes never resumed after losing " << leader;
  EXPECT_LE(gap, MaxWriteGapSeconds());
  // `up` reports the loss and keeps running.
  ASSERT_TRUE(Within(
      [&] {
        const std::string log = up_->LogTail(100000);
        return log.find(leader + ": Patroni (pid") != std::string::npos &&
               log.find(leader + ": etcd (pid") != std::string::npos;
      },
      seconds(10)))
      << up_->LogTail();
  EXPECT_TRUE(up_->Running());
  const std::string new_leader = NameWithRole("leader");
  EXPECT_NE(new_leader, leader);

  // The former primary comes back as a standby (pg_rewind), with its etcd member and its serve.
  RestartRegion(leader);
  ASSERT_FALSE(HasFatalFailure());
  EXPECT_NE(NameWithRole("leader"), leader) << "the old primary should rejoin as a standby";
  ExpectEveryAcknowledgedBallotCountedEverywhere();
}

TEST_F(UpThreeRegions, LosingTheSynchronousStandbyRegionCostsLittleAndItComesBack) {
  const std::string sync = NameWithRole("sync_standby");
  const std::string leader = NameWithRole("leader");
  ASSERT_FALSE(sync.empty());
  ASSERT_FALSE(leader.empty());
  // Measured at the primary's region: its commits wait until Patroni names the other standby.
  const double gap = KillRegionAndMeasureGap(Region(sync), Region(leader));
  ASSERT_GE(gap, 0) << "writes never resumed after losing " << sync;
  EXPECT_LE(gap, MaxWriteGapSeconds());
  EXPECT_TRUE(up_->Running());
  RestartRegion(sync);
  ASSERT_FALSE(HasFatalFailure());
  ExpectEveryAcknowledgedBallotCountedEverywhere();
}

}  // namespace
}  // namespace landslide::testing
