// A local Landslide cluster on loopback, as `landslide up` (and through it `landslide demo` and
// the tests) runs it: one region (PostgreSQL + serve) or three (etcd x3, Patroni x3 each running
// PostgreSQL, serve x3). The object owns every process it starts; Stop() (or its destructor)
// ends them in order.
//
//   UpContext ctx{...};
//   auto cluster = MakeLocalCluster(ctx);         // checks settings, starts nothing
//   Status s = (*cluster)->Start();               // every region healthy, or why not
//   s = (*cluster)->WriteClusterFile();           // DIR/cluster.json (docs/API.md)
//   while (!stop) (*cluster)->Check();            // reports processes that died
//   (*cluster)->Stop();
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cluster/cluster_file.h"
#include "common/status.h"

namespace landslide::cluster {

struct UpContext {
  std::filesystem::path dir;  // absolute
  UpSettings settings;
  std::string serve_binary;  // absolute path of the program run as `PROGRAM serve`
  // Empty: bring up the whole cluster. Otherwise bring back this region of a cluster that
  // another `landslide up` runs, starting whatever of it is down.
  std::string restart_region;
  std::function<void(const std::string&)> say;   // progress, one line (stdout)
  std::function<void(const std::string&)> warn;  // trouble that does not stop us (stderr)
  std::function<bool()> interrupted;             // true once SIGINT/SIGTERM arrived
};

class LocalCluster {
 public:
  virtual ~LocalCluster() = default;
  // Starts every region (or the one being restarted) and waits until each answers GET /health
  // with 200. On failure the caller should Stop().
  virtual Status Start() = 0;
  // Writes DIR/cluster.json; when restarting a region, only that region's entry changes.
  virtual Status WriteClusterFile() = 0;
  // One look at every process: a death is reported once through ctx.warn (tests kill processes
  // on purpose to simulate losing a region, so this never stops anything).
  virtual void Check() = 0;
  // Stops what this object started: the serves, then the databases, then etcd.
  virtual void Stop() = 0;
  // Removes cluster.json unless some region in it now belongs to another process.
  virtual void RemoveClusterFileIfOurs() = 0;
  // The regions this object runs (all, or the one restarted), for the user's summary.
  virtual std::vector<std::string> RegionNamesStarted() const = 0;
};

// A single-region or three-region cluster per ctx.settings.regions.
Result<std::unique_ptr<LocalCluster>> MakeLocalCluster(UpContext ctx);

// Writes `regions` into DIR/cluster.json. With `merge`, the file's other regions (and its "db"
// unless `db` is given) stay as they are; otherwise the file is replaced.
Status UpdateClusterFile(const std::filesystem::path& path, const std::string& db,
                         const std::string& keys, const std::vector<RegionInfo>& regions,
                         bool merge);

// True when no region of DIR/cluster.json has a serve that runs and is not one of `serve_pids`:
// the file describes only what we are about to stop (or what is gone already), so a clean stop
// may remove it. A region brought back by another `up --restart-region` keeps it alive.
bool ClusterFileIsOurs(const std::filesystem::path& path, const std::vector<int>& serve_pids);

}  // namespace landslide::cluster
