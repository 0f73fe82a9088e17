#include "sim/sample_record.h"

#include <algorithm>
#include <map>
#include <random>
#include <vector>

#include "crypto/trustees.h"
#include "crypto/verifiable_ballot.h"
#include "crypto/verifiable_tally.h"
#include "domain/election.h"
#include "domain/results_2016.h"
#include "domain/voter_id.h"
#include "record/manifest.h"
#include "record/record_files.h"
#include "record/results.h"
#include "sim/seeded_random.h"

namespace landslide::sim {

namespace {

constexpr size_t kBatchSize = 64;
constexpr int kShards = 2;

struct MockVoter {
  size_t state;  // index into Results2016()
  std::string id;
  int choice;  // index into kCandidates2016
};

// Draws `n` voters: a state in proportion to its 2016 turnout, a choice with its 2016 split.
std::vector<MockVoter> DrawVoters(uint64_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const auto& states = Results2016();
  int64_t total = 0;
  for (const auto& s : states) total += s.total;
  std::vector<MockVoter> out;
  out.reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    int64_t pick = static_cast<int64_t>(UniformBelow(rng, static_cast<uint64_t>(total)));
    size_t state = 0;
    while (pick >= states[state].total) pick -= states[state++].total;
    const auto& votes = states[state].candidate_votes;
    int64_t five = 0;
    for (auto v : votes) five += v;
    int64_t c = static_cast<int64_t>(UniformBelow(rng, static_cast<uint64_t>(five)));
    int choice = 0;
    while (c >= votes[static_cast<size_t>(choice)]) c -= votes[static_cast<size_t>(choice++)];
    unsigned char digits[15];
    for (auto& d : digits) d = static_cast<unsigned char>(UniformBelow(rng, 58));
    out.push_back({state, VoterIdFromDigits(digits), choice});
  }
  return out;
}

// Appends ballots to shards in round robin, cutting a batch every kBatchSize items.
class Chains {
 public:
  void Add(record::BoardBallot& ballot) {
    const int shard = next_++ % kShards;
    auto& open = open_[static_cast<size_t>(shard)];
    open.shard = "sample-" + std::to_string(shard);
    open.seq = seq_[static_cast<size_t>(shard)] + 1;
    ballot.shard = open.shard;
    ballot.seq = open.seq;
    open.items.push_back({ballot.kind, ballot.tracking});
    if (open.items.size() == kBatchSize) Close(static_cast<size_t>(shard));
  }
  std::vector<record::Batch> Finish() {
    for (size_t s = 0; s < kShards; ++s) {
      if (!open_[s].items.empty()) Close(s);
    }
    return std::move(done_);
  }

 private:
  void Close(size_t s) {
    auto& b = open_[s];
    b.head = verifiable::ChainNext(heads_[s], b.shard, b.seq, b.items);
    heads_[s] = b.head;
    seq_[s] = b.seq;
    done_.push_back(std::move(b));
    b = {};
  }
  int next_ = 0;
  record::Batch open_[kShards];
  Bytes32 heads_[kShards]{};
  uint64_t seq_[kShards]{};
  std::vector<record::Batch> done_;
};

}  // namespace

