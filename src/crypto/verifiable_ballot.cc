#include "crypto/verifiable_ballot.h"

#include <sodium.h>

#include <optional>
#include <string>

#include "crypto/msm.h"

namespace landslide::verifiable {

using group::BaseMul;
using group::Point;
using group::Scalar;
using group::Transcript;

namespace {

constexpr std::string_view kCredentialTag = "landslide/v1/credential";
constexpr std::string_view kSelectionTag = "landslide/v1/selection-proof";
constexpr std::string_view kSumTag = "landslide/v1/sum-proof";
constexpr std::string_view kRandomnessTag = "landslide/v1/ballot-randomness";
constexpr std::string_view kSignatureTag = "landslide/v1/ballot-signature";

Scalar Small(uint64_t v) { return Scalar::FromU64(v); }

// The statement of selection i's proof: election, voter, contest, position and ciphertext.
void StartSelection(Transcript& t, const ElectionContext& context, const VerifiableBallot& ballot,
                    uint32_t index) {
  const auto& ct = ballot.selections[index].ciphertext;
  t.Add(context.manifest_hash()).Add(ballot.credential).Add(ballot.jurisdiction);
  t.AddU32(index).Add(ct.alpha).Add(ct.beta);
}

// The statement of the sum proof: every ciphertext (whose sums it is about) and the range.
void StartSum(Transcript& t, const ElectionContext& context, const VerifiableBallot& ballot,
              uint32_t min_selections) {
  t.Add(context.manifest_hash()).Add(ballot.credential).Add(ballot.jurisdiction);
  t.AddU32(static_cast<uint32_t>(ballot.selections.size()));
  for (const auto& sel : ballot.selections) t.Add(sel.ciphertext.alpha).Add(sel.ciphertext.beta);
  t.AddU32(min_selections);
}

// Where a ballot's secret scalars come from: the system's randomness, or (a ballot the server
// builds for POST /votes with an Idempotency-Key) a seed, so that a retry builds the very same
// ballot and gets its answer instead of a 409. Seeded scalars are Hs(tag; seed, counter): as
// unpredictable as the seed, which holds the voter's secret.
class ScalarSource {
 public:
  explicit ScalarSource(const Bytes32* seed) {
    if (seed) seed_ = *seed;
  }
  Scalar Next() {
    if (!seed_) return Scalar::Random();
    Transcript t(kRandomnessTag);
    t.Add(*seed_).AddU32(counter_++);
    return t.Challenge();
  }

