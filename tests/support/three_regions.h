// Support for the cluster tests: a real `landslide up --regions 3` child process (optionally with
// --netns), voters imported, and the checks every three-region test makes (Patroni roles, votes,
// receipts counted everywhere). Also the helper that partitions a --netns region.
//
//   class MyTest : public ThreeRegionTest {};
//   TEST_F(MyTest, X) { auto v = Vote(Region(NameWithRole("leader")), NextVoter()); ... }
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "cluster/cluster_file.h"
#include "cluster/patroni.h"
#include "cluster/up_process.h"
#include "common/status.h"
#include "common/time.h"
#include "os/poll.h"
#include "support/http_client.h"

namespace landslide::testing {

using SteadyClock = std::chrono::steady_clock;

using os::Eventually;

// The candidate Vote() votes for.
inline constexpr const char* kVoteCandidate = "Hillary Clinton";

bool InPath(const std::string& program);
std::string ReceiptOf(const Response& r);
// "http://10.27.88.1:7000" -> "10.27.88.1" and 7000.
std::string HostOf(const std::string& url);
int PortOf(const std::string& url);

class ThreeRegionTest : public ::testing::Test {
 protected:
  // Brings the cluster up (with `up_args` added, e.g. --netns) and imports `voters` voters.
  // `verifiable`: a verifiable 2016 election (DIR/election.json) whose key ceremony (3
  // trustees, 2 needed, in DIR/trustees) runs before `up`.
  void StartCluster(const std::vector<std::string>& up_args = {}, int voters = 3000,
                    bool verifiable = false);
  void SetUp() override { StartCluster(); }
  void TearDown() override;

  ::testing::AssertionResult RunCli(const std::vector<std::string>& args);
  void RememberPids(const cluster::ClusterInfo& info);
  const cluster::RegionInfo& Region(const std::string& name) const;
  std::vector<cluster::PatroniMember> Members();
  // The running member with `role`, waiting up to 30 s for one.
  std::string NameWithRole(const std::string& role);
  Response Vote(const cluster::RegionInfo& r, const std::string& voter,
                std::chrono::milliseconds timeout = std::chrono::seconds(15));
  Response Get(const cluster::RegionInfo& r, const std::string& path);
  std::string NextVoter() { return voters_.at(next_voter_++); }
  // `up --restart-region NAME` as a second process; waits until cluster.json names its new serve
  // and Patroni shows the member back, running on the leader's timeline, then casts a ballot
  // there and expects every region to agree (ExpectConverged).
  void RestartRegion(const std::string& name);
  // Records a ballot answered 201, for ExpectConverged. Receipts pushed to receipts_ directly
  // count as votes for kVoteCandidate.
  void Acknowledge(const std::string& receipt, const std::string& candidate = kVoteCandidate);

  enum class Count {
    kExactly,  // each region counts the acknowledged ballots and nothing else
    kAtLeast,  // also ballots whose 503 said "outcome unknown" may have been counted
  };
  // Invariants 2 and 3 at `regions`: each reports the acknowledged ballots (exactly: the same
  // total and the same count per candidate), they all report the same total and the same chain
  // heads in GET /checkpoints, and each finds every acknowledged receipt counted.
  void ExpectConverged(const std::vector<cluster::RegionInfo>& regions,
                       Count count = Count::kExactly);
  void ExpectEveryAcknowledgedBallotCountedEverywhere() {
    ExpectConverged(info_.regions, Count::kAtLeast);
  }
  // Every region but `name`.
  std::vector<cluster::RegionInfo> AllBut(const std::string& name) const;

  std::filesystem::path dir_;
  int base_port_ = 0;
  std::optional<cluster::UpProcess> up_;
  std::optional<cluster::UpProcess> restart_;
  cluster::ClusterInfo info_;
  std::set<int> pids_;
  std::vector<std::string> voters_;
  size_t next_voter_ = 1;                            // voters_[0] is kept for ballot look-ups
  std::vector<std::string> receipts_;                // every ballot answered 201
  std::map<std::string, std::string> candidate_of_;  // receipt -> candidate, if not kVoteCandidate
};

// Cuts region `index` of a --netns cluster off from the other regions: blackhole routes in its
// namespace to their addresses, so it neither reaches them nor answers them, while the host (the
// bridge address) still reaches it. Heal removes the routes.
Status CutRegionOff(int base_port, int index);
Status HealRegion(int base_port, int index);

}  // namespace landslide::testing
