#include "bench/bench_runner.h"

#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include "bench/cluster_phase.h"
#include "bench/load_phases.h"
#include "bench/noop_server.h"
#include "bench/system_probe.h"
#include "common/time.h"
#include "sim/voter_generator.h"

namespace landslide::bench {

namespace {

namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;

constexpr const char* kMarker = ".landslide-bench";
// The no-op server answers several times faster than a region, so the baseline casts the
// registry this many times over (it checks nothing, so repeats are fine): otherwise its runs
// would last a second or two and measure mostly connection ramp-up.
constexpr int kBaselineRepeat = 4;

void Say(std::string_view line) {
  std::fprintf(stderr, "bench: %.*s\n", static_cast<int>(line.size()), line.data());
  std::fflush(stderr);
}

void Banner(const std::string& line) {
  std::fprintf(stderr, "\n== bench: %s\n", line.c_str());
  std::fflush(stderr);
}

// The bench's working directory: made fresh under /tmp, or the one asked for, which must be
// empty or a previous bench's.
Result<fs::path> PrepareDir(const std::string& asked) {
  std::error_code ec;
  if (asked.empty()) {
    std::string tmpl = "/tmp/landslide-bench-XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr) {
      return Status::Unavailable("cannot create a temporary directory under /tmp");
    }
    // mkdtemp makes it 0700; PostgreSQL runs as its own user and must be able to reach its data
    // directory below, so others may traverse (not list) it.
    fs::permissions(tmpl, fs::perms::others_exec | fs::perms::group_exec, fs::perm_options::add,
                    ec);
    if (ec) return Status::Unavailable("cannot chmod " + tmpl + ": " + ec.message());
    std::ofstream(fs::path(tmpl) / kMarker) << "made by landslide bench\n";
    return fs::path(tmpl);
  }
  fs::path dir = fs::absolute(asked);
  if (fs::exists(dir, ec) && !fs::is_empty(dir, ec) && !fs::exists(dir / kMarker, ec)) {
    return Status::FailedPrecondition(dir.string() +
                                      " is not empty and was not made by a bench; choose --dir");
  }
  fs::create_directories(dir, ec);
  if (ec) return Status::Unavailable("cannot create " + dir.string() + ": " + ec.message());
  std::ofstream(dir / kMarker) << "made by landslide bench; reused by the next bench\n";
  return dir;
}

Status GenerateRegistry(const fs::path& path, int64_t count, uint64_t seed) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "wb"), std::fclose);
  if (!f) return Status::Unavailable("cannot write " + path.string());
  LANDSLIDE_RETURN_IF_ERROR(sim::GenerateVoters({.count = count, .seed = seed}, f.get()));
  if (std::fflush(f.get()) != 0) return Status::Unavailable("cannot write " + path.string());
  return Status::Ok();
}

PhaseResult RunBaseline(const BenchOptions& o, const sim::VotePlan& registry_plan) {
  sim::VotePlan plan(registry_plan.seed());
  for (int r = 0; r < kBaselineRepeat; ++r) {
    for (size_t i = 0; i < registry_plan.size(); ++i) {
      plan.Add(registry_plan.id(i), registry_plan.state(i));
    }
  }
  PhaseResult phase;
  phase.kind = PhaseKind::kBaseline;
  phase.voters = static_cast<int64_t>(plan.size());
  const auto t = SteadyClock::now();
  auto server = NoopServer::Start(o.server_threads);
  if (!server.ok()) {
    phase.status = PhaseStatus::kFailed;
    phase.reason = server.status().message();
    return phase;
  }
  phase.targets = {(*server)->url()};
  phase.timings_s.emplace_back("up", SecondsSince(t));
  Say("no-op server (same http::Server, " + std::to_string(o.server_threads) + " threads) on " +
      (*server)->url());
  LoadSettings load;
  load.targets = phase.targets;
  load.concurrency = o.concurrency;
  load.client_threads = o.client_threads;
  load.verify = false;  // nothing is counted, so there is nothing to check
  load.closed_fraction = o.closed_fraction;
  load.stop = o.stop;
  const auto cast = SteadyClock::now();
  RunPeakAndHalf(load, plan, phase, Say);
  phase.timings_s.emplace_back("casting", SecondsSince(cast));
  phase.load_average_1m = LoadAverage()[0];
  return phase;
}

}  // namespace

