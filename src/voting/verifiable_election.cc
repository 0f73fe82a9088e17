#include "voting/verifiable_election.h"

#include <algorithm>
#include <map>

#include "crypto/group.h"
#include "record/manifest.h"

namespace landslide {

Result<std::shared_ptr<const VerifiableElection>> VerifiableElection::FromManifest(
    const Election& election, std::string bytes) {
  auto manifest = record::ParseManifest(bytes);
  if (!manifest.ok()) return manifest.status().Context("the stored manifest");
  if (manifest->election != election.name()) {
    return Status::FailedPrecondition("the stored manifest is for election \"" +
                                      manifest->election + "\", not \"" + election.name() + "\"");
  }
  const auto& jurisdictions = election.jurisdictions();
  if (manifest->contests.size() != jurisdictions.size()) {
    return Status::FailedPrecondition(
        "the stored manifest has " + std::to_string(manifest->contests.size()) +
        " contests and the election " + std::to_string(jurisdictions.size()) + " jurisdictions");
  }
  auto out = std::make_shared<VerifiableElection>();
  for (const auto& j : jurisdictions) {
    const record::Contest* contest = manifest->FindContest(j.code);
    bool same = contest && contest->candidates.size() == j.ballot.size();
    for (size_t c = 0; same && c < j.ballot.size(); ++c) {
      same = contest->candidates[c] == election.candidates()[j.ballot[c]];
    }
    if (!same) {
      return Status::FailedPrecondition("the stored manifest's contest for " + j.code +
                                        " is not the election's ballot");
    }
    out->rules_.push_back(manifest->Rule(*contest));
  }
  out->hash_ = record::ManifestHash(bytes);
  auto context = verifiable::ElectionContext::Create(out->hash_, manifest->trustees.joint_key);
  if (!context.ok()) return context.status();
  out->context_ = std::move(*context);
  out->bytes_ = std::move(bytes);
  return std::shared_ptr<const VerifiableElection>(std::move(out));
}

VoterHash CredentialKey(const Bytes32& credential) {
  const std::span<const uint8_t> fields[] = {credential};
  const Bytes32 h = group::Hash256("landslide/v1/pollbook", fields);
  VoterHash key;
  std::copy_n(h.begin(), key.size(), key.begin());
  return key;
}

std::vector<Status> VerifySubmissions(std::span<const BallotSubmission* const> submissions) {
  std::vector<Status> out(submissions.size());
  // Normally one election (the manifest cannot change once a ballot is stored).
  std::map<const VerifiableElection*, std::vector<size_t>> by_election;
  for (size_t i = 0; i < submissions.size(); ++i) {
    by_election[submissions[i]->election.get()].push_back(i);
  }
  for (const auto& [election, members] : by_election) {
    std::vector<const VerifiableBallot*> ballots;
    std::vector<const verifiable::ContestRule*> rules;
    for (size_t i : members) {
      ballots.push_back(&submissions[i]->ballot);
      rules.push_back(&election->rule(submissions[i]->jurisdiction));
    }
    auto statuses = verifiable::VerifyBallots(election->context(), ballots, rules);
    for (size_t k = 0; k < members.size(); ++k) out[members[k]] = std::move(statuses[k]);
  }
  return out;
}

}  // namespace landslide
