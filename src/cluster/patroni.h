// One Patroni member: the process that runs a region's PostgreSQL, takes the leader lock in etcd
// or follows whoever holds it, and answers a REST API. This file owns the member's configuration
// (a YAML file generated from PatroniMemberOptions, so every setting Landslide depends on is
// written down in one place), starting the member as an unprivileged user, and reading the
// cluster's state from the REST API.
//
// Layout under PatroniMemberOptions::dir (DIR/<region>/postgres), owned by the server's user:
//   data/      PGDATA, created by Patroni (initdb on the first leader, a base backup elsewhere)
//   run/       the unix socket, mode 0700: only that user and root reach the trusted local socket
//   pgpass     written by Patroni for replication and pg_rewind connections
//   patroni.yml
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cluster/etcd.h"
#include "common/status.h"
#include "os/process.h"

namespace landslide::cluster {

// How quickly Patroni notices a dead leader. A dead primary's leader key lives `ttl` seconds after
// its last renewal, so the write gap after losing the primary region is about ttl + the etcd
// election + promotion + the surviving standby reconnecting (measured: see DESIGN.md).
// Patroni requires loop_wait + 2 x retry_timeout <= ttl, all whole seconds.
struct PatroniTiming {
  int ttl = 5;
  int loop_wait = 1;
  int retry_timeout = 2;
};
Status CheckTiming(const PatroniTiming& t);

struct PatroniMemberOptions {
  std::string scope = "landslide";  // the cluster's name in etcd
  std::string name;                 // this member (the region's name)
  std::filesystem::path dir;        // see the layout above
  std::string host = "127.0.0.1";   // where PostgreSQL and the REST API listen
  int postgres_port = 0;
  int rest_port = 0;
  // Where the other members, the serves and `up` connect from: the application role and
  // replication are trusted from there, the superuser needs its password.
  std::string trusted_network = "127.0.0.1/32";
  std::vector<EtcdPeer> etcd;
  std::filesystem::path bin_dir;  // PostgreSQL's initdb, postgres, pg_rewind...
  // Password of the `postgres` superuser, which pg_rewind uses over TCP. Everything else is
  // trusted on loopback (the application role and replication) or on the private socket.
  std::string superuser_password;
  std::string app_role = "landslide";
  std::string replication_user = "replicator";
  PatroniTiming timing;
  std::string shared_buffers = "256MB";
};

std::filesystem::path PatroniDataDir(const PatroniMemberOptions& o);
std::filesystem::path PatroniSocketDir(const PatroniMemberOptions& o);
std::filesystem::path PatroniConfigPath(const PatroniMemberOptions& o);

// The member's patroni.yml.
std::string PatroniConfigYaml(const PatroniMemberOptions& o);

// Creates the member's directories and writes its configuration, owned by `os_user` when we are
// root (PostgreSQL refuses to run as root), then starts `patroni` as that user. Its output (and
// that of the PostgreSQL it starts) is appended to `log_file`.
struct PatroniStart {
  std::string os_user = "postgres";
  std::filesystem::path log_file;
  std::optional<int> parent_death_signal;
  std::filesystem::path netns;  // see os::ProcessOptions
  std::string patroni_binary = "patroni";
};
Result<os::Process> StartPatroni(const PatroniMemberOptions& o, const PatroniStart& how);

// One row of GET /cluster.
struct PatroniMember {
  std::string name;
  std::string role;   // "leader", "sync_standby", "replica"
  std::string state;  // "running", "starting", "stopped", "creating replica", ...
  int port = 0;       // its PostgreSQL
  std::optional<int> timeline;
  std::optional<int64_t> lag;  // bytes behind the leader; absent for the leader or when unknown
};
Result<std::vector<PatroniMember>> ParsePatroniCluster(const std::string& json);
// GET /cluster from the member whose REST API is on host:rest_port.
Result<std::vector<PatroniMember>> GetPatroniCluster(const std::string& host, int rest_port,
                                                     std::chrono::milliseconds timeout);
// The same from "http://HOST:PORT" (cluster.json's "patroni").
Result<std::vector<PatroniMember>> GetPatroniCluster(const std::string& rest_url,
                                                     std::chrono::milliseconds timeout);
// GET /patroni: what the member itself says (name, role, state, timeline). Unlike /cluster,
// which reads member keys from etcd that outlive a killed member by up to ttl seconds, only a
// live Patroni answers this.
Result<PatroniMember> GetPatroniSelf(const std::string& host, int rest_port,
                                     std::chrono::milliseconds timeout);
// The running member with `role`, if any.
const PatroniMember* FindRunning(const std::vector<PatroniMember>& members, std::string_view role);
const PatroniMember* FindMember(const std::vector<PatroniMember>& members, std::string_view name);
// "us-east leader running, us-central sync_standby running, ..." for progress and errors.
std::string DescribeMembers(const std::vector<PatroniMember>& members);

// Stops a postmaster that outlived its Patroni (Patroni puts PostgreSQL in a session of its own,
// so killing Patroni leaves it running). Only a process that still is the postmaster of
// `data_dir` is signalled: fast shutdown, then immediate after `grace`.
Status StopOrphanPostmaster(pid_t pid, const std::filesystem::path& data_dir,
                            std::chrono::milliseconds grace);
// True if `pid` runs a PostgreSQL server on `data_dir` (checked in /proc, so a recycled pid is
// not mistaken for it).
bool IsPostmasterOf(pid_t pid, const std::filesystem::path& data_dir);

}  // namespace landslide::cluster
