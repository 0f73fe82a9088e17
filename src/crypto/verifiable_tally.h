// Homomorphic tallying of verifiable ballots: per jurisdiction and candidate, the sum of the
// ciphertexts of every counted ballot. Nothing is decrypted here; trustees decrypt only these
// sums (crypto/trustees.h).
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "crypto/group.h"
#include "crypto/verifiable_ballot.h"
#include "domain/verifiable_ballot.h"

namespace landslide::verifiable {

class Aggregator {
 public:
  // One sum per candidate of every contest, all zero (the identity) until ballots come.
  explicit Aggregator(std::span<const ContestRule> contests);
  // Adds a verified cast ballot. Fails (and adds nothing) if a ciphertext does not decode or
  // the ballot does not fit a contest.
  Status Add(const VerifiableBallot& ballot);
  // Adds everything `other` added (tallies built in parallel).
  Status Merge(const Aggregator& other);

  uint64_t ballots(const std::string& jurisdiction) const;
  // Per contest, one (Σ alpha, Σ beta) per candidate in ballot order.
  std::map<std::string, std::vector<Ciphertext>> Aggregates() const;

 private:
  struct Sums {
    std::vector<group::Point> alpha, beta;
    uint64_t ballots = 0;
  };
  std::map<std::string, Sums> sums_;
};

}  // namespace landslide::verifiable
