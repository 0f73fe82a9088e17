// What a simulation reports: live progress while it runs (ProgressSink, with a terminal
// implementation) and the final SimulationReport, rendered as a table for people and as JSON
// for scripts (`landslide simulate --report FILE.json`).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "sim/latency_histogram.h"
#include "sim/verify_tallies.h"
#include "sim/vote_plan.h"

namespace landslide::sim {

// A snapshot of a running simulation, about four times a second while votes are cast.
struct SimulationProgress {
  int64_t total = 0;    // votes planned
  int64_t done = 0;     // votes finished: counted, failed or refused as already cast
  int64_t counted = 0;  // answered 201
  int64_t failed = 0;
  int64_t retries = 0;
  int64_t errors = 0;  // answers other than 201, and connection errors
  int64_t in_flight = 0;
  double elapsed_s = 0;
  double votes_per_s = 0;  // counted per second over the last few seconds
  double eta_s = -1;       // -1 while unknown
  int healthy_targets = 0;
  int targets = 0;
};

// Receives progress. Every call comes from the thread that called RunSimulation.
class ProgressSink {
 public:
  virtual ~ProgressSink() = default;
  virtual void OnProgress(const SimulationProgress& p) = 0;
  // A line worth showing: a phase starting, a region failing its health check.
  virtual void OnMessage(std::string_view line) = 0;
  // Casting ended (the last OnProgress was final).
  virtual void OnCastingDone() {}
};

// Progress on a stream (stderr by default): on a terminal, one line redrawn in place with a bar,
// votes/s, errors and ETA; otherwise a plain line every `plain_every`.
class TerminalProgress : public ProgressSink {
 public:
  explicit TerminalProgress(std::FILE* out = stderr,
                            std::chrono::seconds plain_every = std::chrono::seconds(5));
  void OnProgress(const SimulationProgress& p) override;
  void OnMessage(std::string_view line) override;
  void OnCastingDone() override;

 private:
  void ClearLine();
  void PrintPlain(const SimulationProgress& p);
  std::FILE* out_;
  bool tty_;
  std::chrono::seconds plain_every_;
  std::chrono::steady_clock::time_point last_plain_{};
  bool line_drawn_ = false;
  SimulationProgress last_{};
  bool last_printed_ = true;  // plain mode: whether `last_` has been printed
};

struct LatencySummary {
  int64_t count = 0;
  double p50_ms = 0, p90_ms = 0, p99_ms = 0, p999_ms = 0, max_ms = 0, mean_ms = 0;
};
LatencySummary Summarize(const LatencyHistogram& h);

struct TargetStats {
  std::string url;
  int64_t requests = 0;
  int64_t counted = 0;  // 201s from this target
  int64_t connection_errors = 0;
  std::map<int, int64_t> by_status;
  bool healthy_at_end = false;
  double probe_latency_ms = 0;
};

struct SimulationReport {
  // What was asked.
  std::vector<std::string> targets;
  uint64_t seed = 0;
  int concurrency = 0;
  double rate = 0;  // votes/s; 0: closed loop
  int threads = 0;
  int64_t voters = 0;      // votes planned
  std::string started_at;  // RFC 3339

  // Casting.
  double duration_s = 0;               // wall time of the casting phase
  double votes_per_s = 0;              // counted / duration_s
  int64_t sent = 0;                    // HTTP requests sent
  int64_t counted = 0;                 // voters answered 201
  int64_t failed = 0;                  // voters not counted (after retries, or refused)
  int64_t already_voted = 0;           // 409 on the first attempt: voted before this run
  int64_t already_voted_on_retry = 0;  // 409 on a retry: an idempotency failure
  int64_t not_attempted = 0;           // left when the run was stopped or timed out
  int64_t retries = 0;
  int64_t connection_errors = 0;
  int64_t timeouts = 0;
  int64_t failovers = 0;  // times a target was moved off after a 503 or a connection error
  std::map<int, int64_t> by_status;
  std::map<std::string, int64_t> failed_by_reason;
  LatencyHistogram vote_latency;     // scheduled (or first sent) to final answer, counted votes
  LatencyHistogram request_latency;  // each HTTP request
  std::vector<TargetStats> per_target;
  StateCandidateCounts counted_by_state;  // what this run was told was counted

  // Verification.
  bool verified = false;  // false when skipped
  std::vector<TargetVerification> verification;
  SplitCheck split;
  double total_duration_s = 0;

  // Observations that do not fail the run (e.g. an open-loop run that fell behind schedule).
  std::vector<std::string> notes;
  // Every reason the run failed, one sentence each; empty means success.
  std::vector<std::string> problems;
  bool ok() const { return problems.empty(); }
};

// The JSON report: sent, counted, by_status, retries, failed, votes_per_s, latency {p50, p90,
// p99, p999, max} in ms, per-target counts, seed, concurrency, rate, started_at, duration_s, and
// the verification results.
std::string RenderReportJson(const SimulationReport& r);
// The final table for stdout.
std::string RenderReportTable(const SimulationReport& r);

}  // namespace landslide::sim
