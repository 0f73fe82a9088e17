// How the bench drives a phase with the load generator (sim::RunSimulation, the same one behind
// `landslide simulate`): first a closed loop (`concurrency` votes in flight, each sent as soon as
// the previous answer arrives) whose counted votes per second are the phase's peak, then an
// open loop at half that rate, whose latencies (counted from each vote's due time, so queueing
// cannot hide) are the phase's latency figures. Each voter votes once, so the phase's voters are
// split between the two runs.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bench/bench_report.h"
#include "sim/vote_plan.h"

namespace landslide::bench {

struct LoadSettings {
  std::vector<std::string> targets;
  int concurrency = 256;
  int client_threads = 1;
  bool verify = true;  // check every region's GET /votes after each run
  // Of the phase's voters, this fraction votes in the closed loop and the rest at half the
  // peak. 2/3 makes both runs take about as long: the open loop goes at half the speed.
  double closed_fraction = 2.0 / 3.0;
  const std::atomic<bool>* stop = nullptr;
  // A verifiable election's manifest (GET /manifest): every run's ballots are built, proved and
  // signed before it starts (sim/ballot_builder.h) and cast with POST /ballots.
  std::string manifest;
};

// The first `fraction` of the plan's voters, and the rest. Candidates are drawn afresh for each
// part (seeds seed and seed + 1), so each part follows the 2016 split on its own.
std::pair<sim::VotePlan, sim::VotePlan> SplitPlan(const sim::VotePlan& plan, double fraction);

// The open-loop rate for a measured peak: half of it, and never below one vote a second.
double HalfPeakRate(double peak_votes_per_s);

// Runs both loops against `settings.targets` and records them in `phase` (peak, half, status
// and reason). `say` gets one line per step for the bench's progress on stderr.
void RunPeakAndHalf(const LoadSettings& settings, const sim::VotePlan& plan, PhaseResult& phase,
                    const std::function<void(std::string_view)>& say);

}  // namespace landslide::bench
