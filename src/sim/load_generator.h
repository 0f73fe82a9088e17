// The election-day load generator behind `landslide simulate` (and `bench` and `demo`): casts
// one vote for every voter of a plan at one or more regions, then checks that every region
// counted exactly what it answered 201 for.
//
// How it drives load cheaply: a few threads (default one), each running its own Asio
// io_context with a share of the keep-alive connections; no locks on the request path. Closed
// loop (rate 0): `concurrency` votes in flight, each connection sending its next vote as soon as
// the previous one is answered. Open loop (rate > 0): vote i is due at start + i / rate and its
// latency is measured from that due time, so a slow server cannot hide its queueing delay
// behind a stalled client (coordinated omission); `concurrency` bounds what is in flight.
//
// Every vote carries a fresh random Idempotency-Key that its retries reuse, so a retry after a
// lost answer returns the same 201 and receipt instead of counting twice. 503, 429, 5xx and
// connection errors are retried (honouring Retry-After, capped) up to `max_attempts`; 503s and
// connection errors move the vote to the next target and the target is avoided until a health
// probe finds it healthy again (see sim/target_pool.h).
//
// Verification reads every region's GET /votes before and after casting and compares the
// difference with what this run was told was counted, per state and candidate (so a database
// with earlier votes can be reused, but nobody else may vote at those regions meanwhile); it
// also checks the counted ballots against each state's 2016 split (sim/verify_tallies.h).
//
// Usage (a plan can also come from memory: ParseVotePlan(csv_text, ...)):
//   sim::SimulationOptions o;
//   o.targets = {"http://127.0.0.1:7071"};
//   auto plan = sim::LoadVotePlan("voters.csv", {.seed = 7});
//   sim::TerminalProgress progress;
//   auto report = sim::RunSimulation(o, *plan, &progress);
//   if (!report.ok()) ...           // could not run at all (bad target, none reachable)
//   if (!report->ok()) ...          // ran, but votes failed or verification did not pass
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "sim/simulate_report.h"
#include "sim/vote_plan.h"

namespace landslide::sim {

struct SimulationOptions {
  std::vector<std::string> targets;  // "http://HOST:PORT", one per region
  int concurrency = 64;              // votes (and keep-alive connections) in flight
  double rate = 0;                   // votes/s, open loop; 0: closed loop
  int threads = 1;                   // client I/O threads; one is plenty below ~60k votes/s
  int max_attempts = 20;             // per vote, then it counts as failed
  std::chrono::milliseconds request_timeout{10000};  // an unanswered request is retried
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds max_retry_after{2000};  // cap on a server's Retry-After
  std::chrono::milliseconds probe_interval{1000};   // GET /health of every target
  std::chrono::milliseconds max_duration{0};        // stop casting after this; 0: no limit
  // Checking every region's GET /votes afterwards.
  bool verify = true;
  // Before casting, how long to wait for the regions' totals to agree (a tallier catching up).
  std::chrono::milliseconds baseline_wait{10000};
  std::chrono::milliseconds settle_timeout{30000};  // for the talliers to catch up
  bool skip_unreachable = false;  // a region down at the end is reported but does not fail
  // A 409 on a vote's first attempt means the voter voted before this run (reusing a
  // database); when true those are reported but do not fail the run.
  bool allow_already_voted = false;
  // Verifiable elections: when set, vote i is POST /ballots with (*ballot_bodies)[i] (built on
  // the client, sim/ballot_builder.h) instead of POST /votes, and carries no Idempotency-Key:
  // the same ballot sent again is its own key.
  const std::vector<std::string>* ballot_bodies = nullptr;
  // Set to true (e.g. from a signal handler's thread) to stop taking new votes; votes in flight
  // finish and the run is verified as usual.
  const std::atomic<bool>* stop = nullptr;
};

// Runs the whole simulation: probe the targets, read every region's results, cast the plan's
// votes with live progress to `progress` (may be null), wait for the talliers and verify.
// Returns an error Status only when it could not run: kInvalidArgument for bad options or
// targets, kUnavailable when no target answers or the results cannot be read beforehand.
// Failed votes and verification failures are in the report (report.ok() is false).
Result<SimulationReport> RunSimulation(const SimulationOptions& options, const VotePlan& plan,
                                       ProgressSink* progress);

// The same, loading the plan from a registry CSV (see sim/vote_plan.h).
Result<SimulationReport> RunSimulation(const SimulationOptions& options,
                                       const std::string& voters_csv,
                                       const VotePlanOptions& plan_options, ProgressSink* progress);

}  // namespace landslide::sim