 private:
  std::optional<Bytes32> seed_;
  uint32_t counter_ = 0;
};

void SignWith(const ElectionContext& context, const Scalar& secret, VerifiableBallot& ballot,
              ScalarSource& source);

// A disjunctive Chaum-Pedersen proof that (alpha, beta) = (r·G, m·G + r·K) for m among
// first_value, first_value+1, ... (one branch each); the real branch is m's. `t` holds the
// statement already. Every point involved is a known combination of G and K, so simulated
// branches need only fixed-base multiplications.
std::vector<ProofBranch> ProveDisjunctive(const ElectionContext& context, Transcript& t,
                                          const Scalar& r, uint32_t m, uint32_t first_value,
                                          uint32_t branches, ScalarSource& source) {
  std::vector<ProofBranch> proof(branches);
  std::vector<Scalar> c(branches), s(branches);
  const uint32_t real = m - first_value;
  const Scalar w = source.Next();
  t.AddU32(branches);
  for (uint32_t k = 0; k < branches; ++k) {
    Point a, b;
    if (k == real) {
      a = BaseMul(w);
      b = context.key().Mul(w);
    } else {
      c[k] = source.Next();
      s[k] = source.Next();
      const Scalar u = s[k] - c[k] * r;
      // s·G - c·alpha = u·G;  s·K - c·(beta - v·G) = u·K - c·(m - v)·G.
      a = BaseMul(u);
      b = context.key().Mul(u) - BaseMul(c[k] * (Small(m) - Small(first_value + k)));
    }
    proof[k].a = a.Encode();
    proof[k].b = b.Encode();
    t.Add(proof[k].a).Add(proof[k].b);
  }
  Scalar rest = t.Challenge();
  for (uint32_t k = 0; k < branches; ++k) {
    if (k != real) rest = rest - c[k];
  }
  c[real] = rest;
  s[real] = w + rest * r;
  for (uint32_t k = 0; k < branches; ++k) {
    proof[k].c = c[k].Encode();
    proof[k].s = s[k].Encode();
  }
  return proof;
}

Scalar SignatureChallenge(const ElectionContext& context, const VerifiableBallot& ballot) {
  Transcript t(kSignatureTag);
  t.Add(context.manifest_hash()).Add(ballot.credential).Add(ballot.signature.r);
  t.Add(EncodeBallot(ballot, /*with_signature=*/false));
  return t.Challenge();
}

Status CheckShape(const VerifiableBallot& ballot, const ContestRule& rule) {
  if (ballot.jurisdiction != rule.jurisdiction) {
    return Status::InvalidArgument("ballot is for " + ballot.jurisdiction + ", not " +
                                   rule.jurisdiction);
  }
  if (ballot.selections.size() != rule.candidates) {
    return Status::InvalidArgument("ballot has " + std::to_string(ballot.selections.size()) +
                                   " selections; " + rule.jurisdiction + " has " +
                                   std::to_string(rule.candidates) + " candidates");
  }
  for (size_t i = 0; i < ballot.selections.size(); ++i) {
    if (ballot.selections[i].proof.size() != 2) {
      return Status::InvalidArgument("selection " + std::to_string(i) +
                                     ": proof must have 2 branches");
    }
  }
  if (ballot.sum_proof.size() != rule.max_selections - rule.min_selections + 1) {
    return Status::InvalidArgument("sum proof must have " +
                                   std::to_string(rule.max_selections - rule.min_selections + 1) +
                                   " branches");
  }
  return Status::Ok();
}

// Random 128-bit weights make a forged equation pass the combined check with probability 2^-128.
Scalar Weight() {
  Bytes32 bytes{};
  randombytes_buf(bytes.data(), 16);
  return *Scalar::Decode(bytes);
}

// Every verification equation of a set of ballots, each multiplied by a random weight and
// summed: one multi-scalar multiplication that is the identity iff (up to 2^-128) each is.
class Equations {
 public:
  void AddPoint(const Point& p, const Scalar& k) {
    points_.push_back(p);
    scalars_.push_back(k);
  }
  void Merge(const Equations& o) {
    points_.insert(points_.end(), o.points_.begin(), o.points_.end());
    scalars_.insert(scalars_.end(), o.scalars_.begin(), o.scalars_.end());
    g_ += o.g_;
    k_ += o.k_;
  }
  bool empty() const { return points_.empty(); }
  Scalar& g() { return g_; }
  Scalar& k() { return k_; }
  // G and K join the points only for the multiplication, so the equations stay mergeable and
  // nothing is copied (a batch of 1,024 ballots holds about 37,000 points).
  bool Holds(const ElectionContext& context) {
    points_.push_back(Point::Generator());
    scalars_.push_back(g_);
    points_.push_back(context.key().base());
    scalars_.push_back(k_);
    const bool holds = group::MultiScalarMulPublic(points_, scalars_).IsIdentity();
    points_.resize(points_.size() - 2);
    scalars_.resize(scalars_.size() - 2);
    return holds;
  }

