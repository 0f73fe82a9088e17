// A verifiable election as a region serves it: the manifest (exact bytes and hash), the context
// every ballot is bound to, each jurisdiction's contest rule, and what a ballot brings into the
// intake queue. Checking a batch of ballots at once lives here too.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "crypto/verifiable_ballot.h"
#include "domain/election.h"
#include "domain/registry_index.h"
#include "domain/verifiable_ballot.h"

namespace landslide {

class VerifiableElection {
 public:
  // Parses the manifest (strictly; its trustee section must verify) and checks that it is this
  // election's: the same name, jurisdictions and candidates in the same order.
  static Result<std::shared_ptr<const VerifiableElection>> FromManifest(const Election& election,
                                                                        std::string bytes);

  const std::string& manifest_bytes() const { return bytes_; }
  const Bytes32& manifest_hash() const { return hash_; }
  const verifiable::ElectionContext& context() const { return *context_; }
  // The contest of jurisdiction `j` (an index into Election::jurisdictions()).
  const verifiable::ContestRule& rule(JurisdictionIndex j) const { return rules_[j]; }

 private:
  std::string bytes_;
  Bytes32 hash_{};
  std::shared_ptr<const verifiable::ElectionContext> context_;
  std::vector<verifiable::ContestRule> rules_;
};

// The pollbook and registry key of a public credential (docs/RECORD.md): the first 16 bytes of
// Hash256("landslide/v1/pollbook"; credential).
VoterHash CredentialKey(const Bytes32& credential);

// A verifiable ballot on its way into the intake queue (VoteTicket::ballot), decoded and looked
// up in the registry, not yet verified.
struct BallotSubmission {
  BallotKind kind = BallotKind::kCast;
  std::shared_ptr<const VerifiableElection> election;
  JurisdictionIndex jurisdiction = 0;
  VerifiableBallot ballot;
  std::vector<uint8_t> body;  // EncodeBallot(ballot), as the device sent it
  TrackingCode tracking{};
  std::vector<uint8_t> opening;  // EncodeOpening, spoiled ballots only
};

// Verifies every submission's signature and proofs, those sharing an election with one
// multi-scalar multiplication (verifiable::VerifyBallots); one Status per submission.
std::vector<Status> VerifySubmissions(std::span<const BallotSubmission* const> submissions);

}  // namespace landslide
