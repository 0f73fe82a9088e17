#include "config/election_file.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <vector>

#include "common/strict_json.h"

namespace landslide {

using nlohmann::json;

namespace {

Result<std::string> GetString(const json& obj, const std::string& key, const std::string& where) {
  if (!obj.contains(key)) return std::string();
  if (!obj[key].is_string())
    return Status::InvalidArgument(where + "." + key + " must be a string");
  return obj[key].get<std::string>();
}

// "ballots": "verifiable" | "sealed" (default verifiable, as CONTRACT.md says); "results":
// "after_close" | "live" (default: after_close for verifiable ballots, live for sealed ones,
// which can only be live); "live_min_ballots": K of the verifiable live mode, 1 to 1000000
// (default 100).
Result<BallotPolicy> ParsePolicy(const json& j) {
  BallotPolicy p;
  auto ballots = GetString(j, "ballots", "election");
  auto results = GetString(j, "results", "election");
  if (!ballots.ok()) return ballots.status();
  if (!results.ok()) return results.status();
  if (ballots->empty() || *ballots == "verifiable") {
    p.scheme = BallotScheme::kVerifiable;
    p.results = ResultsMode::kAfterClose;
  } else if (*ballots != "sealed") {
    return Status::InvalidArgument("\"ballots\" must be \"verifiable\" or \"sealed\", not \"" +
                                   *ballots + "\"");
  }
  if (*results == "live") {
    p.results = ResultsMode::kLive;
  } else if (*results == "after_close") {
    if (p.scheme == BallotScheme::kSealed) {
      return Status::InvalidArgument(
          "\"results\": \"after_close\" needs \"ballots\": \"verifiable\" (the sealed scheme "
          "counts live)");
    }
  } else if (!results->empty()) {
    return Status::InvalidArgument("\"results\" must be \"after_close\" or \"live\", not \"" +
                                   *results + "\"");
  }
  if (j.contains("live_min_ballots")) {
    const json& k = j["live_min_ballots"];
    if (!k.is_number_unsigned() || k.get<uint64_t>() < 1 || k.get<uint64_t>() > 1000000) {
      return Status::InvalidArgument(
          "\"live_min_ballots\" must be a whole number from 1 to 1000000");
    }
    p.live_min_ballots = k.get<uint32_t>();
  }
  return p;
}

}  // namespace

Result<Election> ParseElectionJson(std::string_view text) {
  auto parsed = ParseStrictJson(text, "the election file");
  if (!parsed.ok()) return parsed.status();
  const json& j = *parsed;
  LANDSLIDE_RETURN_IF_ERROR(CheckJsonKeys(
      j,
      {"name", "opens_at", "closes_at", "jurisdictions", "ballots", "results", "live_min_ballots"},
      "the election", {"name", "ballots", "results", "live_min_ballots"}));
  auto policy = ParsePolicy(j);
  if (!policy.ok()) return policy.status();
  auto name = GetString(j, "name", "election");
  auto opens = GetString(j, "opens_at", "election");
  auto closes = GetString(j, "closes_at", "election");
  for (const auto* r : {&name, &opens, &closes}) {
    if (!r->ok()) return r->status();
  }
  if (name->empty()) return Status::InvalidArgument("the election is missing \"name\"");
  auto opens_at = ParseRfc3339(*opens);
  if (!opens_at) return Status::InvalidArgument("opens_at is not an RFC 3339 time: " + *opens);
  auto closes_at = ParseRfc3339(*closes);
  if (!closes_at) return Status::InvalidArgument("closes_at is not an RFC 3339 time: " + *closes);
  if (!j["jurisdictions"].is_array()) {
    return Status::InvalidArgument("\"jurisdictions\" must be an array");
  }
  std::vector<Election::JurisdictionBallot> ballots;
  int i = 0;
  for (const auto& jur : j["jurisdictions"]) {
    std::string where = "jurisdictions[" + std::to_string(i++) + "]";
    LANDSLIDE_RETURN_IF_ERROR(CheckJsonKeys(jur, {"code", "name", "candidates"}, where, {"name"}));
    auto code = GetString(jur, "code", where);
    auto jname = GetString(jur, "name", where);
    if (!code.ok()) return code.status();
    if (!jname.ok()) return jname.status();
    if (!jur["candidates"].is_array()) {
      return Status::InvalidArgument(where + ".candidates must be an array of names");
    }
    Election::JurisdictionBallot b{*code, *jname, {}};
    for (const auto& c : jur["candidates"]) {
      if (!c.is_string()) {
        return Status::InvalidArgument(where + ".candidates must be an array of names");
      }
      b.candidates.push_back(c.get<std::string>());
    }
    ballots.push_back(std::move(b));
  }
  std::string error;
  auto e = Election::Create(*name, *opens_at, *closes_at, ballots, &error);
  if (!e) return Status::InvalidArgument(error);
  return e->WithPolicy(*policy);
}

Result<Election> LoadElectionFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("cannot read election file " + path.string());
  std::stringstream ss;
  ss << in.rdbuf();
  auto e = ParseElectionJson(ss.str());
  if (!e.ok()) return e.status().Context(path.string());
  return e;
}

std::string ElectionToJson(const Election& e) {
  nlohmann::ordered_json j;
  j["name"] = e.name();
  j["opens_at"] = FormatRfc3339(e.opens_at());
  j["closes_at"] = FormatRfc3339(e.closes_at());
  j["ballots"] = e.verifiable() ? "verifiable" : "sealed";
  if (e.verifiable()) {
    j["results"] = e.policy().results == ResultsMode::kLive ? "live" : "after_close";
    j["live_min_ballots"] = e.policy().live_min_ballots;
  }
  j["jurisdictions"] = nlohmann::ordered_json::array();
  for (const auto& jur : e.jurisdictions()) {
    std::vector<std::string> names;
    for (auto c : jur.ballot) names.push_back(e.candidates()[c]);
    j["jurisdictions"].push_back({{"code", jur.code}, {"name", jur.name}, {"candidates", names}});
  }
  return j.dump(2);
}

}  // namespace landslide
