// One region of a three-region local cluster: where its pieces live and which of them run.
//
//   DIR/<region>/etcd/         the etcd member's data (its identity: it rejoins from here)
//   DIR/<region>/postgres/     Patroni's member: data/, run/ (socket), pgpass, patroni.yml
//   DIR/logs/<region>-etcd.log, <region>-patroni.log (Patroni and its PostgreSQL),
//   DIR/logs/<region>-serve.log
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cluster/cluster_file.h"
#include "cluster/etcd.h"
#include "cluster/patroni.h"
#include "cluster/region_network.h"
#include "cluster/serve_process.h"
#include "os/process.h"

namespace landslide::cluster {

// Timings of the three-region cluster, chosen so that kill -9 of the primary region's processes
// costs at most about 10 s of writes on one machine (see DESIGN.md for the measurements).
struct HaTimings {
  PatroniTiming patroni;
  std::chrono::milliseconds etcd_heartbeat{50};
  std::chrono::milliseconds etcd_election{500};
};

struct HaRegion {
  int index = 0;
  std::string name;
  RegionPorts ports{};
  // Where its servers listen and what they advertise: 127.0.0.1, or with --netns the region's
  // address in its own network namespace (`netns`, empty without).
  std::string host = "127.0.0.1";
  std::filesystem::path netns;
  std::filesystem::path logs;  // DIR/logs
  EtcdOptions etcd_options;
  PatroniMemberOptions patroni_options;

  std::optional<os::Process> etcd;  // what we started; the pids may also be ones we left running
  pid_t etcd_pid = -1;
  std::optional<os::Process> patroni;
  pid_t patroni_pid = -1;
  pid_t postgres_pid = -1;  // the postmaster Patroni runs (read from postmaster.pid)
  ServeHandle serve;

  bool reported_etcd = false;
  bool reported_patroni = false;
  bool reported_postgres = false;

  std::filesystem::path data_dir() const { return PatroniDataDir(patroni_options); }
  std::filesystem::path etcd_log() const { return logs / (name + "-etcd.log"); }
  std::filesystem::path patroni_log() const { return logs / (name + "-patroni.log"); }
  std::filesystem::path serve_log() const { return logs / (name + "-serve.log"); }
  // This member's own server, whatever its role: the region's `--replica`.
  std::string replica_conninfo() const;
  // The `postgres` superuser over the member's private unix socket (trusted there).
  std::string superuser_conninfo(const std::string& database = "postgres") const;
  std::string patroni_url() const { return "http://" + host + ":" + std::to_string(ports.patroni); }
  std::string http_url() const { return "http://" + host + ":" + std::to_string(ports.http); }
  // The region's entry in cluster.json.
  RegionInfo Info() const;
};

// The three regions of the cluster in DIR with `base_port`: ports from PortsFor, etcd peers, and
// each member's Patroni options; with `network`, each region in its namespace at its address.
// Starts nothing.
std::vector<std::unique_ptr<HaRegion>> LayOutRegions(const std::filesystem::path& dir,
                                                     int base_port,
                                                     const std::filesystem::path& pg_bin_dir,
                                                     const std::string& superuser_password,
                                                     const HaTimings& timings,
                                                     const RegionNetwork* network = nullptr);

// The libpq conninfo that reaches whichever member is the primary (docs/API.md's "db").
std::string PrimaryConninfo(const std::vector<std::unique_ptr<HaRegion>>& regions);

// The superuser's password (used by pg_rewind over TCP): DIR/postgres.password, created with
// 0600 and random content on the first start, read on later ones.
Result<std::string> LoadOrCreatePassword(const std::filesystem::path& path, bool create);

}  // namespace landslide::cluster