 private:
  std::vector<Point> points_;
  std::vector<Scalar> scalars_;
  Scalar g_, k_;  // coefficients of G and K, gathered
};

std::optional<Point> DecodePoint(const Bytes32& b) { return Point::Decode(b); }

// Checks one disjunctive proof's challenge and adds its equations to `eq`. alpha_coeff and
// beta_coeff gather the multiples of the ciphertext the equations need.
Status AddDisjunctive(const std::vector<ProofBranch>& proof, Transcript& t, uint32_t first_value,
                      Equations& eq, Scalar& alpha_coeff, Scalar& beta_coeff,
                      const std::string& what) {
  t.AddU32(static_cast<uint32_t>(proof.size()));
  Scalar sum;
  for (uint32_t k = 0; k < proof.size(); ++k) {
    const auto& br = proof[k];
    t.Add(br.a).Add(br.b);
    const auto a = DecodePoint(br.a), b = DecodePoint(br.b);
    const auto c = Scalar::Decode(br.c), s = Scalar::Decode(br.s);
    if (!a || !b) return Status::InvalidArgument(what + ": a commitment is not a group element");
    if (!c || !s) return Status::InvalidArgument(what + ": a scalar is not canonical");
    sum += *c;
    // z·(a + c·alpha - s·G) + z'·(b + c·beta - c·v·G - s·K) = 0, written so that the
    // commitments keep their short (128-bit) weights, which halves their cost in the
    // multiplication (a negated weight would be a full-size scalar).
    const Scalar z = Weight(), z2 = Weight();
    eq.g() += -(z * *s) - z2 * *c * Small(first_value + k);
    eq.k() += -(z2 * *s);
    eq.AddPoint(*a, z);
    eq.AddPoint(*b, z2);
    alpha_coeff += z * *c;
    beta_coeff += z2 * *c;
  }
  if (!(sum == t.Challenge())) return Status::InvalidArgument(what + ": challenges do not add up");
  return Status::Ok();
}

// Checks everything about one ballot that needs no multi-scalar multiplication and adds its
// equations to `eq`.
Status AddBallot(const ElectionContext& context, const VerifiableBallot& ballot,
                 const ContestRule& rule, Equations& eq) {
  if (Status st = CheckShape(ballot, rule); !st.ok()) return st;
  const auto credential = Point::Decode(ballot.credential, /*allow_identity=*/false);
  if (!credential) return Status::InvalidArgument("credential is not a group element");
  Scalar sum_alpha, sum_beta;  // coefficients the sum proof puts on every alpha, beta
  std::vector<Point> alphas, betas;
  std::vector<Scalar> alpha_coeffs(ballot.selections.size()), beta_coeffs(ballot.selections.size());
  for (uint32_t i = 0; i < ballot.selections.size(); ++i) {
    const auto& sel = ballot.selections[i];
    const auto alpha = DecodePoint(sel.ciphertext.alpha), beta = DecodePoint(sel.ciphertext.beta);
    const std::string what = "selection " + std::to_string(i);
    if (!alpha || !beta) return Status::InvalidArgument(what + ": not a ciphertext");
    alphas.push_back(*alpha);
    betas.push_back(*beta);
    Transcript t(kSelectionTag);
    StartSelection(t, context, ballot, i);
    if (Status st = AddDisjunctive(sel.proof, t, 0, eq, alpha_coeffs[i], beta_coeffs[i], what);
        !st.ok()) {
      return st;
    }
  }
  Transcript t(kSumTag);
  StartSum(t, context, ballot, rule.min_selections);
  if (Status st = AddDisjunctive(ballot.sum_proof, t, rule.min_selections, eq, sum_alpha, sum_beta,
                                 "sum proof");
      !st.ok()) {
    return st;
  }
  for (size_t i = 0; i < alphas.size(); ++i) {
    eq.AddPoint(alphas[i], alpha_coeffs[i] + sum_alpha);
    eq.AddPoint(betas[i], beta_coeffs[i] + sum_beta);
  }
  // z·(R + e·X - s·G) = 0
  const auto r = DecodePoint(ballot.signature.r);
  const auto s = Scalar::Decode(ballot.signature.s);
  if (!r || !s) return Status::InvalidArgument("signature is not well formed");
  const Scalar e = SignatureChallenge(context, ballot);
  const Scalar z = Weight();
  eq.g() += -(z * *s);
  eq.AddPoint(*r, z);
  eq.AddPoint(*credential, z * e);
  return Status::Ok();
}

}  // namespace

Scalar CredentialSecret(std::string_view election, std::string_view voter_id) {
  Transcript t(kCredentialTag);
  t.Add(election).Add(voter_id);
  return t.Challenge();
}

Bytes32 PublicCredential(std::string_view election, std::string_view voter_id) {
  return BaseMul(CredentialSecret(election, voter_id)).Encode();
}

Result<std::shared_ptr<const ElectionContext>> ElectionContext::Create(
    const Bytes32& manifest_hash, const Bytes32& election_key) {
  const auto key = Point::Decode(election_key, /*allow_identity=*/false);
  if (!key) return Status::InvalidArgument("election key is not a group element");
  return std::make_shared<const ElectionContext>(manifest_hash, *key);
}

ElectionContext::ElectionContext(const Bytes32& manifest_hash, const group::Point& key)
    : manifest_hash_(manifest_hash), key_(key) {}

Result<BuiltBallot> BuildBallot(const ElectionContext& context, const Scalar& secret,
                                const ContestRule& rule, std::span<const uint8_t> choices,
                                const Bytes32* seed) {
  ScalarSource source(seed);
  if (choices.size() != rule.candidates) {
    return Status::InvalidArgument("one choice per candidate expected");
  }
  uint32_t chosen = 0;
  for (uint8_t c : choices) {
    if (c > 1) return Status::InvalidArgument("a choice is 0 or 1");
    chosen += c;
  }
  if (chosen < rule.min_selections || chosen > rule.max_selections) {
    return Status::InvalidArgument("choose between " + std::to_string(rule.min_selections) +
                                   " and " + std::to_string(rule.max_selections) + " candidates");
  }
  BuiltBallot out;
  VerifiableBallot& ballot = out.ballot;
  ballot.credential = BaseMul(secret).Encode();
  ballot.jurisdiction = rule.jurisdiction;
  std::vector<Scalar> r(choices.size());
  Scalar r_sum;
  for (size_t i = 0; i < choices.size(); ++i) {
    r[i] = source.Next();
    r_sum += r[i];
    Point beta = context.key().Mul(r[i]);
    if (choices[i]) beta += Point::Generator();
    ballot.selections.push_back({{BaseMul(r[i]).Encode(), beta.Encode()}, {}});
    out.opening.choices.push_back(choices[i]);
    out.opening.randomness.push_back(r[i].Encode());
  }
  for (uint32_t i = 0; i < choices.size(); ++i) {
    Transcript t(kSelectionTag);
    StartSelection(t, context, ballot, i);
    ballot.selections[i].proof = ProveDisjunctive(context, t, r[i], choices[i], 0, 2, source);
  }
  Transcript t(kSumTag);
  StartSum(t, context, ballot, rule.min_selections);
  ballot.sum_proof = ProveDisjunctive(context, t, r_sum, chosen, rule.min_selections,
                                      rule.max_selections - rule.min_selections + 1, source);
  SignWith(context, secret, ballot, source);
  out.tracking = Track(ballot);
  return out;
}

void SignBallot(const ElectionContext& context, const Scalar& secret, VerifiableBallot& ballot) {
  ScalarSource random(nullptr);
  SignWith(context, secret, ballot, random);
}

namespace {
void SignWith(const ElectionContext& context, const Scalar& secret, VerifiableBallot& ballot,
              ScalarSource& source) {
  const Scalar k = source.Next();
  ballot.signature.r = BaseMul(k).Encode();
  ballot.signature.s = (k + SignatureChallenge(context, ballot) * secret).Encode();
}
}  // namespace

TrackingCode Track(const VerifiableBallot& ballot) { return group::Sha256(EncodeBallot(ballot)); }

Status VerifyBallot(const ElectionContext& context, const VerifiableBallot& ballot,
                    const ContestRule& rule) {
  Equations eq;
  if (Status st = AddBallot(context, ballot, rule, eq); !st.ok()) return st;
  if (!eq.Holds(context))
    return Status::InvalidArgument("a proof or the signature does not verify");
  return Status::Ok();
}

std::vector<Status> VerifyBallots(const ElectionContext& context,
                                  std::span<const VerifiableBallot* const> ballots,
                                  std::span<const ContestRule* const> rules) {
  std::vector<Status> out(ballots.size());
  // Each ballot's equations are kept apart so that, if the combined check fails, each can be
  // checked alone without decoding anything twice.
  std::vector<Equations> own(ballots.size());
  Equations all;
  for (size_t i = 0; i < ballots.size(); ++i) {
    out[i] = AddBallot(context, *ballots[i], *rules[i], own[i]);
    if (out[i].ok()) all.Merge(own[i]);
  }
  if (all.empty() || all.Holds(context)) return out;
  for (size_t i = 0; i < ballots.size(); ++i) {
    if (out[i].ok() && !own[i].Holds(context)) {
      out[i] = Status::InvalidArgument("a proof or the signature does not verify");
    }
  }
  return out;
}

Status CheckOpening(const ElectionContext& context, const VerifiableBallot& ballot,
                    const BallotOpening& opening, const ContestRule& rule) {
  if (Status st = CheckShape(ballot, rule); !st.ok()) return st;
  const size_t n = ballot.selections.size();
  if (opening.choices.size() != n || opening.randomness.size() != n) {
    return Status::InvalidArgument("the opening does not match the ballot's selections");
  }
  uint32_t chosen = 0;
  for (size_t i = 0; i < n; ++i) {
    const uint8_t m = opening.choices[i];
    const auto r = Scalar::Decode(opening.randomness[i]);
    if (m > 1 || !r)
      return Status::InvalidArgument("opening " + std::to_string(i) + " is malformed");
    chosen += m;
    Point beta = context.key().Mul(*r);
    if (m) beta += Point::Generator();
    const auto& ct = ballot.selections[i].ciphertext;
    if (BaseMul(*r).Encode() != ct.alpha || beta.Encode() != ct.beta) {
      return Status::InvalidArgument("selection " + std::to_string(i) +
                                     " does not encrypt the revealed choice");
    }
  }
  if (chosen < rule.min_selections || chosen > rule.max_selections) {
    return Status::InvalidArgument("the revealed choices break the contest's rule");
  }
  return Status::Ok();
}

Bytes32 ChainNext(const Bytes32& previous, std::string_view shard, uint64_t seq,
                  std::span<const ChainItem> items) {
  uint8_t seq_be[8];
  for (int i = 0; i < 8; ++i) seq_be[i] = static_cast<uint8_t>(seq >> (56 - 8 * i));
  const auto count = static_cast<uint32_t>(items.size());
  const uint8_t count_be[4] = {static_cast<uint8_t>(count >> 24), static_cast<uint8_t>(count >> 16),
                               static_cast<uint8_t>(count >> 8), static_cast<uint8_t>(count)};
  std::vector<uint8_t> kinds(items.size());
  std::vector<std::span<const uint8_t>> fields = {
      previous, {reinterpret_cast<const uint8_t*>(shard.data()), shard.size()}, seq_be, count_be};
  for (size_t i = 0; i < items.size(); ++i) {
    kinds[i] = static_cast<uint8_t>(items[i].kind);
    fields.emplace_back(&kinds[i], 1);
    fields.emplace_back(items[i].tracking);
  }
  return group::Hash256("landslide/v1/chain", fields);
}

}  // namespace landslide::verifiable
