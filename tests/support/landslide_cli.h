// The binary under test (LANDSLIDE_BINARY) run to completion, its output captured, for tests of
// the commands themselves (built on the product's own os/subcommand.h); and `landslide up` of
// that binary as a child.
//
//   CliRun run = RunLandslide({"voters", "generate", "--count", "10"});
//   EXPECT_EQ(run.exit_code, 0) << run.err;
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "cluster/up_process.h"

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

// `landslide up` of the binary under test for `regions` regions in `dir` (or, with
// `restart_region`, `up --restart-region`), stopped with SIGTERM if the test dies.
cluster::UpProcessOptions UpOptions(const std::filesystem::path& dir, int regions, int base_port,
                                    const std::string& restart_region = "");

}  // namespace landslide::testing
