#include "crypto/verifiable_tally.h"

namespace landslide::verifiable {

using group::Point;

Aggregator::Aggregator(std::span<const ContestRule> contests) {
  for (const auto& c : contests) {
    Sums& sums = sums_[c.jurisdiction];
    sums.alpha.assign(c.candidates, Point());
    sums.beta.assign(c.candidates, Point());
  }
}

Status Aggregator::Add(const VerifiableBallot& ballot) {
  const size_t n = ballot.selections.size();
  auto it = sums_.find(ballot.jurisdiction);
  if (it == sums_.end() || it->second.alpha.size() != n) {
    return Status::InvalidArgument("the ballot fits no contest of " + ballot.jurisdiction);
  }
  std::vector<Point> alpha(n), beta(n);
  for (size_t i = 0; i < n; ++i) {
    const auto a = Point::Decode(ballot.selections[i].ciphertext.alpha);
    const auto b = Point::Decode(ballot.selections[i].ciphertext.beta);
    if (!a || !b) return Status::InvalidArgument("a ciphertext is not a pair of group elements");
    alpha[i] = *a;
    beta[i] = *b;
  }
  Sums& sums = it->second;
  for (size_t i = 0; i < n; ++i) {
    sums.alpha[i] += alpha[i];
    sums.beta[i] += beta[i];
  }
  ++sums.ballots;
  return Status::Ok();
}

Status Aggregator::Merge(const Aggregator& other) {
  for (const auto& [code, theirs] : other.sums_) {
    auto it = sums_.find(code);
    if (it == sums_.end() || it->second.alpha.size() != theirs.alpha.size()) {
      return Status::InvalidArgument("the tallies disagree on the contest of " + code);
    }
    Sums& mine = it->second;
    for (size_t i = 0; i < mine.alpha.size(); ++i) {
      mine.alpha[i] += theirs.alpha[i];
      mine.beta[i] += theirs.beta[i];
    }
    mine.ballots += theirs.ballots;
  }
  return Status::Ok();
}

uint64_t Aggregator::ballots(const std::string& jurisdiction) const {
  auto it = sums_.find(jurisdiction);
  return it == sums_.end() ? 0 : it->second.ballots;
}

std::map<std::string, std::vector<Ciphertext>> Aggregator::Aggregates() const {
  std::map<std::string, std::vector<Ciphertext>> out;
  for (const auto& [code, sums] : sums_) {
    auto& list = out[code];
    for (size_t i = 0; i < sums.alpha.size(); ++i) {
      list.push_back({sums.alpha[i].Encode(), sums.beta[i].Encode()});
    }
  }
  return out;
}

}  // namespace landslide::verifiable
