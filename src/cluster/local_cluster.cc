#include "cluster/local_cluster.h"

#include <algorithm>

#include "cluster/ha_cluster.h"
#include "cluster/single_region.h"
#include "os/process.h"

namespace landslide::cluster {

namespace fs = std::filesystem;

Result<std::unique_ptr<LocalCluster>> MakeLocalCluster(UpContext ctx) {
  if (!ctx.say) ctx.say = [](const std::string&) {};
  if (!ctx.warn) ctx.warn = [](const std::string&) {};
  if (!ctx.interrupted) ctx.interrupted = [] { return false; };
  switch (ctx.settings.regions) {
    case 1:
      return MakeSingleRegionCluster(std::move(ctx));
    case 3:
      return MakeHaCluster(std::move(ctx));
    default:
      return Status::InvalidArgument("a local cluster has 1 or 3 regions, not " +
                                     std::to_string(ctx.settings.regions));
  }
}

Status UpdateClusterFile(const fs::path& path, const std::string& db, const std::string& keys,
                         const std::vector<RegionInfo>& regions, bool merge) {
  ClusterInfo info;
  if (merge) {
    // Keep the other regions' entries as the `up` that runs them wrote them.
    auto old = ReadClusterFile(path);
    if (old.ok()) info = std::move(*old);
  }
  if (!db.empty()) info.db = db;
  info.keys = keys;
  for (const RegionInfo& ri : regions) {
    auto it = std::find_if(info.regions.begin(), info.regions.end(),
                           [&](const RegionInfo& e) { return e.name == ri.name; });
    if (it != info.regions.end()) {
      *it = ri;
    } else {
      info.regions.push_back(ri);
    }
  }
  // Regions in the order of RegionNames(), whatever order the entries arrived in.
  const auto& names = RegionNames();
  auto rank = [&](const RegionInfo& r) {
    return std::find(names.begin(), names.end(), r.name) - names.begin();
  };
  std::stable_sort(info.regions.begin(), info.regions.end(),
                   [&](const RegionInfo& a, const RegionInfo& b) { return rank(a) < rank(b); });
  return WriteClusterFile(path, info);
}

bool ClusterFileIsOurs(const fs::path& path, const std::vector<int>& serve_pids) {
  auto info = ReadClusterFile(path);
  if (!info.ok()) return false;
  for (const auto& ri : info->regions) {
    auto it = ri.pids.find("serve");
    if (it == ri.pids.end() || it->second <= 0) continue;
    const bool ours =
        std::find(serve_pids.begin(), serve_pids.end(), it->second) != serve_pids.end();
    if (!ours && !os::IsGone(it->second)) return false;
  }
  return true;
}

}  // namespace landslide::cluster
