// The voter site in a real browser (Debian's Chromium driven by Playwright, see
// tests/web/site_failover.mjs) failing over between two regions: the region that served the
// ballot look-up is killed with SIGKILL before the vote is cast, and the page still gets the vote
// counted, once, by the other region, without the voter doing anything.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "os/process.h"
#include "support/region_harness.h"

namespace landslide::testing {
namespace {

namespace fs = std::filesystem;

std::string FindInPath(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    const fs::path p = fs::path(dir) / program;
    if (!dir.empty() && access(p.c_str(), X_OK) == 0) return p.string();
  }
  return "";
}

TEST(SiteFailover, AVoteInTheBrowserIsCountedOnceWhenTheRegionThatServedThePageDies) {
  const fs::path web_tests = fs::path(LANDSLIDE_SOURCE_DIR) / "tests" / "web";
  const std::string node = FindInPath("node");
  const char* chromium_env = std::getenv("CHROMIUM");
  const std::string chromium = chromium_env ? chromium_env : "/usr/bin/chromium";
  if (node.empty() || access(chromium.c_str(), X_OK) != 0 ||
      !fs::exists(web_tests / "node_modules" / "playwright-core")) {
    GTEST_SKIP() << "needs node, " << chromium << " and tests/web/node_modules (scripts/setup "
                 << "installs them)";
  }
  RegionOptions o;
  o.region = "us-east";
  o.voters = 50;
  RegionHarness region(o);
  ASSERT_TRUE(region.Start());
  ASSERT_TRUE(region.StartPeer("us-west"));
  // Both have their ports now: restart them listing each other (GET /regions, CORS).
  region.Terminate();
  region.TerminatePeer();
  const std::string peer_url = "http://127.0.0.1:" + std::to_string(region.peer_port());
  region.options().serve_flags = {"--peer", "us-east=" + region.url(), "--peer",
                                  "us-west=" + peer_url};
  ASSERT_TRUE(region.StartServe());
  ASSERT_TRUE(region.StartPeer("us-west"));
  auto peer_client = region.PeerClient();
  ASSERT_TRUE(peer_client->Get("/regions").status == 200);

  os::ProcessOptions po;
  po.argv = {node, (web_tests / "site_failover.mjs").string(), region.url(), region.voters()[0].id,
             "us-east=" + std::to_string(region.serve_pid()) +
                 ",us-west=" + std::to_string(region.peer_pid())};
  po.log_file = region.dir() / "browser.log";
  auto browser = os::Process::Spawn(po);
  ASSERT_TRUE(browser.ok()) << browser.status().message();
  auto exit = browser->Wait(std::chrono::seconds(120));
  const std::string log = os::TailOfFile(po.log_file, 20000);
  ASSERT_TRUE(exit.ok() && exit->success()) << "the browser script failed:\n" << log;

  // The script's last line is what the page showed.
  std::string last;
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line.front() == '{') last = line;
  }
  auto seen = nlohmann::json::parse(last, nullptr, false);
  ASSERT_TRUE(seen.is_object()) << log;
  const std::string lookup = seen.value("lookupRegion", "");
  const std::string voted = seen.value("voteRegion", "");
  const std::string status = seen.value("status", "");
  EXPECT_TRUE(seen["errors"].empty()) << log;
  ASSERT_TRUE(lookup == "us-east" || lookup == "us-west") << log;
  EXPECT_NE(voted, lookup) << "the vote went to the region that was killed: " << log;
  ASSERT_EQ(status.rfind("Counted by " + voted + ". Your receipt: ", 0), 0u) << log;
  const std::string receipt = status.substr(status.rfind(' ') + 1);
  std::printf(
      "[ measure  ] the page looked the ballot up at %s, which was then killed; the vote "
      "was counted by %s\n",
      lookup.c_str(), voted.c_str());

  // Counted once, and the surviving region says so.
  EXPECT_EQ(region.Count("SELECT count(*) FROM pollbook"), 1);
  EXPECT_EQ(region.Count("SELECT count(*) FROM ballots"), 1);
  auto survivor = voted == "us-west" ? region.PeerClient() : region.Client();
  auto r = survivor->Get("/receipts/" + receipt);
  EXPECT_EQ(r.status, 200) << r.Describe();
  EXPECT_EQ(r.json.value("status", ""), "counted") << r.Describe();
}

}  // namespace
}  // namespace landslide::testing