Result<SampleRecordSummary> WriteSampleRecord(const std::filesystem::path& dir,
                                              const SampleRecordOptions& options) {
  const Election& election = Election::Default2016();
  Result<verifiable::Ceremony> ceremony = verifiable::Ceremony{};
  if (options.ceremony) {
    if (options.ceremony->election != election.name()) {
      return Status::InvalidArgument("the key ceremony is for election \"" +
                                     options.ceremony->election + "\"");
    }
    ceremony->published = *options.ceremony;
  } else {
    ceremony = verifiable::RunKeyCeremony(election.name(), options.trustees, options.threshold);
    if (!ceremony.ok()) return ceremony.status();
  }
  const std::vector<MockVoter> voters = DrawVoters(options.voters, options.seed);

  record::Manifest manifest =
      record::ManifestFor(election, ceremony->published, record::ResultsMode::kAfterClose, 100);
  record::Credentials credentials;
  std::vector<verifiable::ContestRule> rules;
  for (const auto& c : manifest.contests) rules.push_back(manifest.Rule(c));
  // Where each 2016 state and candidate sits in the manifest's contests.
  std::vector<size_t> contest_of;
  std::vector<std::vector<size_t>> position_of;
  for (const auto& state : Results2016()) {
    size_t c = 0;
    while (c < manifest.contests.size() && manifest.contests[c].jurisdiction != state.code) ++c;
    if (c == manifest.contests.size()) return Status::Internal("no contest for " + state.code);
    contest_of.push_back(c);
    auto& positions = position_of.emplace_back();
    for (const auto name : kCandidates2016) {
      const auto& names = manifest.contests[c].candidates;
      const auto at = std::find(names.begin(), names.end(), name);
      if (at == names.end()) return Status::Internal("no candidate " + std::string(name));
      positions.push_back(static_cast<size_t>(at - names.begin()));
    }
  }
  std::vector<group::Scalar> secrets;
  secrets.reserve(voters.size());
  for (const auto& v : voters) {
    secrets.push_back(verifiable::CredentialSecret(election.name(), v.id));
    credentials[manifest.contests[contest_of[v.state]].jurisdiction].push_back(
        group::BaseMul(secrets.back()).Encode());
  }
  for (auto& c : manifest.contests) {
    auto& list = credentials[c.jurisdiction];
    c.credentials = list.size();
    c.credentials_sha256 = record::CredentialsHash(list);
  }
  const std::string manifest_bytes = record::ManifestToJson(manifest);
  const Bytes32 manifest_hash = record::ManifestHash(manifest_bytes);
  auto context = verifiable::ElectionContext::Create(manifest_hash, ceremony->published.joint_key);
  if (!context.ok()) return context.status();

  auto writer = record::RecordWriter::Create(dir, manifest_bytes);
  if (!writer.ok()) return writer.status();
  LANDSLIDE_RETURN_IF_ERROR((*writer)->WriteCredentials(credentials));

  std::mt19937_64 rng(options.seed + 1);
  SampleRecordSummary summary;
  Chains chains;
  verifiable::Aggregator aggregator(rules);
  std::map<std::string, std::vector<uint64_t>> expected;
  for (const auto& r : rules) expected[r.jurisdiction].assign(r.candidates, 0);
  for (size_t i = 0; i < voters.size(); ++i) {
    if (options.progress && i % 1000 == 0) options.progress(i, voters.size());
    const auto& v = voters[i];
    const auto& rule = rules[contest_of[v.state]];
    const size_t choice = position_of[v.state][static_cast<size_t>(v.choice)];
    if (static_cast<double>(UniformBelow(rng, 1000000)) >= options.turnout * 1e6) continue;
    std::vector<uint8_t> choices(rule.candidates, 0);
    choices[choice] = 1;
    const bool spoil = static_cast<double>(UniformBelow(rng, 1000000)) < options.spoil_rate * 1e6;
    for (int attempt = spoil ? 0 : 1; attempt < 2; ++attempt) {
      auto built = verifiable::BuildBallot(**context, secrets[i], rule, choices);
      if (!built.ok()) return built.status();
      record::BoardBallot b;
      b.kind = attempt == 0 ? BallotKind::kSpoiled : BallotKind::kCast;
      b.tracking = built->tracking;
      b.encoding = EncodeBallot(built->ballot);
      if (attempt == 0) b.opening = EncodeOpening(built->opening);
      chains.Add(b);
      LANDSLIDE_RETURN_IF_ERROR((*writer)->AddBallot(b));
      if (attempt == 0) {
        ++summary.spoiled;
      } else {
        LANDSLIDE_RETURN_IF_ERROR(aggregator.Add(built->ballot));
        ++expected[rule.jurisdiction][choice];
        ++summary.cast;
      }
    }
  }
  if (options.progress) options.progress(voters.size(), voters.size());
  const auto batches = chains.Finish();
  summary.batches = batches.size();
  LANDSLIDE_RETURN_IF_ERROR((*writer)->WriteChains(batches));
  const auto aggregates = aggregator.Aggregates();
  LANDSLIDE_RETURN_IF_ERROR((*writer)->WriteAggregates(aggregates));
  LANDSLIDE_RETURN_IF_ERROR((*writer)->Finish());
  if (options.ceremony) return summary;  // the trustees take it from here

  // One more trustee than needed decrypts, so the combination has a choice.
  std::map<uint32_t, record::Partials> partials;
  for (uint32_t t = 1; t <= std::min(options.trustees, options.threshold + 1); ++t) {
    verifiable::TrusteeShare share;
    share.election = election.name();
    share.trustee = t;
    share.trustees = options.trustees;
    share.threshold = options.threshold;
    share.share = ceremony->shares[t - 1];
    auto p = record::DecryptAggregates(manifest, manifest_hash, share, aggregates);
    if (!p.ok()) return p.status();
    LANDSLIDE_RETURN_IF_ERROR(record::WritePartials(dir, t, *p));
    partials[t] = std::move(*p);
  }
  auto results = record::CombineResults(manifest, manifest_hash, aggregates, partials);
  if (!results.ok()) return results.status();
  if (results->counts != expected) {
    return Status::Internal("the decrypted results differ from the ballots that were cast");
  }
  LANDSLIDE_RETURN_IF_ERROR(record::WriteResults(dir, *results));
  return summary;
}

}  // namespace landslide::sim
