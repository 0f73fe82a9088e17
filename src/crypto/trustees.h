// The trustees' side of the verifiable scheme (docs/RECORD.md, "Trustees"): a key ceremony that
// shares the election secret k-of-n (Feldman verifiable secret sharing, one polynomial per
// trustee, so no single party ever holds the secret), partial decryptions of tallied
// aggregates with Chaum-Pedersen proofs, and their combination into counts. Only aggregates are
// ever decrypted. No I/O: trustee_files.h stores shares.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "crypto/group.h"
#include "domain/verifiable_ballot.h"

namespace landslide::verifiable {

// Proof of knowledge of a polynomial coefficient: s·G = r + e·C.
struct CoefficientProof {
  Bytes32 r{}, s{};
};

// What trustee `index` (1-based) publishes: commitments C_l = a_l·G to its polynomial's
// coefficients, each with a proof that the trustee knows a_l.
struct TrusteeCommitment {
  uint32_t index = 0;
  std::vector<Bytes32> coefficients;
  std::vector<CoefficientProof> proofs;
};

struct PublicCeremony {
  std::string election;
  uint32_t trustees = 0;
  uint32_t threshold = 0;
  Bytes32 joint_key{};  // K = Σ_i C_{i,0}
  std::vector<TrusteeCommitment> commitments;
};

struct Ceremony {
  PublicCeremony published;
  // shares[j-1] = Σ_i f_i(j): trustee j's share of the election secret.
  std::vector<group::Scalar> shares;
};

// Runs every trustee's part of the ceremony in this process (each trustee's polynomial is
// erased as soon as its shares are dealt). 1 <= threshold <= trustees <= 255.
Result<Ceremony> RunKeyCeremony(std::string_view election, uint32_t trustees, uint32_t threshold);

// Checks every commitment's proofs and that the joint key is their sum.
Status VerifyCeremony(const PublicCeremony& ceremony);

// S_j = s_j·G, computable by anyone from the commitments: Σ_i Σ_l j^l·C_{i,l}.
Result<group::Point> VerificationKey(const PublicCeremony& ceremony, uint32_t trustee);

// D = s_j·A for an aggregate (A, B), with a proof that log_G S_j = log_A D.
struct PartialDecryption {
  uint32_t trustee = 0;
  Bytes32 share{};
  ProofBranch proof;  // a = w·G, b = w·A, c, s = w + c·s_j
};

PartialDecryption DecryptShare(const Bytes32& manifest_hash, uint32_t trustee,
                               const group::Scalar& share, const Ciphertext& aggregate);
Status VerifyPartial(const Bytes32& manifest_hash, const group::Point& verification_key,
                     const Ciphertext& aggregate, const PartialDecryption& partial);

// Solves t·G = M for t in [0, max]: a table of j·G for the first steps and giant steps beyond
// (baby-step giant-step), so that a national count costs milliseconds.
class DiscreteLog {
 public:
  explicit DiscreteLog(uint64_t max);
  std::optional<uint64_t> Find(const group::Point& m) const;

 private:
  uint64_t max_;
  uint64_t step_;                                    // table size
  std::unordered_map<std::string, uint64_t> table_;  // encoding of j·G -> j
  group::Point giant_;                               // -step·G
};

// The count in `aggregate` from partial decryptions by `threshold` distinct trustees (any more
// are ignored); the caller has verified them. Fails if there are too few or the count is out of
// the table's range.
Result<uint64_t> Combine(const Ciphertext& aggregate, std::span<const PartialDecryption> partials,
                         uint32_t threshold, const DiscreteLog& dlog);

}  // namespace landslide::verifiable
