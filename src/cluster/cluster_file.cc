#include "cluster/cluster_file.h"

#include <nlohmann/json.hpp>

#include "os/files.h"

namespace landslide::cluster {

namespace fs = std::filesystem;
using nlohmann::json;

std::string ClusterInfoToJson(const ClusterInfo& info) {
  json regions = json::array();
  for (const auto& r : info.regions) {
    json j = {{"name", r.name}, {"http", r.http}, {"replica", r.replica}, {"pids", r.pids}};
    if (r.patroni) j["patroni"] = *r.patroni;
    regions.push_back(std::move(j));
  }
  json root = {{"db", info.db}, {"keys", info.keys}, {"regions", std::move(regions)}};
  return root.dump(2) + "\n";
}

Result<ClusterInfo> ClusterInfoFromJson(const std::string& text) {
  json root = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded() || !root.is_object()) {
    return Status::InvalidArgument("cluster file is not a JSON object");
  }
  ClusterInfo info;
  auto str = [](const json& j, const char* key, std::string& out) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) return false;
    out = it->get<std::string>();
    return true;
  };
  if (!str(root, "db", info.db) || !str(root, "keys", info.keys)) {
    return Status::InvalidArgument("cluster file lacks \"db\" or \"keys\"");
  }
  auto regions = root.find("regions");
  if (regions == root.end() || !regions->is_array()) {
    return Status::InvalidArgument("cluster file lacks \"regions\"");
  }
  for (const auto& r : *regions) {
    RegionInfo region;
    if (!r.is_object() || !str(r, "name", region.name) || !str(r, "http", region.http)) {
      return Status::InvalidArgument("a region in the cluster file lacks \"name\" or \"http\"");
    }
    str(r, "replica", region.replica);
    std::string patroni;
    if (str(r, "patroni", patroni)) region.patroni = patroni;
    if (auto pids = r.find("pids"); pids != r.end() && pids->is_object()) {
      for (const auto& [k, v] : pids->items()) {
        if (v.is_number_integer()) region.pids[k] = v.get<int>();
      }
    }
    info.regions.push_back(std::move(region));
  }
  return info;
}

Status WriteClusterFile(const fs::path& path, const ClusterInfo& info) {
  return os::WriteFileAtomically(path, ClusterInfoToJson(info));
}

Result<ClusterInfo> ReadClusterFile(const fs::path& path) {
  auto text = os::ReadWholeFile(path);
  if (!text.ok()) return text.status();
  auto info = ClusterInfoFromJson(*text);
  if (!info.ok()) return info.status().Context(path.string());
  return info;
}

std::string UpSettingsToJson(const UpSettings& s) {
  json j = {{"regions", s.regions},
            {"base_port", s.base_port},
            {"keys", s.keys},
            {"election", s.election},
            {"netns", s.netns}};
  return j.dump(2) + "\n";
}

Result<UpSettings> UpSettingsFromJson(const std::string& text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object() || !j.contains("regions") ||
      !j["regions"].is_number_integer() || !j.contains("base_port") ||
      !j["base_port"].is_number_integer()) {
    return Status::InvalidArgument("up.json is not what `landslide up` writes");
  }
  UpSettings s;
  s.regions = j["regions"].get<int>();
  s.base_port = j["base_port"].get<int>();
  if (j.contains("keys") && j["keys"].is_string()) s.keys = j["keys"].get<std::string>();
  if (j.contains("election") && j["election"].is_string()) {
    s.election = j["election"].get<std::string>();
  }
  // Absent in the up.json of clusters started before --netns existed.
  if (j.contains("netns") && j["netns"].is_boolean()) s.netns = j["netns"].get<bool>();
  return s;
}

const std::vector<std::string>& RegionNames() {
  static const std::vector<std::string> kNames = {"us-east", "us-central", "us-west"};
  return kNames;
}

RegionPorts PortsFor(int base_port, int index) {
  return {base_port + index, base_port + 10 + index, base_port + 20 + index, base_port + 30 + index,
          base_port + 40 + index};
}

}  // namespace landslide::cluster
