#include "sim/load_generator.h"

#include <sodium.h>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "common/time.h"
#include "domain/results_2016.h"
#include "sim/target_pool.h"
#include "sim/vote_shard.h"

namespace landslide::sim {

using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr auto kProgressEvery = std::chrono::milliseconds(250);
constexpr auto kRateWindow = std::chrono::seconds(3);

Status ValidateOptions(const SimulationOptions& o) {
  if (o.concurrency < 1 || o.concurrency > 100000) {
    return Status::InvalidArgument("--concurrency must be between 1 and 100000");
  }
  if (!(o.rate >= 0) || !std::isfinite(o.rate)) {
    return Status::InvalidArgument("--rate must be 0 (as fast as possible) or a positive number");
  }
  if (o.threads < 1 || o.threads > 64) {
    return Status::InvalidArgument("--threads must be between 1 and 64");
  }
  if (o.max_attempts < 1) return Status::InvalidArgument("--max-attempts must be at least 1");
  if (o.request_timeout.count() <= 0 || o.connect_timeout.count() <= 0) {
    return Status::InvalidArgument("timeouts must be positive");
  }
  return Status::Ok();
}

void AddStatuses(std::map<int, int64_t>& into, const std::array<int64_t, kStatusSlots>& from) {
  for (int s = 0; s < kStatusSlots; ++s) {
    if (from[s] != 0) into[s] += from[s];
  }
}

// Casts the plan's votes; returns when every shard has stopped.
void Cast(RunState& run, SimulationReport& report, ProgressSink* progress) {
  const auto& o = run.options;
  const int threads = std::min(o.threads, o.concurrency);
  std::vector<std::unique_ptr<Shard>> shards;
  size_t slot = 0;
  for (int i = 0; i < threads; ++i) {
    const int connections = o.concurrency / threads + (i < o.concurrency % threads ? 1 : 0);
    shards.push_back(std::make_unique<Shard>(run, slot, connections));
    slot += static_cast<size_t>(connections);
  }
  std::mutex mu;
  std::condition_variable cv;
  int finished = 0;  // guarded by mu
  std::vector<std::thread> pool;
  pool.reserve(shards.size());
  for (auto& s : shards) {
    pool.emplace_back([&, s = s.get()] {
      s->Run();
      std::lock_guard lock(mu);
      ++finished;
      cv.notify_all();
    });
  }

  const auto total = static_cast<int64_t>(run.plan.size());
  std::deque<std::pair<SteadyClock::time_point, std::pair<int64_t, int64_t>>> window;
  auto report_progress = [&] {
    for (auto& e : run.health.TakeEvents()) {
      if (progress) progress->OnMessage(e);
    }
    if (!progress) return;
    const auto now = SteadyClock::now();
    SimulationProgress p;
    p.total = total;
    p.done = run.done.load(std::memory_order_relaxed);
    p.counted = run.counted.load(std::memory_order_relaxed);
    p.failed = run.failed.load(std::memory_order_relaxed);
    p.retries = run.retries.load(std::memory_order_relaxed);
    p.errors = run.errors.load(std::memory_order_relaxed);
    p.in_flight =
        std::max<int64_t>(0, std::min(run.next.load(std::memory_order_relaxed), total) - p.done);
    p.elapsed_s = std::chrono::duration<double>(now - run.start).count();
    window.emplace_back(now, std::make_pair(p.counted, p.done));
    while (window.size() > 2 && now - window.front().first > kRateWindow) window.pop_front();
    const double span = std::chrono::duration<double>(now - window.front().first).count();
    if (span > 0.2) {
      p.votes_per_s = (p.counted - window.front().second.first) / span;
      const double done_rate = (p.done - window.front().second.second) / span;
      if (done_rate > 0) p.eta_s = (total - p.done) / done_rate;
    } else if (p.elapsed_s > 0) {
      p.votes_per_s = p.counted / p.elapsed_s;
    }
    p.healthy_targets = run.health.healthy_count();
    p.targets = static_cast<int>(run.health.size());
    progress->OnProgress(p);
  };
  {
    std::unique_lock lock(mu);
    while (finished < static_cast<int>(shards.size())) {
      cv.wait_for(lock, kProgressEvery);
      lock.unlock();
      report_progress();
      lock.lock();
    }
  }
  for (auto& t : pool) t.join();
  const auto end = SteadyClock::now();
  report_progress();
  if (progress) progress->OnCastingDone();

  report.duration_s = std::chrono::duration<double>(end - run.start).count();
  report.per_target.resize(run.health.size());
  report.counted_by_state.assign(Results2016().size(), {});
  for (auto& s : shards) {
    const ShardStats& st = s->stats();
    report.sent += st.sent;
    report.counted += st.counted;
    report.failed += st.failed;
    report.already_voted += st.already_voted;
    report.already_voted_on_retry += st.already_voted_on_retry;
    report.retries += st.retries;
    report.connection_errors += st.connection_errors;
    report.timeouts += st.timeouts;
    AddStatuses(report.by_status, st.by_status);
    for (const auto& [why, n] : st.failed_by_reason) report.failed_by_reason[why] += n;
    report.vote_latency.Merge(st.vote_latency);
    report.request_latency.Merge(st.request_latency);
    for (size_t t = 0; t < st.per_target.size(); ++t) {
      auto& pt = report.per_target[t];
      pt.requests += st.per_target[t].requests;
      pt.counted += st.per_target[t].counted;
      pt.connection_errors += st.per_target[t].connection_errors;
      AddStatuses(pt.by_status, st.per_target[t].by_status);
    }
    for (size_t j = 0; j < st.counted_by_state.size(); ++j) {
      for (size_t c = 0; c < kCandidateCount; ++c) {
        report.counted_by_state[j][c] += st.counted_by_state[j][c];
      }
    }
    if (!s->error().empty()) report.problems.push_back(s->error());
  }
  report.not_attempted = total - run.done.load();
  report.votes_per_s = report.duration_s > 0 ? report.counted / report.duration_s : 0;
}

// The run's notes and problems from casting alone (verification adds its own).
void JudgeCasting(const SimulationOptions& options, SimulationReport& report) {
  if (report.not_attempted > 0) {
    report.notes.push_back(std::to_string(report.not_attempted) +
                           " votes were not attempted: the run was stopped or reached its time "
                           "limit");
  }
  if (options.rate > 0 && report.duration_s > 0) {
    // Open loop: the last vote was due at (n - 1) / rate; finishing much later means the
    // client could not keep up (too few connections) or the regions answered too slowly.
    const double scheduled_s =
        static_cast<double>(report.voters - report.not_attempted) / options.rate;
    if (report.duration_s > scheduled_s * 1.1 + 1.0) {
      report.notes.push_back("the run fell behind its schedule (" +
                             std::to_string(static_cast<int64_t>(scheduled_s)) + " s planned, " +
                             std::to_string(static_cast<int64_t>(report.duration_s)) +
                             " s taken); latencies count from each vote's due time. A higher "
                             "--concurrency may help if the regions are not saturated");
    }
  }
  if (report.failed > 0) {
    std::string why;
    for (const auto& [reason, n] : report.failed_by_reason) {
      why += (why.empty() ? "" : ", ") + reason + ": " + std::to_string(n);
    }
    report.problems.push_back(std::to_string(report.failed) + " votes were not counted (" + why +
                              ")");
  }
  if (report.already_voted_on_retry > 0) {
    report.problems.push_back(std::to_string(report.already_voted_on_retry) +
                              " retried votes were refused as already cast: their "
                              "Idempotency-Key did not bring back the first answer");
  }
  if (report.already_voted > 0 && !options.allow_already_voted) {
    report.problems.push_back(std::to_string(report.already_voted) +
                              " voters had already voted before this run (409); use a fresh "
                              "registry, or --allow-already-voted");
  }
}

}  // namespace

