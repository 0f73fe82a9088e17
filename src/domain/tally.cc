#include "domain/tally.h"

#include <cmath>

namespace landslide {

Tally::Tally(const Election& election)
    : candidate_count_(election.candidates().size()),
      per_jurisdiction_(election.jurisdictions().size(),
                        std::vector<int64_t>(election.candidates().size(), 0)) {}

void Tally::Add(JurisdictionIndex j, CandidateIndex c, int64_t n) {
  per_jurisdiction_.at(j).at(c) += n;
  total_ += n;
}

int64_t Tally::Count(JurisdictionIndex j, CandidateIndex c) const {
  return per_jurisdiction_.at(j).at(c);
}

int64_t Tally::JurisdictionTotal(JurisdictionIndex j) const {
  int64_t sum = 0;
  for (int64_t v : per_jurisdiction_.at(j)) sum += v;
  return sum;
}

int64_t Tally::CandidateTotal(CandidateIndex c) const {
  int64_t sum = 0;
  for (const auto& row : per_jurisdiction_) sum += row.at(c);
  return sum;
}

double Percentage(int64_t count, int64_t total) {
  if (total <= 0) return 0.0;
  // Integer arithmetic in basis points so 1/3 renders as 33.33 on every platform.
  int64_t bp2 = (count * 20000 + total) / (2 * total);  // round(count * 10000 / total)
  return static_cast<double>(bp2) / 100.0;
}

}  // namespace landslide
