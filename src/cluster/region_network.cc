#include "cluster/region_network.h"

#include <arpa/inet.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <thread>

#include "os/process.h"

namespace landslide::cluster {

namespace fs = std::filesystem;

namespace {

const fs::path kNetnsDir = "/run/netns";

// Runs `ip ARGS...` to completion; on failure the error carries what it printed.
Status RunIp(const std::vector<std::string>& args, const fs::path& log) {
  std::error_code ec;
  const std::uintmax_t offset = fs::exists(log) ? fs::file_size(log, ec) : 0;
  os::ProcessOptions o;
  o.argv = {"ip"};
  o.argv.insert(o.argv.end(), args.begin(), args.end());
  o.log_file = log;
  auto p = os::Process::Spawn(o);
  std::string command = "ip";
  for (const auto& a : args) command += " " + a;
  if (!p.ok()) return p.status().Context(command);
  auto exit = p->Wait(std::chrono::seconds(10));
  if (exit.ok() && exit->success()) return Status::Ok();
  std::string said;
  std::ifstream in(log, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(offset));
  std::getline(in, said);
  return Status::Unavailable("`" + command + "` " +
                             (exit.ok() ? exit->ToString() : exit.status().message()) +
                             (said.empty() ? "" : ": " + said));
}

bool LinkExists(const std::string& name) { return fs::exists(fs::path("/sys/class/net") / name); }

// Processes whose network namespace is the one bound at `path` (compared by inode, as the kernel
// identifies namespaces).
std::vector<pid_t> PidsIn(const fs::path& path) {
  std::vector<pid_t> out;
  struct stat want {};
  if (stat(path.c_str(), &want) != 0) return out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    struct stat st {};
    if (stat((entry.path() / "ns" / "net").c_str(), &st) == 0 && st.st_ino == want.st_ino &&
        st.st_dev == want.st_dev) {
      out.push_back(static_cast<pid_t>(std::stol(name)));
    }
  }
  return out;
}

uint32_t Ipv4(const std::string& dotted) {
  in_addr a{};
  inet_pton(AF_INET, dotted.c_str(), &a);
  return ntohl(a.s_addr);
}

// The first route of this machine (root namespace) that overlaps `net`'s subnet, as
// "DEST/LEN dev IFACE", or empty.
std::string OverlappingRoute(const RegionNetwork& net) {
  const uint32_t ours = Ipv4(net.bridge_address) & 0xffffff00u;
  std::ifstream in("/proc/net/route");
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string iface, dest_hex, gateway, flags, refcnt, use, metric, mask_hex;
    if (!(fields >> iface >> dest_hex >> gateway >> flags >> refcnt >> use >> metric >> mask_hex)) {
      continue;
    }
    // The kernel prints addresses as host-order hex of the network-order value.
    const uint32_t dest = ntohl(static_cast<uint32_t>(std::stoul(dest_hex, nullptr, 16)));
    const uint32_t mask = ntohl(static_cast<uint32_t>(std::stoul(mask_hex, nullptr, 16)));
    if (mask == 0 || iface == net.bridge) continue;  // the default route reaches everything
    if (SubnetsOverlap(ours, 0xffffff00u, dest, mask)) {
      in_addr a{htonl(dest)};
      char text[INET_ADDRSTRLEN] = {0};
      inet_ntop(AF_INET, &a, text, sizeof text);
      return std::string(text) + "/" + std::to_string(__builtin_popcount(mask)) + " dev " + iface;
    }
  }
  return "";
}

}  // namespace

fs::path RegionNetwork::NamespacePath(int region) const {
  return kNetnsDir / namespaces.at(static_cast<size_t>(region));
}

RegionNetwork PlanRegionNetwork(int base_port, int regions) {
  RegionNetwork n;
  n.base_port = base_port;
  const std::string p = std::to_string(base_port);
  const std::string prefix = "10." + std::to_string((base_port >> 8) & 0xff) + "." +
                             std::to_string(base_port & 0xff) + ".";
  n.bridge = "ls" + p + "br";
  n.bridge_address = prefix + "254";
  n.subnet = prefix + "0/24";
  for (int i = 0; i < regions; ++i) {
    n.namespaces.push_back("ls" + p + "-" + std::to_string(i));
    n.addresses.push_back(prefix + std::to_string(i + 1));
    n.veths.push_back("ls" + p + "v" + std::to_string(i));
  }
  return n;
}

