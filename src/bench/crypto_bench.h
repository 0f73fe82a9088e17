// `landslide crypto-bench`: the verifiable scheme's costs on this machine, all measured in one
// run so their ratios hold even on a noisy machine: group operations in libdecaf and in
// libsodium's ristretto255 API (the choice DESIGN.md records), building a ballot, verifying one,
// verifying a batch at several sizes, the sealed scheme's per-ballot seal for comparison, and
// the ballots/s one core and all cores verify.
#pragma once

#include <functional>
#include <string>

#include "common/status.h"

namespace landslide::bench {

struct CryptoBenchOptions {
  double seconds_per_item = 0.5;  // how long each figure is measured for, at least
  int candidates = 5;             // the contest size of the ballots (the 2016 ballot has 5)
  std::function<void(const std::string&)> progress;  // one line per figure; may be empty
};

// Runs the measurements and returns the JSON report.
Result<std::string> RunCryptoBench(const CryptoBenchOptions& options);

}  // namespace landslide::bench
