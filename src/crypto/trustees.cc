#include "crypto/trustees.h"

#include <sodium.h>

#include <algorithm>
#include <cmath>
#include <set>

namespace landslide::verifiable {

using group::BaseMul;
using group::Point;
using group::Scalar;
using group::Transcript;

namespace {

constexpr std::string_view kCoefficientTag = "landslide/v1/trustee-coefficient";
constexpr std::string_view kPartialTag = "landslide/v1/partial-decryption";

Scalar CoefficientChallenge(const std::string& election, uint32_t trustee, uint32_t l,
                            const Bytes32& commitment, const Bytes32& r) {
  Transcript t(kCoefficientTag);
  t.Add(election).AddU32(trustee).AddU32(l).Add(commitment).Add(r);
  return t.Challenge();
}

Scalar PartialChallenge(const Bytes32& manifest_hash, uint32_t trustee, const Ciphertext& ct,
                        const Bytes32& verification_key, const Bytes32& share, const Bytes32& a,
                        const Bytes32& b) {
  Transcript t(kPartialTag);
  t.Add(manifest_hash).AddU32(trustee).Add(ct.alpha).Add(ct.beta).Add(verification_key);
  t.Add(share).Add(a).Add(b);
  return t.Challenge();
}

void Wipe(std::vector<Scalar>& secrets) {
  for (auto& s : secrets) sodium_memzero(s.raw(), sizeof(decaf_255_scalar_t));
}

// λ_j for interpolation at 0 over the trustee indices `set`: Π_{m != j} m / (m - j).
Scalar Lagrange(uint32_t j, std::span<const uint32_t> set) {
  Scalar num = Scalar::FromU64(1), den = Scalar::FromU64(1);
  for (uint32_t m : set) {
    if (m == j) continue;
    num = num * Scalar::FromU64(m);
    den = den * (Scalar::FromU64(m) - Scalar::FromU64(j));
  }
  return num * den.Inverse();
}

}  // namespace

Result<Ceremony> RunKeyCeremony(std::string_view election, uint32_t trustees, uint32_t threshold) {
  if (threshold < 1 || threshold > trustees || trustees > 255) {
    return Status::InvalidArgument("need 1 <= threshold <= trustees <= 255");
  }
  Ceremony out;
  PublicCeremony& pub = out.published;
  pub.election = std::string(election);
  pub.trustees = trustees;
  pub.threshold = threshold;
  out.shares.assign(trustees, Scalar());
  Point joint;
  for (uint32_t i = 1; i <= trustees; ++i) {
    std::vector<Scalar> poly(threshold);
    TrusteeCommitment commitment{i, {}, {}};
    for (uint32_t l = 0; l < threshold; ++l) {
      poly[l] = Scalar::Random();
      const Bytes32 c = BaseMul(poly[l]).Encode();
      const Scalar k = Scalar::Random();
      const Bytes32 r = BaseMul(k).Encode();
      const Scalar e = CoefficientChallenge(pub.election, i, l, c, r);
      commitment.coefficients.push_back(c);
      commitment.proofs.push_back({r, (k + e * poly[l]).Encode()});
    }
    joint += BaseMul(poly[0]);
    for (uint32_t j = 1; j <= trustees; ++j) {
      // Horner: f_i(j) = a_0 + j·(a_1 + j·(a_2 + ...)).
      Scalar value;
      for (uint32_t l = threshold; l-- > 0;) value = value * Scalar::FromU64(j) + poly[l];
      out.shares[j - 1] += value;
    }
    Wipe(poly);
    pub.commitments.push_back(std::move(commitment));
  }
  pub.joint_key = joint.Encode();
  return out;
}

Status VerifyCeremony(const PublicCeremony& c) {
  if (c.threshold < 1 || c.threshold > c.trustees || c.commitments.size() != c.trustees) {
    return Status::InvalidArgument("the ceremony's sizes do not agree");
  }
  Point joint;
  for (uint32_t i = 1; i <= c.trustees; ++i) {
    const auto& tc = c.commitments[i - 1];
    const std::string who = "trustee " + std::to_string(i);
    if (tc.index != i || tc.coefficients.size() != c.threshold || tc.proofs.size() != c.threshold) {
      return Status::InvalidArgument(who + ": commitments are malformed");
    }
    for (uint32_t l = 0; l < c.threshold; ++l) {
      const auto commitment = Point::Decode(tc.coefficients[l], /*allow_identity=*/false);
      const auto r = Point::Decode(tc.proofs[l].r);
      const auto s = Scalar::Decode(tc.proofs[l].s);
      if (!commitment || !r || !s) return Status::InvalidArgument(who + ": a value is malformed");
      const Scalar e = CoefficientChallenge(c.election, i, l, tc.coefficients[l], tc.proofs[l].r);
      if (!(BaseMul(*s) == *r + *commitment * e)) {
        return Status::InvalidArgument(who + ": proof of coefficient " + std::to_string(l) +
                                       " fails");
      }
      if (l == 0) joint += *commitment;
    }
  }
  if (joint.Encode() != c.joint_key) {
    return Status::InvalidArgument("the joint key is not the sum of the trustees' keys");
  }
  return Status::Ok();
}

Result<Point> VerificationKey(const PublicCeremony& c, uint32_t trustee) {
  if (trustee < 1 || trustee > c.trustees || c.commitments.size() != c.trustees) {
    return Status::InvalidArgument("no trustee " + std::to_string(trustee));
  }
  Point sum;
  for (const auto& tc : c.commitments) {
    Scalar power = Scalar::FromU64(1);
    for (const auto& coefficient : tc.coefficients) {
      const auto p = Point::Decode(coefficient);
      if (!p) return Status::InvalidArgument("a commitment is not a group element");
      sum += *p * power;
      power = power * Scalar::FromU64(trustee);
    }
  }
  return sum;
}

PartialDecryption DecryptShare(const Bytes32& manifest_hash, uint32_t trustee, const Scalar& share,
                               const Ciphertext& aggregate) {
  PartialDecryption out;
  out.trustee = trustee;
  // The caller decoded the aggregate when it built it; a bad one decrypts to garbage that
  // VerifyPartial and the count's range check refuse.
  const Point alpha = Point::Decode(aggregate.alpha).value_or(Point());
  out.share = (alpha * share).Encode();
  const Scalar w = Scalar::Random();
  out.proof.a = BaseMul(w).Encode();
  out.proof.b = (alpha * w).Encode();
  const Bytes32 key = BaseMul(share).Encode();
  const Scalar c =
      PartialChallenge(manifest_hash, trustee, aggregate, key, out.share, out.proof.a, out.proof.b);
  out.proof.c = c.Encode();
  out.proof.s = (w + c * share).Encode();
  return out;
}

Status VerifyPartial(const Bytes32& manifest_hash, const Point& verification_key,
                     const Ciphertext& aggregate, const PartialDecryption& p) {
  const auto alpha = Point::Decode(aggregate.alpha);
  const auto d = Point::Decode(p.share), a = Point::Decode(p.proof.a), b = Point::Decode(p.proof.b);
  const auto c = Scalar::Decode(p.proof.c), s = Scalar::Decode(p.proof.s);
  const std::string who = "trustee " + std::to_string(p.trustee);
  if (!alpha || !d || !a || !b || !c || !s) {
    return Status::InvalidArgument(who + ": partial decryption is malformed");
  }
  const Scalar expected =
      PartialChallenge(manifest_hash, p.trustee, aggregate, verification_key.Encode(), p.share,
                       p.proof.a, p.proof.b);
  if (!(expected == *c) || !(BaseMul(*s) == *a + verification_key * *c) ||
      !(*alpha * *s == *b + *d * *c)) {
    return Status::InvalidArgument(who + ": partial decryption proof fails");
  }
  return Status::Ok();
}

DiscreteLog::DiscreteLog(uint64_t max) : max_(max) {
  step_ = std::max<uint64_t>(1, static_cast<uint64_t>(std::sqrt(static_cast<double>(max))) + 1);
  step_ = std::min<uint64_t>(step_ * 4, max + 1);  // a larger table, fewer giant steps
  table_.reserve(step_);
  Point p;
  for (uint64_t j = 0; j < step_; ++j) {
    const Bytes32 e = p.Encode();
    table_.emplace(std::string(e.begin(), e.end()), j);
    p += Point::Generator();
  }
  giant_ = -p;  // p = step·G now
}

std::optional<uint64_t> DiscreteLog::Find(const Point& m) const {
  Point cur = m;
  for (uint64_t base = 0; base <= max_; base += step_) {
    const Bytes32 e = cur.Encode();
    if (auto it = table_.find(std::string(e.begin(), e.end())); it != table_.end()) {
      const uint64_t t = base + it->second;
      if (t <= max_) return t;
      return std::nullopt;
    }
    cur += giant_;
  }
  return std::nullopt;
}

Result<uint64_t> Combine(const Ciphertext& aggregate, std::span<const PartialDecryption> partials,
                         uint32_t threshold, const DiscreteLog& dlog) {
  std::vector<uint32_t> set;
  std::vector<Point> shares;
  for (const auto& p : partials) {
    if (set.size() == threshold) break;
    if (std::find(set.begin(), set.end(), p.trustee) != set.end()) continue;
    const auto d = Point::Decode(p.share);
    if (!d) return Status::InvalidArgument("a partial decryption is malformed");
    set.push_back(p.trustee);
    shares.push_back(*d);
  }
  if (set.size() < threshold) {
    return Status::FailedPrecondition("need partial decryptions from " + std::to_string(threshold) +
                                      " distinct trustees, have " + std::to_string(set.size()));
  }
  const auto beta = Point::Decode(aggregate.beta);
  if (!beta) return Status::InvalidArgument("the aggregate is malformed");
  Point m = *beta;
  for (size_t i = 0; i < set.size(); ++i) m -= shares[i] * Lagrange(set[i], set);
  const auto t = dlog.Find(m);
  if (!t) return Status::InvalidArgument("the decrypted count is out of range");
  return *t;
}

}  // namespace landslide::verifiable
