// `landslide up --netns`: one Linux network namespace per region, so that a test can cut a
// region off from the others (routes inside its namespace) while still reaching it from the host.
// Without it every region shares loopback and no partition can be made.
//
//   root namespace:  bridge ls<P>br, 10.A.B.254/24      (A.B = the base port P as two bytes)
//   ls<P>-0:         eth0 10.A.B.1/24, lo  <-- veth ls<P>v0 on the bridge
//   ls<P>-1:         eth0 10.A.B.2/24, lo  <-- veth ls<P>v1 on the bridge
//   ls<P>-2:         eth0 10.A.B.3/24, lo  <-- veth ls<P>v2 on the bridge
//
// Names and the subnet derive from the base port, so clusters with different base ports never
// collide. Region i's processes join ls<P>-i (ProcessOptions::netns), listen on 10.A.B.(i+1) and
// advertise that address; the ports stay those of PortsFor. Created with iproute2 (`ip`), which
// needs CAP_NET_ADMIN and CAP_SYS_ADMIN (root).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/status.h"

namespace landslide::cluster {

struct RegionNetwork {
  int base_port = 0;
  std::string bridge;                   // "ls7000br"
  std::string bridge_address;           // "10.27.88.254", the host's address on the bridge
  std::string subnet;                   // "10.27.88.0/24"
  std::vector<std::string> namespaces;  // "ls7000-0", ...
  std::vector<std::string> addresses;   // "10.27.88.1", ...
  std::vector<std::string> veths;       // host ends: "ls7000v0", ...

  // /run/netns/<name>, what `ip netns add` creates and ProcessOptions::netns joins.
  std::filesystem::path NamespacePath(int region) const;
};

// The layout for `regions` regions of the cluster with `base_port` (1024..65535). Pure.
RegionNetwork PlanRegionNetwork(int base_port, int regions);

// True when `subnet` (a.b.c.d/len) overlaps the IPv4 route `dest`/`mask` (host byte order).
bool SubnetsOverlap(uint32_t a, uint32_t a_mask, uint32_t b, uint32_t b_mask);

// Creates the bridge, the namespaces and their links, removing leftovers of an earlier run with
// the same base port first (an `up` killed with SIGKILL cannot clean up). Refuses when the subnet
// is routed elsewhere on this machine or a namespace of that name still holds processes. `log`
// receives the output of each `ip` command.
Status CreateRegionNetwork(const RegionNetwork& net, const std::filesystem::path& log);

// Deletes the namespaces and the bridge (their veths go with them). Best effort: what is already
// gone is fine; the first failure is returned.
Status RemoveRegionNetwork(const RegionNetwork& net, const std::filesystem::path& log);

// True if any namespace of `net` or its bridge exists.
bool RegionNetworkExists(const RegionNetwork& net);

// OK if region `index`'s namespace exists (for `up --restart-region` of a --netns cluster).
Status CheckRegionNamespace(const RegionNetwork& net, int index);

}  // namespace landslide::cluster
