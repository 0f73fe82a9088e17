#include "cluster/up_process.h"

#include <csignal>
#include <thread>

#include "os/process.h"
#include "os/subcommand.h"

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
  os::SubcommandOptions so;
  so.binary = o.binary;
  so.args = {"up"};
  if (o.restart_region.empty()) {
    so.args.insert(so.args.end(), {"--regions", std::to_string(o.regions), "--dir", o.dir.string(),
                                   "--base-port", std::to_string(o.base_port)});
  } else {
    so.args.insert(so.args.end(), {"--dir", o.dir.string(), "--restart-region", o.restart_region});
  }
  so.args.insert(so.args.end(), o.extra_args.begin(), o.extra_args.end());
  so.process.log_file = o.log_file;
  so.process.parent_death_signal = o.parent_death_signal;
  so.process.stop_grace = o.stop_grace;
  auto p = os::StartSubcommand(so);
  if (!p.ok()) return p.status();
  return UpProcess(std::move(o), os::ShowCommand(so.args), std::move(*p));
}

Result<ClusterInfo> UpProcess::WaitForClusterFile(
    std::chrono::milliseconds timeout, const std::function<bool(const ClusterInfo&)>& ready,
    const std::atomic<bool>* stop) {
  const fs::path path = options_.dir / "cluster.json";
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    std::error_code ec;
    if (fs::exists(path, ec)) {
      auto info = ReadClusterFile(path);
      if (info.ok() && (!ready || ready(*info))) return info;
    }
    if (!process_.Running()) {
      return Status::Unavailable("landslide up " + process_.exit_status()->ToString() +
                                 " before the cluster was up; its log ends:\n" + LogTail());
    }
    if (stop && stop->load()) return Status::Aborted("interrupted while the cluster came up");
    if (std::chrono::steady_clock::now() >= deadline) {
      return Status::DeadlineExceeded("the cluster was not up after " +
                                      std::to_string(timeout.count() / 1000) +
                                      " s; the log of landslide up ends:\n" + LogTail());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

os::ExitStatus UpProcess::Stop(std::optional<std::chrono::milliseconds> grace) {
  return process_.Terminate(grace.value_or(options_.stop_grace), SIGTERM);
}

}  // namespace landslide::cluster
