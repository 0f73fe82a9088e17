#include "http/results_json.h"

#include <nlohmann/json.hpp>

#include "common/hex.h"

namespace landslide::http {

namespace {

using nlohmann::ordered_json;

ordered_json StateJson(const Election& e, const Tally& t, JurisdictionIndex j) {
  const Jurisdiction& jur = e.jurisdictions()[j];
  int64_t total = t.JurisdictionTotal(j);
  ordered_json results = ordered_json::array();
  for (CandidateIndex c : jur.ballot) {
    int64_t n = t.Count(j, c);
    results.push_back(
        {{"candidate", e.candidates()[c]}, {"count", n}, {"percentage", Percentage(n, total)}});
  }
  return {{"state", jur.code}, {"total_count", total}, {"results", std::move(results)}};
}

}  // namespace

std::string RenderVotes(const Election& e, const TallySnapshot& s) {
  const Tally& t = s.tally;
  ordered_json candidates = ordered_json::array();
  for (size_t c = 0; c < e.candidates().size(); ++c) {
    int64_t n = t.CandidateTotal(static_cast<CandidateIndex>(c));
    candidates.push_back(
        {{"candidate", e.candidates()[c]}, {"count", n}, {"percentage", Percentage(n, t.Total())}});
  }
  ordered_json states = ordered_json::array();
  for (size_t j = 0; j < e.jurisdictions().size(); ++j) {
    states.push_back(StateJson(e, t, static_cast<JurisdictionIndex>(j)));
  }
  ordered_json out = {{"election", e.name()},
                      {"as_of", FormatRfc3339(s.as_of)},
                      {"total_count", t.Total()},
                      {"candidates", std::move(candidates)},
                      {"states", std::move(states)}};
  return out.dump();
}

std::optional<std::string> RenderStateVotes(const Election& e, const TallySnapshot& s,
                                            const std::string& state) {
  auto j = e.FindJurisdiction(state);
  if (!j) return std::nullopt;
  return StateJson(e, s.tally, *j).dump();
}

std::string RenderCheckpoint(const Election& e, const TallySnapshot& s, const std::string& region,
                             const ElectionKeys& keys) {
  ordered_json tallies = ordered_json::object();
  for (size_t j = 0; j < e.jurisdictions().size(); ++j) {
    ordered_json row = ordered_json::object();
    for (CandidateIndex c : e.jurisdictions()[j].ballot) {
      row[e.candidates()[c]] = s.tally.Count(static_cast<JurisdictionIndex>(j), c);
    }
    tallies[e.jurisdictions()[j].code] = std::move(row);
  }
  ordered_json chains = ordered_json::array();
  for (const auto& h : s.heads) {
    chains.push_back({{"shard", h.shard}, {"seq", h.seq}, {"head", ToHex(h.head)}});
  }
  ordered_json checkpoint = {{"election", e.name()},
                             {"region", region},
                             {"as_of", FormatRfc3339(s.as_of)},
                             {"total_count", s.tally.Total()},
                             {"tallies", std::move(tallies)},
                             {"chains", std::move(chains)}};
  std::string payload = checkpoint.dump();
  std::string signature;
  if (keys.signing_secret) {
    auto sig = SignDetached({reinterpret_cast<const uint8_t*>(payload.data()), payload.size()},
                            *keys.signing_secret);
    signature = ToHex(sig);
  }
  // The checkpoint is spliced in verbatim so that a verifier can check the signature against
  // the bytes between "checkpoint": and the following ,"signature".
  return "{\"checkpoint\":" + payload + ",\"signature\":\"" + signature + "\",\"public_key\":\"" +
         ToHex(keys.signing_public) + "\"}";
}

}  // namespace landslide::http
