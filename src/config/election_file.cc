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

}  // namespace

Result<Election> ParseElectionJson(std::string_view text) {
  auto parsed = ParseStrictJson(text, "the election file");
  if (!parsed.ok()) return parsed.status();
  const json& j = *parsed;
  LANDSLIDE_RETURN_IF_ERROR(CheckJsonKeys(j, {"name", "opens_at", "closes_at", "jurisdictions"},
                                          "the election", {"name"}));
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
  return std::move(*e);
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
  j["jurisdictions"] = nlohmann::ordered_json::array();
  for (const auto& jur : e.jurisdictions()) {
    std::vector<std::string> names;
    for (auto c : jur.ballot) names.push_back(e.candidates()[c]);
    j["jurisdictions"].push_back({{"code", jur.code}, {"name", jur.name}, {"candidates", names}});
  }
  return j.dump(2);
}

}  // namespace landslide
