// `landslide bench`: the standard benchmark (bench/bench_runner.h). Writes the JSON report and
// the SVG chart, prints a short table, and exits 1 unless every phase that ran passed
// verification (a phase skipped because it cannot run here does not fail the bench).

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "bench/bench_chart.h"
#include "bench/bench_report.h"
#include "bench/bench_runner.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "os/stop_signals.h"

namespace landslide::cli {

namespace {

struct BenchFlags {
  int64_t voters = 200000;
  int concurrency = 256;
  std::string dir;
  bool keep = false;
  std::string phases = "baseline,single,three,verifiable-single,verifiable-three";
  std::string report = "bench-report.json";
  std::string chart;
  int base_port = 7600;
  uint64_t seed = 2016;
  int client_threads = 1;
  int server_threads = 2;
  int up_timeout_s = 240;
};

// "out/bench-report.json" -> "out/bench-report.svg": the chart goes next to the report.
std::string ChartPathFor(const std::string& report) {
  return std::filesystem::path(report).replace_extension(".svg").string();
}

int RunBench(const BenchFlags& f) {
  auto phases = bench::ParsePhases(f.phases);
  if (!phases.ok()) return Fail(2, phases.status().message());
  if (f.voters < 10) return Fail(2, "--voters must be at least 10");
  if (f.concurrency < 1 || f.concurrency > 100000) {
    return Fail(2, "--concurrency must be between 1 and 100000");
  }
  if (f.up_timeout_s < 1) return Fail(2, "--up-timeout-s must be positive");
  const std::string chart = f.chart.empty() ? ChartPathFor(f.report) : f.chart;

  bench::BenchOptions o;
  o.voters = f.voters;
  o.concurrency = f.concurrency;
  o.client_threads = f.client_threads;
  o.server_threads = f.server_threads;
  o.phases = *phases;
  o.dir = f.dir;
  o.keep = f.keep;
  o.base_port = f.base_port;
  o.seed = f.seed;
  o.up_timeout = std::chrono::seconds(f.up_timeout_s);

  // The first Ctrl-C: stop taking new votes, still report; a second one ends the process.
  os::StopSignals interrupt({.wake_on_child = false, .ignore_sigpipe = true});
  interrupt.WatchInBackground();
  o.stop = interrupt.flag();
  auto report = bench::RunBench(o);
  if (!report.ok()) {
    return Fail(report.status().code() == Code::kInvalidArgument ? 2 : 1,
                report.status().message());
  }

  Status written = WriteTextFile(f.report, bench::RenderBenchJson(*report));
  if (!written.ok()) return Fail(1, written.message());
  written = WriteTextFile(chart, bench::RenderChartSvg(bench::ChartDataFrom(*report)));
  if (!written.ok()) return Fail(1, written.message());
  std::fputs(bench::RenderBenchTable(*report).c_str(), stdout);
  std::printf("\nreport %s\nchart  %s\n", f.report.c_str(), chart.c_str());
  std::fflush(stdout);

  if (interrupt.stopped()) return Fail(1, "interrupted; the phases that ran are in the report");
  if (!bench::AllRanPassed(*report)) {
    for (const auto& p : report->phases) {
      if (p.status == bench::PhaseStatus::kFailed) {
        return Fail(1,
                    "the " + std::string(bench::PhaseTitle(p.kind)) + " phase failed: " + p.reason);
      }
    }
  }
  return 0;
}

}  // namespace

void AddBenchCommand(CLI::App& app, CommandContext& ctx) {
  auto f = std::make_shared<BenchFlags>();
  auto* c = app.add_subcommand(
      "bench",
      "Run the standard benchmark on this machine: a no-op HTTP baseline, one region and three "
      "regions, each at its peak (closed loop) and at half of it (open loop), with the same load "
      "generator; writes a JSON report and an SVG chart");
  c->add_option(
       "--voters", f->voters,
       "Voters per phase: two thirds vote in the closed loop, the rest at half the peak (the "
       "no-op baseline casts them four times over)")
      ->capture_default_str();
  c->add_option("--concurrency", f->concurrency, "Votes in flight (keep-alive connections)")
      ->capture_default_str();
  c->add_option("--dir", f->dir,
                "Working directory for the registry and the clusters (default: a new one under "
                "/tmp)");
  c->add_flag("--keep", f->keep, "Keep the working directory and the clusters' state and logs");
  c->add_option(
       "--phases", f->phases,
       "Comma-separated phases: baseline, single, three, verifiable-single, verifiable-three")
      ->capture_default_str();
  c->add_option("--report", f->report, "Write the JSON report here")->capture_default_str();
  c->add_option("--chart", f->chart, "Write the SVG chart here (default: the report's path, .svg)");
  c->add_option("--base-port", f->base_port,
                "First port: one region uses P..P+44, three regions P+50..P+94")
      ->capture_default_str();
  c->add_option("--seed", f->seed, "Seed of the voters and their choices")->capture_default_str();
  c->add_option("--threads", f->client_threads, "Load generator I/O threads")
      ->capture_default_str();
  c->add_option("--server-threads", f->server_threads,
                "I/O threads of the no-op baseline server (as `serve --threads`)")
      ->capture_default_str();
  c->add_option("--up-timeout-s", f->up_timeout_s,
                "Seconds to wait for a cluster to come up before the phase is given up")
      ->capture_default_str();
  c->callback([&ctx, f] { ctx.exit_code = RunBench(*f); });
}

}  // namespace landslide::cli
