// The verifiable ballot scheme's cryptography (docs/RECORD.md): voter credentials, building a
// ballot (exponential ElGamal, disjunctive Chaum-Pedersen proofs, the credential's Schnorr
// signature), verifying one ballot or a whole batch at once, and checking the opening of a
// spoiled ballot (the Benaloh challenge). No I/O; the caller brings the election's public values.
#pragma once

#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "crypto/group.h"
#include "domain/verifiable_ballot.h"

namespace landslide::verifiable {

// The voter's secret scalar x, derived from the mailed voter id (about 88 bits of entropy, so a
// fast hash is enough): x = Hs("landslide/v1/credential"; election, voter id).
group::Scalar CredentialSecret(std::string_view election, std::string_view voter_id);
// The public credential X = x·G that `voters import` stores and the manifest publishes.
Bytes32 PublicCredential(std::string_view election, std::string_view voter_id);

// One jurisdiction's contest: how many candidates, how many may be chosen.
struct ContestRule {
  std::string jurisdiction;
  uint32_t candidates = 0;
  uint32_t min_selections = 1;
  uint32_t max_selections = 1;
};

// What every ballot of an election is bound to: the manifest's hash and the joint election key.
class ElectionContext {
 public:
  // Fails if the key is not a valid non-identity point.
  static Result<std::shared_ptr<const ElectionContext>> Create(const Bytes32& manifest_hash,
                                                               const Bytes32& election_key);
  ElectionContext(const Bytes32& manifest_hash, const group::Point& key);

  const Bytes32& manifest_hash() const { return manifest_hash_; }
  const group::FixedBase& key() const { return key_; }

 private:
  Bytes32 manifest_hash_;
  group::FixedBase key_;
};

struct BuiltBallot {
  VerifiableBallot ballot;
  BallotOpening opening;  // what spoiling it reveals; the device forgets it once cast
  TrackingCode tracking;
};

// Encrypts `choices` (one 0/1 per candidate of `rule`) for the voter whose secret is `secret`.
// Fails if the choices break the rule. With a `seed`, every secret scalar is derived from it, so
// the same seed builds the same ballot (the server building a ballot for POST /votes derives it
// from the voter's secret and the Idempotency-Key, so a retry is the same ballot); without one
// they are random. A seed must be secret and never reused for other choices.
Result<BuiltBallot> BuildBallot(const ElectionContext& context, const group::Scalar& secret,
                                const ContestRule& rule, std::span<const uint8_t> choices,
                                const Bytes32* seed = nullptr);

// Signs `ballot` (everything but the signature) with the credential secret; BuildBallot does it.
void SignBallot(const ElectionContext& context, const group::Scalar& secret,
                VerifiableBallot& ballot);

// SHA-256 of the ballot's encoding.
TrackingCode Track(const VerifiableBallot& ballot);

// Checks the ballot's shape against `rule`, its signature and every proof. kInvalidArgument
// names what is wrong.
Status VerifyBallot(const ElectionContext& context, const VerifiableBallot& ballot,
                    const ContestRule& rule);

// The same for many ballots at once: one multi-scalar multiplication with random weights checks
// every equation of every ballot; if it fails, ballots are checked one by one so that each bad
// one is named. Returns one Status per ballot. `rules[i]` is ballot i's contest.
std::vector<Status> VerifyBallots(const ElectionContext& context,
                                  std::span<const VerifiableBallot* const> ballots,
                                  std::span<const ContestRule* const> rules);

// Checks that `opening` opens `ballot` (a spoiled ballot): every ciphertext encrypts the
// revealed choice with the revealed randomness, and the choices keep the contest's rule.
Status CheckOpening(const ElectionContext& context, const VerifiableBallot& ballot,
                    const BallotOpening& opening, const ContestRule& rule);

// The chain head after batch `seq` of `shard` (docs/RECORD.md, "Chains"); `previous` is the head
// after batch seq-1 (zeros before the first).
Bytes32 ChainNext(const Bytes32& previous, std::string_view shard, uint64_t seq,
                  std::span<const ChainItem> items);

}  // namespace landslide::verifiable
