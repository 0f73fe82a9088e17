#include "support/three_regions.h"

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "cluster/region_network.h"
#include "config/election_file.h"
#include "domain/election.h"
#include "os/endpoint.h"
#include "os/ports.h"
#include "os/process.h"
#include "support/landslide_cli.h"

namespace landslide::testing {

namespace fs = std::filesystem;
using cluster::ClusterInfo;
using cluster::RegionInfo;
using std::chrono::milliseconds;
using std::chrono::seconds;

bool InPath(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (!dir.empty() && access((fs::path(dir) / program).c_str(), X_OK) == 0) return true;
  }
  return false;
}

std::string ReceiptOf(const Response& r) {
  return r.json.is_object() && r.json.contains("receipt") && r.json["receipt"].is_string()
             ? r.json["receipt"].get<std::string>()
             : "";
}

std::string HostOf(const std::string& url) { return os::HostPortOfUrl(url).value().first; }

int PortOf(const std::string& url) { return os::HostPortOfUrl(url).value().second; }

void ThreeRegionTest::StartCluster(const std::vector<std::string>& up_args, int voters,
                                   bool verifiable) {
  if (!InPath("patroni") || !InPath("etcd")) {
    GTEST_SKIP() << "patroni and etcd are not installed (Debian: patroni, etcd-server)";
  }
  char tmpl[] = "/tmp/ls-up3-XXXXXX";  // short: PostgreSQL's socket path must fit 107 bytes
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  dir_ = tmpl;
  auto base = os::FindFreeBasePort();
  ASSERT_TRUE(base.ok()) << base.status().message();
  base_port_ = *base;

  const auto started = SteadyClock::now();
  cluster::UpProcessOptions options = UpOptions(dir_, 3, base_port_);
  options.extra_args = up_args;
  std::vector<std::string> election_args;
  if (verifiable) {
    BallotPolicy policy;
    policy.scheme = BallotScheme::kVerifiable;
    policy.results = ResultsMode::kAfterClose;
    std::ofstream(dir_ / "election.json")
        << ElectionToJson(Election::Default2016().WithPolicy(policy)) << "\n";
    ASSERT_TRUE(RunCli({"trustees", "init", "--trustees", "3", "--threshold", "2", "--kdf",
                        "interactive", "--election", (dir_ / "election.json").string(), "--out",
                        (dir_ / "trustees").string()}));
    election_args = {"--election", (dir_ / "election.json").string()};
    options.extra_args.insert(options.extra_args.end(), election_args.begin(), election_args.end());
  }
  auto up = cluster::UpProcess::Start(options);
  ASSERT_TRUE(up.ok()) << up.status().message();
  up_.emplace(std::move(*up));
  auto info = up_->WaitForClusterFile(seconds(240));
  ASSERT_TRUE(info.ok()) << info.status().message();
  info_ = *info;
  std::printf("[ measure  ] 3 regions up (etcd x3, Patroni x3, serve x3 healthy) in %.1f s\n",
              SecondsSince(started));
  RememberPids(info_);

  const std::string csv = (dir_ / "voters.csv").string();
  ASSERT_TRUE(RunCli(
      {"voters", "generate", "--count", std::to_string(voters), "--seed", "7", "--out", csv}));
  std::vector<std::string> import = {"voters", "import", "--db", info_.db, "--keys", info_.keys};
  if (verifiable) {
    import.insert(import.end(), election_args.begin(), election_args.end());
    import.insert(import.end(), {"--trustees", (dir_ / "trustees" / "trustees.json").string()});
  }
  import.push_back(csv);
  ASSERT_TRUE(RunCli(import));
  std::ifstream in(csv);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    if (!line.empty()) voters_.push_back(line.substr(0, line.find(',')));
  }
  ASSERT_EQ(voters_.size(), static_cast<size_t>(voters));
  // Each serve reloads the registry when it changes; a ballot look-up records nothing.
  for (const auto& r : info_.regions) {
    HttpClient c(HostOf(r.http), PortOf(r.http));
    ASSERT_TRUE(Eventually([&] { return c.Post("/ballot", BallotBody(voters_[0])).status == 200; },
                           seconds(30)))
        << r.name << " never learned the registry";
  }
}

