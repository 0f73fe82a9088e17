// The files `landslide up` keeps in its --dir, and where each region's pieces live there.
//
//   DIR/cluster.json   what scripts and tests read (docs/API.md): written atomically once every
//                      region is healthy, removed when `up` stops cleanly
//   DIR/up.json        how `up` was started (regions, base port, keys, election), so that
//                      `up --restart-region NAME` brings a region back exactly as it was
//   DIR/keys/          the election's keys unless --keys says otherwise
//   DIR/logs/          one log per process: <region>-serve.log, <region>-postgres.log
//   DIR/<region>/      a region's state, e.g. DIR/us-east/postgres/
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace landslide::cluster {

struct RegionInfo {
  std::string name;
  std::string http;                    // "http://127.0.0.1:7000"
  std::optional<std::string> patroni;  // its REST API; absent for a single region
  std::string replica;                 // conninfo of the region's standby
  std::map<std::string, int> pids;     // "serve", "postgres", "patroni", "etcd"
};

struct ClusterInfo {
  std::string db;    // conninfo reaching the primary
  std::string keys;  // keys directory
  std::vector<RegionInfo> regions;
};

std::string ClusterInfoToJson(const ClusterInfo& info);
Result<ClusterInfo> ClusterInfoFromJson(const std::string& text);
// Written to a temporary file, flushed to disk and renamed: readers see all of it or nothing.
Status WriteClusterFile(const std::filesystem::path& path, const ClusterInfo& info);
Result<ClusterInfo> ReadClusterFile(const std::filesystem::path& path);

struct UpSettings {
  int regions = 1;
  int base_port = 7000;
  std::string keys;      // absolute
  std::string election;  // absolute, or empty for the default election
  bool netns = false;    // each region in a network namespace of its own (RegionNetwork)
};
std::string UpSettingsToJson(const UpSettings& s);
Result<UpSettings> UpSettingsFromJson(const std::string& text);

// Region names in order; a cluster of N regions uses the first N.
const std::vector<std::string>& RegionNames();

// Ports of region `index` (0-based) from --base-port P: the sites are P, P+1, P+2 so people can
// guess them; the servers behind them sit in blocks of ten above.
struct RegionPorts {
  int http;
  int postgres;
  int patroni;
  int etcd_client;
  int etcd_peer;
};
RegionPorts PortsFor(int base_port, int index);

}  // namespace landslide::cluster
