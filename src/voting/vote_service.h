// Casting a vote, as a use case: the checks that need no database (window, registry, ballot)
// answered at once, then the intake queue. Knows nothing of HTTP.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "crypto/ballot_crypto.h"
#include "domain/election.h"
#include "domain/registry_index.h"
#include "voting/intake_queue.h"

namespace landslide {

// The registry as loaded from this region's standby, swapped whole when an import lands; with
// it, what the same standby says of the election: its manifest (verifiable elections) and
// whether `landslide close` closed it.
class RegistryHolder {
 public:
  std::shared_ptr<const RegistryIndex> Get() const { return index_.load(); }
  void Set(std::shared_ptr<const RegistryIndex> index) { index_.store(std::move(index)); }
  int64_t generation() const { return generation_.load(); }
  void set_generation(int64_t g) { generation_.store(g); }
  std::shared_ptr<const VerifiableElection> verifiable() const { return verifiable_.load(); }
  void SetVerifiable(std::shared_ptr<const VerifiableElection> v) {
    verifiable_.store(std::move(v));
  }
  bool closed() const { return closed_.load(); }
  void set_closed(bool closed) { closed_.store(closed); }

 private:
  std::atomic<std::shared_ptr<const RegistryIndex>> index_;
  std::atomic<int64_t> generation_{-1};
  std::atomic<std::shared_ptr<const VerifiableElection>> verifiable_;
  std::atomic<bool> closed_{false};
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
  // Verifiable ballots (POST /ballots):
  kMalformedBallot,  // does not decode, or opens nothing (message says why)
  kRejected,         // wrong jurisdiction, a signature or proof that fails, a bad opening
  kAlreadyOnBoard,   // the board holds this very ballot (a replay; a spoiled ballot cast)
  kNotVerifiable,    // the election's ballots are sealed
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

  // A verifiable ballot the voter's device built: `kind` cast, or spoiled with its `opening`
  // (a Benaloh check: published, never counted). `done` as for Cast; the outcome's tracking code
  // is the ballot's.
  void Submit(std::span<const uint8_t> ballot, BallotKind kind, std::span<const uint8_t> opening,
              const CastCallback& done);

  // The voter's ballot, or kNotFound / kUnavailable (registry not loaded yet).
  Result<BallotView> Ballot(std::string_view voter_id, VoterHash* hash_out) const;

  const Election& election() const { return election_; }

 private:
  // The registry key of a voter id: the keyed hash (sealed), the key of the public credential
  // derived from it (verifiable).
  VoterHash VoterKey(std::string_view voter_id) const;
  // Builds the voter's ballot on the server (POST /votes in a verifiable election: this path
  // trusts the server with the choice, docs/THREAT_MODEL.md).
  void CastVerifiable(std::string_view voter_id, JurisdictionIndex jurisdiction,
                      CandidateIndex candidate, std::optional<std::string> idempotency_key,
                      const CastCallback& done);
  void Enqueue(VoteTicket& ticket, const CastCallback& done);

  const Election& election_;
  const RegistryHolder& registry_;
  IntakeQueue& intake_;
  const VoterHasher& hasher_;
  const std::chrono::milliseconds deadline_;
};

}  // namespace landslide
