// One member of the small etcd cluster that Patroni keeps its leader lock in: `landslide up
// --regions 3` runs one member per region, all on loopback. A member keeps its identity in its
// data directory, so after a kill -9 the same command line brings it back into the cluster.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "os/process.h"

namespace landslide::cluster {

struct EtcdPeer {
  std::string name;
  int client_port = 0;
  int peer_port = 0;
  std::string host = "127.0.0.1";  // where it listens and what it advertises
};

struct EtcdOptions {
  std::string name;  // must be one of `cluster`
  std::filesystem::path data_dir;
  std::vector<EtcdPeer> cluster;  // every member, this one included
  // Distinguishes this cluster from any other on the machine: members of another cluster that
  // happen to reach our peer ports are refused.
  std::string cluster_token = "landslide";
  std::filesystem::path log_file;
  // Raft timings. On loopback a round trip is microseconds, so a short heartbeat is safe, and a
  // short election timeout makes losing the etcd leader cost about half a second instead of two.
  // etcd advises election >= 10 x heartbeat.
  std::chrono::milliseconds heartbeat{50};
  std::chrono::milliseconds election{500};
  std::optional<int> parent_death_signal;  // see os::ProcessOptions
  std::filesystem::path netns;             // see os::ProcessOptions
  std::string etcd_binary = "etcd";
};

// The member's port pair, or nullopt when `name` is not in `cluster`.
std::optional<EtcdPeer> FindPeer(const EtcdOptions& options);
// The command line that runs the member.
Result<std::vector<std::string>> EtcdArgv(const EtcdOptions& options);
// "HOST1:C1,HOST2:C2,..." as Patroni's etcd3 `hosts` wants it.
std::string EtcdClientHosts(const std::vector<EtcdPeer>& cluster);

// Starts the member (creating its data directory's parent if needed). It answers once a quorum of
// members runs; see WaitForEtcdHealthy.
Result<os::Process> StartEtcd(const EtcdOptions& options);

// Polls GET /health on the member's client address until it reports a healthy cluster (which
// needs a quorum with a leader). `keep_going` is called between attempts; a non-OK status ends
// the wait.
Status WaitForEtcdHealthy(const std::string& host, int client_port,
                          std::chrono::milliseconds timeout,
                          const std::function<Status()>& keep_going = nullptr);

}  // namespace landslide::cluster
