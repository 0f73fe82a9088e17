#include "bench/load_phases.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <thread>

#include "sim/ballot_builder.h"
#include "sim/load_generator.h"

namespace landslide::bench {

namespace {

// Runs one loop; returns its summary, or the reason it could not run at all.
Result<RunSummary> RunOnce(const LoadSettings& settings, const sim::VotePlan& plan, double rate,
                           std::string mode, PhaseResult& phase,
                           const std::function<void(std::string_view)>& say) {
  sim::SimulationOptions o;
  sim::BuiltBodies built;
  if (!settings.manifest.empty()) {
    // Before the clock starts: the server is what the run measures.
    const int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    auto bodies = sim::BuildBallotBodies(plan, settings.manifest, threads);
    if (!bodies.ok()) return bodies.status();
    built = std::move(*bodies);
    char line[160];
    std::snprintf(line, sizeof line, "%zu ballots built in %.1f s (%.0f us per ballot per core)",
                  built.bodies.size(), built.seconds, built.micros_per_ballot_per_core());
    say(line);
    if (!phase.ballot_build_us_per_core)
      phase.ballot_build_us_per_core = built.micros_per_ballot_per_core();
    o.ballot_bodies = &built.bodies;
  }
  o.targets = settings.targets;
  o.concurrency = settings.concurrency;
  o.threads = settings.client_threads;
  o.rate = rate;
  o.verify = settings.verify;
  // A region under full load can take a while to drain its tallier; give it more than the
  // default before calling its results wrong.
  o.settle_timeout = std::chrono::seconds(60);
  o.stop = settings.stop;
  sim::TerminalProgress progress(stderr);
  auto report = sim::RunSimulation(o, plan, &progress);
  if (!report.ok()) return report.status();
  return SummarizeRun(*report, std::move(mode));
}

std::string Describe(const RunSummary& r) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "%lld counted in %.1f s: %.0f votes/s, p50 %.2f ms, p99 %.2f ms",
                static_cast<long long>(r.counted), r.duration_s, r.votes_per_s, r.latency.p50_ms,
                r.latency.p99_ms);
  return buf;
}

}  // namespace

std::pair<sim::VotePlan, sim::VotePlan> SplitPlan(const sim::VotePlan& plan, double fraction) {
  fraction = std::clamp(fraction, 0.0, 1.0);
  const auto first = static_cast<size_t>(std::llround(static_cast<double>(plan.size()) * fraction));
  sim::VotePlan a(plan.seed());
  sim::VotePlan b(plan.seed() + 1);
  for (size_t i = 0; i < plan.size(); ++i) (i < first ? a : b).Add(plan.id(i), plan.state(i));
  return {std::move(a), std::move(b)};
}

double HalfPeakRate(double peak_votes_per_s) { return std::max(1.0, peak_votes_per_s / 2); }

void RunPeakAndHalf(const LoadSettings& settings, const sim::VotePlan& plan, PhaseResult& phase,
                    const std::function<void(std::string_view)>& say) {
  auto [closed_plan, open_plan] = SplitPlan(plan, settings.closed_fraction);
  auto stopped = [&] { return settings.stop && settings.stop->load(); };

  say("closed loop: " + std::to_string(closed_plan.size()) + " votes, " +
      std::to_string(settings.concurrency) + " in flight, to find the peak");
  auto peak = RunOnce(settings, closed_plan, 0, "closed", phase, say);
  if (!peak.ok()) {
    phase.status = PhaseStatus::kFailed;
    phase.reason = "the closed-loop run could not start: " + peak.status().message();
    return;
  }
  phase.peak = *peak;
  say("peak: " + Describe(*peak));
  if (!peak->ok()) {
    phase.status = PhaseStatus::kFailed;
    phase.reason = "closed loop: " + peak->problems.front();
    return;
  }
  if (stopped()) {
    phase.status = PhaseStatus::kFailed;
    phase.reason = "interrupted";
    return;
  }
  if (open_plan.empty()) {
    phase.status = PhaseStatus::kPassed;
    return;
  }

  const double rate = HalfPeakRate(peak->votes_per_s);
  char line[160];
  std::snprintf(line, sizeof line, "open loop: %zu votes at %.0f votes/s (half the peak)",
                open_plan.size(), rate);
  say(line);
  auto half = RunOnce(settings, open_plan, rate, "open", phase, say);
  if (!half.ok()) {
    phase.status = PhaseStatus::kFailed;
    phase.reason = "the open-loop run could not start: " + half.status().message();
    return;
  }
  phase.half = *half;
  say("at half the peak: " + Describe(*half));
  if (!half->ok()) {
    phase.status = PhaseStatus::kFailed;
    phase.reason = "open loop: " + half->problems.front();
    return;
  }
  phase.status = stopped() ? PhaseStatus::kFailed : PhaseStatus::kPassed;
  if (stopped()) phase.reason = "interrupted";
}

}  // namespace landslide::bench
