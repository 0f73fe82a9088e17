// The binary under test (LANDSLIDE_BINARY) run to completion, its output captured: for tests of
// the commands themselves. Built on the product's own os/subcommand.h.
//
//   CliRun run = RunLandslide({"voters", "generate", "--count", "10"});
//   EXPECT_EQ(run.exit_code, 0) << run.err;
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace landslide::testing {

struct CliRunOptions {
  // stderr into `out` as well (interleaved as written), instead of into `err`.
  bool merge_stderr = false;
  // stdin; empty: /dev/null.
  std::filesystem::path stdin_file;
  std::chrono::seconds timeout{120};
};

struct CliRun {
  int exit_code = -1;  // -1 when it could not be run, was killed, or did not finish in time
  std::string out;
  std::string err;
};

CliRun RunLandslide(const std::vector<std::string>& args, const CliRunOptions& options = {});

}  // namespace landslide::testing
