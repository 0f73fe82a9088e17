// `landslide up --regions 1` end to end: a real `up` child process brings up PostgreSQL and one
// serve, writes cluster.json per docs/API.md, takes a vote, brings a killed serve back with
// --restart-region, and stops everything on SIGTERM.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <set>
#include <string>
#include <thread>

#include "cluster/cluster_file.h"
#include "cluster/up_process.h"
#include "os/poll.h"
#include "os/ports.h"
#include "os/process.h"
#include "support/http_client.h"
#include "support/landslide_cli.h"

namespace landslide::testing {
namespace {

namespace fs = std::filesystem;
using os::Eventually;
using std::chrono::seconds;

TEST(UpOneRegion, ServesWritesTheClusterFileRestartsAServeAndStopsEverything) {
  char tmpl[] = "/tmp/ls-up1-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const fs::path dir = tmpl;
  auto base = os::FindFreeBasePort();
  ASSERT_TRUE(base.ok()) << base.status().message();
  std::set<int> pids;
  {
    auto up = cluster::UpProcess::Start(UpOptions(dir, 1, *base));
    ASSERT_TRUE(up.ok()) << up.status().message();
    auto info = up->WaitForClusterFile(seconds(120));
    ASSERT_TRUE(info.ok()) << info.status().message();
    ASSERT_EQ(info->regions.size(), 1u);
    const cluster::RegionInfo& r = info->regions[0];
    const std::string pg =
        "host=127.0.0.1 port=" + std::to_string(*base + 10) + " dbname=landslide user=landslide";
    EXPECT_EQ(info->db, pg);
    EXPECT_EQ(r.name, "us-east");
    EXPECT_EQ(r.http, "http://127.0.0.1:" + std::to_string(*base));
    EXPECT_EQ(r.replica, pg);
    EXPECT_FALSE(r.patroni.has_value());
    ASSERT_EQ(r.pids.count("serve"), 1u);
    ASSERT_EQ(r.pids.count("postgres"), 1u);
    for (const auto& [_, pid] : r.pids) pids.insert(pid);

    HttpClient c("127.0.0.1", static_cast<uint16_t>(*base));
    EXPECT_EQ(c.Get("/health").status, 200);

    // Lose the serve; --restart-region brings it back and leaves PostgreSQL alone.
    const int old_serve = r.pids.at("serve");
    ASSERT_EQ(kill(old_serve, SIGKILL), 0);
    auto again = cluster::UpProcess::Start(UpOptions(dir, 1, *base, "us-east"));
    ASSERT_TRUE(again.ok()) << again.status().message();
    auto back = again->WaitForClusterFile(seconds(60), [&](const cluster::ClusterInfo& i) {
      return i.regions.size() == 1 && i.regions[0].pids.at("serve") != old_serve;
    });
    ASSERT_TRUE(back.ok()) << back.status().message();
    EXPECT_EQ(back->regions[0].pids.at("postgres"), r.pids.at("postgres"));
    for (const auto& [_, pid] : back->regions[0].pids) pids.insert(pid);
    HttpClient c2("127.0.0.1", static_cast<uint16_t>(*base));
    EXPECT_EQ(c2.Get("/health").status, 200);
    EXPECT_TRUE(Eventually(
        [&] { return up->LogTail().find("killed by signal 9") != std::string::npos; }, seconds(10)))
        << up->LogTail();

    EXPECT_TRUE(again->Stop().success()) << again->LogTail();
    EXPECT_TRUE(up->Stop().success()) << up->LogTail();
  }
  for (int pid : pids) {
    EXPECT_TRUE(Eventually([pid] { return os::IsGone(pid); }, seconds(10))) << "pid " << pid;
  }
  if (std::getenv("LANDSLIDE_KEEP_TEST_DIRS") == nullptr) {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
}

}  // namespace
}  // namespace landslide::testing
