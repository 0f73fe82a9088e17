#include "record/manifest.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "common/hex.h"
#include "common/strict_json.h"
#include "crypto/group.h"

namespace landslide::record {

using nlohmann::json;
using nlohmann::ordered_json;

namespace {

constexpr std::string_view kManifestFormat = "landslide-manifest/1";
constexpr std::string_view kCeremonyFormat = "landslide-trustees/1";

Result<std::string> Text(const json& obj, const char* key, const std::string& where) {
  if (!obj[key].is_string()) return Status::InvalidArgument(where + "." + key + " must be text");
  return obj[key].get<std::string>();
}

Result<uint64_t> Number(const json& obj, const char* key, const std::string& where) {
  if (!obj[key].is_number_unsigned()) {
    return Status::InvalidArgument(where + "." + key + " must be a whole number");
  }
  return obj[key].get<uint64_t>();
}

// 64 lowercase hex characters, the only form ToHex writes, so bytes and meaning stay one-to-one.
Result<Bytes32> Hex32(const json& value, const std::string& where) {
  Bytes32 out{};
  if (!value.is_string() || value.get<std::string>().size() != 64 ||
      !FromHexInto(value.get<std::string>(), out) || ToHex(out) != value.get<std::string>()) {
    return Status::InvalidArgument(where + " must be 64 lowercase hex characters");
  }
  return out;
}

ordered_json CeremonyBody(const verifiable::PublicCeremony& c) {
  ordered_json j;
  j["trustees"] = c.trustees;
  j["threshold"] = c.threshold;
  j["joint_key"] = ToHex(c.joint_key);
  j["commitments"] = ordered_json::array();
  for (const auto& tc : c.commitments) {
    ordered_json t;
    t["trustee"] = tc.index;
    t["coefficients"] = ordered_json::array();
    for (const auto& co : tc.coefficients) t["coefficients"].push_back(ToHex(co));
    t["proofs"] = ordered_json::array();
    for (const auto& p : tc.proofs) {
      t["proofs"].push_back(ordered_json{{"r", ToHex(p.r)}, {"s", ToHex(p.s)}});
    }
    j["commitments"].push_back(std::move(t));
  }
  return j;
}

Result<verifiable::PublicCeremony> ParseCeremonyBody(const json& j, std::string_view election) {
  LANDSLIDE_RETURN_IF_ERROR(
      CheckJsonKeys(j, {"trustees", "threshold", "joint_key", "commitments"}, "trustees"));
  verifiable::PublicCeremony c;
  c.election = std::string(election);
  auto n = Number(j, "trustees", "trustees");
  auto t = Number(j, "threshold", "trustees");
  auto key = Hex32(j["joint_key"], "trustees.joint_key");
  if (!n.ok()) return n.status();
  if (!t.ok()) return t.status();
  if (!key.ok()) return key.status();
  if (*n > 255 || *t > *n) return Status::InvalidArgument("trustees: bad sizes");
  c.trustees = static_cast<uint32_t>(*n);
  c.threshold = static_cast<uint32_t>(*t);
  c.joint_key = *key;
  if (!j["commitments"].is_array()) return Status::InvalidArgument("commitments must be a list");
  for (const auto& tj : j["commitments"]) {
    const std::string where = "trustees.commitments[" + std::to_string(c.commitments.size()) + "]";
    LANDSLIDE_RETURN_IF_ERROR(CheckJsonKeys(tj, {"trustee", "coefficients", "proofs"}, where));
    auto index = Number(tj, "trustee", where);
    if (!index.ok()) return index.status();
    if (!tj["coefficients"].is_array() || !tj["proofs"].is_array() ||
        tj["coefficients"].size() > 255 || tj["proofs"].size() > 255) {
      return Status::InvalidArgument(where + " must hold lists of coefficients and proofs");
    }
    verifiable::TrusteeCommitment tc;
    tc.index = static_cast<uint32_t>(std::min<uint64_t>(*index, 256));
    for (const auto& co : tj["coefficients"]) {
      auto b = Hex32(co, where + ".coefficients");
      if (!b.ok()) return b.status();
      tc.coefficients.push_back(*b);
    }
    for (const auto& p : tj["proofs"]) {
      LANDSLIDE_RETURN_IF_ERROR(CheckJsonKeys(p, {"r", "s"}, where + ".proofs"));
      auto r = Hex32(p["r"], where + ".proofs.r");
      auto s = Hex32(p["s"], where + ".proofs.s");
      if (!r.ok()) return r.status();
      if (!s.ok()) return s.status();
      tc.proofs.push_back({*r, *s});
    }
    c.commitments.push_back(std::move(tc));
  }
  LANDSLIDE_RETURN_IF_ERROR(verifiable::VerifyCeremony(c));
  return c;
}

}  // namespace

const Contest* Manifest::FindContest(std::string_view jurisdiction) const {
  for (const auto& c : contests) {
    if (c.jurisdiction == jurisdiction) return &c;
  }
  return nullptr;
}

verifiable::ContestRule Manifest::Rule(const Contest& c) const {
  return {c.jurisdiction, static_cast<uint32_t>(c.candidates.size()), c.min_selections,
          c.max_selections};
}

std::string ManifestToJson(const Manifest& m) {
  ordered_json j;
  j["format"] = kManifestFormat;
  j["election"] = m.election;
  j["opens_at"] = m.opens_at;
  j["closes_at"] = m.closes_at;
  j["results"] = m.results == ResultsMode::kLive ? "live" : "after_close";
  j["live_min_ballots"] = m.live_min_ballots;
  j["contests"] = ordered_json::array();
  for (const auto& c : m.contests) {
    j["contests"].push_back(ordered_json{{"jurisdiction", c.jurisdiction},
                                         {"candidates", c.candidates},
                                         {"min", c.min_selections},
                                         {"max", c.max_selections},
                                         {"credentials", c.credentials},
                                         {"credentials_sha256", ToHex(c.credentials_sha256)}});
  }
  j["trustees"] = CeremonyBody(m.trustees);
  return j.dump(1) + "\n";
}

Result<Manifest> ParseManifest(std::string_view bytes) {
  auto parsed = ParseStrictJson(bytes, "the manifest");
  if (!parsed.ok()) return parsed.status();
  const json& j = *parsed;
  LANDSLIDE_RETURN_IF_ERROR(CheckJsonKeys(j,
                                          {"format", "election", "opens_at", "closes_at", "results",
                                           "live_min_ballots", "contests", "trustees"},
                                          "the manifest"));
  if (j["format"] != kManifestFormat) {
    return Status::InvalidArgument("the manifest's format is not " + std::string(kManifestFormat));
  }
  Manifest m;
  auto election = Text(j, "election", "manifest");
  auto opens = Text(j, "opens_at", "manifest");
  auto closes = Text(j, "closes_at", "manifest");
  auto results = Text(j, "results", "manifest");
  auto live_min = Number(j, "live_min_ballots", "manifest");
  for (const auto* r : {&election, &opens, &closes, &results}) {
    if (!r->ok()) return r->status();
  }
  if (!live_min.ok()) return live_min.status();
  if (*results != "live" && *results != "after_close") {
    return Status::InvalidArgument("manifest.results must be \"live\" or \"after_close\"");
  }
  m.election = *election;
  m.opens_at = *opens;
  m.closes_at = *closes;
  m.results = *results == "live" ? ResultsMode::kLive : ResultsMode::kAfterClose;
  m.live_min_ballots = static_cast<uint32_t>(std::min<uint64_t>(*live_min, UINT32_MAX));
  if (!j["contests"].is_array()) return Status::InvalidArgument("contests must be a list");
  std::set<std::string> seen;
  for (const auto& cj : j["contests"]) {
    const std::string where = "contests[" + std::to_string(m.contests.size()) + "]";
    LANDSLIDE_RETURN_IF_ERROR(CheckJsonKeys(
        cj, {"jurisdiction", "candidates", "min", "max", "credentials", "credentials_sha256"},
        where));
    Contest c;
    auto code = Text(cj, "jurisdiction", where);
    auto min = Number(cj, "min", where);
    auto max = Number(cj, "max", where);
    auto count = Number(cj, "credentials", where);
    auto hash = Hex32(cj["credentials_sha256"], where + ".credentials_sha256");
    if (!code.ok()) return code.status();
    if (!min.ok()) return min.status();
    if (!max.ok()) return max.status();
    if (!count.ok()) return count.status();
    if (!hash.ok()) return hash.status();
    if (!cj["candidates"].is_array()) return Status::InvalidArgument(where + ": no candidates");
    for (const auto& name : cj["candidates"]) {
      if (!name.is_string()) return Status::InvalidArgument(where + ": candidates are names");
      c.candidates.push_back(name.get<std::string>());
    }
    if (code->empty() || code->size() > kMaxJurisdictionCodeLength || !seen.insert(*code).second ||
        c.candidates.empty() || c.candidates.size() > kMaxBallotCandidates || *min > *max ||
        *max > c.candidates.size()) {
      return Status::InvalidArgument(where + " is inconsistent");
    }
    c.jurisdiction = *code;
    c.min_selections = static_cast<uint32_t>(*min);
    c.max_selections = static_cast<uint32_t>(*max);
    c.credentials = *count;
    c.credentials_sha256 = *hash;
    m.contests.push_back(std::move(c));
  }
  auto ceremony = ParseCeremonyBody(j["trustees"], m.election);
  if (!ceremony.ok()) return ceremony.status().Context("the manifest");
  m.trustees = std::move(*ceremony);
  return m;
}

Bytes32 ManifestHash(std::string_view bytes) {
  return group::Sha256(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}

Bytes32 CredentialsHash(std::vector<Bytes32>& credentials) {
  std::sort(credentials.begin(), credentials.end());
  std::vector<uint8_t> all;
  all.reserve(credentials.size() * 32);
  for (const auto& c : credentials) all.insert(all.end(), c.begin(), c.end());
  return group::Sha256(all);
}

std::string CeremonyToJson(const verifiable::PublicCeremony& ceremony) {
  ordered_json j;
  j["format"] = kCeremonyFormat;
  j["election"] = ceremony.election;
  const ordered_json body = CeremonyBody(ceremony);
  for (const auto& [k, v] : body.items()) j[k] = v;
  return j.dump(1) + "\n";
}

Result<verifiable::PublicCeremony> ParseCeremony(std::string_view text, std::string_view election) {
  auto parsed = ParseStrictJson(text, "the trustees file");
  if (!parsed.ok()) return parsed.status();
  json j = *parsed;
  if (!j.is_object() || j["format"] != kCeremonyFormat || !j["election"].is_string()) {
    return Status::InvalidArgument("not a " + std::string(kCeremonyFormat) + " file");
  }
  if (j["election"] != election) {
    return Status::InvalidArgument("the trustees file is for election \"" +
                                   j["election"].get<std::string>() + "\", not \"" +
                                   std::string(election) + "\"");
  }
  j.erase("format");
  j.erase("election");
  return ParseCeremonyBody(j, election);
}

Manifest ManifestFor(const Election& election, const verifiable::PublicCeremony& trustees,
                     ResultsMode results, uint32_t live_min_ballots) {
  Manifest m;
  m.election = election.name();
  m.opens_at = FormatRfc3339(election.opens_at());
  m.closes_at = FormatRfc3339(election.closes_at());
  m.results = results;
  m.live_min_ballots = live_min_ballots;
  for (const auto& j : election.jurisdictions()) {
    Contest c;
    c.jurisdiction = j.code;
    for (auto idx : j.ballot) c.candidates.push_back(election.candidates()[idx]);
    m.contests.push_back(std::move(c));
  }
  m.trustees = trustees;
  return m;
}

}  // namespace landslide::record