bool SubnetsOverlap(uint32_t a, uint32_t a_mask, uint32_t b, uint32_t b_mask) {
  const uint32_t common = a_mask & b_mask;  // the shorter prefix
  return (a & common) == (b & common);
}

Status CreateRegionNetwork(const RegionNetwork& net, const fs::path& log) {
  if (geteuid() != 0) {
    return Status::FailedPrecondition("network namespaces and a bridge can only be made as root");
  }
  if (!os::ResolveProgram("ip").ok()) {
    return Status::NotFound("the ip program is missing (Debian: apt-get install iproute2)");
  }
  for (const std::string& ns : net.namespaces) {
    if (auto pids = PidsIn(kNetnsDir / ns); !pids.empty()) {
      return Status::Unavailable("network namespace " + ns + " is in use (pid " +
                                 std::to_string(pids.front()) +
                                 "): is a cluster with this --base-port running already?");
    }
  }
  LANDSLIDE_RETURN_IF_ERROR(RemoveRegionNetwork(net, log));
  // The kernel tears a deleted namespace's links down in the background; their names must be
  // free before we make them again.
  for (int i = 0; i < 200; ++i) {
    bool left = false;
    for (const auto& veth : net.veths) left = left || LinkExists(veth);
    if (!left) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (std::string route = OverlappingRoute(net); !route.empty()) {
    return Status::FailedPrecondition(
        "the subnet " + net.subnet + " that --base-port " + std::to_string(net.base_port) +
        " gives is already routed on this machine (" + route + "); choose another --base-port");
  }
  LANDSLIDE_RETURN_IF_ERROR(RunIp({"link", "add", net.bridge, "type", "bridge"}, log));
  LANDSLIDE_RETURN_IF_ERROR(
      RunIp({"addr", "add", net.bridge_address + "/24", "dev", net.bridge}, log));
  LANDSLIDE_RETURN_IF_ERROR(RunIp({"link", "set", net.bridge, "up"}, log));
  for (size_t i = 0; i < net.namespaces.size(); ++i) {
    const std::string& ns = net.namespaces[i];
    const std::string& veth = net.veths[i];
    LANDSLIDE_RETURN_IF_ERROR(RunIp({"netns", "add", ns}, log));
    LANDSLIDE_RETURN_IF_ERROR(
        RunIp({"link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns}, log));
    LANDSLIDE_RETURN_IF_ERROR(RunIp({"link", "set", veth, "master", net.bridge, "up"}, log));
    LANDSLIDE_RETURN_IF_ERROR(
        RunIp({"-n", ns, "addr", "add", net.addresses[i] + "/24", "dev", "eth0"}, log));
    LANDSLIDE_RETURN_IF_ERROR(RunIp({"-n", ns, "link", "set", "eth0", "up"}, log));
    // PostgreSQL, Patroni and etcd expect a working loopback even when they do not listen on it.
    LANDSLIDE_RETURN_IF_ERROR(RunIp({"-n", ns, "link", "set", "lo", "up"}, log));
  }
  return Status::Ok();
}

Status RemoveRegionNetwork(const RegionNetwork& net, const fs::path& log) {
  Status first = Status::Ok();
  auto keep = [&first](Status s) {
    if (first.ok() && !s.ok()) first = std::move(s);
  };
  for (size_t i = 0; i < net.namespaces.size(); ++i) {
    if (fs::exists(kNetnsDir / net.namespaces[i])) {
      // The kernel deletes the veth pair with the namespace (a moment later).
      keep(RunIp({"netns", "del", net.namespaces[i]}, log));
    } else if (LinkExists(net.veths[i])) {
      Status s = RunIp({"link", "del", net.veths[i]}, log);  // half made by an earlier run
      if (LinkExists(net.veths[i])) keep(s);
    }
  }
  if (LinkExists(net.bridge)) keep(RunIp({"link", "del", net.bridge}, log));
  return first;
}

bool RegionNetworkExists(const RegionNetwork& net) {
  for (const auto& ns : net.namespaces) {
    if (fs::exists(kNetnsDir / ns)) return true;
  }
  return LinkExists(net.bridge);
}

Status CheckRegionNamespace(const RegionNetwork& net, int index) {
  const fs::path path = net.NamespacePath(index);
  if (fs::exists(path) && LinkExists(net.bridge)) return Status::Ok();
  return Status::FailedPrecondition(
      "the network namespace " + path.string() +
      " is gone, so this region cannot rejoin; is the `landslide up --netns` that made it still "
      "running?");
}

}  // namespace landslide::cluster
