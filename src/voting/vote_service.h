// Casting a vote, as a use case: the checks that need no database (window, registry, ballot)
// answered at once, then the intake queue. Knows nothing of HTTP.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "crypto/ballot_crypto.h"
#include "domain/election.h"
#include "domain/registry_index.h"
#include "voting/intake_queue.h"

namespace landslide {

// The registry as loaded from this region's standby; swapped whole when an import lands.
class RegistryHolder {
 public:
  std::shared_ptr<const RegistryIndex> Get() const { return index_.load(); }
  void Set(std::shared_ptr<const RegistryIndex> index) { index_.store(std::move(index)); }
  int64_t generation() const { return generation_.load(); }
  void set_generation(int64_t g) { generation_.store(g); }

 private:
  std::atomic<std::shared_ptr<const RegistryIndex>> index_;
  std::atomic<int64_t> generation_{-1};
};

enum class CastResult {
  kCounted,
  kAlreadyVoted,
  kUnavailable,     // nothing was recorded
  kOutcomeUnknown,  // the commit was sent but not answered; retry with the same key to learn
  kClosed,
  kUnknownVoter,
  kNotOnBallot,
  kQueueFull,
  kRegistryNotLoaded,
};

struct CastReply {
  CastResult result = CastResult::kUnavailable;
  VoteOutcome outcome;  // receipt, voted_at, region, message where they apply
};

using CastCallback = std::function<void(const CastReply&)>;

struct BallotView {
  std::string jurisdiction;
  std::vector<std::string> candidates;
};

class VoteService {
 public:
  VoteService(const Election& election, const RegistryHolder& registry, IntakeQueue& intake,
              const VoterHasher& hasher, std::chrono::milliseconds deadline);

  // `done` is called exactly once: at once for rejections, on a writer thread otherwise.
  void Cast(std::string_view voter_id, std::string_view candidate,
            std::optional<std::string> idempotency_key, const CastCallback& done);

  // The voter's ballot, or kNotFound / kUnavailable (registry not loaded yet).
  Result<BallotView> Ballot(std::string_view voter_id, VoterHash* hash_out) const;

  const Election& election() const { return election_; }

 private:
  const Election& election_;
  const RegistryHolder& registry_;
  IntakeQueue& intake_;
  const VoterHasher& hasher_;
  const std::chrono::milliseconds deadline_;
};

}  // namespace landslide
