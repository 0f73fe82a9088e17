#include "record/results.h"

#include <algorithm>

namespace landslide::record {

using verifiable::PartialDecryption;

Result<Partials> DecryptAggregates(const Manifest& manifest, const Bytes32& manifest_hash,
                                   const verifiable::TrusteeShare& share,
                                   const Aggregates& aggregates) {
  if (share.election != manifest.election) {
    return Status::InvalidArgument("the share is for election \"" + share.election + "\"");
  }
  auto key = verifiable::VerificationKey(manifest.trustees, share.trustee);
  if (!key.ok()) return key.status();
  if (!(group::BaseMul(share.share) == *key)) {
    return Status::InvalidArgument("the share of trustee " + std::to_string(share.trustee) +
                                   " does not belong to this election's key ceremony");
  }
  Partials out;
  for (const auto& [code, list] : aggregates) {
    const Contest* contest = manifest.FindContest(code);
    if (!contest || contest->candidates.size() != list.size()) {
      return Status::InvalidArgument("aggregates for " + code + " do not match the manifest");
    }
    for (const auto& ct : list) {
      out[code].push_back(verifiable::DecryptShare(manifest_hash, share.trustee, share.share, ct));
    }
  }
  return out;
}

Result<Results> CombineResults(const Manifest& manifest, const Bytes32& manifest_hash,
                               const Aggregates& aggregates,
                               const std::map<uint32_t, Partials>& partials) {
  Results results;
  std::string refused;
  // Every trustee's partials are checked (so a bad one is named even when enough others are
  // good); the first `threshold` good ones are combined.
  std::vector<uint32_t> good;
  for (const auto& [trustee, by_code] : partials) {
    auto key = verifiable::VerificationKey(manifest.trustees, trustee);
    Status st = key.status();
    for (const auto& [code, list] : aggregates) {
      if (!st.ok()) break;
      auto it = by_code.find(code);
      if (it == by_code.end() || it->second.size() != list.size()) {
        st = Status::InvalidArgument("no partial decryption of " + code);
        break;
      }
      for (size_t i = 0; i < list.size() && st.ok(); ++i) {
        st = verifiable::VerifyPartial(manifest_hash, *key, list[i], it->second[i]);
      }
    }
    if (st.ok()) {
      good.push_back(trustee);
    } else {
      results.refused.push_back(trustee);
      refused += (refused.empty() ? "" : "; ") + ("trustee " + std::to_string(trustee) + ": ") +
                 st.message();
    }
  }
  if (good.size() < manifest.trustees.threshold) {
    return Status::FailedPrecondition("need valid partial decryptions from " +
                                      std::to_string(manifest.trustees.threshold) +
                                      " trustees, have " + std::to_string(good.size()) +
                                      (refused.empty() ? "" : " (refused: " + refused + ")"));
  }
  results.trustees.assign(good.begin(), good.begin() + manifest.trustees.threshold);
  uint64_t max = 0;
  for (const auto& c : manifest.contests) max = std::max(max, c.credentials);
  const verifiable::DiscreteLog dlog(max);
  std::map<std::string, uint64_t> totals;
  std::vector<std::string> order;
  for (const auto& [code, list] : aggregates) {
    const Contest* contest = manifest.FindContest(code);
    if (!contest || contest->candidates.size() != list.size()) {
      return Status::InvalidArgument("aggregates for " + code + " do not match the manifest");
    }
    for (size_t i = 0; i < list.size(); ++i) {
      std::vector<PartialDecryption> shares;
      for (uint32_t t : results.trustees) shares.push_back(partials.at(t).at(code)[i]);
      auto count = verifiable::Combine(list[i], shares, manifest.trustees.threshold, dlog);
      if (!count.ok()) return count.status().Context(code);
      if (*count > contest->credentials) {
        return Status::InvalidArgument(code + ": a count exceeds the jurisdiction's voters");
      }
      results.counts[code].push_back(*count);
      const std::string& name = contest->candidates[i];
      if (!totals.count(name)) order.push_back(name);
      totals[name] += *count;
    }
  }
  for (const auto& name : order) results.totals.emplace_back(name, totals[name]);
  return results;
}

}  // namespace landslide::record
