// The end of a simulation: every region's GET /votes must have grown by exactly what this run
// was told was counted (per state and candidate), and the counted ballots must follow each
// state's 2016 split within sampling error.
//
// Deltas, not absolute counts, so that a database holding votes from earlier runs can be reused;
// that also means nobody else may vote at these regions during the run.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "sim/vote_plan.h"

namespace landslide::sim {

struct Target;

// GET /votes, keyed by names so that the server's election definition does not matter.
struct ReportedTallies {
  int64_t total = 0;
  std::map<std::string, std::map<std::string, int64_t>> states;  // state -> candidate -> count
  // A verifiable election publishes no count per candidate before its trustees decrypt: its
  // GET /board gives the ballots cast per state, kept under kBallotsCast.
  bool turnout_only = false;
};
inline constexpr std::string_view kBallotsCast = "ballots cast";
// Parses a GET /board body (turnout per state) into the same shape.
Result<ReportedTallies> ParseBoardJson(std::string_view body);
// Parses a GET /votes body; InvalidArgument if it does not have the contract's shape.
Result<ReportedTallies> ParseVotesJson(std::string_view body);

// Compares after - before with `counted` (indexed like Results2016() x kCandidates2016) for
// every state and candidate either side knows (per state only, when `after` is turnout only). One
// sentence per difference, at most `max_listed` of them plus a count of the rest. Empty when they
// agree.
std::vector<std::string> CompareTallies(const ReportedTallies& before, const ReportedTallies& after,
                                        const StateCandidateCounts& counted,
                                        size_t max_listed = 20);

struct TargetVerification {
  std::string target;
  bool reachable = false;
  bool ok = false;
  bool skipped = false;  // unreachable, and the run was told not to mind
  int64_t before_total = 0;
  int64_t after_total = 0;
  int64_t expected_delta = 0;
  double settle_s = 0;  // how long its tallier took to show every counted ballot
  std::vector<std::string> mismatches;
  std::string error;  // why it could not be read
};

// Every target's GET /votes before casting; nullopt for a target that could not be read.
using Baselines = std::vector<std::optional<ReportedTallies>>;

// Reads every target's GET /votes before casting. Retries for up to `wait` until the totals of
// all targets agree (a tallier still catching up on earlier runs would skew its delta);
// `*warnings` explain if they never did. A target that cannot be read is kUnavailable, unless
// `allow_unreachable` (then it is nullopt, with a warning, and cannot be verified).
Result<Baselines> ReadBaselines(const std::vector<Target>& targets, std::chrono::milliseconds wait,
                                bool allow_unreachable, std::vector<std::string>* warnings);

// After casting: polls every target's GET /votes until its total has grown by the number
// counted (or stops changing above it, or `settle_timeout` passes), then compares. Targets
// without a baseline, or that cannot be read for 5 s in a row, are reported unreachable.
std::vector<TargetVerification> VerifyTargets(const std::vector<Target>& targets,
                                              const Baselines& before,
                                              const StateCandidateCounts& counted,
                                              std::chrono::milliseconds settle_timeout,
                                              const std::function<void(std::string_view)>& message);

// One state's candidate whose share of the counted ballots is off its 2016 share (among the
// five candidates) by more than the allowed number of standard errors sqrt(p(1-p)/n).
struct SplitDeviation {
  std::string state;
  std::string candidate;
  int64_t n = 0;      // ballots counted in the state
  int64_t count = 0;  // for this candidate
  double expected_share = 0;
  double observed_share = 0;
  double z = 0;  // (observed - expected) / standard error; inf if the 2016 share is 0
};
struct SplitCheck {
  int states_checked = 0;  // states with at least `min_ballots` counted
  double max_abs_z = 0;
  std::vector<SplitDeviation> deviations;
  bool ok() const { return deviations.empty(); }
};
SplitCheck CheckSplit(const StateCandidateCounts& counted, int64_t min_ballots = 1000,
                      double max_z = 5.0);

}  // namespace landslide::sim
