// `landslide demo`, the README's main command, end to end on one region: a verifiable election
// from the key ceremony to the independent verifier, and the decrypted counts checked against
// what the load generator was told was counted.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "os/ports.h"
#include "support/landslide_cli.h"

namespace landslide::testing {
namespace {

namespace fs = std::filesystem;

TEST(Demo, AVerifiableElectionRunsFromTheKeyCeremonyToTheIndependentVerifier) {
  char tmpl[] = "/tmp/ls-demo-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  // PostgreSQL runs as the postgres user, which must be able to reach the cluster's directory.
  fs::permissions(tmpl, fs::perms::owner_all | fs::perms::others_exec | fs::perms::group_exec);
  const fs::path dir = fs::path(tmpl) / "demo";
  auto base = os::FindFreeBasePort();
  ASSERT_TRUE(base.ok()) << base.status().message();
  CliRunOptions options;
  options.merge_stderr = true;
  options.timeout = std::chrono::seconds(600);
  CliRun run = RunLandslide({"demo", "--voters", "400", "--regions", "1", "--dir", dir.string(),
                             "--base-port", std::to_string(*base)},
                            options);
  EXPECT_EQ(run.exit_code, 0) << run.out.substr(run.out.size() > 6000 ? run.out.size() - 6000 : 0);
  for (const char* step : {"trustees init", "voters import", "close --db", "record export",
                           "trustee decrypt", "results publish"}) {
    EXPECT_NE(run.out.find(step), std::string::npos) << "the demo did not run " << step;
  }
  // The verifier ran (verifier/node_modules is installed by scripts/setup) and passed.
  EXPECT_NE(run.out.find("OK: the record in"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("every state's decrypted count equals what simulate was told was counted"),
            std::string::npos)
      << run.out;
  EXPECT_TRUE(fs::exists(dir / "record" / "results.json"));
  std::error_code ec;
  fs::remove_all(tmpl, ec);
}

}  // namespace
}  // namespace landslide::testing
