// The plan of an election-day simulation: one vote per voter of a registry CSV (as written by
// `landslide voters generate`), each for a candidate drawn with the voter's state's 2016 split
// among the five candidates of Results2016() (write-ins and minor candidates are left out).
//
// The draws are deterministic for a seed and the same on every platform: they use raw
// std::mt19937_64 output only (the standard distributions are implementation-defined). Voter i's
// candidate depends only on the seed and the rows before it, so `limit` keeps a prefix of the
// full plan.
#pragma once

#include <array>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace landslide::sim {

inline constexpr size_t kCandidateCount = 5;  // kCandidates2016
inline constexpr uint64_t kDefaultPlanSeed = 2016;

// Per state (index into Results2016()) and candidate (index into kCandidates2016).
using StateCandidateCounts = std::vector<std::array<int64_t, kCandidateCount>>;

class VotePlan {
 public:
  struct Vote {
    uint64_t id_offset;  // into the id arena
    uint8_t id_length;
    uint8_t state;      // index into Results2016()
    uint8_t candidate;  // index into kCandidates2016
  };

  size_t size() const { return votes_.size(); }
  bool empty() const { return votes_.empty(); }
  std::string_view id(size_t i) const {
    return std::string_view(ids_).substr(votes_[i].id_offset, votes_[i].id_length);
  }
  uint8_t state(size_t i) const { return votes_[i].state; }
  uint8_t candidate(size_t i) const { return votes_[i].candidate; }
  uint64_t seed() const { return seed_; }

  // How many votes of the plan go to each state and candidate.
  StateCandidateCounts Counts() const;

  explicit VotePlan(uint64_t seed);
  // Appends a voter and draws its candidate. `state` indexes Results2016().
  void Add(std::string_view id, uint8_t state);

 private:
  uint64_t seed_;
  std::mt19937_64 rng_;  // kept so that each Add() continues the sequence
  std::string ids_;      // every id back to back: one allocation instead of one per voter
  std::vector<Vote> votes_;
};

struct VotePlanOptions {
  uint64_t seed = kDefaultPlanSeed;
  int64_t limit = -1;  // only the first `limit` voters; negative: all
};

// Reads a registry CSV (`id,first_name,last_name,address,state`, header first) and plans one
// vote per row. InvalidArgument naming the line for a bad header, a malformed row, an id that
// is not a voter id, or a state that is not in Results2016(); NotFound if the file is missing.
Result<VotePlan> LoadVotePlan(const std::string& registry_csv_path, const VotePlanOptions& options);
// The same from CSV text (for tests and for callers that generated the registry in memory).
Result<VotePlan> ParseVotePlan(std::string_view registry_csv, const VotePlanOptions& options);

// Index of a state code ("AL") in Results2016(), or -1.
int StateIndex2016(std::string_view code);

// Draws an index in [0, weights.size()) with probability proportional to its weight, using
// only raw generator output. Weights must not all be zero.
size_t WeightedDraw(std::mt19937_64& rng, const std::array<int64_t, kCandidateCount>& weights);

}  // namespace landslide::sim
