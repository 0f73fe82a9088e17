// Exact vote counts per jurisdiction and candidate. Pure arithmetic: the tallier feeds it opened
// ballots, the http layer renders it.
#pragma once

#include <cstdint>
#include <vector>

#include "domain/election.h"

namespace landslide {

class Tally {
 public:
  explicit Tally(const Election& election);

  void Add(JurisdictionIndex j, CandidateIndex c, int64_t n = 1);
  int64_t Count(JurisdictionIndex j, CandidateIndex c) const;
  int64_t JurisdictionTotal(JurisdictionIndex j) const;
  int64_t CandidateTotal(CandidateIndex c) const;
  int64_t Total() const { return total_; }
  size_t jurisdiction_count() const { return per_jurisdiction_.size(); }
  size_t candidate_count() const { return candidate_count_; }

  friend bool operator==(const Tally&, const Tally&) = default;

 private:
  size_t candidate_count_;
  std::vector<std::vector<int64_t>> per_jurisdiction_;  // [jurisdiction][candidate]
  int64_t total_ = 0;
};

// count / total as a percentage rounded half away from zero to two decimals; 0 when total is 0.
double Percentage(int64_t count, int64_t total);

}  // namespace landslide