Result<SimulationReport> RunSimulation(const SimulationOptions& options, const VotePlan& plan,
                                       ProgressSink* progress) {
  LANDSLIDE_RETURN_IF_ERROR(ValidateOptions(options));
  if (options.ballot_bodies && options.ballot_bodies->size() != plan.size()) {
    return Status::InvalidArgument("one built ballot per vote of the plan is needed");
  }
  auto targets = ParseTargets(options.targets);
  if (!targets.ok()) return targets.status();
  LANDSLIDE_RETURN_IF_ERROR(ResolveTargets(*targets));
  if (sodium_init() < 0) return Status::Internal("libsodium could not be initialised");
  auto message = [progress](std::string_view m) {
    if (progress) progress->OnMessage(m);
  };
  const auto run_start = SteadyClock::now();

  SimulationReport report;
  for (const auto& t : *targets) report.targets.push_back(t.url);
  report.seed = plan.seed();
  report.concurrency = options.concurrency;
  report.rate = options.rate;
  report.threads = std::min(options.threads, options.concurrency);
  report.voters = static_cast<int64_t>(plan.size());
  report.started_at = FormatRfc3339(Now());

  TargetHealth health(*targets);
  HealthProber prober(health, options.probe_interval,
                      std::max(options.probe_interval, std::chrono::milliseconds(1000)));
  prober.ProbeAllOnce();
  for (auto& e : health.TakeEvents()) message(e);
  if (health.healthy_count() == 0) {
    return Status::Unavailable(
        "no target is healthy (GET /health did not answer 200 at any of "
        "them), so no vote was cast");
  }

  Baselines before;
  if (options.verify) {
    std::vector<std::string> warnings;
    auto b = ReadBaselines(*targets, options.baseline_wait, options.skip_unreachable, &warnings);
    if (!b.ok()) return b.status();
    before = std::move(*b);
    for (const auto& w : warnings) message(w);
  }

  message("casting " + std::to_string(plan.size()) + " votes at " +
          std::to_string(targets->size()) + " region" + (targets->size() == 1 ? "" : "s") +
          (options.rate > 0 ? ", " + std::to_string(static_cast<int64_t>(options.rate)) + " votes/s"
                            : std::string(", as fast as ") + std::to_string(options.concurrency) +
                                  " connections allow"));
  prober.Start();
  RunState run{options, plan, health, SteadyClock::now(), SteadyClock::time_point::max()};
  if (options.max_duration.count() > 0) run.deadline = run.start + options.max_duration;
  if (options.rate > 0) run.interval_ns = 1e9 / options.rate;
  Cast(run, report, progress);
  prober.Stop();
  report.failovers = health.failovers();
  for (size_t i = 0; i < health.size(); ++i) {
    report.per_target[i].url = health.target(i).url;
    report.per_target[i].healthy_at_end = health.healthy(i);
    report.per_target[i].probe_latency_ms = health.latency_us(i) / 1000.0;
  }

  JudgeCasting(options, report);

  if (options.verify) {
    message("checking every region's results...");
    report.verified = true;
    report.verification =
        VerifyTargets(*targets, before, report.counted_by_state, options.settle_timeout, message);
    for (auto& v : report.verification) {
      if (!v.reachable) {
        v.skipped = options.skip_unreachable;
        if (!v.skipped) {
          report.problems.push_back(v.target + " could not be read to check it: " + v.error);
        }
      } else if (!v.ok) {
        report.problems.push_back(v.target + " does not show what it was told was counted (" +
                                  std::to_string(v.mismatches.size()) +
                                  " differences, first: " + v.mismatches.front() + ")");
      }
    }
  }
  report.split = CheckSplit(report.counted_by_state);
  if (!report.split.ok()) {
    const auto& d = report.split.deviations.front();
    report.problems.push_back(
        std::to_string(report.split.deviations.size()) +
        " state/candidate shares are more than 5 standard errors off the 2016 split (first: " +
        d.state + " " + d.candidate + ")");
  }
  report.total_duration_s = std::chrono::duration<double>(SteadyClock::now() - run_start).count();
  return report;
}

Result<SimulationReport> RunSimulation(const SimulationOptions& options,
                                       const std::string& voters_csv,
                                       const VotePlanOptions& plan_options,
                                       ProgressSink* progress) {
  auto plan = LoadVotePlan(voters_csv, plan_options);
  if (!plan.ok()) return plan.status();
  return RunSimulation(options, *plan, progress);
}

}  // namespace landslide::sim
