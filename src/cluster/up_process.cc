#include "cluster/up_process.h"

#include <unistd.h>

#include <csignal>
#include <random>
#include <thread>

#include "cluster/local_postgres.h"

namespace landslide::cluster {

namespace fs = std::filesystem;

Result<UpProcess> UpProcess::Start(UpProcessOptions o) {
  if (o.log_file.empty()) {
    o.log_file =
        o.dir / (o.restart_region.empty() ? "up.log" : "up-restart-" + o.restart_region + ".log");
  }
  std::error_code ec;
  fs::create_directories(o.dir, ec);
  if (ec) return Status::Internal("cannot create " + o.dir.string() + ": " + ec.message());
  ProcessOptions po;
  po.argv = {o.binary, "up", "--dir", o.dir.string()};
  if (o.restart_region.empty()) {
    for (const std::string& a : {std::string("--regions"), std::to_string(o.regions),
                                 std::string("--base-port"), std::to_string(o.base_port)}) {
      po.argv.push_back(a);
    }
  } else {
    po.argv.push_back("--restart-region");
    po.argv.push_back(o.restart_region);
  }
  po.argv.insert(po.argv.end(), o.extra_args.begin(), o.extra_args.end());
  po.log_file = o.log_file;
  po.parent_death_signal = o.parent_death_signal;
  // `up` stops three serves, three Patroni members and etcd in turn.
  po.stop_grace = std::chrono::seconds(120);
  auto p = Process::Spawn(po);
  if (!p.ok()) return p.status().Context("starting landslide up");
  return UpProcess(std::move(o), std::move(*p));
}

Result<ClusterInfo> UpProcess::WaitForClusterFile(
    std::chrono::milliseconds timeout, const std::function<bool(const ClusterInfo&)>& ready) {
  const fs::path path = options_.dir / "cluster.json";
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (fs::exists(path)) {
      auto info = ReadClusterFile(path);
      if (info.ok() && (!ready || ready(*info))) return info;
    }
    if (!process_.Running()) {
      return Status::Unavailable("landslide up " + process_.exit_status()->ToString() +
                                 " before the cluster was up; its log ends:\n" + LogTail());
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return Status::DeadlineExceeded("the cluster was not up after " +
                                      std::to_string(timeout.count() / 1000) +
                                      " s; the log of landslide up ends:\n" + LogTail());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

ExitStatus UpProcess::Stop(std::chrono::milliseconds grace) {
  return process_.Terminate(grace, SIGTERM);
}

Result<int> FindFreeBasePort() {
  std::mt19937 rng(static_cast<unsigned>(getpid()) ^ std::random_device{}());
  // Below the kernel's ephemeral range (32768+), where outgoing connections take their ports.
  std::uniform_int_distribution<int> pick(200, 640);
  for (int attempt = 0; attempt < 100; ++attempt) {
    const int base = pick(rng) * 50;
    bool free = true;
    for (int p = base; p < base + 50 && free; ++p) free = PortIsFree(p);
    if (free) return base;
  }
  return Status::Unavailable("no 50 consecutive free ports found on 127.0.0.1");
}

}  // namespace landslide::cluster