Result<BenchReport> RunBench(const BenchOptions& o) {
  if (o.voters < 10) return Status::InvalidArgument("--voters must be at least 10");
  if (o.concurrency < 1) return Status::InvalidArgument("--concurrency must be at least 1");
  if (o.phases.empty()) return Status::InvalidArgument("--phases names no phase");
  if (o.base_port < 1024 || o.base_port > 65535 - 100) {
    return Status::InvalidArgument("--base-port must be between 1024 and 65435");
  }
  const auto started = SteadyClock::now();
  BenchReport report;
  report.started_at = FormatRfc3339(Now());
  report.machine = CollectMachineInfo();
  const auto load = LoadAverage();
  std::copy(load.begin(), load.end(), report.load_average_start);
  GitInfo git = ReadGitInfo();
  report.git_commit = git.commit;
  report.git_dirty = git.dirty;

  auto dir = PrepareDir(o.dir);
  if (!dir.ok()) return dir.status();
  report.settings = {.voters = o.voters,
                     .concurrency = o.concurrency,
                     .client_threads = o.client_threads,
                     .server_threads = o.server_threads,
                     .phases = o.phases,
                     .dir = dir->string(),
                     .keep = o.keep,
                     .base_port = o.base_port,
                     .seed = o.seed,
                     .closed_fraction = o.closed_fraction};
  Banner("machine: " + std::to_string(report.machine.nproc) + " CPUs (" + report.machine.cpu_model +
         "), load average " + std::to_string(load[0]).substr(0, 4) + "; working in " +
         dir->string());

  // One registry for every phase: each full-path phase imports it into its own fresh cluster.
  const fs::path voters_csv = *dir / "voters.csv";
  auto t = SteadyClock::now();
  Banner("generating " + std::to_string(o.voters) + " mock voters");
  LANDSLIDE_RETURN_IF_ERROR(GenerateRegistry(voters_csv, o.voters, o.seed));
  auto plan = sim::LoadVotePlan(voters_csv.string(), {.seed = o.seed});
  if (!plan.ok()) return plan.status();
  report.notes.push_back("registry generated and planned in " +
                         std::to_string(SecondsSince(t)).substr(0, 5) + " s");

  for (PhaseKind kind : o.phases) {
    if (o.stop && o.stop->load()) {
      PhaseResult p;
      p.kind = kind;
      p.status = PhaseStatus::kSkipped;
      p.reason = "interrupted before it started";
      report.phases.push_back(std::move(p));
      continue;
    }
    const double load_at_start = LoadAverage()[0];
    Banner(std::string(PhaseTitle(kind)) + " (" + std::string(PhaseFlagName(kind)) +
           "), load average " + std::to_string(load_at_start).substr(0, 4));
    if (kind == PhaseKind::kBaseline) {
      report.phases.push_back(RunBaseline(o, *plan));
    } else {
      const bool three =
          kind == PhaseKind::kThreeRegions || kind == PhaseKind::kVerifiableThreeRegions;
      const bool verifiable =
          kind == PhaseKind::kVerifiableSingleRegion || kind == PhaseKind::kVerifiableThreeRegions;
      ClusterPhaseOptions c;
      c.kind = kind;
      c.regions = three ? 3 : 1;
      c.verifiable = verifiable;
      c.dir = *dir / std::string(PhaseFlagName(kind));
      // Each phase on ports of its own, in case a previous phase's processes linger.
      c.base_port = o.base_port + (three ? 50 : 0) + (verifiable ? 100 : 0);
      c.voters_csv = voters_csv;
      c.up_timeout = o.up_timeout;
      c.skip_if_up_fails = three;
      c.load.concurrency = o.concurrency;
      c.load.client_threads = o.client_threads;
      c.load.verify = true;
      c.load.closed_fraction = o.closed_fraction;
      c.load.stop = o.stop;
      report.phases.push_back(RunClusterPhase(c, *plan, Say));
      if (!o.keep) {
        std::error_code ec;
        fs::remove_all(c.dir, ec);
      }
    }
    PhaseResult& p = report.phases.back();
    p.load_average_1m_start = load_at_start;
    if (p.load_average_1m < 0) p.load_average_1m = LoadAverage()[0];
    Say(std::string(PhaseTitle(kind)) + ": " + std::string(PhaseStatusName(p.status)) +
        (p.reason.empty() ? "" : " (" + p.reason + ")"));
  }

  if (!o.keep) {
    std::error_code ec;
    if (o.dir.empty()) {
      fs::remove_all(*dir, ec);
    } else {
      fs::remove(voters_csv, ec);
    }
  } else {
    report.notes.push_back("kept " + dir->string());
  }
  const auto end_load = LoadAverage();
  std::copy(end_load.begin(), end_load.end(), report.load_average_end);
  report.finished_at = FormatRfc3339(Now());
  report.duration_s = SecondsSince(started);
  return report;
}

}  // namespace landslide::bench