void ThreeRegionTest::TearDown() {
  if (restart_) {
    auto es = restart_->Stop();
    EXPECT_TRUE(es.success()) << "up --restart-region " << es.ToString() << "\n"
                              << restart_->LogTail();
  }
  if (up_) {
    auto es = up_->Stop();
    EXPECT_TRUE(es.success()) << "up " << es.ToString() << "\n" << up_->LogTail();
    EXPECT_EQ(up_->LogTail(100000).find("did not stop"), std::string::npos) << up_->LogTail();
    // A clean stop removes cluster.json, and nothing either `up` started outlives it.
    EXPECT_FALSE(fs::exists(dir_ / "cluster.json"));
  }
  for (int pid : pids_) {
    EXPECT_TRUE(Eventually([pid] { return os::IsGone(pid); }, seconds(10)))
        << "pid " << pid << " still runs after landslide up stopped";
  }
  if (HasFailure()) {
    std::printf("kept %s (logs/ holds every process's log)\n", dir_.c_str());
  } else if (!dir_.empty() && std::getenv("LANDSLIDE_KEEP_TEST_DIRS") == nullptr) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

::testing::AssertionResult ThreeRegionTest::RunCli(const std::vector<std::string>& args) {
  os::ProcessOptions o;
  o.argv = {LANDSLIDE_BINARY};
  o.argv.insert(o.argv.end(), args.begin(), args.end());
  o.log_file = dir_ / "cli.log";
  auto p = os::Process::Spawn(o);
  if (!p.ok()) return ::testing::AssertionFailure() << p.status().message();
  auto exit = p->Wait(seconds(120));
  if (!exit.ok() || !exit->success()) {
    return ::testing::AssertionFailure() << "landslide " << args[0] << " failed:\n"
                                         << os::TailOfFile(o.log_file);
  }
  return ::testing::AssertionSuccess();
}

void ThreeRegionTest::RememberPids(const ClusterInfo& info) {
  for (const auto& r : info.regions) {
    for (const auto& [_, pid] : r.pids) pids_.insert(pid);
  }
}

const RegionInfo& ThreeRegionTest::Region(const std::string& name) const {
  for (const auto& r : info_.regions) {
    if (r.name == name) return r;
  }
  ADD_FAILURE() << "no region " << name;
  return info_.regions.front();
}

std::vector<cluster::PatroniMember> ThreeRegionTest::Members() {
  for (const auto& r : info_.regions) {
    auto m = cluster::GetPatroniCluster(*r.patroni, seconds(2));
    if (m.ok()) return *m;
  }
  return {};
}

std::string ThreeRegionTest::NameWithRole(const std::string& role) {
  std::string name;
  Eventually(
      [&] {
        const auto members = Members();
        const auto* m = cluster::FindRunning(members, role);
        if (m) name = m->name;
        return m != nullptr;
      },
      seconds(30));
  return name;
}

Response ThreeRegionTest::Vote(const RegionInfo& r, const std::string& voter,
                               std::chrono::milliseconds timeout) {
  HttpClient c(HostOf(r.http), PortOf(r.http), timeout);
  return c.Post("/votes", VoteBody(voter, kVoteCandidate));
}

Response ThreeRegionTest::Get(const RegionInfo& r, const std::string& path) {
  HttpClient c(HostOf(r.http), PortOf(r.http), seconds(15));
  return c.Get(path);
}

void ThreeRegionTest::RestartRegion(const std::string& name) {
  const int old_serve = Region(name).pids.at("serve");
  const auto started = SteadyClock::now();
  auto p = cluster::UpProcess::Start(UpOptions(dir_, 3, base_port_, name));
  ASSERT_TRUE(p.ok()) << p.status().message();
  restart_.emplace(std::move(*p));
  auto info = restart_->WaitForClusterFile(seconds(240), [&](const ClusterInfo& i) {
    for (const auto& r : i.regions) {
      if (r.name == name) return r.pids.at("serve") != old_serve;
    }
    return false;
  });
  ASSERT_TRUE(info.ok()) << info.status().message();
  info_ = *info;
  RememberPids(info_);
  std::printf(
      "[ measure  ] %s back (etcd rejoined, Patroni standby streaming, serve healthy) "
      "in %.1f s\n",
      name.c_str(), SecondsSince(started));
  const RegionInfo& back = Region(name);
  for (const auto& [what, pid] : back.pids) {
    EXPECT_FALSE(os::IsGone(pid)) << name << "'s new " << what << " (pid " << pid << ")";
  }
  std::vector<cluster::PatroniMember> members;
  ASSERT_TRUE(Eventually(
      [&] {
        members = Members();
        const auto* leader = cluster::FindRunning(members, "leader");
        const auto* self = cluster::FindMember(members, name);
        int running = 0;
        for (const auto& m : members) running += m.state == "running";
        return leader && self && running == 3 && self->timeline == leader->timeline &&
               self->lag.has_value() && cluster::FindRunning(members, "sync_standby");
      },
      seconds(60)))
      << cluster::DescribeMembers(members);
  HttpClient c(HostOf(back.http), PortOf(back.http));
  EXPECT_EQ(c.Get("/health").status, 200);
  auto vote = Vote(back, NextVoter());
  EXPECT_EQ(vote.status, 201) << vote.Describe();
  if (vote.status == 201) Acknowledge(ReceiptOf(vote));
  ExpectConverged(info_.regions);
}

void ThreeRegionTest::Acknowledge(const std::string& receipt, const std::string& candidate) {
  receipts_.push_back(receipt);
  if (candidate != kVoteCandidate) candidate_of_[receipt] = candidate;
}

std::vector<RegionInfo> ThreeRegionTest::AllBut(const std::string& name) const {
  std::vector<RegionInfo> out;
  for (const auto& r : info_.regions) {
    if (r.name != name) out.push_back(r);
  }
  return out;
}

void ThreeRegionTest::ExpectConverged(const std::vector<RegionInfo>& regions, Count count) {
  const auto acknowledged = static_cast<int64_t>(receipts_.size());
  std::map<std::string, int64_t> by_candidate;
  for (const std::string& receipt : receipts_) {
    auto it = candidate_of_.find(receipt);
    ++by_candidate[it == candidate_of_.end() ? kVoteCandidate : it->second];
  }
  std::map<std::string, std::string> seen;  // region -> what it reported last
  const auto started = SteadyClock::now();
  const bool converged = Eventually(
      [&] {
        std::set<std::string> reports;  // total and chain heads, one per region when converged
        bool counts_ok = true;
        for (const auto& r : regions) {
          auto votes = Get(r, "/votes");
          auto checkpoint = Get(r, "/checkpoints");
          const int64_t total =
              votes.status == 200 ? votes.json.value("total_count", int64_t{-1}) : -1;
          std::map<std::string, int64_t> counted;
          if (votes.status == 200) {
            for (const auto& row : votes.json["candidates"]) {
              const auto n = row["count"].get<int64_t>();
              if (n > 0) counted[row["candidate"].get<std::string>()] = n;
            }
          }
          counts_ok = counts_ok &&
                      (count == Count::kExactly ? total == acknowledged && counted == by_candidate
                                                : total >= acknowledged);
          const std::string heads =
              checkpoint.status == 200 ? checkpoint.json["checkpoint"]["chains"].dump() : "?";
          reports.insert(std::to_string(total) + " " + heads);
          seen[r.name] = "total " + std::to_string(total) + ", chains " + heads;
        }
        return counts_ok && reports.size() == 1 && reports.begin()->find('?') == std::string::npos;
      },
      seconds(60));
  std::string report;
  for (const auto& [name, what] : seen)
    report.append("\n  ").append(name).append(": ").append(what);
  ASSERT_TRUE(converged) << "regions do not agree with the " << acknowledged
                         << " acknowledged ballots:" << report;
  std::printf(
      "[ measure  ] %zu regions report %s the %lld acknowledged ballots and the same chain "
      "heads (%.1f s after asking)\n",
      regions.size(), count == Count::kExactly ? "exactly" : "at least",
      static_cast<long long>(acknowledged), SecondsSince(started));
  // Receipts are looked up in the region's own standby, which may still be catching up (or being
  // rewound) after /votes, answered from the tallier's memory, already agrees.
  for (const auto& r : regions) {
    HttpClient c(HostOf(r.http), PortOf(r.http));
    size_t next = 0;
    Response last;
    const bool all_counted = Eventually(
        [&] {
          for (; next < receipts_.size(); ++next) {
            last = c.Get("/receipts/" + receipts_[next]);
            if (last.status != 200 || last.json.value("status", "") != "counted") return false;
          }
          return true;
        },
        seconds(60));
    ASSERT_TRUE(all_counted) << r.name << " does not count acknowledged receipt " << receipts_[next]
                             << ": " << last.Describe();
  }
}

namespace {

Status RouteInRegion(int base_port, int index, const std::string& verb) {
  const cluster::RegionNetwork net = cluster::PlanRegionNetwork(base_port, 3);
  for (int other = 0; other < 3; ++other) {
    if (other == index) continue;
    os::ProcessOptions o;
    o.argv = {"ip", "-n",        net.namespaces.at(index),       "route",
              verb, "blackhole", net.addresses.at(other) + "/32"};
    auto p = os::Process::Spawn(o);
    if (!p.ok()) return p.status();
    auto exit = p->Wait(seconds(10));
    if (!exit.ok() || !exit->success()) {
      return Status::Internal("ip route " + verb + " in " + net.namespaces.at(index) + " failed");
    }
  }
  return Status::Ok();
}

}  // namespace

Status CutRegionOff(int base_port, int index) { return RouteInRegion(base_port, index, "add"); }
Status HealRegion(int base_port, int index) { return RouteInRegion(base_port, index, "del"); }

}  // namespace landslide::testing
