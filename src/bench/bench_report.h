// What `landslide bench` measures and how it is written down: the phases (a no-op HTTP
// baseline, one region, three regions), each driven by the same load generator twice (closed
// loop for the peak rate, then open loop at half that rate for latency), the machine it ran on,
// and the headline figures with their ratios to the baseline.
//
// Everything here is plain data and pure functions, so that the report's fields and arithmetic
// are unit-tested without running a cluster.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "sim/simulate_report.h"

namespace landslide::bench {

enum class PhaseKind {
  kBaseline,
  kSingleRegion,
  kThreeRegions,
  // The same with verifiable ballots, built, proved and signed by the load generator before the
  // timed runs (as voters' devices would), so that the server is what is measured.
  kVerifiableSingleRegion,
  kVerifiableThreeRegions,
};

// "baseline", "single", "three", "verifiable-single", "verifiable-three": --phases' names.
std::string_view PhaseFlagName(PhaseKind kind);
// "no-op HTTP baseline", "one region", "three regions": for people.
std::string_view PhaseTitle(PhaseKind kind);
// Parses "baseline,single,three" (any order, no repeats) into phases in the standard order.
Result<std::vector<PhaseKind>> ParsePhases(std::string_view csv);

enum class PhaseStatus { kPassed, kFailed, kSkipped };
std::string_view PhaseStatusName(PhaseStatus s);  // "passed", "failed", "skipped"

// One run of the load generator, reduced to what the bench report keeps.
struct RunSummary {
  std::string mode;     // "closed" (peak) or "open" (at half the peak)
  int concurrency = 0;  // votes in flight (closed) or the bound on them (open)
  double rate = 0;      // votes/s asked for; 0 for closed loop
  int64_t voters = 0;   // votes planned
  int64_t sent = 0;     // HTTP requests
  int64_t counted = 0;  // answered 201
  int64_t failed = 0;
  int64_t retries = 0;
  double duration_s = 0;
  double votes_per_s = 0;
  std::map<int, int64_t> by_status;
  sim::LatencySummary latency;  // per vote; open loop counts from each vote's due time
  bool verified = false;        // every region's GET /votes was checked (false when skipped)
  std::vector<std::string> notes;
  std::vector<std::string> problems;
  bool ok() const { return problems.empty(); }
};
RunSummary SummarizeRun(const sim::SimulationReport& report, std::string mode);

// Memory and CPU time of one process at one moment, from /proc (-1 when it could not be read).
struct ProcessUsage {
  std::string region;
  std::string process;  // "serve", "postgres" (postmaster and its backends), "patroni", "etcd"
  int pid = 0;
  int64_t rss_bytes = -1;  // VmRSS
  int64_t hwm_bytes = -1;  // VmHWM: the peak RSS
  int64_t pss_bytes = -1;  // proportional set size, summed over the process tree for postgres
  // User + system CPU seconds so far (for postgres: the tree, plus the postmaster's exited
  // children). The difference between two snapshots over the votes cast in between is the CPU
  // a vote costs that process.
  double cpu_seconds = -1;
};

struct TableSize {
  std::string table;
  int64_t rows = 0;
  int64_t total_bytes = 0;  // pg_total_relation_size: heap, indexes and TOAST
  int64_t heap_bytes = 0;   // pg_relation_size
  int64_t index_bytes = 0;  // pg_indexes_size
};

// A snapshot of memory and disk, taken after bring-up, after the import and after casting.
struct ResourceSnapshot {
  std::string when;  // "after_up", "after_import", "after_cast"
  std::vector<ProcessUsage> processes;
  int64_t database_bytes = -1;  // pg_database_size of the primary's database
  // The primary's WAL position in bytes (pg_current_wal_lsn): the difference between two
  // snapshots is what was written to the WAL, and shipped to every standby, in between.
  int64_t wal_position_bytes = -1;
  std::vector<TableSize> tables;
  std::vector<std::pair<std::string, int64_t>> region_dir_bytes;  // region -> bytes on disk
  std::vector<std::string> errors;  // what could not be measured, and why
};

struct PhaseResult {
  PhaseKind kind = PhaseKind::kBaseline;
  PhaseStatus status = PhaseStatus::kSkipped;
  std::string reason;  // why it failed or was skipped
  int regions = 0;     // 0 for the baseline
  int64_t voters = 0;
  std::vector<std::string> targets;
  std::vector<std::pair<std::string, double>> timings_s;  // step -> seconds, in order
  std::vector<std::string> commands;                      // child commands, to repeat by hand
  std::optional<RunSummary> peak;                         // closed loop
  std::optional<RunSummary> half;                         // open loop at half the peak
  std::vector<ResourceSnapshot> resources;
  double load_average_1m_start = -1;  // the machine's 1-minute load average as the phase began
  double load_average_1m = -1;        // and as it ended: other work skews every figure
  // Verifiable phases: CPU the load generator spent building one ballot, per core.
  std::optional<double> ballot_build_us_per_core;
  // CPU the regions' serve processes spent per counted ballot (user + system, every thread),
  // from the snapshots before and after casting: what a ballot costs the server.
  std::optional<double> serve_cpu_us_per_ballot() const;
};

struct MachineInfo {
  int nproc = 0;
  std::string cpu_model;
  int64_t memory_bytes = 0;
  std::string kernel;
  std::string hostname;
};

// The flags the bench ran with, echoed into the report.
struct BenchSettings {
  int64_t voters = 0;
  int concurrency = 0;
  int client_threads = 0;
  int server_threads = 0;
  std::vector<PhaseKind> phases;
  std::string dir;
  bool keep = false;
  int base_port = 0;
  uint64_t seed = 0;
  double closed_fraction = 0;  // of each phase's voters cast closed loop; the rest at half peak
};

struct BenchReport {
  std::string started_at;
  std::string finished_at;
  double duration_s = 0;
  std::optional<std::string> git_commit;
  bool git_dirty = false;
  MachineInfo machine;
  double load_average_start[3] = {-1, -1, -1};
  double load_average_end[3] = {-1, -1, -1};
  BenchSettings settings;
  std::vector<PhaseResult> phases;
  std::vector<std::string> notes;
};

// a / b, or nullopt when either is missing or b is not positive.
std::optional<double> Ratio(std::optional<double> a, std::optional<double> b);

// The figures a reader looks for first; nullopt where a phase did not run or did not finish.
struct Headline {
  std::optional<double> baseline_rps;
  std::optional<double> single_region_votes_per_s;
  std::optional<double> three_region_votes_per_s;
  std::optional<double> baseline_p99_ms_at_half;
  std::optional<double> single_region_p99_ms_at_half;
  std::optional<double> three_region_p99_ms_at_half;
  std::optional<double> single_region_ratio_to_baseline;
  std::optional<double> three_region_ratio_to_baseline;
  std::optional<double> three_region_ratio_to_single_region;
  std::optional<double> verifiable_single_region_votes_per_s;
  std::optional<double> verifiable_three_region_votes_per_s;
  // Verifiable over sealed, one region, measured in the same run.
  std::optional<double> verifiable_ratio_to_sealed_single_region;
  std::optional<double> single_region_serve_cpu_us_per_ballot;
  std::optional<double> verifiable_single_region_serve_cpu_us_per_ballot;
  std::optional<double> verifiable_ballot_build_us_per_core;
};
Headline ComputeHeadline(const BenchReport& report);

// Issue 4's targets, checked for the reader; they do not change the exit code.
struct Goal {
  std::string name;
  std::string target;  // "≥ 25000 votes/s"
  std::optional<double> measured;
  std::optional<bool> met;  // nullopt when not measured
};
std::vector<Goal> CheckGoals(const Headline& h);

const PhaseResult* FindPhase(const BenchReport& report, PhaseKind kind);
// True when every phase that ran passed (skipped phases do not count against it).
bool AllRanPassed(const BenchReport& report);

// The JSON report (--report): headline fields at the top level, then machine, settings, goals
// and per-phase details.
std::string RenderBenchJson(const BenchReport& report);
// A short table for stdout.
std::string RenderBenchTable(const BenchReport& report);

}  // namespace landslide::bench
