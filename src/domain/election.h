// An election: its name, voting window and the ballot of each jurisdiction. Plain data and the
// rules a ballot must satisfy; loading it from a file lives in config/.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/time.h"

namespace landslide {

using JurisdictionIndex = uint8_t;  // index into Election::jurisdictions()
using CandidateIndex = uint16_t;    // index into Election::candidates()

// How ballots are kept (docs/DESIGN.md): "sealed" ballots are encrypted by the server under
// the election key the regions hold; "verifiable" ballots are encrypted and proved by the
// voter's device under the trustees' joint key, and anyone can check the count.
enum class BallotScheme { kSealed, kVerifiable };
// When per-candidate counts are published: after close (from the trustees' decryption), or live
// (sealed: always; verifiable: aggregates decrypted once each jurisdiction gained K ballots).
enum class ResultsMode { kAfterClose, kLive };

struct BallotPolicy {
  BallotScheme scheme = BallotScheme::kSealed;
  ResultsMode results = ResultsMode::kLive;
  uint32_t live_min_ballots = 100;  // K of the verifiable live mode
};

struct Jurisdiction {
  std::string code;                    // "AL": what the registry stores
  std::string name;                    // "Alabama"
  std::vector<CandidateIndex> ballot;  // candidates on this jurisdiction's ballot, in ballot order
};

class Election {
 public:
  // `ballots` pairs each jurisdiction with the names on its ballot. Returns nullopt with a
  // reason in *error when the definition is inconsistent (duplicates, empty ballots, ...).
  struct JurisdictionBallot {
    std::string code;
    std::string name;
    std::vector<std::string> candidates;
  };
  static std::optional<Election> Create(std::string name, TimePoint opens_at, TimePoint closes_at,
                                        const std::vector<JurisdictionBallot>& ballots,
                                        std::string* error);

  // The 2016 presidential ballot of the seed demo: five candidates in all 51 jurisdictions,
  // open from 2016-11-08 until 2100 so that the demo can always vote.
  static const Election& Default2016();

  const std::string& name() const { return name_; }
  TimePoint opens_at() const { return opens_at_; }
  TimePoint closes_at() const { return closes_at_; }
  const std::vector<Jurisdiction>& jurisdictions() const { return jurisdictions_; }
  const std::vector<std::string>& candidates() const { return candidates_; }

  const BallotPolicy& policy() const { return policy_; }
  bool verifiable() const { return policy_.scheme == BallotScheme::kVerifiable; }
  // The same election with another ballot policy.
  Election WithPolicy(const BallotPolicy& policy) const {
    Election e = *this;
    e.policy_ = policy;
    return e;
  }

  bool IsOpen(TimePoint t) const { return t >= opens_at_ && t < closes_at_; }
  std::optional<JurisdictionIndex> FindJurisdiction(std::string_view code) const;
  std::optional<CandidateIndex> FindCandidate(std::string_view name) const;
  bool OnBallot(JurisdictionIndex j, CandidateIndex c) const;

 private:
  std::string name_;
  TimePoint opens_at_;
  TimePoint closes_at_;
  std::vector<Jurisdiction> jurisdictions_;
  std::vector<std::string> candidates_;  // every candidate of any ballot, first-seen order
  BallotPolicy policy_;
};

}  // namespace landslide
