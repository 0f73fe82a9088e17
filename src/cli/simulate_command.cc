// `landslide simulate`: the election-day load generator. Casts one vote for each voter of a
// registry CSV at one or more regions, shows progress, prints a table, writes a JSON report and
// exits 1 unless every vote was counted and every region shows exactly what it counted.

#include <atomic>
#include <cstdio>
#include <memory>
#include <thread>

#include "cli/commands.h"
#include "cli/options.h"
#include "os/endpoint.h"
#include "os/http_client.h"
#include "os/stop_signals.h"
#include "sim/ballot_builder.h"
#include "sim/load_generator.h"

namespace landslide::cli {

namespace {

struct SimulateFlags {
  std::vector<std::string> targets;
  std::string voters;
  std::string report;
  int concurrency = 64;
  double rate = 0;
  uint64_t seed = sim::kDefaultPlanSeed;
  int64_t limit = -1;
  double timeout_s = 10;
  double max_duration_s = 0;
  double settle_timeout_s = 30;
  int threads = 1;
  int max_attempts = 20;
  bool no_verify = false;
  bool allow_already_voted = false;
  bool skip_unreachable = false;
  bool client_ballots = false;
};

int RunSimulate(const SimulateFlags& f) {
  if (f.timeout_s <= 0) return Fail(2, "--timeout-s must be positive");
  if (f.max_duration_s < 0 || f.settle_timeout_s < 0) {
    return Fail(2, "--max-duration-s and --settle-timeout-s cannot be negative");
  }
  auto seconds = [](double s) { return std::chrono::milliseconds(static_cast<int64_t>(s * 1000)); };
  sim::SimulationOptions o;
  o.targets = f.targets;
  o.concurrency = f.concurrency;
  o.rate = f.rate;
  o.threads = f.threads;
  o.max_attempts = f.max_attempts;
  o.request_timeout = seconds(f.timeout_s);
  o.max_duration = seconds(f.max_duration_s);
  o.settle_timeout = seconds(f.settle_timeout_s);
  o.verify = !f.no_verify;
  o.allow_already_voted = f.allow_already_voted;
  o.skip_unreachable = f.skip_unreachable;

  auto plan = sim::LoadVotePlan(f.voters, {.seed = f.seed, .limit = f.limit});
  if (!plan.ok()) {
    return Fail(plan.status().code() == Code::kNotFound ? 2 : 1, plan.status().message());
  }
  if (plan->empty()) return Fail(1, "the registry " + f.voters + " has no voters");
  sim::BuiltBodies built;
  if (f.client_ballots) {
    // As a voter's device would: the manifest from a region, then every ballot encrypted,
    // proved and signed here, before the timed phase.
    auto hp = os::HostPortOfUrl(f.targets.front());
    if (!hp) return Fail(2, "--targets must be http://HOST:PORT URLs");
    auto manifest = os::HttpGet(hp->first, hp->second, "/manifest", std::chrono::seconds(10));
    if (!manifest.ok() || manifest->status != 200) {
      return Fail(
          1, "--client-ballots needs the manifest of a verifiable election: GET " +
                 f.targets.front() + "/manifest answered " +
                 (manifest.ok() ? std::to_string(manifest->status) : manifest.status().message()));
    }
    const int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    auto bodies = sim::BuildBallotBodies(*plan, manifest->body, threads, [](size_t d, size_t n) {
      std::fprintf(stderr, "\rsimulate: building ballots %zu/%zu", d, n);
      if (d == n) std::fprintf(stderr, "\n");
    });
    if (!bodies.ok()) return Fail(1, bodies.status().message());
    built = std::move(*bodies);
    std::fprintf(stderr,
                 "simulate: %zu ballots built in %.1f s on %d threads (%.0f us per ballot per "
                 "core)\n",
                 built.bodies.size(), built.seconds, built.threads,
                 built.micros_per_ballot_per_core());
    o.ballot_bodies = &built.bodies;
  }

  // The first Ctrl-C: stop taking new votes, still report; a second one ends the process.
  os::StopSignals interrupt({.wake_on_child = false, .ignore_sigpipe = true});
  interrupt.WatchInBackground();
  o.stop = interrupt.flag();
  sim::TerminalProgress progress(stderr);
  auto report = sim::RunSimulation(o, *plan, &progress);
  if (!report.ok()) {
    return Fail(report.status().code() == Code::kInvalidArgument ? 2 : 1,
                report.status().message());
  }

  std::fputs(sim::RenderReportTable(*report).c_str(), stdout);
  std::fflush(stdout);
  if (!f.report.empty()) {
    Status written = WriteTextFile(f.report, sim::RenderReportJson(*report));
    if (!written.ok()) return Fail(1, written.message());
  }
  if (!report->ok() || interrupt.stopped()) {
    if (report->ok()) {
      return Fail(1, "stopped early: " + std::to_string(report->not_attempted) +
                         " votes were not cast (the ones that were are verified above)");
    }
    return Fail(1, report->problems.front() +
                       (report->problems.size() > 1
                            ? " (and " + std::to_string(report->problems.size() - 1) +
                                  " more problems above)"
                            : ""));
  }
  return 0;
}

}  // namespace

void AddSimulateCommand(CLI::App& app, CommandContext& ctx) {
  auto f = std::make_shared<SimulateFlags>();
  auto* c = app.add_subcommand(
      "simulate",
      "Cast one vote per voter of a registry at one or more regions, with each state's 2016 "
      "split, then check every region's results");
  c->add_option("--targets", f->targets, "Region URLs, comma-separated: http://HOST:PORT,...")
      ->required()
      ->delimiter(',');
  c->add_option("--voters", f->voters, "Registry CSV from `landslide voters generate`")->required();
  c->add_flag("--client-ballots", f->client_ballots,
              "Verifiable elections: build, prove and sign every ballot here (as voters' devices "
              "do) before casting, and POST /ballots; default: POST /votes, the server builds");
  c->add_option("--concurrency", f->concurrency,
                "Votes in flight, over as many keep-alive connections")
      ->capture_default_str();
  c->add_option("--rate", f->rate,
                "Votes per second, open loop (latency counted from each vote's due time); "
                "0: as fast as --concurrency allows")
      ->capture_default_str();
  c->add_option("--report", f->report, "Write the JSON report to this file");
  c->add_option("--seed", f->seed, "Seed of the candidate draws (same seed, same choices)")
      ->capture_default_str();
  c->add_option("--limit", f->limit, "Only the first N voters of the file");
  c->add_option("--timeout-s", f->timeout_s,
                "Seconds to wait for an answer before retrying the vote (with the same "
                "Idempotency-Key)")
      ->capture_default_str();
  c->add_option("--max-duration-s", f->max_duration_s,
                "Stop casting after this many seconds (0: no limit); the rest is reported as "
                "not attempted")
      ->capture_default_str();
  c->add_option("--threads", f->threads, "Client I/O threads")->capture_default_str();
  c->add_option("--max-attempts", f->max_attempts, "Attempts per vote before it counts as failed")
      ->capture_default_str();
  c->add_option("--settle-timeout-s", f->settle_timeout_s,
                "Seconds to wait for every region's results to show the counted ballots")
      ->capture_default_str();
  c->add_flag("--no-verify", f->no_verify, "Do not check the regions' results afterwards");
  c->add_flag("--allow-already-voted", f->allow_already_voted,
              "Do not fail the run for voters who had voted before it (409 on a first attempt)");
  c->add_flag("--skip-unreachable", f->skip_unreachable,
              "Do not fail verification for a region that cannot be read before or after "
              "casting (e.g. one killed to test failover)");
  c->callback([&ctx, f] { ctx.exit_code = RunSimulate(*f); });
}

}  // namespace landslide::cli
