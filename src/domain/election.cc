#include "domain/election.h"

#include <algorithm>
#include <set>

#include "domain/results_2016.h"

namespace landslide {

std::optional<Election> Election::Create(std::string name, TimePoint opens_at, TimePoint closes_at,
                                         const std::vector<JurisdictionBallot>& ballots,
                                         std::string* error) {
  auto fail = [&](std::string why) -> std::optional<Election> {
    if (error) *error = std::move(why);
    return std::nullopt;
  };
  if (name.empty()) return fail("the election needs a name");
  if (closes_at <= opens_at) return fail("the voting window closes before it opens");
  if (ballots.empty()) return fail("the election has no jurisdictions");
  if (ballots.size() > 255) return fail("at most 255 jurisdictions are supported");
  Election e;
  e.name_ = std::move(name);
  e.opens_at_ = opens_at;
  e.closes_at_ = closes_at;
  std::set<std::string> codes;
  for (const auto& b : ballots) {
    if (b.code.empty() || b.code.size() > 16) {
      return fail("jurisdiction code \"" + b.code + "\" must have 1 to 16 characters");
    }
    for (char c : b.code) {
      if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-')) {
        return fail("jurisdiction code \"" + b.code + "\" may only use A-Z, 0-9 and '-'");
      }
    }
    if (!codes.insert(b.code).second) return fail("jurisdiction " + b.code + " appears twice");
    if (b.candidates.empty()) return fail("jurisdiction " + b.code + " has no candidates");
    Jurisdiction j{b.code, b.name.empty() ? b.code : b.name, {}};
    std::set<std::string> seen;
    for (const auto& c : b.candidates) {
      if (c.empty() || c.size() > 64) {
        return fail("a candidate of " + b.code + " has an empty or over-long name");
      }
      if (!seen.insert(c).second) return fail("candidate " + c + " appears twice in " + b.code);
      auto it = std::find(e.candidates_.begin(), e.candidates_.end(), c);
      if (it == e.candidates_.end()) {
        e.candidates_.push_back(c);
        it = e.candidates_.end() - 1;
      }
      j.ballot.push_back(static_cast<CandidateIndex>(it - e.candidates_.begin()));
    }
    e.jurisdictions_.push_back(std::move(j));
  }
  std::sort(e.jurisdictions_.begin(), e.jurisdictions_.end(),
            [](const Jurisdiction& a, const Jurisdiction& b) { return a.code < b.code; });
  return e;
}

const Election& Election::Default2016() {
  static const Election election = [] {
    std::vector<JurisdictionBallot> ballots;
    for (const auto& s : Results2016()) {
      ballots.push_back({s.code, s.name, {kCandidates2016.begin(), kCandidates2016.end()}});
    }
    std::string error;
    auto opens = ParseRfc3339("2016-11-08T00:00:00Z");
    auto closes = ParseRfc3339("2100-01-01T00:00:00Z");
    return *Election::Create("2016 US Presidential Election (Landslide re-run)", *opens, *closes,
                             ballots, &error);
  }();
  return election;
}

std::optional<JurisdictionIndex> Election::FindJurisdiction(std::string_view code) const {
  auto it = std::lower_bound(jurisdictions_.begin(), jurisdictions_.end(), code,
                             [](const Jurisdiction& j, std::string_view c) { return j.code < c; });
  if (it == jurisdictions_.end() || it->code != code) return std::nullopt;
  return static_cast<JurisdictionIndex>(it - jurisdictions_.begin());
}

std::optional<CandidateIndex> Election::FindCandidate(std::string_view name) const {
  for (size_t i = 0; i < candidates_.size(); ++i) {
    if (candidates_[i] == name) return static_cast<CandidateIndex>(i);
  }
  return std::nullopt;
}

bool Election::OnBallot(JurisdictionIndex j, CandidateIndex c) const {
  if (j >= jurisdictions_.size()) return false;
  const auto& b = jurisdictions_[j].ballot;
  return std::find(b.begin(), b.end(), c) != b.end();
}

}  // namespace landslide
