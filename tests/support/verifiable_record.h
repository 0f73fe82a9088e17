// What the trustees and an observer do at the end of a verifiable election in a test region:
// close, export the record, decrypt with some trustees' shares, publish the results, and run
// the independent verifier (node verifier/verify.js) on a record.
//
//   auto results = CloseAndDecrypt(region, region.dir() / "record");
//   ASSERT_TRUE(results.ok());  // results.json, parsed
//   EXPECT_EQ(RunVerifier(region.dir() / "record", region.dir() / "verify.log").exit_code, 0);
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/status.h"
#include "support/region_harness.h"

namespace landslide::testing {

struct DecryptJob {
  std::string db;  // conninfo of the primary
  std::filesystem::path election_file;
  std::filesystem::path trustees_dir;  // from `trustees init`, with passphrases.txt
  std::filesystem::path record;        // created
  std::vector<int> trustees = {1, 3};  // who decrypts (1-based)
  // Runs `landslide ARGS...` (the harness's RunCli).
  std::function<::testing::AssertionResult(const std::vector<std::string>&)> run;
};
// `landslide close`, `record export`, `trustee decrypt` by each of `trustees`, `results
// publish`; returns results.json.
Result<nlohmann::json> CloseAndDecrypt(const DecryptJob& job);
// The same for a test region (its ceremony has 3 trustees, any 2 decrypt).
Result<nlohmann::json> CloseAndDecrypt(RegionHarness& region, const std::filesystem::path& record,
                                       const std::vector<int>& trustees = {1, 3});

struct VerifierRun {
  int exit_code = -1;  // -1: could not run or was killed
  std::string log;     // its stdout and stderr
};
VerifierRun RunVerifier(const std::filesystem::path& record, const std::filesystem::path& log);

}  // namespace landslide::testing
