#include "cluster/ha_region.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <random>

#include "cluster/local_postgres.h"
#include "os/files.h"

namespace landslide::cluster {

namespace fs = std::filesystem;

std::string HaRegion::replica_conninfo() const {
  return "host=" + host + " port=" + std::to_string(ports.postgres) +
         " dbname=landslide user=landslide";
}

std::string HaRegion::superuser_conninfo(const std::string& database) const {
  return "host=" + ConnValue(PatroniSocketDir(patroni_options).string()) +
         " port=" + std::to_string(ports.postgres) + " dbname=" + database + " user=postgres";
}

RegionInfo HaRegion::Info() const {
  RegionInfo ri;
  ri.name = name;
  ri.http = http_url();
  ri.patroni = patroni_url();
  ri.replica = replica_conninfo();
  ri.pids = {{"serve", serve.pid},
             {"postgres", postgres_pid},
             {"patroni", patroni_pid},
             {"etcd", etcd_pid}};
  return ri;
}

std::vector<std::unique_ptr<HaRegion>> LayOutRegions(const fs::path& dir, int base_port,
                                                     const fs::path& pg_bin_dir,
                                                     const std::string& superuser_password,
                                                     const HaTimings& timings,
                                                     const RegionNetwork* network) {
  auto host_of = [network](int i) {
    return network ? network->addresses.at(static_cast<size_t>(i)) : std::string("127.0.0.1");
  };
  std::vector<EtcdPeer> peers;
  for (int i = 0; i < 3; ++i) {
    RegionPorts p = PortsFor(base_port, i);
    peers.push_back({RegionNames()[i], p.etcd_client, p.etcd_peer, host_of(i)});
  }
  std::vector<std::unique_ptr<HaRegion>> out;
  for (int i = 0; i < 3; ++i) {
    auto r = std::make_unique<HaRegion>();
    r->index = i;
    r->name = RegionNames()[i];
    r->ports = PortsFor(base_port, i);
    r->host = host_of(i);
    if (network) r->netns = network->NamespacePath(i);
    r->logs = dir / "logs";

    r->etcd_options.name = r->name;
    r->etcd_options.data_dir = dir / r->name / "etcd";
    r->etcd_options.cluster = peers;
    r->etcd_options.log_file = r->etcd_log();
    r->etcd_options.heartbeat = timings.etcd_heartbeat;
    r->etcd_options.election = timings.etcd_election;
    // If `up` is killed with SIGKILL, nothing it started lingers.
    r->etcd_options.parent_death_signal = SIGTERM;
    r->etcd_options.netns = r->netns;

    PatroniMemberOptions& po = r->patroni_options;
    po.name = r->name;
    po.dir = dir / r->name / "postgres";
    po.host = r->host;
    if (network) po.trusted_network = network->subnet;
    po.postgres_port = r->ports.postgres;
    po.rest_port = r->ports.patroni;
    po.etcd = peers;
    po.bin_dir = pg_bin_dir;
    po.superuser_password = superuser_password;
    po.timing = timings.patroni;
    out.push_back(std::move(r));
  }
  return out;
}

std::string PrimaryConninfo(const std::vector<std::unique_ptr<HaRegion>>& regions) {
  std::string hosts, ports;
  for (const auto& r : regions) {
    hosts += (hosts.empty() ? "" : ",") + r->host;
    ports += (ports.empty() ? "" : ",") + std::to_string(r->ports.postgres);
  }
  // libpq tries each member in turn and keeps the one that accepts writes: the primary, wherever
  // Patroni has put it.
  return "host=" + hosts + " port=" + ports +
         " dbname=landslide user=landslide target_session_attrs=read-write";
}

Result<std::string> LoadOrCreatePassword(const fs::path& path, bool create) {
  if (fs::exists(path)) {
    auto text = os::ReadWholeFile(path);
    if (!text.ok()) return text.status();
    std::string pw = *text;
    while (!pw.empty() && (pw.back() == '\n' || pw.back() == '\r')) pw.pop_back();
    if (pw.empty()) return Status::FailedPrecondition(path.string() + " is empty");
    return pw;
  }
  if (!create) {
    return Status::NotFound(path.string() +
                            " is missing; the cluster's superuser password is "
                            "kept there");
  }
  static constexpr char kAlphabet[] = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  std::random_device rd;  // the kernel's CSPRNG on Linux
  std::uniform_int_distribution<size_t> pick(0, sizeof(kAlphabet) - 2);
  std::string pw;
  for (int i = 0; i < 32; ++i) pw += kAlphabet[pick(rd)];
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Internal("cannot create " + path.string() + ": " + strerror(errno));
  std::string line = pw + "\n";
  bool ok = write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ok = fsync(fd) == 0 && ok;
  close(fd);
  if (!ok) return Status::Internal("cannot write " + path.string());
  return pw;
}

}  // namespace landslide::cluster
