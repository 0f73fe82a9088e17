// A ballot of the verifiable scheme as plain data: what a voter's device sends, what the
// bulletin board publishes and what the independent verifier reads. Every group element and
// scalar is kept in its 32-byte encoding; checking them is crypto/'s job. The byte layout of
// EncodeBallot is the one docs/RECORD.md specifies ("Ballot encoding"): tracking codes, chain
// links and signatures are computed over it, so it must never change within a version.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"

namespace landslide {

using Bytes32 = std::array<uint8_t, 32>;

// One branch of a disjunctive Chaum-Pedersen proof: commitments a, b and the branch's challenge
// c and response s, so that s·G = a + c·alpha and s·K = b + c·(beta - v·G) for the branch's
// value v. The branches of a proof stand for consecutive values, the first one for the smallest.
struct ProofBranch {
  Bytes32 a{}, b{}, c{}, s{};
  friend bool operator==(const ProofBranch&, const ProofBranch&) = default;
};

// Exponential ElGamal under the election key K: alpha = r·G, beta = m·G + r·K.
struct Ciphertext {
  Bytes32 alpha{}, beta{};
  friend bool operator==(const Ciphertext&, const Ciphertext&) = default;
};

// One candidate's entry: 1 if chosen, 0 if not, with the proof that it is one of the two.
struct EncryptedSelection {
  Ciphertext ciphertext;
  std::vector<ProofBranch> proof;  // branch 0 proves 0, branch 1 proves 1
  friend bool operator==(const EncryptedSelection&, const EncryptedSelection&) = default;
};

// Schnorr signature by the voter's credential: s·G = r + e·credential.
struct BallotSignature {
  Bytes32 r{}, s{};
  friend bool operator==(const BallotSignature&, const BallotSignature&) = default;
};

struct VerifiableBallot {
  Bytes32 credential{};      // the voter's public credential
  std::string jurisdiction;  // "AL"
  // One per candidate on the jurisdiction's ballot, in ballot order.
  std::vector<EncryptedSelection> selections;
  // Branch k proves that the selections add up to the contest's minimum + k.
  std::vector<ProofBranch> sum_proof;
  BallotSignature signature;
  friend bool operator==(const VerifiableBallot&, const VerifiableBallot&) = default;
};

// What a Benaloh challenge reveals: each selection's value and randomness.
struct BallotOpening {
  std::vector<uint8_t> choices;  // 0 or 1 per selection
  std::vector<Bytes32> randomness;
  friend bool operator==(const BallotOpening&, const BallotOpening&) = default;
};

// A tracking code: SHA-256 of the ballot's encoding.
using TrackingCode = Bytes32;

// What the board holds a ballot as: cast (counted) or spoiled (opened for a Benaloh check,
// never counted). The values are the ones chain hashes use.
enum class BallotKind : uint8_t { kCast = 1, kSpoiled = 2 };

// One ballot's place in a batch, as the chain hashes it.
struct ChainItem {
  BallotKind kind = BallotKind::kCast;
  TrackingCode tracking{};
};

// A place on the bulletin board, in its stored order (shard, batch, position in the batch).
struct BoardCursor {
  std::string shard;
  int64_t batch = 0;
  int32_t position = 0;
  friend bool operator==(const BoardCursor&, const BoardCursor&) = default;
};

// Limits a ballot's encoding can express; the election file is checked against them.
inline constexpr size_t kMaxBallotCandidates = 64;
inline constexpr size_t kMaxJurisdictionCodeLength = 32;

// The canonical binary form (docs/RECORD.md). `signed_part` leaves out the signature: it is
// what the signature signs.
std::vector<uint8_t> EncodeBallot(const VerifiableBallot& ballot, bool with_signature = true);
// The inverse; refuses trailing bytes, lengths over the limits and unknown versions.
Result<VerifiableBallot> DecodeBallot(std::span<const uint8_t> bytes);

std::vector<uint8_t> EncodeOpening(const BallotOpening& opening);
Result<BallotOpening> DecodeOpening(std::span<const uint8_t> bytes);

}  // namespace landslide
