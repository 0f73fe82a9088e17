// `landslide bench` end to end: one process tree on one machine, the same load generator for
// every phase, all measured in the same run.
//
//   1. generate the phases' registry once (voters.csv in the bench dir)
//   2. baseline: the no-op server (bench/noop_server.h) in this process, peak and half peak
//   3. single: `landslide up --regions 1`, import, peak and half peak, stop (bench/cluster_phase.h)
//   4. three:  the same with `--regions 3`; skipped, with the reason, if it cannot come up
//
// Progress goes to stderr; the caller writes the report and the chart.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "bench/bench_report.h"

namespace landslide::bench {

struct BenchOptions {
  int64_t voters = 200000;  // per phase (the baseline casts them kBaselineRepeat times over)
  int concurrency = 256;
  int client_threads = 1;
  int server_threads = 2;  // the no-op server's, as `landslide serve` defaults to
  std::vector<PhaseKind> phases = {PhaseKind::kBaseline, PhaseKind::kSingleRegion,
                                   PhaseKind::kThreeRegions, PhaseKind::kVerifiableSingleRegion,
                                   PhaseKind::kVerifiableThreeRegions};
  std::string dir;  // empty: a fresh temporary directory under /tmp
  bool keep = false;
  int base_port = 7600;  // one region uses P..P+44, three regions P+50..P+94
  uint64_t seed = 2016;
  double closed_fraction = 2.0 / 3.0;
  std::chrono::seconds up_timeout{240};
  const std::atomic<bool>* stop = nullptr;  // set on SIGINT/SIGTERM
};

// Runs the phases. An error Status only when the bench could not run at all (bad options, the
// directory or registry could not be made); a phase that fails is recorded in the report.
Result<BenchReport> RunBench(const BenchOptions& options);

}  // namespace landslide::bench
