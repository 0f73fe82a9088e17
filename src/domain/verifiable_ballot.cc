#include "domain/verifiable_ballot.h"

#include <algorithm>

namespace landslide {

namespace {

constexpr uint8_t kBallotVersion = 1;
constexpr uint8_t kOpeningVersion = 1;

void Put(std::vector<uint8_t>& out, const Bytes32& b) { out.insert(out.end(), b.begin(), b.end()); }

void PutBranches(std::vector<uint8_t>& out, const std::vector<ProofBranch>& branches) {
  out.push_back(static_cast<uint8_t>(branches.size()));
  for (const auto& br : branches) {
    Put(out, br.a);
    Put(out, br.b);
    Put(out, br.c);
    Put(out, br.s);
  }
}

// Reads fixed-size fields off the front of a byte string; any read past the end fails.
class Reader {
 public:
  explicit Reader(std::span<const uint8_t> bytes) : bytes_(bytes) {}
  bool Byte(uint8_t& v) {
    if (pos_ + 1 > bytes_.size()) return false;
    v = bytes_[pos_++];
    return true;
  }
  bool Get(Bytes32& b) {
    if (pos_ + b.size() > bytes_.size()) return false;
    std::copy_n(bytes_.begin() + static_cast<std::ptrdiff_t>(pos_), b.size(), b.begin());
    pos_ += b.size();
    return true;
  }
  bool Text(size_t n, std::string& s) {
    if (pos_ + n > bytes_.size()) return false;
    s.assign(reinterpret_cast<const char*>(bytes_.data() + pos_), n);
    pos_ += n;
    return true;
  }
  bool Branches(std::vector<ProofBranch>& out) {
    uint8_t n;
    if (!Byte(n) || n == 0 || n > kMaxBallotCandidates + 1) return false;
    out.resize(n);
    for (auto& br : out) {
      if (!Get(br.a) || !Get(br.b) || !Get(br.c) || !Get(br.s)) return false;
    }
    return true;
  }
  bool AtEnd() const { return pos_ == bytes_.size(); }

 private:
  std::span<const uint8_t> bytes_;
  size_t pos_ = 0;
};

}  // namespace

std::vector<uint8_t> EncodeBallot(const VerifiableBallot& ballot, bool with_signature) {
  std::vector<uint8_t> out;
  out.reserve(100 + ballot.selections.size() * 300 + ballot.sum_proof.size() * 128);
  out.push_back(kBallotVersion);
  Put(out, ballot.credential);
  out.push_back(static_cast<uint8_t>(ballot.jurisdiction.size()));
  out.insert(out.end(), ballot.jurisdiction.begin(), ballot.jurisdiction.end());
  out.push_back(static_cast<uint8_t>(ballot.selections.size()));
  for (const auto& sel : ballot.selections) {
    Put(out, sel.ciphertext.alpha);
    Put(out, sel.ciphertext.beta);
    PutBranches(out, sel.proof);
  }
  PutBranches(out, ballot.sum_proof);
  if (with_signature) {
    Put(out, ballot.signature.r);
    Put(out, ballot.signature.s);
  }
  return out;
}

Result<VerifiableBallot> DecodeBallot(std::span<const uint8_t> bytes) {
  Reader in(bytes);
  VerifiableBallot b;
  uint8_t version, jlen, count;
  if (!in.Byte(version)) return Status::InvalidArgument("the ballot is empty");
  if (version != kBallotVersion) {
    return Status::InvalidArgument("the ballot has an unknown version " + std::to_string(version));
  }
  if (!in.Get(b.credential) || !in.Byte(jlen) || jlen == 0 || jlen > kMaxJurisdictionCodeLength ||
      !in.Text(jlen, b.jurisdiction) || !in.Byte(count) || count == 0 ||
      count > kMaxBallotCandidates) {
    return Status::InvalidArgument("the ballot's header is malformed");
  }
  b.selections.resize(count);
  for (auto& sel : b.selections) {
    if (!in.Get(sel.ciphertext.alpha) || !in.Get(sel.ciphertext.beta) || !in.Branches(sel.proof)) {
      return Status::InvalidArgument("a selection of the ballot is malformed");
    }
  }
  if (!in.Branches(b.sum_proof)) return Status::InvalidArgument("the sum proof is malformed");
  if (!in.Get(b.signature.r) || !in.Get(b.signature.s)) {
    return Status::InvalidArgument("the ballot's signature is missing");
  }
  if (!in.AtEnd()) return Status::InvalidArgument("the ballot has trailing bytes");
  return b;
}

std::vector<uint8_t> EncodeOpening(const BallotOpening& opening) {
  std::vector<uint8_t> out;
  out.push_back(kOpeningVersion);
  out.push_back(static_cast<uint8_t>(opening.choices.size()));
  for (size_t i = 0; i < opening.choices.size(); ++i) {
    out.push_back(opening.choices[i]);
    Put(out, opening.randomness[i]);
  }
  return out;
}

Result<BallotOpening> DecodeOpening(std::span<const uint8_t> bytes) {
  Reader in(bytes);
  uint8_t version, count;
  if (!in.Byte(version) || version != kOpeningVersion || !in.Byte(count) || count == 0 ||
      count > kMaxBallotCandidates) {
    return Status::InvalidArgument("the opening's header is malformed");
  }
  BallotOpening o;
  o.choices.resize(count);
  o.randomness.resize(count);
  for (size_t i = 0; i < count; ++i) {
    if (!in.Byte(o.choices[i]) || !in.Get(o.randomness[i])) {
      return Status::InvalidArgument("the opening is truncated");
    }
  }
  if (!in.AtEnd()) return Status::InvalidArgument("the opening has trailing bytes");
  return o;
}

}  // namespace landslide
